/**
 * The message endpoints: create, list, query, update, and a message's files.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import * as Resources from "../resources.js"
import * as Route from "../Route.js"
import * as RunEngine from "../RunEngine.js"
import * as Store from "../Store.js"
import * as Validate from "../Validate.js"
import * as Wire from "../Wire.js"

const create = Route.make<Store.Store | RunEngine.RunEngine>(
  "/v2/threads/messages",
  ({ body }) =>
    Effect.gen(function*() {
      const store = yield* Store.Store
      const engine = yield* RunEngine.RunEngine
      const threadId = yield* Resources.requiredId(body, "thread_id")
      const thread = yield* Resources.findThread(store, threadId)
      const role = yield* Validate.optionalString(body, "role", { oneOf: Resources.ROLES })
      const content = yield* Validate.requiredString(body, "content")
      const fileIds = yield* Resources.fileIds(store, body, "file_ids")
      if (Option.isSome(yield* engine.activeRun(threadId))) return yield* ApiError.threadBusy(threadId)
      const message = Store.appendMessage(store, thread, {
        role: role === "assistant" ? "assistant" : "user",
        content,
        fileIds
      }, yield* Clock.currentTimeMillis)
      return Route.json(Wire.message(message))
    })
)

const list = Route.make<Store.Store>("/v2/threads/messages/list", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const threadId = yield* Resources.requiredId(body, "thread_id")
    const params = yield* Validate.listParams(body)
    const thread = yield* Resources.findThread(store, threadId)
    const messages = [...thread.messages].sort((a, b) => a.seq - b.seq)
    const page = yield* Validate.paginate(messages, params, (m) => m.id)
    return Route.json(Wire.list(page, Wire.message))
  }))

const query = Route.make<Store.Store>("/v2/threads/messages/query", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const threadId = yield* Resources.requiredId(body, "thread_id")
    const messageId = yield* Resources.requiredId(body, "message_id")
    const thread = yield* Resources.findThread(store, threadId)
    const message = yield* Resources.findMessage(thread, messageId)
    return Route.json(Wire.message(message))
  }))

const update = Route.make<Store.Store>("/v2/threads/messages/update", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const threadId = yield* Resources.requiredId(body, "thread_id")
    const messageId = yield* Resources.requiredId(body, "message_id")
    const thread = yield* Resources.findThread(store, threadId)
    const message = yield* Resources.findMessage(thread, messageId)
    const content = yield* Validate.optionalString(body, "content")
    const fileIds = yield* Resources.fileIds(store, body, "file_ids")
    // a string replaces the content; a non-empty list replaces the files
    if (content !== undefined) message.content = content
    if (fileIds !== undefined && fileIds.length > 0) message.fileIds = fileIds
    return Route.json(Wire.message(message))
  }))

const files = Route.make<Store.Store>("/v2/threads/messages/files/list", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const threadId = yield* Resources.requiredId(body, "thread_id")
    const messageId = yield* Resources.requiredId(body, "message_id")
    const params = yield* Validate.listParams(body)
    const thread = yield* Resources.findThread(store, threadId)
    const message = yield* Resources.findMessage(thread, messageId)
    const fileIds = message.fileIds.filter((id) => store.files.has(id))
    const page = yield* Validate.paginate(fileIds, params, (id) => id)
    return Route.json(Wire.list(page, (id) => Wire.messageFile(id, message)))
  }))

/**
 * Every message route.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<Route.Route<Store.Store | RunEngine.RunEngine>> = [
  create,
  list,
  query,
  update,
  files
]
