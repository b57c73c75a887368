/**
 * Messages of a thread (`/v2/threads/messages*`): create, list, query, update, and a message's files.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { AppBuilderClient } from "./AppBuilderClient.js"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import { contentText, ListPage, MessageRole } from "./Common.js"
import * as Endpoint from "./internal/endpoint.js"
import { ContentList } from "./internal/models/content.js"
import { paginate } from "./internal/paginate.js"
import { FileIds, Id, listFields, required, withDefault } from "./internal/requestSchema.js"
import { lenientArray, lenientNumber, lenientString, openEnumField } from "./internal/schema.js"

/**
 * A message of a thread: `msg_…` for messages created through the API, `chatmsg_…` for the assistant's
 * replies (which carry `assistantId` and `runId`).
 *
 * @since 0.1.0
 * @category models
 */
export class Message extends Schema.Class<Message>("@effect-appbuilder/assistant/Message")({
  id: lenientString,
  object: lenientString,
  role: openEnumField("user", "user", "assistant"),
  content: Schema.optionalWith(ContentList, { default: () => [] }),
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at")),
  threadId: lenientString.pipe(Schema.fromKey("thread_id")),
  assistantId: lenientString.pipe(Schema.fromKey("assistant_id")),
  runId: lenientString.pipe(Schema.fromKey("run_id")),
  fileIds: lenientArray(Schema.String).pipe(Schema.fromKey("file_ids"))
}) {
  /**
   * The message's text (all text items concatenated).
   *
   * @since 0.1.0
   */
  get text(): string {
    return contentText(this.content)
  }
}

/**
 * A file attached to a message (`id` is the file id).
 *
 * @since 0.1.0
 * @category models
 */
export class MessageFile extends Schema.Class<MessageFile>("@effect-appbuilder/assistant/MessageFile")({
  id: lenientString,
  object: lenientString,
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at")),
  messageId: lenientString.pipe(Schema.fromKey("message_id"))
}) {}

/**
 * The request of {@link Service.create}.
 *
 * @since 0.1.0
 * @category requests
 */
export const CreateRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  /** Default `user`. */
  role: withDefault(MessageRole, "user"),
  content: Schema.String,
  /** At most 10 file ids. */
  fileIds: withDefault(FileIds, []).pipe(Schema.fromKey("file_ids"))
})

/**
 * The input of {@link Service.create}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CreateInput extends Schema.Schema.Type<typeof CreateRequest> {}

/**
 * The request of {@link Service.list}: a thread id with paging options.
 *
 * @since 0.1.0
 * @category requests
 */
export const ListRequest = Schema.Struct({ threadId: required(Id, "thread_id"), ...listFields })

/**
 * A thread id with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListInput extends Schema.Schema.Type<typeof ListRequest> {}

const messageRefFields = {
  threadId: required(Id, "thread_id"),
  messageId: required(Id, "message_id")
}

/**
 * A thread id and a message id.
 *
 * @since 0.1.0
 * @category requests
 */
export const MessageRefRequest = Schema.Struct(messageRefFields)

/**
 * A thread id and a message id.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface MessageRef extends Schema.Schema.Type<typeof MessageRefRequest> {}

/**
 * The request of {@link Service.update}: the new content, and the new file ids (an empty list leaves them
 * unchanged).
 *
 * @since 0.1.0
 * @category requests
 */
export const UpdateRequest = Schema.Struct({
  ...messageRefFields,
  content: Schema.String,
  /** At most 10 file ids; an empty list leaves them unchanged. */
  fileIds: withDefault(FileIds, []).pipe(Schema.fromKey("file_ids"))
})

/**
 * The input of {@link Service.update}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UpdateInput extends Schema.Schema.Type<typeof UpdateRequest> {}

/**
 * The request of {@link Service.listFiles}: a message reference with paging options.
 *
 * @since 0.1.0
 * @category requests
 */
export const ListFilesRequest = Schema.Struct({ ...messageRefFields, ...listFields })

/**
 * A message reference with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListFilesInput extends Schema.Schema.Type<typeof ListFilesRequest> {}

/**
 * The messages service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly create: (input: CreateInput) => Effect.Effect<Message, HttpError | ValidationError>
  readonly list: (input: ListInput) => Effect.Effect<ListPage<Message>, HttpError | ValidationError>
  /** Every message of the thread, page after page. */
  readonly listAll: (input: ListInput) => Stream.Stream<Message, HttpError | ValidationError>
  readonly query: (input: MessageRef) => Effect.Effect<Message, HttpError | ValidationError>
  readonly update: (input: UpdateInput) => Effect.Effect<Message, HttpError | ValidationError>
  readonly listFiles: (input: ListFilesInput) => Effect.Effect<ListPage<MessageFile>, HttpError | ValidationError>
  /** Every file of the message, page after page. */
  readonly listAllFiles: (input: ListFilesInput) => Stream.Stream<MessageFile, HttpError | ValidationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Messages extends Context.Tag("@effect-appbuilder/assistant/Messages")<Messages, Service>() {}

/**
 * The operations of the messages service.
 */
const endpoints = {
  create: Endpoint.make({
    name: "Messages.create",
    path: "/v2/threads/messages",
    idempotent: false,
    request: CreateRequest,
    response: Message,
    spanAttributes: ["thread_id"],
    resultAttributes: (message) => ({ "appbuilder.message_id": message.id })
  }),
  list: Endpoint.make({
    name: "Messages.list",
    path: "/v2/threads/messages/list",
    idempotent: true,
    request: ListRequest,
    response: ListPage(Message),
    spanAttributes: ["thread_id"]
  }),
  query: Endpoint.make({
    name: "Messages.query",
    path: "/v2/threads/messages/query",
    idempotent: true,
    request: MessageRefRequest,
    response: Message,
    spanAttributes: ["thread_id", "message_id"]
  }),
  update: Endpoint.make({
    name: "Messages.update",
    path: "/v2/threads/messages/update",
    idempotent: false,
    request: UpdateRequest,
    response: Message,
    spanAttributes: ["thread_id", "message_id"]
  }),
  listFiles: Endpoint.make({
    name: "Messages.listFiles",
    path: "/v2/threads/messages/files/list",
    idempotent: true,
    request: ListFilesRequest,
    response: ListPage(MessageFile),
    spanAttributes: ["thread_id", "message_id"]
  })
}

/**
 * Builds the messages service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient
  const list = Endpoint.call(client, endpoints.list)
  const listFiles = Endpoint.call(client, endpoints.listFiles)
  return Messages.of({
    create: Endpoint.call(client, endpoints.create),
    list,
    listAll: (input) => paginate(input, list),
    query: Endpoint.call(client, endpoints.query),
    update: Endpoint.call(client, endpoints.update),
    listFiles,
    listAllFiles: (input) => paginate(input, listFiles)
  })
})

/**
 * The messages service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Messages, never, AppBuilderClient> = Layer.effect(Messages, make)
