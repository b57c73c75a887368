import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as Concurrent from "../src/Concurrent.js"

describe("Concurrent", () => {
  it.effect("runs every loop at once and keeps each outcome, in start order; a stuck loop times out", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let running = 0
      let most = 0
      const fiber = yield* Effect.fork(Concurrent.run({
        label: "test loops",
        count: 4,
        rampMillis: 400,
        timeout: "1 minute",
        loop: () =>
          Effect.suspend(() => {
            const index = running++
            most = Math.max(most, running)
            // loop 2 never ends (its bound stops it), loop 3 fails, the others succeed once all started
            if (index === 2) return Effect.never
            return Effect.zipRight(
              Deferred.await(gate),
              index === 3 ? Effect.fail(`loop ${index} failed`) : Effect.succeed(index)
            )
          })
      }))
      // the loops start over the ramp: 0 ms, 100 ms, 200 ms, 300 ms
      yield* TestClock.adjust("300 millis")
      expect(most).toBe(4)
      yield* Deferred.succeed(gate, undefined)
      yield* TestClock.adjust("1 minute")
      const measured = yield* Fiber.join(fiber)
      expect(measured.value.slice(0, 2)).toEqual([Either.right(0), Either.right(1)])
      expect(Either.isLeft(measured.value[2]!) && Cause.isTimeoutException(measured.value[2].left)).toBe(true)
      expect(measured.value[3]).toEqual(Either.left("loop 3 failed"))
      expect(measured.peakRss).toBeGreaterThanOrEqual(measured.rssBefore)
    }))

  it.effect("a loop that dies fails the run with its defect, once every loop has ended", () =>
    Effect.gen(function*() {
      let starts = 0
      let ended = 0
      const exit = yield* Effect.exit(Concurrent.run({
        label: "test loops",
        count: 3,
        rampMillis: 0,
        timeout: "1 minute",
        loop: () =>
          Effect.suspend(() => (starts++ === 1 ? Effect.dieMessage("boom") : Effect.succeed(0))).pipe(
            Effect.ensuring(Effect.sync(() => {
              ended++
            }))
          )
      }))
      expect(ended).toBe(3)
      expect(exit._tag === "Failure" && Cause.pretty(exit.cause)).toContain("boom")
    }))
})
