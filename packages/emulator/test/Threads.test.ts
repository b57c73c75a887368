import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { call, data, expectApiError, json, post, postText, str, upload } from "./utils/http.js"
import type { JsonRecord } from "./utils/http.js"
import { runBody, setClock, weatherSetup } from "./utils/runs.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, Emulator.layer())

const threadCount = Effect.flatMap(EmulatorState.EmulatorState, (state) => Effect.map(state.threads, (t) => t.length))

describe("threads", () => {
  it.effect("#18 create an empty thread", () =>
    withEmulator(Effect.gen(function*() {
      yield* TestClock.setTime(1717645470924)
      const response = yield* postText("/v2/threads", "{\"messages\": []}")
      const id = str(json(response), "id")
      assert.match(id, /^thread_[0-9a-f]{32}$/)
      assert.strictEqual(response.text, `{"id":"${id}","object":"thread","created_at":1717645470924,"metadata":{}}`)
      // an empty body is a thread without messages too
      assert.strictEqual((yield* call("/v2/threads", {}))["object"], "thread")
    })))

  it.effect("#19 create a thread with messages (role defaults to user)", () =>
    withEmulator(Effect.gen(function*() {
      const file = str(json(yield* upload("a.txt", "x")), "id")
      const thread = yield* call("/v2/threads", {
        messages: [
          { content: "hello world" },
          { content: "ok", role: "assistant", file_ids: [file] },
          { content: "more", role: "user", file_ids: [] }
        ]
      })
      const messages = data(yield* call("/v2/threads/messages/list", { thread_id: str(thread, "id"), order: "asc" }))
      assert.deepStrictEqual(messages.map((m) => [m["role"], m["file_ids"]]), [["user", []], ["assistant", [file]], [
        "user",
        []
      ]])
      for (const message of messages) {
        assert.match(str(message, "id"), /^msg_[0-9a-f]{32}$/)
        assert.strictEqual(message["thread_id"], thread["id"])
        assert.strictEqual(message["assistant_id"], "")
        assert.strictEqual(message["run_id"], "")
      }
    })))

  it.effect("create validates every message and creates nothing on error", () =>
    withEmulator(Effect.gen(function*() {
      const files = Array.from({ length: 11 }, (_, i) => `file-${i}`)
      const cases: ReadonlyArray<readonly [JsonRecord, string, string?]> = [
        [{ messages: "hello" }, "messages"],
        [{ messages: ["hello"] }, "messages.0"],
        [{ messages: [{ role: "user" }] }, "messages.0.content"],
        [{ messages: [{ content: 1 }] }, "messages.0.content"],
        [{ messages: [{ content: "a" }, { content: "b", role: "custom" }] }, "messages.1.role"],
        [{ messages: [{ content: "a", file_ids: files }] }, "messages.0.file_ids"],
        [{ messages: [{ content: "a", file_ids: ["file-404"] }] }, "messages.0.file_ids", "not_found"],
        [{ messages: [], metadata: { k: 1 } }, "metadata"]
      ]
      for (const [body, param, code] of cases) {
        expectApiError(yield* post("/v2/threads", body), code ?? "invalid_argument", param)
      }
      assert.strictEqual(yield* threadCount, 0)
    })))

  it.effect("#21 query, update (empty metadata answers null), delete", () =>
    withEmulator(Effect.gen(function*() {
      const created = yield* call("/v2/threads", { messages: [{ content: "hello world", role: "user", file_ids: [] }] })
      const id = str(created, "id")
      assert.deepStrictEqual(yield* call("/v2/threads/query", { thread_id: id }), created)
      const updated = yield* post("/v2/threads/update", { thread_id: id, metadata: {} })
      assert.strictEqual(
        updated.text,
        `{"id":"${id}","object":"thread","created_at":${created["created_at"]},"metadata":null}`
      )
      assert.deepStrictEqual((yield* call("/v2/threads/query", { thread_id: id }))["metadata"], {})
      const withMetadata = yield* call("/v2/threads/update", { thread_id: id, metadata: { k: "v" } })
      assert.deepStrictEqual(withMetadata["metadata"], { k: "v" })
      assert.deepStrictEqual((yield* call("/v2/threads/query", { thread_id: id }))["metadata"], { k: "v" })
      expectApiError(
        yield* post("/v2/threads/update", { thread_id: id, metadata: { ["k".repeat(130)]: "v" } }),
        "invalid_argument",
        "metadata"
      )
      expectApiError(
        yield* post("/v2/threads/update", { thread_id: id, metadata: { k: "v".repeat(513) } }),
        "invalid_argument",
        "metadata"
      )
      expectApiError(
        yield* post("/v2/threads/update", { thread_id: id, metadata: 123 }),
        "invalid_argument",
        "metadata"
      )
      assert.deepStrictEqual((yield* call("/v2/threads/query", { thread_id: id }))["metadata"], { k: "v" })
      // absent metadata changes nothing
      assert.deepStrictEqual((yield* call("/v2/threads/update", { thread_id: id }))["metadata"], { k: "v" })
      const deleted = yield* call("/v2/threads/delete", { thread_id: id })
      assert.deepStrictEqual(deleted, { id, object: "thread.deleted", deleted: true })
      expectApiError(yield* post("/v2/threads/query", { thread_id: id }), "not_found", "thread_id")
      expectApiError(yield* post("/v2/threads/messages/list", { thread_id: id }), "not_found", "thread_id")
      expectApiError(yield* post("/v2/threads/delete", { thread_id: id }), "not_found", "thread_id")
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual((yield* state.messages(id)).length, 0)
      assert.strictEqual(yield* threadCount, 0)
    })))

  it.effect("unknown and malformed thread ids", () =>
    withEmulator(Effect.gen(function*() {
      for (const path of ["/v2/threads/query", "/v2/threads/update", "/v2/threads/delete"]) {
        expectApiError(yield* post(path, { thread_id: "thread_nope" }), "not_found", "thread_id")
        expectApiError(yield* post(path, { thread_id: "" }), "invalid_argument", "thread_id")
        expectApiError(yield* post(path, { thread_id: 42 }), "invalid_argument", "thread_id")
        expectApiError(yield* post(path, {}), "invalid_argument", "thread_id")
      }
    })))

  it.effect("deleting a thread cancels its active run first and removes its messages and runs", () =>
    withEmulator(Effect.gen(function*() {
      yield* setClock
      const state = yield* EmulatorState.EmulatorState
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      yield* call("/v2/threads/runs/cancel", { thread_id: threadId, run_id: str(first, "id"), sync: true })
      const active = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const waiting = Option.getOrThrow(yield* state.run(str(active, "id")))
      assert.strictEqual(waiting.status, "requires_action")
      assert.strictEqual((yield* state.activeRuns).length, 1)
      const ended = yield* Effect.fork(state.awaitRunEnd(str(active, "id")))
      yield* Effect.yieldNow()
      const deleted = yield* call("/v2/threads/delete", { thread_id: threadId })
      assert.strictEqual(deleted["deleted"], true)
      const record = Option.getOrThrow(yield* Fiber.join(ended))
      assert.strictEqual(record.status, "cancelled")
      assert.notStrictEqual(record.cancelledAt, 0)
      assert.deepStrictEqual(yield* state.runs(), [])
      assert.deepStrictEqual(yield* state.messages(threadId), [])
      assert.isTrue(Option.isNone(yield* state.thread(threadId)))
      expectApiError(
        yield* post("/v2/threads/runs/query", { thread_id: threadId, run_id: str(active, "id") }),
        "not_found",
        "thread_id"
      )
      // the assistant is unaffected
      assert.strictEqual((yield* call("/v2/assistants/query", { assistant_id: assistantId }))["id"], assistantId)
    })))
})
