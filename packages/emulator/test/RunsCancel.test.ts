import { assert, describe, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { call, post } from "./utils/http.js"
import {
  createAssistant,
  createThread,
  pick,
  pickArray,
  pickString,
  runBody,
  setClock,
  weatherSetup
} from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

const cancel = (threadId: string, runId: string, sync = false) =>
  call("/v2/threads/runs/cancel", { thread_id: threadId, run_id: runId, sync })

const steps = (threadId: string, runId: string) =>
  call("/v2/threads/runs/steps/list", {
    thread_id: threadId,
    run_id: runId,
    limit: 20,
    order: "asc",
    after: "",
    before: ""
  })
    .pipe(Effect.map((list) => pickArray(list, "data")))

/** Reads the next event while the clock moves by `step`. */
const takeAfter = (stream: Sse.OpenStream, step: Duration.DurationInput) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Sse.take(stream))
    yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("cancel (spec §3.27, §5.6)", () => {
  it.effect("sync cancel while waiting for tool outputs: cancelled, step cancelled, no reply, thread free", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      yield* TestClock.adjust("2 seconds")
      const cancelled = yield* cancel(threadId, runId, true)
      assert.strictEqual(cancelled["status"], "cancelled")
      assert.strictEqual(cancelled["object"], "thread.run")
      assert.strictEqual(cancelled["required_action"], null)
      assert.strictEqual(Number(cancelled["cancelled_at"]) - Number(first["started_at"]), 2000)
      const [step] = yield* steps(threadId, runId)
      assert.strictEqual(pick(step, "status"), "cancelled")
      assert.strictEqual(pick(step, "cancelled_at"), cancelled["cancelled_at"])
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.messages(threadId)).map((m) => m.role), ["user"])
      // terminal: cancel again answers the run, submit is refused, a new run is possible
      assert.strictEqual((yield* cancel(threadId, runId))["status"], "cancelled")
      assert.strictEqual((yield* cancel(threadId, runId, true))["status"], "cancelled")
      assert.strictEqual((yield* call("/v2/threads/runs", runBody(assistantId, threadId)))["status"], "requires_action")
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("async cancel answers cancelling at once; the run then ends cancelled", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      const answer = yield* cancel(threadId, runId)
      assert.strictEqual(answer["status"], "cancelling")
      assert.strictEqual(answer["cancelled_at"], 0)
      assert.strictEqual(answer["required_action"], null)
      yield* TestClock.adjust("1 millis")
      const state = yield* EmulatorState.EmulatorState
      const run = Option.getOrThrow(yield* state.run(runId))
      assert.strictEqual(run.status, "cancelled")
      assert.notStrictEqual(run.cancelledAt, 0)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("cancel on a completed run answers the run unchanged", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "hi" }])
      const done = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const runId = pickString(done, "id")
      for (const sync of [false, true]) {
        const answer = yield* cancel(threadId, runId, sync)
        assert.strictEqual(answer["status"], "completed")
        assert.strictEqual(answer["cancelled_at"], 0)
        assert.strictEqual(answer["completed_at"], done["completed_at"])
      }
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("#26: cancel after every event of a function-call stream, all answered 200", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const first = yield* Sse.take(stream)
      assert.strictEqual(Sse.dataOf(first)["status"], "queued")
      const runId = pickString(Sse.dataOf(first), "details", "run_object", "id")
      const events = [first]
      let cancels = 0
      while (true) {
        const next = yield* stream.next
        if (Option.isNone(next)) break
        events.push(next.value)
        const response = yield* post("/v2/threads/runs/cancel", { thread_id: threadId, run_id: runId, sync: false })
        assert.strictEqual(response.status, 200)
        cancels++
      }
      const kinds = Sse.checkGrammar(events)
      assert.strictEqual(kinds[kinds.length - 1], "run_end")
      const last = Sse.dataOf(events[events.length - 1]!)
      assert.strictEqual(last["status"], "cancelled")
      assert.notStrictEqual(pick(last, "details", "run_object", "cancelled_at"), 0)
      assert.strictEqual(cancels, events.length - 1)
      assert.deepStrictEqual(Sse.withoutPings(kinds), [
        "run_begin",
        "tool_step_begin",
        "tool_calls",
        "run_cancelling",
        "tool_step_end",
        "run_end"
      ])
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("cancel while chunks stream: takes effect at the next event boundary; sent chunks stay", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 10 chunks" }])
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const events = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
      const runId = pickString(Sse.dataOf(events[0]!), "details", "run_object", "id")
      for (let i = 0; i < 3; i++) events.push(yield* takeAfter(stream, "1 second"))
      assert.deepStrictEqual(events.slice(3).map((e) => pick(Sse.dataOf(e), "content", 0, "text", "value")), [
        "1 ",
        "2 ",
        "3 "
      ])
      const answer = yield* cancel(threadId, runId)
      assert.strictEqual(answer["status"], "cancelling")
      for (const event of yield* stream.rest) events.push(event)
      const kinds = Sse.checkGrammar(events)
      assert.deepStrictEqual(kinds.slice(-3), ["run_cancelling", "tool_step_end", "run_end"])
      assert.strictEqual(kinds.filter((k) => k === "message").length, 3)
      assert.strictEqual(Sse.dataOf(events[events.length - 2]!)["status"], "cancelled")
      const [step] = yield* steps(threadId, runId)
      assert.strictEqual(pick(step, "status"), "cancelled")
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.messages(threadId)).map((m) => m.role), ["user"])
    }).pipe(Effect.provide(Emulator.layer({ chunkDelay: "1 second" }))))

  it.scoped("sync cancel does not wait for a client that stopped reading its stream", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 100000 chunks" }])
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const runId = pickString(Sse.dataOf(yield* Sse.take(stream)), "details", "run_object", "id")
      const answer = yield* cancel(threadId, runId, true)
      assert.strictEqual(answer["status"], "cancelled")
      const events = yield* stream.rest
      const messages = events.filter((e) => e.event === "message").length
      assert.isBelow(messages, 1000)
      assert.deepStrictEqual(events.slice(-3).map((e) => pick(Sse.dataOf(e), "event_type")), [
        "run_cancelling",
        "tool_step_end",
        "run_end"
      ])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("a blocking run cancelled by another request answers its run.result as cancelled", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "hello" }])
      const blocking = yield* Effect.fork(call("/v2/threads/runs", runBody(assistantId, threadId)))
      yield* TestClock.adjust("1500 millis")
      const state = yield* EmulatorState.EmulatorState
      const [active] = yield* state.activeRuns
      const answer = yield* cancel(threadId, active!.id, true)
      assert.strictEqual(answer["status"], "cancelled")
      const result = yield* Fiber.join(blocking)
      assert.strictEqual(result["object"], "run.result")
      assert.strictEqual(result["status"], "cancelled")
      assert.strictEqual(result["final_answer"], null)
      assert.notStrictEqual(result["cancelled_at"], 0)
    }).pipe(Effect.provide(Emulator.layer({ chunkDelay: "1 second" }))))

  it.effect("deleting a thread cancels its active run", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(yield* call("/v2/threads/runs", runBody(assistantId, threadId)), "id")
      const deleted = yield* call("/v2/threads/delete", { thread_id: threadId })
      assert.strictEqual(deleted["deleted"], true)
      const state = yield* EmulatorState.EmulatorState
      const run = yield* state.run(runId)
      assert.isTrue(Option.isNone(run) || run.value.status === "cancelled")
      assert.strictEqual((yield* state.activeRuns).length, 0)
    }).pipe(Effect.provide(Emulator.layer())))
})
