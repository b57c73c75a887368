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
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import { AppBuilderClient, type Operation } from "./AppBuilderClient.js"
import { contentText, ContentList, ListPage, type ListOptions, type MessageRole } from "./Common.js"
import { paginate } from "./internal/paginate.js"
import { array, num, openEnumField, str } from "./internal/schema.js"
import * as V from "./internal/validation.js"

/**
 * A message of a thread: `msg_…` for messages created through the API, `chatmsg_…` for the assistant's
 * replies (which carry `assistantId` and `runId`).
 *
 * @since 0.1.0
 * @category models
 */
export class Message extends Schema.Class<Message>("@effect-appbuilder/assistant/Message")({
  id: str,
  object: str,
  role: openEnumField("user", "user", "assistant"),
  content: Schema.optionalWith(ContentList, { default: () => [] }),
  createdAt: num.pipe(Schema.fromKey("created_at")),
  threadId: str.pipe(Schema.fromKey("thread_id")),
  assistantId: str.pipe(Schema.fromKey("assistant_id")),
  runId: str.pipe(Schema.fromKey("run_id")),
  fileIds: array(Schema.String).pipe(Schema.fromKey("file_ids"))
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
  id: str,
  object: str,
  createdAt: num.pipe(Schema.fromKey("created_at")),
  messageId: str.pipe(Schema.fromKey("message_id"))
}) {}

/**
 * The input of {@link Service.create}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CreateInput {
  readonly threadId: string
  readonly content: string
  /** Default `user`. */
  readonly role?: MessageRole | undefined
  /** At most 10 file ids. */
  readonly fileIds?: ReadonlyArray<string> | undefined
}

/**
 * A thread id with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListInput extends ListOptions {
  readonly threadId: string
}

/**
 * A thread id and a message id.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface MessageRef {
  readonly threadId: string
  readonly messageId: string
}

/**
 * The input of {@link Service.update}: the new content, and the new file ids (an empty list leaves them
 * unchanged).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UpdateInput extends MessageRef {
  readonly content: string
  readonly fileIds?: ReadonlyArray<string> | undefined
}

/**
 * A message reference with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListFilesInput extends MessageRef, ListOptions {}

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
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Messages extends Context.Tag("@effect-appbuilder/assistant/Messages")<Messages, Service>() {}

const op = (name: string, idempotent: boolean): Operation => ({ name, idempotent })

const MessageList = ListPage(Message)
const MessageFileList = ListPage(MessageFile)

/**
 * Validates a create request and encodes its body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreate = (input: CreateInput) =>
  V.validate("Messages.create", (c) => {
    const fields = V.record(c, input)
    return {
      thread_id: V.id(c, ["threadId"], fields.threadId),
      role: V.literal(c, ["role"], fields.role, ["user", "assistant"], "user"),
      content: V.string(c, ["content"], fields.content),
      file_ids: V.fileIds(c, ["fileIds"], fields.fileIds)
    }
  })

/**
 * Validates an update request and encodes its body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeUpdate = (input: UpdateInput) =>
  V.validate("Messages.update", (c) => {
    const fields = V.record(c, input)
    return {
      thread_id: V.id(c, ["threadId"], fields.threadId),
      message_id: V.id(c, ["messageId"], fields.messageId),
      content: V.string(c, ["content"], fields.content),
      file_ids: V.fileIds(c, ["fileIds"], fields.fileIds)
    }
  })

/**
 * Builds the messages service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const create = Effect.fn("Messages.create")(function*(input: CreateInput) {
    const body = yield* encodeCreate(input)
    const message = yield* client.post(op("Messages.create", false), "/v2/threads/messages", body, Message)
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.message_id": message.id })
    return message
  })

  const list = Effect.fn("Messages.list")(function*(input: ListInput) {
    const body = yield* V.validate("Messages.list", (c) => {
      const fields = V.record(c, input)
      return { thread_id: V.id(c, ["threadId"], fields.threadId), ...V.listFields(c, fields) }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id })
    return yield* client.post(op("Messages.list", true), "/v2/threads/messages/list", body, MessageList)
  })

  const listAll = (input: ListInput) => paginate(input, list)

  const refBody = (operation: string, input: MessageRef) =>
    V.validate(operation, (c) => {
      const fields = V.record(c, input)
      return {
        thread_id: V.id(c, ["threadId"], fields.threadId),
        message_id: V.id(c, ["messageId"], fields.messageId)
      }
    })

  const query = Effect.fn("Messages.query")(function*(input: MessageRef) {
    const body = yield* refBody("Messages.query", input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.message_id": body.message_id })
    return yield* client.post(op("Messages.query", true), "/v2/threads/messages/query", body, Message)
  })

  const update = Effect.fn("Messages.update")(function*(input: UpdateInput) {
    const body = yield* encodeUpdate(input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.message_id": body.message_id })
    return yield* client.post(op("Messages.update", false), "/v2/threads/messages/update", body, Message)
  })

  const listFiles = Effect.fn("Messages.listFiles")(function*(input: ListFilesInput) {
    const body = yield* V.validate("Messages.listFiles", (c) => {
      const fields = V.record(c, input)
      return {
        thread_id: V.id(c, ["threadId"], fields.threadId),
        message_id: V.id(c, ["messageId"], fields.messageId),
        ...V.listFields(c, fields)
      }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.message_id": body.message_id })
    return yield* client.post(
      op("Messages.listFiles", true),
      "/v2/threads/messages/files/list",
      body,
      MessageFileList
    )
  })

  return Messages.of({ create, list, listAll, query, update, listFiles })
})

/**
 * The messages service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Messages, never, AppBuilderClient> = Layer.effect(Messages, make)
