/**
 * A streamed tool loop whose connection breaks around its tool round (found by the 10,000-loop bench): the
 * run's pending calls are answered exactly once, or the loop fails with a typed error; it never polls for
 * the rest of the resume schedule (30 minutes) for something that cannot come.
 */
import { HttpError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"
import * as ResumeMatrix from "./utils/ResumeMatrix.js"

const TestLayer = Emulated.layer()

const Weather = Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) })

const RUNS = "/v2/threads/runs"
const SUBMIT = "/v2/threads/runs/submit_tool_outputs"

/** `get_cur_whether`, answering after `onCall` (which counts the call, or injects a fault). */
const weatherToolkit = (onCall: Effect.Effect<void>) =>
  ToolLoop.toolkit(ToolLoop.tool("get_cur_whether", {
    description: "这是一个获得指定地点天气的工具",
    parameters: Weather,
    handler: ({ location }) => Effect.as(onCall, `${location} 的当前温度是30 摄氏度`)
  }))

/**
 * A streamed tool loop on a new thread, after `inject` installed its faults, driven by the TestClock one
 * second at a time for at most `within`: its outcome (none when still going), the tools executed, the run
 * POSTs and submits the emulator received, and the runs of the thread that are still active.
 */
const loopWithFaults = (
  inject: (state: EmulatorState.EmulatorState["Type"]) => Effect.Effect<void>,
  within: Duration.DurationInput
) =>
  Effect.gen(function*() {
    const state = yield* EmulatorState.EmulatorState
    const executed = yield* Ref.make(0)
    const toolkit = weatherToolkit(Ref.update(executed, (n) => n + 1))
    const { assistantId, newThread } = yield* ResumeMatrix.setup("北京今天天气怎么样？", toolkit.definitions)
    const threadId = yield* newThread
    yield* inject(state)
    const fiber = yield* Effect.fork(
      Effect.exit(Stream.runCollect(ToolLoop.stream({ assistantId, threadId }, { toolkit })))
    )
    const seconds = Math.ceil(Duration.toSeconds(Duration.decode(within)))
    for (let i = 0; i < seconds && Option.isNone(yield* Fiber.poll(fiber)); i++) yield* TestClock.adjust("1 second")
    const outcome = yield* Fiber.poll(fiber)
    if (Option.isNone(outcome)) {
      // stopping the loop cancels its run within `cancelTimeout` (5 s), on the TestClock
      yield* Fiber.interruptFork(fiber)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.await(fiber)
    }
    const requests = (yield* state.requests).filter((request) => request.body.includes(threadId))
    const active = (yield* state.activeRuns).filter((run) => run.threadId === threadId)
    return {
      outcome: Option.map(outcome, Exit.flatten),
      executed: yield* Ref.get(executed),
      runPosts: requests.filter((request) => request.path === RUNS).length,
      submits: requests.filter((request) => request.path === SUBMIT).length,
      runs: (yield* state.runs()).filter((run) => run.threadId === threadId).length,
      active: active.map((run) => run.status)
    }
  })

/** The error a loop failed with (undefined when it succeeded). */
const errorOf = <A, E>(exit: Exit.Exit<A, E>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** The events of a loop that succeeded (none when it failed). */
const eventsOf = <E>(exit: Exit.Exit<Chunk.Chunk<RunEvent.RunEvent>, E>): ReadonlyArray<RunEvent.RunEvent> =>
  Exit.isSuccess(exit) ? Chunk.toReadonlyArray(exit.value) : []

/**
 * Asserts the loop completed its run with the tool executed once and its outputs submitted once, nothing left
 * active on the service; returns the loop's events.
 */
const assertCompletedOnce = (result: Effect.Effect.Success<ReturnType<typeof loopWithFaults>>) => {
  const outcome = Option.getOrThrow(result.outcome)
  assert.isTrue(Exit.isSuccess(outcome), String(outcome))
  const events = eventsOf(outcome)
  const end = events[events.length - 1]
  assert.isTrue(end?._tag === "RunEnd" && end.status === "completed")
  assert.deepStrictEqual(
    { executed: result.executed, runPosts: result.runPosts, submits: result.submits, active: result.active },
    { executed: 1, runPosts: 1, submits: 1, active: [] }
  )
  return events
}

describe("a streamed tool loop whose connection breaks", () => {
  it.effect("the run request's answer lost before the service made the run: StreamEnded within minutes", () =>
    Effect.gen(function*() {
      // the request waits longer than the client's 1-minute timeout: the client gives up and the service
      // never makes the run
      const result = yield* loopWithFaults(
        (state) => state.injectFault(RUNS, Faults.latency("120 seconds")),
        "5 minutes"
      )
      assert.isTrue(Option.isSome(result.outcome), "the loop ended within 5 minutes")
      const outcome = Option.getOrThrow(result.outcome)
      const error = errorOf(outcome)
      assert.isTrue(error instanceof HttpError && error.reason === "StreamEnded", String(error))
      assert.include(String(error), "did not appear")
      assert.deepStrictEqual(
        { executed: result.executed, runPosts: result.runPosts, submits: result.submits, runs: result.runs },
        { executed: 0, runPosts: 1, submits: 0, runs: 0 }
      )
    }).pipe(Effect.provide(TestLayer)))

  it.effect("the stream cut right after tool_calls: the call is answered once and the run completes", () =>
    Effect.gen(function*() {
      // the stream's events: run_begin, tool step begin, tool_calls, …: cut after the third
      const result = yield* loopWithFaults((state) => state.injectFault(RUNS, Faults.dropAfter(3)), "2 minutes")
      const events = assertCompletedOnce(result)
      assert.strictEqual(events.filter(RunEvent.isResumed).length, 1)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("the submit's answer lost and the stream cut: the outputs were taken, the run completes, submitted once", () =>
    Effect.gen(function*() {
      const result = yield* loopWithFaults(
        (state) =>
          Effect.zipRight(state.injectFault(SUBMIT, Faults.dropAfter(0)), state.injectFault(RUNS, Faults.dropAfter(3))),
        "2 minutes"
      )
      assertCompletedOnce(result)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("the submit never taken (the client gives up): OutcomeUnknown within minutes, submitted once, the run cancelled", () =>
    Effect.gen(function*() {
      // the submit waits longer than the client's 1-minute timeout: the client gives up and the service
      // never takes it, so the run goes on waiting for the call
      const result = yield* loopWithFaults(
        (state) => state.injectFault(SUBMIT, Faults.latency("120 seconds")),
        "5 minutes"
      )
      const outcome = Option.getOrThrow(result.outcome)
      const error = errorOf(outcome)
      assert.isTrue(error instanceof HttpError && error.reason === "OutcomeUnknown", String(error))
      assert.deepStrictEqual(
        { executed: result.executed, runPosts: result.runPosts, submits: result.submits, active: result.active },
        { executed: 1, runPosts: 1, submits: 1, active: [] }
      )
    }).pipe(Effect.provide(TestLayer)))
})

describe("a blocking tool loop whose continuation is lost", () => {
  it.effect("the continuation never taken (the client gives up): OutcomeUnknown within minutes, the run cancelled", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const executed = yield* Ref.make(0)
      // the tool delays the next run POST (its continuation) past the client's 1-minute timeout: the client
      // gives up and the service never takes it, so the run goes on waiting for the call
      const toolkit = weatherToolkit(
        Effect.zipRight(Ref.update(executed, (n) => n + 1), state.injectFault(RUNS, Faults.latency("120 seconds")))
      )
      const { assistantId, newThread } = yield* ResumeMatrix.setup("北京今天天气怎么样？", toolkit.definitions)
      const threadId = yield* newThread
      const fiber = yield* Effect.fork(ToolLoop.run({ assistantId, threadId }, { toolkit, mode: "blocking" }))
      // the run would expire after 10 minutes of waiting: the loop must end well before
      for (let i = 0; i < 300 && Option.isNone(yield* Fiber.poll(fiber)); i++) yield* TestClock.adjust("1 second")
      const outcome = yield* Fiber.poll(fiber)
      assert.isTrue(Option.isSome(outcome), "the loop ended within 5 minutes")
      const error = Option.match(outcome, { onNone: () => undefined, onSome: errorOf })
      assert.isTrue(error instanceof HttpError && error.reason === "OutcomeUnknown", String(error))
      const requests = (yield* state.requests).filter((request) => request.body.includes(threadId))
      assert.strictEqual(yield* Ref.get(executed), 1)
      assert.strictEqual(requests.filter((request) => request.path === RUNS).length, 2)
      const runs = (yield* state.runs()).filter((run) => run.threadId === threadId)
      assert.deepStrictEqual(runs.map((run) => run.status), ["cancelled"])
    }).pipe(Effect.provide(TestLayer)))
})
