import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import { runBody, setClock, weatherSetup } from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

// The pings of every stream and the deadlines of every run are served by the engine's shared alarms:
// each stream still pings on its own schedule, each run still expires on its own deadline.
describe("shared alarms", () => {
  it.scoped("streams opened at different times ping at their own intervals", () =>
    Effect.gen(function*() {
      yield* setClock
      const a = yield* weatherSetup
      const first = yield* Sse.open(runBody(a.assistantId, a.threadId, { stream: true }))
      for (let i = 0; i < 3; i++) yield* Sse.take(first)
      yield* TestClock.adjust("2 seconds")
      const b = yield* weatherSetup
      const second = yield* Sse.open(runBody(b.assistantId, b.threadId, { stream: true }))
      for (let i = 0; i < 3; i++) yield* Sse.take(second)
      const nextFirst = yield* Effect.fork(Sse.take(first))
      const nextSecond = yield* Effect.fork(Sse.take(second))
      yield* TestClock.adjust("2999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(nextFirst)), "no ping of the first stream before 5 s")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(nextFirst)).event, "ping")
      assert.isTrue(Option.isNone(yield* Fiber.poll(nextSecond)), "no ping of the second stream 3 s after it opened")
      yield* TestClock.adjust("1999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(nextSecond)), "no ping of the second stream before 5 s")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(nextSecond)).event, "ping")
      // the first stream's next ping is 5 s after its first one (at 10 s)
      const again = yield* Effect.fork(Sse.take(first))
      yield* TestClock.adjust("2999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(again)), "no second ping of the first stream before 10 s")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(again)).event, "ping")
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("runs waiting for tools expire on their own deadlines", () =>
    Effect.gen(function*() {
      yield* setClock
      const a = yield* weatherSetup
      const first = yield* Sse.open(runBody(a.assistantId, a.threadId, { stream: true }))
      for (let i = 0; i < 3; i++) yield* Sse.take(first)
      yield* TestClock.adjust("300 millis")
      const b = yield* weatherSetup
      const second = yield* Sse.open(runBody(b.assistantId, b.threadId, { stream: true }))
      for (let i = 0; i < 3; i++) yield* Sse.take(second)
      const restFirst = yield* Effect.fork(first.rest)
      const restSecond = yield* Effect.fork(second.rest)
      yield* TestClock.adjust("700 millis")
      const ended = yield* Fiber.join(restFirst)
      assert.strictEqual(Sse.dataOf(ended[ended.length - 1]!)["event_type"], "run_end")
      assert.strictEqual(Sse.dataOf(ended[ended.length - 1]!)["status"], "expired")
      assert.isTrue(Option.isNone(yield* Fiber.poll(restSecond)), "the second run has 300 ms left")
      yield* TestClock.adjust("300 millis")
      const endedSecond = yield* Fiber.join(restSecond)
      assert.strictEqual(Sse.dataOf(endedSecond[endedSecond.length - 1]!)["status"], "expired")
    }).pipe(Effect.provide(Emulator.layer({ requiresActionTimeout: "1 second", pingInterval: "1 hour" }))))
})
