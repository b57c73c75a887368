/**
 * Retry schedules and per-call overrides (`AppBuilderClient.withRetry` / `withTimeout` and their `Stream`
 * variants), on the in-process emulator with the TestClock.
 */
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import { HttpError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

const emulated = Emulated.layer

const QUERY = "/v2/assistants/query"

const posts = (path: string) =>
  Effect.flatMap(
    EmulatorState.EmulatorState,
    (state) =>
      Effect.map(state.requests, (requests) => requests.filter((r) => r.method === "POST" && r.path === path).length)
  )

/** Creates an assistant (no fault yet), then installs `fault` on its query and returns the query. */
const queryWith = (fault: Faults.Fault) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const state = yield* EmulatorState.EmulatorState
    const created = yield* assistants.create({ name: "n" })
    yield* state.injectFault(QUERY, fault)
    return assistants.query(created.id)
  })

const asHttpError = (error: unknown): HttpError => {
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`)
  return error
}

/** Moves the clock to 999 ms and 1000 ms past each second in `seconds`, checking the attempts made. */
const assertAttemptsAt = (path: string, seconds: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    let elapsed = 0
    for (const [i, second] of seconds.entries()) {
      yield* TestClock.adjust(second * 1000 - 1 - elapsed)
      assert.strictEqual(yield* posts(path), i + 1, `before ${second} s`)
      yield* TestClock.adjust(1)
      elapsed = second * 1000
      assert.strictEqual(yield* posts(path), i + 2, `at ${second} s`)
    }
  })

describe("retry accepts a Schedule", () => {
  it.effect("Schedule.spaced(1 s) as the client's retry: the two 503 are retried at exactly 1 s and 2 s", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.status(503, { times: 2 }))
      const fiber = yield* Effect.fork(query)
      yield* assertAttemptsAt(QUERY, [1, 2])
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
    }).pipe(Effect.provide(emulated({ retry: Schedule.spaced("1 second") }))))

  it.effect("{ schedule } in the options object works the same; Retry-After replaces the schedule's delay", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.status(429, { retryAfter: 3 }))
      const fiber = yield* Effect.fork(query)
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual(yield* posts(QUERY), 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* posts(QUERY), 2)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
    }).pipe(Effect.provide(emulated({ retry: { schedule: Schedule.spaced("1 second") } }))))

  it.effect("a schedule that stops ends the retries: the last error is returned", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.status(503, { times: 5 }))
      const fiber = yield* Effect.fork(Effect.flip(query))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(asHttpError(yield* Fiber.join(fiber)).status, 503)
      assert.strictEqual(yield* posts(QUERY), 2)
    }).pipe(
      Effect.provide(emulated({ retry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(1))) }))
    ))
})

describe("AppBuilderClient.withRetry", () => {
  it.effect("withRetry(effect, Schedule.spaced(1 s)) overrides the client's policy: retried at 1 s and 2 s", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.status(503, { times: 2 }))
      const fiber = yield* Effect.fork(AppBuilderClient.withRetry(query, Schedule.spaced("1 second")))
      yield* assertAttemptsAt(QUERY, [1, 2])
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
    }).pipe(Effect.provide(emulated({ retry: false }))))

  it.effect("withRetry(effect, false) does not retry", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.status(503, { times: 2 }))
      const fiber = yield* Effect.fork(Effect.flip(query.pipe(AppBuilderClient.withRetry(false))))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(asHttpError(yield* Fiber.join(fiber)).status, 503)
      assert.strictEqual(yield* posts(QUERY), 1)
    }).pipe(Effect.provide(emulated())))

  it.effect("the innermost override wins, and it applies to every request inside the effect", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.status(503, { times: 2 }))
      const inner = yield* Effect.fork(
        Effect.flip(
          query.pipe(AppBuilderClient.withRetry(false), AppBuilderClient.withRetry(Schedule.spaced("1 second")))
        )
      )
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(asHttpError(yield* Fiber.join(inner)).status, 503)
      assert.strictEqual(yield* posts(QUERY), 1)
      // two calls under one override: the second failure is retried too, on the schedule
      const both = yield* Effect.fork(
        Effect.zip(query, query).pipe(AppBuilderClient.withRetry(Schedule.spaced("1 second")))
      )
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(yield* posts(QUERY), 2)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* posts(QUERY), 4)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(both)))
    }).pipe(Effect.provide(emulated({ retry: false }))))

  it.effect("a create whose outcome is unknown is never retried, whatever the schedule", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const assistants = yield* Assistants.Assistants
      const forever = Schedule.spaced("10 millis")
      // the connection breaks after the request was written
      yield* state.injectFault("/v2/assistants", Faults.dropAfter(0, { times: 3 }))
      const dropped = yield* Effect.fork(
        Effect.flip(assistants.create({ name: "once" }).pipe(AppBuilderClient.withRetry(forever)))
      )
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(asHttpError(yield* Fiber.join(dropped)).reason, "OutcomeUnknown")
      assert.strictEqual(yield* posts("/v2/assistants"), 1)
      // no answer within the timeout
      yield* state.clearFaults()
      yield* state.injectFault("/v2/assistants", Faults.latency("5 minutes", { times: 3 }))
      const timedOut = yield* Effect.fork(Effect.flip(
        assistants.create({ name: "slow" }).pipe(
          AppBuilderClient.withRetry(forever),
          AppBuilderClient.withTimeout("1 second")
        )
      ))
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(asHttpError(yield* Fiber.join(timedOut)).reason, "OutcomeUnknown")
      assert.strictEqual(yield* posts("/v2/assistants"), 2)
    }).pipe(Effect.provide(emulated())))
})

describe("AppBuilderClient.withTimeout", () => {
  it.effect("withTimeout(effect, \"2 seconds\") times an attempt out at 2 s (the client's default is 60 s)", () =>
    Effect.gen(function*() {
      const query = yield* queryWith(Faults.latency("5 seconds"))
      const fiber = yield* Effect.fork(Effect.flip(AppBuilderClient.withTimeout(query, "2 seconds")))
      yield* TestClock.adjust("1999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = asHttpError(yield* Fiber.join(fiber))
      assert.strictEqual(error.reason, "Timeout")
      assert.include(error.description, "no answer within 2s")
    }).pipe(Effect.provide(emulated({ retry: false }))))

  it.effect("the client's timeout accepts any Duration input (millis, a Duration, an hrtime tuple)", () =>
    Effect.forEach(
      [2000, Duration.seconds(2), [2, 0] as const, "2 seconds"] as const,
      (timeout) =>
        Effect.gen(function*() {
          const query = yield* queryWith(Faults.latency("5 seconds"))
          const fiber = yield* Effect.fork(Effect.flip(query))
          yield* TestClock.adjust("1999 millis")
          assert.isNull(fiber.unsafePoll())
          yield* TestClock.adjust("1 millis")
          assert.strictEqual(asHttpError(yield* Fiber.join(fiber)).reason, "Timeout")
        }).pipe(Effect.provide(emulated({ retry: false, timeout }))),
      { discard: true }
    ))
})

describe("Stream variants", () => {
  const setup = Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const runs = yield* Runs.Runs
    const assistant = yield* assistants.create({ name: "n" })
    const thread = yield* threads.create({ messages: [{ content: "hello" }] })
    // resume off: these tests look at the failures themselves, not at a resumed run
    return runs.stream({ assistantId: assistant.id, threadId: thread.id }, { resume: false })
  })

  it.effect("withRetryStream(stream, Schedule.spaced(1 s)): a run stream refused twice is retried at 1 s and 2 s", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const events = yield* setup
      yield* state.injectFault("/v2/threads/runs", Faults.status(503, { times: 2 }))
      const fiber = yield* Effect.fork(
        Stream.runCount(AppBuilderClient.withRetryStream(events, Schedule.spaced("1 second")))
      )
      yield* assertAttemptsAt("/v2/threads/runs", [1, 2])
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isSuccess(exit))
    }).pipe(Effect.provide(emulated({ retry: false }))))

  it.effect("withRetryStream(false) does not retry; withTimeoutStream times the headers out", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const events = yield* setup
      yield* state.injectFault("/v2/threads/runs", Faults.status(503))
      const refused = yield* Effect.fork(
        Effect.flip(Stream.runDrain(events.pipe(AppBuilderClient.withRetryStream(false))))
      )
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(asHttpError(yield* Fiber.join(refused)).status, 503)
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
      yield* state.injectFault("/v2/threads/runs", Faults.latency("5 seconds"))
      const slow = yield* Effect.fork(
        Effect.flip(Stream.runDrain(events.pipe(AppBuilderClient.withTimeoutStream("2 seconds"))))
      )
      yield* TestClock.adjust("1999 millis")
      assert.isNull(slow.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = asHttpError(yield* Fiber.join(slow))
      assert.strictEqual(error.reason, "OutcomeUnknown")
      assert.include(error.description, "no answer within 2s")
    }).pipe(Effect.provide(emulated())))
})
