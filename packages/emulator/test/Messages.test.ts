import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { call, data, expectApiError, json, post, str, upload } from "./utils/http.js"
import type { JsonRecord } from "./utils/http.js"
import { runBody, setClock, weatherSetup } from "./utils/runs.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, Emulator.layer())

const newThread = Effect.map(call("/v2/threads", { messages: [] }), (t) => str(t, "id"))

const messageCount = (threadId: string) =>
  Effect.flatMap(EmulatorState.EmulatorState, (state) => Effect.map(state.messages(threadId), (m) => m.length))

describe("messages", () => {
  it.effect("#10 create a user message", () =>
    withEmulator(Effect.gen(function*() {
      yield* TestClock.setTime(1708660019145)
      const thread = yield* newThread
      const response = yield* post("/v2/threads/messages", {
        thread_id: thread,
        role: "user",
        content: "hello world",
        file_ids: []
      })
      const id = str(json(response), "id")
      assert.match(id, /^msg_[0-9a-f]{32}$/)
      assert.strictEqual(
        response.text,
        `{"id":"${id}","object":"thread.message","role":"user","content":[{"type":"text","text":{"value":"hello world",` +
          `"annotations":[]}}],"created_at":1708660019145,"thread_id":"${thread}","assistant_id":"","run_id":"","file_ids":[]}`
      )
    })))

  it.effect("#11 role `custom` and 11 file ids are each rejected by the server", () =>
    withEmulator(Effect.gen(function*() {
      const thread = yield* newThread
      const files = Array.from({ length: 11 }, (_, i) => `file-${i}`)
      const base = { thread_id: thread, role: "user", content: "hi", file_ids: [] }
      expectApiError(yield* post("/v2/threads/messages", { ...base, role: "custom" }), "invalid_argument", "role")
      expectApiError(yield* post("/v2/threads/messages", { ...base, file_ids: files }), "invalid_argument", "file_ids")
      expectApiError(
        yield* post("/v2/threads/messages", { ...base, role: "custom", file_ids: files }),
        "invalid_argument",
        "role"
      )
      assert.strictEqual(yield* messageCount(thread), 0)
    })))

  it.effect("#12 lifecycle: create, list, query, update, files", () =>
    withEmulator(Effect.gen(function*() {
      const thread = yield* newThread
      const created = yield* call("/v2/threads/messages", {
        thread_id: thread,
        role: "user",
        content: "hello world?",
        file_ids: []
      })
      const id = str(created, "id")
      const list = yield* call("/v2/threads/messages/list", {
        thread_id: thread,
        limit: 1,
        order: "desc",
        after: "",
        before: ""
      })
      assert.strictEqual(data(list).length, 1)
      assert.strictEqual(list["has_more"], false)
      assert.strictEqual(list["first_id"], id)
      const queried = yield* call("/v2/threads/messages/query", { thread_id: thread, message_id: id })
      assert.deepStrictEqual(queried, created)
      const updated = yield* call("/v2/threads/messages/update", {
        thread_id: thread,
        message_id: id,
        content: "你好",
        file_ids: []
      })
      assert.deepStrictEqual(updated["content"], [{ type: "text", text: { value: "你好", annotations: [] } }])
      assert.strictEqual(updated["created_at"], created["created_at"])
      const files = yield* call("/v2/threads/messages/files/list", {
        thread_id: thread,
        message_id: id,
        limit: 1,
        order: "desc",
        after: "",
        before: ""
      })
      assert.deepStrictEqual(files, { object: "list", data: [], first_id: "", last_id: "", has_more: false })
    })))

  it.effect("validation errors name their param and change nothing", () =>
    withEmulator(Effect.gen(function*() {
      const thread = yield* newThread
      const cases: ReadonlyArray<readonly [JsonRecord, string, string?]> = [
        [{ role: "user", content: "x" }, "thread_id"],
        [{ thread_id: "thread_nope", content: "x" }, "thread_id", "not_found"],
        [{ thread_id: thread }, "content"],
        [{ thread_id: thread, content: 5 }, "content"],
        [{ thread_id: thread, content: "x", role: 1 }, "role"],
        [{ thread_id: thread, content: "x", file_ids: "file-1" }, "file_ids"],
        [{ thread_id: thread, content: "x", file_ids: ["file-404"] }, "file_ids", "not_found"]
      ]
      for (const [body, param, code] of cases) {
        expectApiError(yield* post("/v2/threads/messages", body), code ?? "invalid_argument", param)
      }
      assert.strictEqual(yield* messageCount(thread), 0)
      const id = str(yield* call("/v2/threads/messages", { thread_id: thread, content: "x" }), "id")
      for (
        const path of ["/v2/threads/messages/query", "/v2/threads/messages/update", "/v2/threads/messages/files/list"]
      ) {
        expectApiError(yield* post(path, { thread_id: thread, message_id: "msg_nope" }), "not_found", "message_id")
        expectApiError(yield* post(path, { thread_id: thread }), "invalid_argument", "message_id")
        expectApiError(yield* post(path, { thread_id: "thread_nope", message_id: id }), "not_found", "thread_id")
      }
      expectApiError(
        yield* post("/v2/threads/messages/list", { thread_id: thread, order: "random" }),
        "invalid_argument",
        "order"
      )
      expectApiError(
        yield* post("/v2/threads/messages/list", { thread_id: thread, after: "msg_nope" }),
        "not_found",
        "after"
      )
      expectApiError(
        yield* post("/v2/threads/messages/update", { thread_id: thread, message_id: id, content: 1 }),
        "invalid_argument",
        "content"
      )
      // a message of another thread is not found in this one
      const other = yield* newThread
      expectApiError(
        yield* post("/v2/threads/messages/query", { thread_id: other, message_id: id }),
        "not_found",
        "message_id"
      )
    })))

  it.effect("update: null content and empty file_ids leave values unchanged", () =>
    withEmulator(Effect.gen(function*() {
      const thread = yield* newThread
      const a = str(json(yield* upload("a.txt", "a")), "id")
      const b = str(json(yield* upload("b.txt", "b")), "id")
      const id = str(yield* call("/v2/threads/messages", { thread_id: thread, content: "x", file_ids: [a] }), "id")
      const same = yield* call("/v2/threads/messages/update", {
        thread_id: thread,
        message_id: id,
        content: null,
        file_ids: []
      })
      assert.deepStrictEqual(same["file_ids"], [a])
      assert.deepStrictEqual(same["content"], [{ type: "text", text: { value: "x", annotations: [] } }])
      const replaced = yield* call("/v2/threads/messages/update", {
        thread_id: thread,
        message_id: id,
        file_ids: [b, a]
      })
      assert.deepStrictEqual(replaced["file_ids"], [b, a])
      expectApiError(
        yield* post("/v2/threads/messages/update", { thread_id: thread, message_id: id, file_ids: ["file-404"] }),
        "not_found",
        "file_ids"
      )
    })))

  it.effect("list and files list page in both orders", () =>
    withEmulator(Effect.gen(function*() {
      const thread = yield* newThread
      const files: Array<string> = []
      for (let i = 0; i < 3; i++) files.push(str(json(yield* upload(`f${i}.txt`, "x")), "id"))
      const ids: Array<string> = []
      for (let i = 0; i < 3; i++) {
        ids.push(
          str(yield* call("/v2/threads/messages", { thread_id: thread, content: `m${i}`, file_ids: files }), "id")
        )
      }
      const desc = yield* call("/v2/threads/messages/list", { thread_id: thread, limit: 2 })
      assert.deepStrictEqual(data(desc).map((m) => m["id"]), [ids[2], ids[1]])
      assert.strictEqual(desc["has_more"], true)
      const next = yield* call("/v2/threads/messages/list", {
        thread_id: thread,
        limit: 2,
        after: str(desc, "last_id")
      })
      assert.deepStrictEqual(data(next).map((m) => m["id"]), [ids[0]])
      const asc = yield* call("/v2/threads/messages/list", { thread_id: thread, order: "asc", after: ids[0]! })
      assert.deepStrictEqual(data(asc).map((m) => m["id"]), [ids[1], ids[2]])
      const fileList = yield* call("/v2/threads/messages/files/list", {
        thread_id: thread,
        message_id: ids[0]!,
        limit: 2,
        order: "asc"
      })
      assert.deepStrictEqual(data(fileList).map((f) => f["id"]), files.slice(0, 2))
      assert.strictEqual(fileList["has_more"], true)
      assert.deepStrictEqual(Object.keys(data(fileList)[0]!), ["id", "object", "created_at", "message_id"])
      assert.strictEqual(data(fileList)[0]!["object"], "thread.message.file")
      assert.strictEqual(data(fileList)[0]!["message_id"], ids[0])
    })))

  it.effect("a thread with an active run refuses new messages (thread_busy) until the run ends", () =>
    withEmulator(Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const run = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      assert.strictEqual(run["status"], "requires_action")
      const busy = expectApiError(
        yield* post("/v2/threads/messages", { thread_id: threadId, role: "user", content: "more", file_ids: [] }),
        "thread_busy",
        "thread_id"
      )
      assert.include(str(busy, "message"), threadId)
      assert.strictEqual(yield* messageCount(threadId), 1)
      // a validation error still comes first
      expectApiError(
        yield* post("/v2/threads/messages", { thread_id: threadId, role: "x", content: "more" }),
        "invalid_argument",
        "role"
      )
      yield* call("/v2/threads/runs/cancel", { thread_id: threadId, run_id: str(run, "id"), sync: true })
      assert.strictEqual(
        (yield* call("/v2/threads/messages", { thread_id: threadId, content: "今天北京的天气怎么样？" }))["role"],
        "user"
      )
      // an expired run frees the thread too
      const second = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      assert.strictEqual(second["status"], "requires_action")
      expectApiError(
        yield* post("/v2/threads/messages", { thread_id: threadId, content: "x" }),
        "thread_busy",
        "thread_id"
      )
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual(
        (yield* call("/v2/threads/messages", { thread_id: threadId, content: "x" }))["object"],
        "thread.message"
      )
    })))
})
