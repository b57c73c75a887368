/**
 * The assistant endpoints: create, update, list, query, delete, and mounting files.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ApiError from "../ApiError.js"
import type { JsonObject } from "../json.js"
import * as Resources from "../resources.js"
import * as Route from "../Route.js"
import * as Store from "../Store.js"
import * as Tools from "../tools.js"
import * as Validate from "../Validate.js"
import * as Wire from "../Wire.js"

const DEFAULT_INSTRUCTIONS = "你是百度制作的AI助手"
const MAX_MOUNTS = 10

interface Fields {
  readonly model: string | undefined
  readonly name: string | undefined
  readonly description: string | undefined
  readonly responseFormat: string | undefined
  readonly instructions: string | undefined
  readonly thoughtInstructions: string | undefined
  readonly chatInstructions: string | undefined
  readonly tools: Array<Store.ToolJson> | undefined
  readonly fileIds: Array<string> | undefined
  readonly metadata: Record<string, string> | undefined
}

/** The create/update fields, in the order the official client sends them. */
const readFields = (
  store: Store.Service,
  body: JsonObject,
  create: boolean
): Either.Either<Fields, ApiError.ApiError> =>
  Either.gen(function*() {
    const model = create
      ? yield* Validate.requiredString(body, "model", { oneOf: Resources.ASSISTANT_MODELS })
      : yield* Validate.optionalString(body, "model", { oneOf: Resources.ASSISTANT_MODELS })
    const nameOptions = { min: 1, max: 128, pattern: Resources.NAME_PATTERN }
    const name = create
      ? yield* Validate.requiredString(body, "name", nameOptions)
      : yield* Validate.optionalString(body, "name", nameOptions)
    const description = yield* Validate.optionalString(body, "description", { max: 512 })
    const responseFormat = yield* Validate.optionalString(body, "response_format", { oneOf: ["text", "json_object"] })
    const instructions = yield* Validate.optionalString(body, "instructions", { max: 4096 })
    const thoughtInstructions = yield* Validate.optionalString(body, "thought_instructions", { max: 4096 })
    const chatInstructions = yield* Validate.optionalString(body, "chat_instructions", { max: 4096 })
    const tools = yield* Tools.tools(body)
    const fileIds = yield* Resources.fileIds(store, body, "file_ids")
    const metadata = yield* Validate.optionalMetadata(body, "metadata")
    return {
      model,
      name,
      description,
      responseFormat,
      instructions,
      thoughtInstructions,
      chatInstructions,
      tools,
      fileIds,
      metadata
    }
  })

/** Replaces the mounts of an assistant by `fileIds`, keeping the records of files already mounted. */
const setMounts = (
  store: Store.Service,
  assistant: Store.AssistantRecord,
  fileIds: ReadonlyArray<string>,
  now: number
) => {
  const previous = store.mounts.get(assistant.id) ?? []
  const mounts = fileIds.map((fileId) =>
    previous.find((m) => m.fileId === fileId) ??
      { fileId, assistantId: assistant.id, seq: store.nextSeq(), createdAt: now }
  )
  store.mounts.set(assistant.id, mounts)
  assistant.fileIds = [...fileIds]
}

const create = Route.make<Store.Store>("/v2/assistants", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const fields = yield* readFields(store, body, true)
    const now = yield* Clock.currentTimeMillis
    const assistant: Store.AssistantRecord = {
      id: Store.Ids.assistant(),
      seq: store.nextSeq(),
      createdAt: now,
      model: fields.model ?? "ERNIE-4.0T-8K",
      name: fields.name ?? "",
      description: fields.description ?? "",
      instructions: fields.instructions ?? DEFAULT_INSTRUCTIONS,
      thoughtInstructions: fields.thoughtInstructions ?? "",
      chatInstructions: fields.chatInstructions ?? "",
      responseFormat: fields.responseFormat ?? "text",
      tools: fields.tools ?? [],
      fileIds: [],
      metadata: fields.metadata ?? {},
      deleted: false
    }
    store.assistants.set(assistant.id, assistant)
    setMounts(store, assistant, fields.fileIds ?? [], now)
    return Route.json(Wire.assistant(assistant))
  }))

const update = Route.make<Store.Store>("/v2/assistants/update", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "assistant_id")
    const assistant = yield* Resources.findAssistant(store, id)
    const fields = yield* readFields(store, body, false)
    const now = yield* Clock.currentTimeMillis
    // strings replace (even ""), empty lists/objects leave the value unchanged
    if (fields.model !== undefined) assistant.model = fields.model
    if (fields.name !== undefined) assistant.name = fields.name
    if (fields.description !== undefined) assistant.description = fields.description
    if (fields.responseFormat !== undefined) assistant.responseFormat = fields.responseFormat
    if (fields.instructions !== undefined) assistant.instructions = fields.instructions
    if (fields.thoughtInstructions !== undefined) assistant.thoughtInstructions = fields.thoughtInstructions
    if (fields.chatInstructions !== undefined) assistant.chatInstructions = fields.chatInstructions
    if (fields.tools !== undefined && fields.tools.length > 0) assistant.tools = fields.tools
    if (fields.fileIds !== undefined && fields.fileIds.length > 0) setMounts(store, assistant, fields.fileIds, now)
    if (fields.metadata !== undefined && Object.keys(fields.metadata).length > 0) assistant.metadata = fields.metadata
    return Route.json(Wire.assistant(assistant))
  }))

const list = Route.make<Store.Store>("/v2/assistants/list", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const params = yield* Validate.listParams(body)
    const all = [...store.assistants.values()].filter((a) => !a.deleted).sort((a, b) => a.seq - b.seq)
    const page = yield* Validate.paginate(all, params, (a) => a.id)
    return Route.json(Wire.list(page, (a) => Wire.assistant(a, { inList: true })))
  }))

const query = Route.make<Store.Store>("/v2/assistants/query", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "assistant_id")
    const assistant = yield* Resources.findAssistant(store, id)
    return Route.json(Wire.assistant(assistant))
  }))

const remove = Route.make<Store.Store>("/v2/assistants/delete", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "assistant_id")
    const assistant = yield* Resources.findAssistant(store, id)
    // forgotten at once (a long-running server keeps flat memory); records still held elsewhere see the flag
    assistant.deleted = true
    store.assistants.delete(id)
    store.mounts.delete(id)
    return Route.json(Wire.deleted(id, "assistant.deleted"))
  }))

const mount = Route.make<Store.Store>("/v2/assistants/files", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "assistant_id")
    const fileId = yield* Resources.requiredId(body, "file_id")
    const assistant = yield* Resources.findAssistant(store, id)
    if (!store.files.has(fileId)) return yield* ApiError.notFound("file_id", `file ${fileId} not found`)
    const mounts = store.mounts.get(id) ?? []
    if (mounts.some((m) => m.fileId === fileId)) {
      return yield* ApiError.invalidArgument("file_id", `file ${fileId} is already mounted on assistant ${id}`)
    }
    if (mounts.length >= MAX_MOUNTS) {
      return yield* ApiError.invalidArgument("file_id", `an assistant can have at most ${MAX_MOUNTS} files`)
    }
    const record: Store.MountRecord = {
      fileId,
      assistantId: id,
      seq: store.nextSeq(),
      createdAt: yield* Clock.currentTimeMillis
    }
    store.mounts.set(id, [...mounts, record])
    assistant.fileIds = [...assistant.fileIds, fileId]
    return Route.json(Wire.assistantFile(record))
  }))

const mountedList = Route.make<Store.Store>("/v2/assistants/files/list", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Validate.optionalString(body, "assistant_id")
    const params = yield* Validate.listParams(body)
    // an empty assistant_id lists the mounted files of every assistant
    const assistants = id === undefined || id === ""
      ? [...store.assistants.values()].filter((a) => !a.deleted)
      : [yield* Resources.findAssistant(store, id)]
    const mounts = assistants.flatMap((a) => store.mounts.get(a.id) ?? []).sort((a, b) => a.seq - b.seq)
    const page = yield* Validate.paginate(mounts, params, (m) => m.fileId)
    return Route.json(Wire.list(page, Wire.assistantFile))
  }))

const unmount = Route.make<Store.Store>("/v2/assistants/files/delete", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "assistant_id")
    const fileId = yield* Resources.requiredId(body, "file_id")
    const assistant = yield* Resources.findAssistant(store, id)
    const mounts = store.mounts.get(id) ?? []
    if (!mounts.some((m) => m.fileId === fileId)) {
      return yield* ApiError.notFound("file_id", `file ${fileId} is not mounted on assistant ${id}`)
    }
    store.mounts.set(id, mounts.filter((m) => m.fileId !== fileId))
    assistant.fileIds = assistant.fileIds.filter((f) => f !== fileId)
    return Route.json(Wire.deleted(fileId, "assistant.file.deleted"))
  }))

/**
 * Every assistant route.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<Route.Route<Store.Store>> = [
  create,
  update,
  list,
  query,
  remove,
  mount,
  mountedList,
  unmount
]
