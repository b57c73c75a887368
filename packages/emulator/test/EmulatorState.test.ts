/**
 * EmulatorState answers read-only snapshots (later requests do not change what a test holds), and
 * `awaitRunEnd` waits for a run's end.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { call } from "./utils/http.js"
import { addMessage, pickString, runBody, setClock, weatherSetup } from "./utils/runs.js"

const cancel = (threadId: string, runId: string) =>
  call("/v2/threads/runs/cancel", { thread_id: threadId, run_id: runId, sync: true })

describe("EmulatorState", () => {
  it.effect("queries answer snapshots that later requests leave unchanged", () =>
    Effect.gen(function*() {
      yield* setClock
      const state = yield* EmulatorState.EmulatorState
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      const waiting = Option.getOrThrow(yield* state.run(runId))
      const thread = Option.getOrThrow(yield* state.thread(threadId))
      const [request] = yield* state.requests
      assert.strictEqual(waiting.status, "requires_action")
      assert.strictEqual(waiting.requiredAction?.length, 1)

      yield* cancel(threadId, runId)
      yield* addMessage(threadId, "再问一次")

      const cancelled = Option.getOrThrow(yield* state.run(runId))
      assert.strictEqual(cancelled.status, "cancelled")
      assert.strictEqual(cancelled.requiredAction, null)
      assert.strictEqual(Option.getOrThrow(yield* state.thread(threadId)).messages.length, 2)
      // what was answered before stays as it was
      assert.strictEqual(waiting.status, "requires_action")
      assert.strictEqual(waiting.requiredAction?.length, 1)
      assert.strictEqual(waiting.cancelledAt, 0)
      assert.strictEqual(thread.messages.length, 1)
      assert.deepStrictEqual(request, (yield* state.requests)[0])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("awaitRunEnd waits for the end of a run; None for an unknown run", () =>
    Effect.gen(function*() {
      yield* setClock
      const state = yield* EmulatorState.EmulatorState
      assert.isTrue(Option.isNone(yield* state.awaitRunEnd("run_unknown")))
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      const ended = yield* Effect.fork(state.awaitRunEnd(runId))
      yield* Effect.yieldNow()
      assert.isNull(ended.unsafePoll())
      yield* cancel(threadId, runId)
      const run = Option.getOrThrow(yield* Fiber.join(ended))
      assert.strictEqual(run.status, "cancelled")
      assert.notStrictEqual(run.cancelledAt, 0)
      // an ended run is answered at once
      assert.strictEqual(Option.getOrThrow(yield* state.awaitRunEnd(runId)).status, "cancelled")
    }).pipe(Effect.provide(Emulator.layer())))
})
