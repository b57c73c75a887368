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
import { AppBuilderClient } from "./AppBuilderClient.js"
import { FileNotMounted, type HttpError, type ValidationError } from "./AppBuilderError.js"
import { DeletionStatus, type ListOptions, ListPage, ResponseFormat } from "./Common.js"
import { File } from "./Files.js"
import * as Endpoint from "./internal/endpoint.js"
import { AssistantTool } from "./internal/models/tool.js"
import { paginate } from "./internal/paginate.js"
import {
  charLength,
  FileIds,
  Id,
  listFields,
  Metadata,
  ModelName,
  required,
  text,
  withDefault
} from "./internal/requestSchema.js"
import { lenientArray, lenientMetadata, lenientNumber, lenientString, openEnumField } from "./internal/schema.js"
import * as Requests from "./internal/sharedRequests.js"

// -----------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------

/**
 * The function tools of an assistant or a run (`AssistantTool`, the only tool type of the service) and
 * their parts: the function definition (`FunctionDefinition`), its JSON schemas (`FunctionJsonSchema`,
 * of which only `type`, `properties` and `required` are kept, as the official client does) and its
 * example dialogue (`AssistantExample`, `ExampleFunctionCall`). `MAX_SCHEMA_DEPTH` is the deepest
 * nesting accepted in a tool's JSON schema.
 *
 * @since 0.1.0
 * @category models
 */
export {
  /**
   * One turn of an example dialogue of a function tool.
   *
   * @since 0.1.0
   * @category models
   */
  AssistantExample,
  /**
   * A tool of an assistant or a run (only `function` tools exist).
   *
   * @since 0.1.0
   * @category models
   */
  AssistantTool,
  /**
   * The function call of an `AssistantExample`.
   *
   * @since 0.1.0
   * @category models
   */
  ExampleFunctionCall,
  /**
   * The definition of a function tool.
   *
   * @since 0.1.0
   * @category models
   */
  FunctionDefinition,
  /**
   * The JSON schema of a function tool's input (or output): only `type`, `properties` and
   * `required` are kept.
   *
   * @since 0.1.0
   * @category models
   */
  FunctionJsonSchema,
  /**
   * The deepest nesting accepted in a function tool's JSON schema.
   *
   * @since 0.1.0
   * @category models
   */
  MAX_SCHEMA_DEPTH
} from "./internal/models/tool.js"

/**
 * A function tool's JSON schema as given by the caller. Any keyword other than `type`, `properties`
 * and `required` is accepted and dropped (as the official client does).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface FunctionJsonSchemaInput extends Schema.Schema.Type<typeof Requests.FunctionSchema> {}

/**
 * An example turn of a function tool, as given by the caller.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface AssistantExampleInput extends Schema.Schema.Type<typeof Requests.Example> {}

/**
 * A function definition as given by the caller: `name` and `description` are required.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface FunctionDefinitionInput extends Schema.Schema.Type<typeof Requests.FunctionDefinition> {}

/**
 * A tool as given by the caller. A decoded {@link AssistantTool} is accepted too. `type` must be
 * `function` (the only tool type of the service; the default).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface AssistantToolInput extends Schema.Schema.Type<typeof Requests.Tool> {}

// -----------------------------------------------------------------------------
// assistants
// -----------------------------------------------------------------------------

/**
 * An assistant. `createdAt` is in epoch milliseconds; `metadata` is `{}` when the service sends `null`.
 *
 * @since 0.1.0
 * @category models
 */
export class Assistant extends Schema.Class<Assistant>("@effect-appbuilder/assistant/Assistant")({
  id: lenientString,
  object: lenientString,
  name: lenientString,
  description: lenientString,
  model: lenientString,
  instructions: lenientString,
  thoughtInstructions: lenientString.pipe(Schema.fromKey("thought_instructions")),
  chatInstructions: lenientString.pipe(Schema.fromKey("chat_instructions")),
  responseFormat: openEnumField("text", "text", "json_object").pipe(Schema.fromKey("response_format")),
  tools: lenientArray(AssistantTool),
  fileIds: lenientArray(Schema.String).pipe(Schema.fromKey("file_ids")),
  metadata: lenientMetadata,
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at"))
}) {}

/**
 * A file mounted on an assistant (`id` is the file id).
 *
 * @since 0.1.0
 * @category models
 */
export class AssistantFile extends Schema.Class<AssistantFile>("@effect-appbuilder/assistant/AssistantFile")({
  id: lenientString,
  object: lenientString,
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at")),
  assistantId: lenientString.pipe(Schema.fromKey("assistant_id"))
}) {}

const assistantFields = (defaults: { readonly model: string; readonly instructions: string }) => ({
  /**
   * The model, e.g. `ERNIE-4.0T-8K` (the default on create). Any non-empty name is sent; the service
   * rejects a name it does not know (`HttpError` with reason `Api` and `param` `model`).
   */
  model: withDefault(ModelName, defaults.model),
  /** 1–128 characters: Chinese characters, ASCII letters, digits, `_`, `-`. */
  name: AssistantName,
  /** At most 512 characters. Default `""`. */
  description: withDefault(text(512), ""),
  /** `text` (default) or `json_object`. */
  responseFormat: withDefault(ResponseFormat, "text").pipe(Schema.fromKey("response_format")),
  /** Persona instructions, at most 4096 characters. */
  instructions: withDefault(text(4096), defaults.instructions),
  /** Business-rule instructions, at most 4096 characters. Default `""`. */
  thoughtInstructions: withDefault(text(4096), "").pipe(Schema.fromKey("thought_instructions")),
  /** Reply-style instructions, at most 4096 characters. Default `""`. */
  chatInstructions: withDefault(text(4096), "").pipe(Schema.fromKey("chat_instructions")),
  /** At most 10 function tools. */
  tools: withDefault(Requests.Tools, []),
  /** At most 10 file ids (they become the mounted files). */
  fileIds: withDefault(FileIds, []).pipe(Schema.fromKey("file_ids")),
  /** At most 16 entries, keys ≤ 64 and values ≤ 512 characters. */
  metadata: withDefault(Metadata, {})
})

/**
 * A name of an assistant: 1–128 characters among Chinese characters, ASCII letters, digits, `_` and `-`.
 */
const AssistantName = Schema.String.pipe(Schema.filter((name) => {
  const length = charLength(name)
  if (length < 1 || length > 128) return `must be 1 to 128 characters (got ${length})`
  return /^[\u4e00-\u9fa50-9a-zA-Z_-]+$/.test(name) ||
    "may only contain Chinese characters, ASCII letters, digits, '_' and '-'"
}))

/**
 * The request of {@link Service.create}. Defaults as in the official client: model `ERNIE-4.0T-8K`,
 * description `""`, instructions `你是百度制作的AI助手`.
 *
 * @since 0.1.0
 * @category requests
 */
export const CreateRequest = Schema.Struct(
  assistantFields({ model: "ERNIE-4.0T-8K", instructions: "你是百度制作的AI助手" })
)

/**
 * The input of {@link Service.create}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CreateInput extends Schema.Schema.Type<typeof CreateRequest> {}

/**
 * The request of {@link Service.update}: a full update, as in the official client (`model`, `name` and
 * `description` are required; absent fields are sent with the update defaults, `instructions` `""`).
 *
 * @since 0.1.0
 * @category requests
 */
export const UpdateRequest = Schema.Struct({
  assistantId: required(Id, "assistant_id"),
  ...assistantFields({ model: "", instructions: "" }),
  model: ModelName,
  description: text(512)
})

/**
 * The input of {@link Service.update}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UpdateInput extends Schema.Schema.Type<typeof UpdateRequest> {}

const AssistantRef = Schema.Struct({ assistantId: required(Id, "assistant_id") })

/**
 * An assistant id and a file id.
 *
 * @since 0.1.0
 * @category requests
 */
export const FileRefRequest = Schema.Struct({
  assistantId: required(Id, "assistant_id"),
  fileId: required(Id, "file_id")
})

/**
 * An assistant id and a file id.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface FileRef extends Schema.Schema.Type<typeof FileRefRequest> {}

/**
 * The request of {@link Service.listMountedFiles}. An empty (or absent) `assistantId` lists the mounted
 * files of all the caller's assistants.
 *
 * @since 0.1.0
 * @category requests
 */
export const ListMountedFilesRequest = Schema.Struct({
  assistantId: withDefault(Schema.String, "").pipe(Schema.fromKey("assistant_id")),
  ...listFields
})

/**
 * The input of {@link Service.listMountedFiles}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListMountedFilesInput extends Schema.Schema.Type<typeof ListMountedFilesRequest> {}

/**
 * The assistants service.
 *
 * `mountFile` first queries the file and `unmountFile` first lists the mounted files, like the official
 * client: an unknown file is reported by the query's own `HttpError` (storage code, e.g. `FileNotFound`);
 * a file that is not mounted fails with `FileNotMounted`, and no delete request is sent.
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
  /** Every mounted file (of the assistant, or of all the caller's assistants), page after page. */
  readonly listAllMountedFiles: (
    input?: ListMountedFilesInput
  ) => Stream.Stream<AssistantFile, HttpError | ValidationError>
  readonly unmountFile: (
    input: FileRef
  ) => Effect.Effect<DeletionStatus, HttpError | ValidationError | FileNotMounted>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Assistants extends Context.Tag("@effect-appbuilder/assistant/Assistants")<Assistants, Service>() {}

const AssistantList = ListPage(Assistant)
const AssistantFileList = ListPage(AssistantFile)

const FileQuery = Schema.Struct({ fileId: required(Id, "file_id") })

/**
 * The operations of the assistants service.
 */
const endpoints = {
  create: Endpoint.make({
    name: "Assistants.create",
    path: "/v2/assistants",
    idempotent: false,
    request: CreateRequest,
    response: Assistant,
    resultAttributes: (assistant) => ({ "appbuilder.assistant_id": assistant.id })
  }),
  update: Endpoint.make({
    name: "Assistants.update",
    path: "/v2/assistants/update",
    idempotent: false,
    request: UpdateRequest,
    response: Assistant,
    spanAttributes: ["assistant_id"]
  }),
  list: Endpoint.make({
    name: "Assistants.list",
    path: "/v2/assistants/list",
    idempotent: true,
    request: Schema.Struct(listFields),
    response: AssistantList
  }),
  query: Endpoint.make({
    name: "Assistants.query",
    path: "/v2/assistants/query",
    idempotent: true,
    request: AssistantRef,
    response: Assistant,
    spanAttributes: ["assistant_id"]
  }),
  delete: Endpoint.make({
    name: "Assistants.delete",
    path: "/v2/assistants/delete",
    idempotent: false,
    request: AssistantRef,
    response: DeletionStatus,
    spanAttributes: ["assistant_id"]
  }),
  /** The official client queries the file before it mounts it: an unknown file fails there. */
  queryFile: Endpoint.make({
    name: "Assistants.mountFile",
    path: "/v2/storage/files/query",
    idempotent: true,
    request: FileQuery,
    response: File
  }),
  mountFile: Endpoint.make({
    name: "Assistants.mountFile",
    path: "/v2/assistants/files",
    idempotent: false,
    request: FileRefRequest,
    response: AssistantFile,
    spanAttributes: ["assistant_id", "file_id"]
  }),
  listMountedFiles: Endpoint.make({
    name: "Assistants.listMountedFiles",
    path: "/v2/assistants/files/list",
    idempotent: true,
    request: ListMountedFilesRequest,
    response: AssistantFileList,
    spanAttributes: ["assistant_id"]
  }),
  unmountFile: Endpoint.make({
    name: "Assistants.unmountFile",
    path: "/v2/assistants/files/delete",
    idempotent: false,
    request: FileRefRequest,
    response: DeletionStatus,
    spanAttributes: ["assistant_id", "file_id"]
  })
}

/**
 * Builds the assistants service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const list = Endpoint.call(client, endpoints.list)
  const listMountedFiles = Endpoint.call(client, endpoints.listMountedFiles)
  const query = Endpoint.call(client, endpoints.query)
  const delete_ = Endpoint.call(client, endpoints.delete)

  const mountFile = Effect.fn("Assistants.mountFile")(function*(input: FileRef) {
    const body = yield* Endpoint.encode(endpoints.mountFile, input)
    yield* Endpoint.annotate(endpoints.mountFile, body)
    yield* Endpoint.send(client, endpoints.queryFile, { file_id: body.file_id })
    return yield* Endpoint.send(client, endpoints.mountFile, body)
  })

  const unmountFile = Effect.fn("Assistants.unmountFile")(function*(input: FileRef) {
    const name = endpoints.unmountFile.name
    const body = yield* Endpoint.encode(endpoints.unmountFile, input)
    yield* Endpoint.annotate(endpoints.unmountFile, body)
    // like the official client, check that the file is mounted (listing every mounted file) before deleting
    const listBody = yield* Endpoint.encode(endpoints.listMountedFiles, {
      assistantId: body.assistant_id,
      limit: 2147483647
    })
    const mounted = yield* Endpoint.send(client, endpoints.listMountedFiles, listBody, { operation: name })
    if (!mounted.data.some((file) => file.id === body.file_id)) {
      return yield* new FileNotMounted({ assistantId: body.assistant_id, fileId: body.file_id })
    }
    return yield* Endpoint.send(client, endpoints.unmountFile, body)
  })

  return Assistants.of({
    create: Endpoint.call(client, endpoints.create),
    update: Endpoint.call(client, endpoints.update),
    // absent options are the defaults; anything else (`null` included) is checked by the request Schema
    list: (options) => list(options === undefined ? {} : options),
    listAll: (options) => paginate(options === undefined ? {} : options, list),
    query: (assistantId) => query({ assistantId }),
    delete: (assistantId) => delete_({ assistantId }),
    mountFile,
    listMountedFiles: (input) => listMountedFiles(input === undefined ? {} : input),
    listAllMountedFiles: (input) => paginate(input === undefined ? {} : input, listMountedFiles),
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
