/**
 * Assistants (`/v2/assistants*`): create, update, list, query, delete, and the files mounted on an
 * assistant.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { HttpError, type ValidationError } from "./AppBuilderError.js"
import { AppBuilderClient, type Operation } from "./AppBuilderClient.js"
import {
  AssistantTool,
  DeletionStatus,
  ListPage,
  type AssistantToolInput,
  type ListOptions,
  type Metadata,
  type Model,
  type ResponseFormat
} from "./Common.js"
import { File } from "./Files.js"
import { paginate } from "./internal/paginate.js"
import { array, metadata, num, openEnumField, str } from "./internal/schema.js"
import * as V from "./internal/validation.js"

/**
 * An assistant. `createdAt` is in epoch milliseconds; `metadata` is `{}` when the service sends `null`.
 *
 * @since 0.1.0
 * @category models
 */
export class Assistant extends Schema.Class<Assistant>("@effect-appbuilder/assistant/Assistant")({
  id: str,
  object: str,
  name: str,
  description: str,
  model: str,
  instructions: str,
  thoughtInstructions: str.pipe(Schema.fromKey("thought_instructions")),
  chatInstructions: str.pipe(Schema.fromKey("chat_instructions")),
  responseFormat: openEnumField("text", "text", "json_object").pipe(Schema.fromKey("response_format")),
  tools: array(AssistantTool),
  fileIds: array(Schema.String).pipe(Schema.fromKey("file_ids")),
  metadata,
  createdAt: num.pipe(Schema.fromKey("created_at"))
}) {}

/**
 * A file mounted on an assistant (`id` is the file id).
 *
 * @since 0.1.0
 * @category models
 */
export class AssistantFile extends Schema.Class<AssistantFile>("@effect-appbuilder/assistant/AssistantFile")({
  id: str,
  object: str,
  createdAt: num.pipe(Schema.fromKey("created_at")),
  assistantId: str.pipe(Schema.fromKey("assistant_id"))
}) {}

/**
 * The fields of an assistant that create and update share.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface AssistantFields {
  /** 1–128 characters: Chinese characters, ASCII letters, digits, `_`, `-`. */
  readonly name: string
  /** At most 512 characters. */
  readonly description?: string | undefined
  /**
   * The model, e.g. `ERNIE-4.0T-8K` (the default on create). Any non-empty name is sent; the service
   * rejects a name it does not know (`HttpError` with reason `Api` and `param` `model`).
   */
  readonly model?: Model | undefined
  /** `text` (default) or `json_object`. */
  readonly responseFormat?: ResponseFormat | undefined
  /** Persona instructions, at most 4096 characters. */
  readonly instructions?: string | undefined
  /** Business-rule instructions, at most 4096 characters. Default `""`. */
  readonly thoughtInstructions?: string | undefined
  /** Reply-style instructions, at most 4096 characters. Default `""`. */
  readonly chatInstructions?: string | undefined
  /** At most 10 function tools. */
  readonly tools?: ReadonlyArray<AssistantToolInput> | undefined
  /** At most 10 file ids (they become the mounted files). */
  readonly fileIds?: ReadonlyArray<string> | undefined
  /** At most 16 entries, keys ≤ 64 and values ≤ 512 characters. */
  readonly metadata?: Metadata | undefined
}

/**
 * The input of {@link Service.create}. Defaults as in the official client: model `ERNIE-4.0T-8K`,
 * description `""`, instructions `你是百度制作的AI助手`.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CreateInput extends AssistantFields {}

/**
 * The input of {@link Service.update}: a full update, as in the official client (`model`, `name` and
 * `description` are required; absent fields are sent with the update defaults, `instructions` `""`).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UpdateInput extends AssistantFields {
  readonly assistantId: string
  readonly model: Model
  readonly description: string
}

/**
 * An assistant id and a file id.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface FileRef {
  readonly assistantId: string
  readonly fileId: string
}

/**
 * The input of {@link Service.listMountedFiles}. An empty (or absent) `assistantId` lists the mounted files
 * of all the caller's assistants.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListMountedFilesInput extends ListOptions {
  readonly assistantId?: string | undefined
}

/**
 * The assistants service.
 *
 * `mountFile` first queries the file and `unmountFile` first lists the mounted files, like the official
 * client: an unknown file is reported by the query's own `HttpError` (storage code, e.g. `FileNotFound`);
 * a file that is not mounted gives an `HttpError` with reason `Api`, code `not_found`, param `file_id`,
 * and no delete request is sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly create: (input: CreateInput) => Effect.Effect<Assistant, HttpError | ValidationError>
  readonly update: (input: UpdateInput) => Effect.Effect<Assistant, HttpError | ValidationError>
  readonly list: (options?: ListOptions) => Effect.Effect<ListPage<Assistant>, HttpError | ValidationError>
  /** Every assistant, page after page. */
  readonly listAll: (options?: ListOptions) => Stream.Stream<Assistant, HttpError | ValidationError>
  readonly query: (assistantId: string) => Effect.Effect<Assistant, HttpError | ValidationError>
  readonly delete: (assistantId: string) => Effect.Effect<DeletionStatus, HttpError | ValidationError>
  readonly mountFile: (input: FileRef) => Effect.Effect<AssistantFile, HttpError | ValidationError>
  readonly listMountedFiles: (
    input?: ListMountedFilesInput
  ) => Effect.Effect<ListPage<AssistantFile>, HttpError | ValidationError>
  readonly unmountFile: (input: FileRef) => Effect.Effect<DeletionStatus, HttpError | ValidationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Assistants extends Context.Tag("@effect-appbuilder/assistant/Assistants")<Assistants, Service>() {}

const op = (name: string, idempotent: boolean): Operation => ({ name, idempotent })

const AssistantList = ListPage(Assistant)
const AssistantFileList = ListPage(AssistantFile)

const assistantFields = (
  c: V.Collector,
  input: Partial<AssistantFields>,
  defaults: { readonly model: string; readonly instructions: string }
) => {
  return {
    model: V.model(c, ["model"], input.model, defaults.model),
    name: V.name(c, ["name"], input.name),
    description: V.optionalString(c, ["description"], input.description, "", 512),
    response_format: V.literal(c, ["responseFormat"], input.responseFormat, ["text", "json_object"], "text"),
    instructions: V.optionalString(c, ["instructions"], input.instructions, defaults.instructions, 4096),
    thought_instructions: V.optionalString(c, ["thoughtInstructions"], input.thoughtInstructions, "", 4096),
    chat_instructions: V.optionalString(c, ["chatInstructions"], input.chatInstructions, "", 4096),
    tools: V.tools(c, ["tools"], input.tools),
    file_ids: V.fileIds(c, ["fileIds"], input.fileIds),
    metadata: V.metadata(c, ["metadata"], input.metadata)
  }
}

/**
 * Validates a create request and encodes its body (every key the official client sends).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreate = (input: CreateInput) =>
  V.validate("Assistants.create", (c) =>
    assistantFields(c, V.record(c, input), {
      model: "ERNIE-4.0T-8K",
      instructions: "你是百度制作的AI助手"
    }))

/**
 * Validates an update request and encodes its body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeUpdate = (input: UpdateInput) =>
  V.validate("Assistants.update", (c) => {
    const fields: Partial<UpdateInput> = V.record(c, input)
    const assistantId = V.id(c, ["assistantId"], fields.assistantId)
    if (fields.model === undefined) c.add(["model"], "is required")
    if (fields.description === undefined) c.add(["description"], "is required")
    return { assistant_id: assistantId, ...assistantFields(c, fields, { model: "", instructions: "" }) }
  })

/**
 * Builds the assistants service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const create = Effect.fn("Assistants.create")(function*(input: CreateInput) {
    const body = yield* encodeCreate(input)
    const assistant = yield* client.post(op("Assistants.create", false), "/v2/assistants", body, Assistant)
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": assistant.id })
    return assistant
  })

  const update = Effect.fn("Assistants.update")(function*(input: UpdateInput) {
    const body = yield* encodeUpdate(input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": body.assistant_id })
    return yield* client.post(op("Assistants.update", false), "/v2/assistants/update", body, Assistant)
  })

  const list = Effect.fn("Assistants.list")(function*(options?: ListOptions) {
    const body = yield* V.validate("Assistants.list", (c) => V.listFields(c, options))
    return yield* client.post(op("Assistants.list", true), "/v2/assistants/list", body, AssistantList)
  })

  // absent options are the defaults; anything else (`null` included) is validated by `list`
  const listAll = (options?: ListOptions) => paginate(options === undefined ? {} : options, list)

  const idBody = (operation: string, assistantId: string) =>
    V.validate(operation, (c) => ({ assistant_id: V.id(c, ["assistantId"], assistantId) }))

  const query = Effect.fn("Assistants.query")(function*(assistantId: string) {
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": assistantId })
    const body = yield* idBody("Assistants.query", assistantId)
    return yield* client.post(op("Assistants.query", true), "/v2/assistants/query", body, Assistant)
  })

  const delete_ = Effect.fn("Assistants.delete")(function*(assistantId: string) {
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": assistantId })
    const body = yield* idBody("Assistants.delete", assistantId)
    return yield* client.post(op("Assistants.delete", false), "/v2/assistants/delete", body, DeletionStatus)
  })

  const fileRefBody = (operation: string, input: FileRef) =>
    V.validate(operation, (c) => {
      const fields = V.record(c, input)
      return {
        assistant_id: V.id(c, ["assistantId"], fields.assistantId),
        file_id: V.id(c, ["fileId"], fields.fileId)
      }
    })

  const mountFile = Effect.fn("Assistants.mountFile")(function*(input: FileRef) {
    const name = "Assistants.mountFile"
    const body = yield* fileRefBody(name, input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": body.assistant_id, "appbuilder.file_id": body.file_id })
    // the official client queries the file first: an unknown file fails here, before any mount
    yield* client.post(op(name, true), "/v2/storage/files/query", { file_id: body.file_id }, File)
    return yield* client.post(op(name, false), "/v2/assistants/files", body, AssistantFile)
  })

  const listMountedFiles = Effect.fn("Assistants.listMountedFiles")(function*(input: ListMountedFilesInput = {}) {
    const body = yield* V.validate("Assistants.listMountedFiles", (c) => {
      const fields = V.record(c, input)
      return { assistant_id: V.optionalString(c, ["assistantId"], fields.assistantId, ""), ...V.listFields(c, fields) }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": body.assistant_id })
    return yield* client.post(
      op("Assistants.listMountedFiles", true),
      "/v2/assistants/files/list",
      body,
      AssistantFileList
    )
  })

  const unmountFile = Effect.fn("Assistants.unmountFile")(function*(input: FileRef) {
    const name = "Assistants.unmountFile"
    const body = yield* fileRefBody(name, input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.assistant_id": body.assistant_id, "appbuilder.file_id": body.file_id })
    // the official client checks that the file is mounted before deleting
    const mounted = yield* client.post(
      op(name, true),
      "/v2/assistants/files/list",
      { assistant_id: body.assistant_id, limit: 2147483647, order: "desc", after: "", before: "" },
      AssistantFileList
    )
    if (!mounted.data.some((file) => file.id === body.file_id)) {
      return yield* new HttpError({
        reason: "Api",
        operation: name,
        description: `file ${body.file_id} is not mounted on assistant ${body.assistant_id}`,
        code: "not_found",
        type: "invalid_request_error",
        param: "file_id"
      })
    }
    return yield* client.post(op(name, false), "/v2/assistants/files/delete", body, DeletionStatus)
  })

  return Assistants.of({
    create,
    update,
    list,
    listAll,
    query,
    delete: delete_,
    mountFile,
    listMountedFiles,
    unmountFile
  })
})

/**
 * The assistants service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Assistants, never, AppBuilderClient> = Layer.effect(Assistants, make)
