import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as App from "../src/internal/app.js"
import * as Router from "../src/internal/Router.js"
import { RunEngine } from "../src/internal/RunEngine.js"
import { Store } from "../src/internal/Store.js"
import * as ScriptedModel from "../src/ScriptedModel.js"
import { call } from "./utils/http.js"
import { createAssistant, createThread, pickString, runBody, setClock, weatherSetup } from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

/** The in-process emulator, also exposing its engine and store. */
const layer = (options: Emulator.Options = {}) => {
  const services = App.layerServices(options)
  const app = Router.layer(App.routes)
  return Layer.provideMerge(Layer.provideMerge(App.layerClient, app), services)
}

const query = (threadId: string, runId: string) =>
  call("/v2/threads/runs/query", { thread_id: threadId, run_id: runId }).pipe(Effect.map((r) => r["status"]))

describe("RunEngine", () => {
  it.effect("activeRun / activeRuns / refreshAll apply a due expiry", () =>
    Effect.gen(function*() {
      yield* setClock
      const engine = yield* RunEngine
      const store = yield* Store
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      const active = yield* engine.activeRun(threadId)
      assert.strictEqual(Option.getOrThrow(active).id, runId)
      assert.deepStrictEqual((yield* engine.activeRuns).map((r) => r.id), [runId])
      // the deadline passes without the run's own timer firing (e.g. a clock that jumped)
      const record = store.runs.get(runId)!
      record.deadline = record.createdAt
      assert.isTrue(Option.isNone(yield* engine.activeRun(threadId)))
      assert.strictEqual(record.status, "expired")
      assert.strictEqual(record.expiredAt, record.createdAt)
      assert.strictEqual(record.steps[0]!.status, "expired")
      // refreshAll does the same for every run
      yield* call("/v2/threads/messages", { thread_id: threadId, role: "user", content: "北京天气？", file_ids: [] })
      const second = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      store.runs.get(second)!.deadline = 1
      yield* engine.refreshAll
      assert.strictEqual(store.runs.get(second)!.status, "expired")
      assert.strictEqual((yield* engine.activeRuns).length, 0)
      assert.strictEqual(Option.getOrThrow(yield* engine.awaitTerminal(second)).status, "expired")
    }).pipe(Effect.provide(layer())))

  it.effect("cancelRun ends the run before returning; awaitTerminal waits for the end", () =>
    Effect.gen(function*() {
      const engine = yield* RunEngine
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      const waiter = yield* Effect.fork(engine.awaitTerminal(runId))
      yield* engine.cancelRun(runId)
      const ended = Option.getOrThrow(yield* Fiber.join(waiter))
      assert.strictEqual(ended.status, "cancelled")
      yield* engine.cancelRun(runId)
      yield* engine.cancelRun("run_unknown")
      assert.isTrue(Option.isNone(yield* engine.awaitTerminal("run_unknown")))
    }).pipe(Effect.provide(layer())))

  it.effect("state machine: in_progress → requires_action → in_progress → completed, observed on the Clock", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const blocking = yield* Effect.fork(call("/v2/threads/runs", runBody(assistantId, threadId)))
      yield* TestClock.adjust("500 millis")
      const engine = yield* RunEngine
      const run = Option.getOrThrow(yield* engine.activeRun(threadId))
      assert.strictEqual(yield* query(threadId, run.id), "in_progress")
      yield* TestClock.adjust("500 millis")
      const first = yield* Fiber.join(blocking)
      assert.strictEqual(first["status"], "requires_action")
      assert.strictEqual(yield* query(threadId, run.id), "requires_action")
      const callId = `call-${threadId}-${run.id}-step-1`
      const submitted = yield* call("/v2/threads/runs/submit_tool_outputs", {
        thread_id: threadId,
        run_id: run.id,
        tool_outputs: [{ tool_call_id: callId, output: "晴", run_id: "" }]
      })
      assert.strictEqual(submitted["status"], "in_progress")
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(yield* query(threadId, run.id), "in_progress")
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(yield* query(threadId, run.id), "completed")
      const steps = run.steps.map((s) => [s.id, s.status, s.completedAt - s.startedAt])
      assert.deepStrictEqual(steps, [["step-1", "completed", 1000], ["step-2", "completed", 1000]])
    }).pipe(Effect.provide(layer({
      script: ScriptedModel.Script.fromTurns([{ useDefault: true, delay: "1 second" }, {
        reply: "好",
        delay: "1 second"
      }])
    }))))

  it.effect("run timestamps are never 0, even on a TestClock at the epoch", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "hi" }])
      const result = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      assert.isAbove(Number(result["created_at"]), 0)
      assert.isAbove(Number(result["started_at"]), 0)
      assert.isAbove(Number(result["completed_at"]), 0)
    }).pipe(Effect.provide(layer())))

  it.effect("closing the emulator stops runs still waiting, also those started by a stream", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Emulator.layer(), scope)
      yield* Effect.gen(function*() {
        const { assistantId, threadId } = yield* weatherSetup
        yield* Effect.scoped(Effect.gen(function*() {
          const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
          for (let i = 0; i < 3; i++) yield* Sse.take(stream)
        }))
        const other = yield* weatherSetup
        yield* call("/v2/threads/runs", runBody(other.assistantId, other.threadId))
      }).pipe(Effect.provide(context))
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* TestClock.adjust("1 millis")
      assert.isTrue(Option.isSome(yield* Fiber.poll(closing)), "the layer closed")
    }))
})
