/**
 * No input makes the emulator answer 500 or crash: random bodies (any JSON, or objects built from the
 * API's field names with random values and real ids mixed in) sent to every route always get a JSON
 * answer with a 2xx/4xx status, and the emulator keeps serving afterwards.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as App from "../src/internal/app.js"
import { call, postText } from "./utils/http.js"
import { createAssistant, createThread, runBody } from "./utils/runs.js"

const PATHS = App.routes.map((route) => route.path)

const FIELDS = [
  "assistant_id",
  "thread_id",
  "run_id",
  "step_id",
  "message_id",
  "file_id",
  "model",
  "name",
  "description",
  "response_format",
  "instructions",
  "thought_instructions",
  "chat_instructions",
  "tools",
  "file_ids",
  "metadata",
  "limit",
  "order",
  "after",
  "before",
  "messages",
  "role",
  "content",
  "stream",
  "model_parameters",
  "thread",
  "tool_output",
  "tool_outputs",
  "user_info",
  "user_loc",
  "sync"
] as const

const bodies = (ids: ReadonlyArray<string>) => {
  const value = FastCheck.oneof(
    FastCheck.jsonValue({ maxDepth: 3 }),
    FastCheck.constantFrom(...ids, "", "step-1", "desc", "asc", "user", "assistant", "ERNIE-4.0T-8K"),
    FastCheck.array(FastCheck.constantFrom(...ids), { maxLength: 12 }),
    FastCheck.integer({ min: -5, max: 2 ** 31 }),
    FastCheck.record({ messages: FastCheck.array(FastCheck.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }),
    FastCheck.record({ chat_parameters: FastCheck.dictionary(FastCheck.string(), FastCheck.double()) })
  )
  const objects = FastCheck.dictionary(FastCheck.constantFrom(...FIELDS), value, { maxKeys: 8 })
  return FastCheck.oneof(
    { arbitrary: objects, weight: 8 },
    { arbitrary: FastCheck.jsonValue({ maxDepth: 3 }), weight: 1 }
  )
}

describe("fuzz", () => {
  it.effect("600 random requests: never a 500, always JSON, the emulator still works", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "hello", role: "user", file_ids: [] }])
      const ids = [assistantId, threadId, "asst_00000000000000000000000000000000", "file-123456789012345"]
      const requests = FastCheck.sample(
        FastCheck.tuple(
          FastCheck.constantFrom(...PATHS),
          bodies(ids),
          FastCheck.integer({ min: 0, max: 4 }).map((n) => n === 0)
        ),
        { numRuns: 600, seed: 20261122 }
      )
      for (const [path, body, garble] of requests) {
        const text = JSON.stringify(body)
        const response = garble
          ? yield* postText(path, text.slice(0, Math.max(1, text.length - 1)))
          : yield* postText(path, text)
        assert.include([200, 400, 404], response.status, `${path} ${text} → ${response.status} ${response.text}`)
        const isBinary = path.endsWith("/download") || path.endsWith("/content")
        if (
          !(isBinary && response.status === 200) && !response.headers["content-type"]?.startsWith("text/event-stream")
        ) {
          assert.doesNotThrow(() => JSON.parse(response.text), `${path} ${text} → ${response.text}`)
        }
      }
      // still serving: a plain blocking run on a fresh thread completes
      const fresh = yield* createThread([{ content: "hello again", role: "user", file_ids: [] }])
      const result = yield* call("/v2/threads/runs", runBody(assistantId, fresh))
      assert.strictEqual(result["status"], "completed")
      const state = yield* EmulatorState.EmulatorState
      assert.isAtLeast((yield* state.requests).length, 600)
    }).pipe(Effect.provide(Emulator.layer({ requiresActionTimeout: "1 millis" }))), 60_000)
})
