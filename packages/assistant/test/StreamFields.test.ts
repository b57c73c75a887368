/**
 * Stream events keep what the wire carries: `details.type`, `details.error_info`, `message_index`; and a
 * failed run's `RunFailed` falls back to `error_info` when the run object has no `last_error`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { RunFailed } from "../src/AppBuilderError.js"
import { slowMessageEvent } from "../src/internal/runEventDecode.js"
import * as RunEvent from "../src/RunEvent.js"
import { decodeChunks, encode, runBegin, runObject, statusEvent } from "./fixtures/transcripts.js"

const messageEvent = (payload: unknown): string => `event: message\ndata: ${JSON.stringify(payload)}\n\n`

const failedEnd = (runExtra: Record<string, unknown>) =>
  statusEvent({
    status: "failed",
    send_id: 2,
    message: "run end",
    event_type: "run_end",
    details: {
      type: "run_object",
      run_object: runObject("failed", runExtra),
      error_info: { type: "model_error", message: "the model failed" }
    }
  })

const delta = {
  status: "in_progress",
  send_id: 2,
  is_end: 0,
  message_id: "chatmsg_1",
  message_index: "3",
  content: [{ type: "text", text: { value: "你好", annotations: null } }]
}

describe("stream events keep every wire field", () => {
  it.effect("a status event keeps details.type and details.error_info", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([encode(runBegin + failedEnd({ last_error: null }))])
      const [begin, end] = results.filter(Either.isRight).map((r) => r.right)
      if (!RunEvent.isRunBegin(begin)) return assert.fail("expected RunBegin")
      assert.strictEqual(begin.detailsType, "run_object")
      assert.strictEqual(begin.errorInfo, undefined)
      if (!RunEvent.isRunEnd(end)) return assert.fail("expected RunEnd")
      assert.strictEqual(end.detailsType, "run_object")
      assert.deepStrictEqual(end.errorInfo && { ...end.errorInfo }, {
        type: "model_error",
        message: "the model failed"
      })
    }))

  it.effect("a message event keeps message_index (fast path and schema path alike)", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([encode(runBegin + messageEvent(delta))])
      const message = results.filter(Either.isRight).map((r) => r.right)[1]
      if (!RunEvent.isMessageDelta(message)) return assert.fail("expected MessageDelta")
      assert.strictEqual(message.messageIndex, "3")
      assert.strictEqual(message.text, "你好")
      const slow = slowMessageEvent("Runs.stream", "", delta)
      assert.isTrue(Either.isRight(slow))
      if (Either.isRight(slow)) {
        assert.deepStrictEqual({ ...slow.right }, { ...message })
      }
    }))

  it.effect("a message_index that is not a string is ignored on both paths", () =>
    Effect.gen(function*() {
      const payload = { ...delta, message_index: 3 }
      const results = yield* decodeChunks([encode(runBegin + messageEvent(payload))])
      const message = results.filter(Either.isRight).map((r) => r.right)[1]
      if (!RunEvent.isMessageDelta(message)) return assert.fail("expected MessageDelta")
      assert.isFalse("messageIndex" in message)
      const slow = slowMessageEvent("Runs.stream", "", payload)
      assert.isTrue(Either.isRight(slow) && !("messageIndex" in slow.right))
    }))
})

describe("RunFailed of a stream", () => {
  it.effect("a failed run_end without last_error but with error_info: RunFailed carries error_info", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([encode(runBegin + failedEnd({ last_error: null }))])
      const last = results[results.length - 1]
      if (last === undefined || Either.isRight(last)) return assert.fail("expected a failure")
      const error = last.left
      assert.instanceOf(error, RunFailed)
      if (!(error instanceof RunFailed)) return
      assert.strictEqual(error.status, "failed")
      assert.deepStrictEqual(error.lastError, { type: "model_error", message: "the model failed" })
      assert.include(error.message, "model_error the model failed")
    }))

  it.effect("the run object's last_error wins over error_info", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([
        encode(runBegin + failedEnd({ last_error: { type: "run_error", message: "from the run" } }))
      ])
      const last = results[results.length - 1]
      if (last === undefined || Either.isRight(last) || !(last.left instanceof RunFailed)) {
        return assert.fail("expected RunFailed")
      }
      assert.deepStrictEqual(last.left.lastError, { type: "run_error", message: "from the run" })
    }))
})
