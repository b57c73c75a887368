import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { call, json, post } from "./utils/http.js"
import { addMessage, pick, pickArray, pickString, runBody, setClock, weatherSetup } from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

describe("expiry of runs waiting for tools (spec §5.6, §6.1)", () => {
  it.effect("a run started at clock 0 (a fresh TestClock) expires exactly on time", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      const state = yield* EmulatorState.EmulatorState
      yield* TestClock.adjust("119999 millis")
      assert.strictEqual(Option.getOrThrow(yield* state.run(runId)).status, "requires_action")
      yield* TestClock.adjust("1 millis")
      const run = Option.getOrThrow(yield* state.run(runId))
      assert.strictEqual(run.status, "expired")
      assert.strictEqual(run.expiredAt, 120000)
    }).pipe(Effect.provide(Emulator.layer({ requiresActionTimeout: "2 minutes" }))))

  it.effect("without a stream: expired after requiresActionTimeout, step expired, thread free", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      const state = yield* EmulatorState.EmulatorState
      yield* TestClock.adjust("599999 millis")
      assert.strictEqual(Option.getOrThrow(yield* state.run(runId)).status, "requires_action")
      yield* TestClock.adjust("1 millis")
      const run = Option.getOrThrow(yield* state.run(runId))
      assert.strictEqual(run.status, "expired")
      const queried = yield* call("/v2/threads/runs/query", { thread_id: threadId, run_id: runId })
      assert.strictEqual(queried["status"], "expired")
      assert.strictEqual(Number(queried["expired_at"]) - Number(first["started_at"]), 600000)
      assert.strictEqual(queried["required_action"], null)
      const steps = yield* call("/v2/threads/runs/steps/list", { thread_id: threadId, run_id: runId })
      assert.strictEqual(pick(steps, "data", 0, "status"), "expired")
      assert.strictEqual(pick(steps, "data", 0, "expired_at"), queried["expired_at"])
      // too late for outputs; the thread accepts messages again
      const late = json(
        yield* post("/v2/threads/runs/submit_tool_outputs", {
          thread_id: threadId,
          run_id: runId,
          tool_outputs: [{ tool_call_id: `call-${threadId}-${runId}-step-1`, output: "x", run_id: "" }]
        })
      )
      assert.strictEqual(pick(late, "error", "code"), "invalid_run_state")
      yield* addMessage(threadId, "北京的天气还好吗？")
      assert.strictEqual((yield* call("/v2/threads/runs", runBody(assistantId, threadId)))["status"], "requires_action")
      // a cancel on the expired run answers it unchanged
      const cancelled = yield* call("/v2/threads/runs/cancel", { thread_id: threadId, run_id: runId, sync: true })
      assert.strictEqual(cancelled["status"], "expired")
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("with a stream: pings while waiting, then tool_step_end expired and run_end expired", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const head = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
      const rest = yield* Effect.fork(stream.rest)
      yield* TestClock.adjust("1 minute")
      const events = [...head, ...(yield* Fiber.join(rest))]
      const kinds = Sse.checkGrammar(events)
      assert.deepStrictEqual(Sse.withoutPings(kinds), [
        "run_begin",
        "tool_step_begin",
        "tool_calls",
        "tool_step_end",
        "run_end"
      ])
      // one ping every 5 s (the one due at the deadline itself may come before or after the expiry)
      assert.include([11, 12], kinds.filter((k) => k === "ping").length)
      const end = Sse.dataOf(events[events.length - 1]!)
      assert.strictEqual(end["status"], "expired")
      assert.strictEqual(Sse.dataOf(events[events.length - 2]!)["status"], "expired")
      assert.strictEqual(
        Number(pick(end, "details", "run_object", "expired_at")) -
          Number(pick(end, "details", "run_object", "started_at")),
        60000
      )
      assert.match(pickString(end, "message"), /^run end\. duration:60s logId:[0-9a-f-]{36}$/)
    }).pipe(Effect.provide(Emulator.layer({ requiresActionTimeout: "1 minute" }))))

  it.scoped("a stream that the client left still expires", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const runId = yield* Effect.scoped(Effect.gen(function*() {
        const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
        return pickString(Sse.dataOf(yield* Sse.take(stream)), "details", "run_object", "id")
      }))
      yield* TestClock.adjust("10 minutes")
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual(Option.getOrThrow(yield* state.run(runId)).status, "expired")
    }).pipe(Effect.provide(Emulator.layer())))
})

describe("pings (spec §5.3, §5.6)", () => {
  it.scoped("an idle stream pings every pingInterval; pings carry no send_id", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const events = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
      const runId = pickString(Sse.dataOf(events[0]!), "details", "run_object", "id")
      for (let i = 0; i < 3; i++) {
        const next = yield* Effect.fork(Sse.take(stream))
        yield* TestClock.adjust("4999 millis")
        assert.isTrue(Option.isNone(yield* Fiber.poll(next)), "no ping before the interval")
        yield* TestClock.adjust("1 millis")
        const ping = yield* Fiber.join(next)
        assert.strictEqual(ping.raw, "event: ping\ndata: {}\n\n")
        events.push(ping)
      }
      yield* call("/v2/threads/runs/submit_tool_outputs", {
        thread_id: threadId,
        run_id: runId,
        tool_outputs: [{ tool_call_id: `call-${threadId}-${runId}-step-1`, output: "晴", run_id: "" }]
      })
      const rest = yield* stream.rest
      assert.strictEqual(Sse.dataOf(rest[0]!)["send_id"], 4)
      for (const event of rest) events.push(event)
      const kinds = Sse.checkGrammar(events)
      assert.strictEqual(kinds.filter((k) => k === "ping").length, 3)
      assert.strictEqual(pickArray(Sse.dataOf(rest[0]!), "details", "tool_calls").length, 1)
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("the ping interval is configurable", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      for (let i = 0; i < 3; i++) yield* Sse.take(stream)
      const next = yield* Effect.fork(Sse.take(stream))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(next)).event, "ping")
    }).pipe(Effect.provide(Emulator.layer({ pingInterval: "1 second" }))))
})
