/**
 * The thread endpoints: create (with initial messages), query, update, delete.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import type { Json, JsonObject } from "../json.js"
import { isObject } from "../json.js"
import * as Resources from "../resources.js"
import * as Route from "../Route.js"
import * as RunEngine from "../RunEngine.js"
import * as Store from "../Store.js"
import * as Validate from "../Validate.js"
import * as Wire from "../Wire.js"

interface NewMessage {
  readonly role: "user" | "assistant"
  readonly content: string
  readonly fileIds: Array<string>
}

const newMessage = (store: Store.Service, value: Json, path: string): Either.Either<NewMessage, ApiError.ApiError> =>
  Either.gen(function*() {
    if (!isObject(value)) return yield* Either.left(ApiError.invalidArgument(path, `${path} must be an object`))
    const content = yield* Validate.requiredString(value, "content", { path })
    const role = yield* Validate.optionalString(value, "role", { path, oneOf: Resources.ROLES })
    const fileIds = yield* Resources.fileIds(store, value, "file_ids", path)
    return { role: role === "assistant" ? "assistant" : "user", content, fileIds: fileIds ?? [] } as const
  })

const readMessages = (store: Store.Service, body: JsonObject) =>
  Either.gen(function*() {
    const list = yield* Validate.optionalArray(body, "messages")
    const out: Array<NewMessage> = []
    for (const [i, item] of (list ?? []).entries()) out.push(yield* newMessage(store, item, `messages.${i}`))
    return out
  })

const create = Route.make<Store.Store>("/v2/threads", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const messages = yield* readMessages(store, body)
    // not sent by the official client, accepted for clients that do
    const metadata = yield* Validate.optionalMetadata(body, "metadata")
    const now = yield* Clock.currentTimeMillis
    const thread = Store.makeThread(store, now, metadata ?? {})
    for (const message of messages) Store.appendMessage(store, thread, message, now)
    return Route.json(Wire.thread(thread))
  }))

const query = Route.make<Store.Store>("/v2/threads/query", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "thread_id")
    const thread = yield* Resources.findThread(store, id)
    return Route.json(Wire.thread(thread))
  }))

const update = Route.make<Store.Store>("/v2/threads/update", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const id = yield* Resources.requiredId(body, "thread_id")
    const thread = yield* Resources.findThread(store, id)
    const metadata = yield* Validate.optionalMetadata(body, "metadata")
    if (metadata === undefined) return Route.json(Wire.thread(thread))
    thread.metadata = metadata
    // an empty object is stored as {} but answered as null, as the real service did
    return Route.json(Wire.thread(thread, Object.keys(metadata).length === 0 ? null : metadata))
  }))

const remove = Route.make<Store.Store | RunEngine.RunEngine>(
  "/v2/threads/delete",
  ({ body }) =>
    Effect.gen(function*() {
      const store = yield* Store.Store
      const engine = yield* RunEngine.RunEngine
      const id = yield* Resources.requiredId(body, "thread_id")
      const thread = yield* Resources.findThread(store, id)
      // an active run is cancelled first
      const active = yield* engine.activeRun(id)
      if (Option.isSome(active)) yield* engine.cancelRun(active.value.id)
      for (const runId of thread.runIds) store.runs.delete(runId)
      for (const run of [...store.runs.values()]) if (run.threadId === id) store.runs.delete(run.id)
      store.threads.delete(id)
      return Route.json(Wire.deleted(id, "thread.deleted"))
    })
)

/**
 * Every thread route.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<Route.Route<Store.Store | RunEngine.RunEngine>> = [create, query, update, remove]
