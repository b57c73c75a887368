/**
 * Resumable runs: a run stream cut after k events (the emulator's `dropAfter(k)`), for every k, goes on by
 * polling and ends as an undisturbed one would; a streamed tool loop executes each tool once and submits
 * once per round; nothing is sent twice and no run is left going.
 */
import { HttpError, RunFailed, ValidationError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"
import * as ResumeMatrix from "./utils/ResumeMatrix.js"

const TestLayer = Emulated.layer()

/** Runs `effect` in a fiber and moves the TestClock by `step` until it is done (at most 200 steps). */
const settle = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  step: Duration.DurationInput = "100 millis"
): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 200; i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

const { posts, setup } = ResumeMatrix

/** The runs service, the emulator's state, and a new thread whose next run stream is cut after `k` events. */
const cutAfter = (k: number) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const state = yield* EmulatorState.EmulatorState
    const { assistantId, newThread } = yield* setup("你好")
    const threadId = yield* newThread
    yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(k))
    return { assistantId, runs, state, threadId }
  })

describe("resume after a drop, in process", () => {
  it.effect("a plain streamed run, cut after every k events, ends as an undisturbed one", () =>
    ResumeMatrix.plainRun(settle).pipe(Effect.provide(TestLayer)))
  it.effect("a streamed tool loop, cut after every k events, executes each tool once and ends the same", () =>
    ResumeMatrix.toolLoop(settle).pipe(Effect.provide(TestLayer)))
})

const Weather = Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) })

const weatherToolkit = (
  executed: Ref.Ref<number>,
  onRun: Effect.Effect<void, never, EmulatorState.EmulatorState> = Effect.void
) =>
  ToolLoop.toolkit(ToolLoop.tool("get_cur_whether", {
    description: "这是一个获得指定地点天气的工具",
    parameters: Weather,
    handler: ({ location }) =>
      Ref.update(executed, (n) => n + 1).pipe(
        Effect.zipRight(onRun),
        Effect.as(`${location} 的当前温度是30 摄氏度`)
      )
  }))

describe("ToolLoop blocking mode resumes a lost answer", () => {
  it.effect("the first call's answer and a continuation's answer lost: same result, each tool once, nothing resent", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const executed = yield* Ref.make(0)
      const dropNext = yield* Ref.make(false)
      // the tool handler may cut the answer of the continuation call that follows it
      const toolkit = weatherToolkit(
        executed,
        Effect.flatMap(
          Ref.get(dropNext),
          (drop) => drop ? state.injectFault("/v2/threads/runs", Faults.dropAfter(0)) : Effect.void
        )
      )
      const { assistantId, newThread } = yield* setup("北京今天天气怎么样？", toolkit.definitions)
      const loop = (threadId: string) => settle(ToolLoop.run({ assistantId, threadId }, { toolkit, mode: "blocking" }))
      const reference = yield* loop(yield* newThread)
      assert.strictEqual(reference.steps, 1)
      assert.isTrue(reference.text.length > 0)
      const cases: ReadonlyArray<readonly [string, Effect.Effect<void, never, EmulatorState.EmulatorState>]> = [
        ["the first call", state.injectFault("/v2/threads/runs", Faults.dropAfter(0))],
        ["the continuation", Ref.set(dropNext, true)]
      ]
      for (const [label, arrange] of cases) {
        const threadId = yield* newThread
        yield* Ref.set(executed, 0)
        const before = yield* posts("/v2/threads/runs")
        yield* arrange
        const result = yield* loop(threadId)
        yield* Ref.set(dropNext, false)
        assert.strictEqual(result.run.status, reference.run.status, label)
        assert.strictEqual(result.text, reference.text, label)
        assert.strictEqual(result.steps, reference.steps, label)
        assert.strictEqual(yield* Ref.get(executed), 1, label)
        assert.strictEqual((yield* posts("/v2/threads/runs")) - before, 2, label)
        assert.deepStrictEqual(yield* state.activeRuns, [], label)
      }
      // off: the lost answer fails the loop as before, and the run is cancelled
      yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(0))
      const error = yield* Effect.flip(
        settle(ToolLoop.run({ assistantId, threadId: yield* newThread }, { toolkit, mode: "blocking", resume: false }))
      )
      assert.isTrue(error instanceof HttpError && error.reason === "OutcomeUnknown")
      assert.deepStrictEqual(yield* state.activeRuns, [])
    }).pipe(Effect.provide(TestLayer)))
})

describe("what a resume meets", () => {
  it.effect("a 503 while polling is retried", () =>
    Effect.gen(function*() {
      const { assistantId, runs, state, threadId } = yield* cutAfter(2)
      yield* state.injectFault("/v2/threads/runs/query", Faults.status(503, { times: 2 }))
      const events = Chunk.toReadonlyArray(yield* settle(Stream.runCollect(runs.stream({ assistantId, threadId }))))
      assert.strictEqual(events.filter(RunEvent.isResumed).length, 1)
      assert.strictEqual(events[events.length - 1]?._tag, "RunEnd")
      assert.isTrue((yield* posts("/v2/threads/runs/query")) >= 3)
      const run = (yield* state.runs()).find((r) => r.threadId === threadId)
      assert.strictEqual(run?.status, "completed")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a run that expires while it is followed ends with RunEnd(expired), then RunFailed", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const state = yield* EmulatorState.EmulatorState
      const toolkit = weatherToolkit(yield* Ref.make(0))
      const { assistantId, newThread } = yield* setup("北京今天天气怎么样？", toolkit.definitions)
      const threadId = yield* newThread
      yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(2))
      const seen = yield* Ref.make<ReadonlyArray<RunEvent.RunEvent>>([])
      // nobody submits the outputs: the run waits, then expires
      const error = yield* Effect.flip(settle(
        Stream.runForEach(
          runs.stream({ assistantId, threadId }),
          (event) => Ref.update(seen, (all) => [...all, event])
        ),
        "5 seconds"
      ))
      assert.instanceOf(error, RunFailed)
      const events = yield* Ref.get(seen)
      assert.deepStrictEqual(events.filter(RunEvent.isToolCalls).length, 1)
      const end = events[events.length - 1]
      assert.isTrue(end !== undefined && RunEvent.isRunEnd(end) && end.status === "expired")
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 0)
    }).pipe(Effect.provide(Emulated.layer({ requiresActionTimeout: "1 minute" }))))

  it.effect("interrupting a resumed stream cancels the run once", () =>
    Effect.gen(function*() {
      const { assistantId, runs, state, threadId } = yield* cutAfter(1)
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const fiber = yield* Effect.fork(
        Stream.runForEach(runs.stream({ assistantId, threadId }), (event) =>
          Ref.update(seen, (all) => [...all, event._tag]))
      )
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(yield* Ref.get(seen), ["RunBegin", "Resumed"])
      yield* settle(Fiber.interrupt(fiber))
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 1)
      const run = (yield* state.runs()).find((r) =>
        r.threadId === threadId
      )
      assert.strictEqual(run?.status, "cancelled")
    }).pipe(Effect.provide(Emulated.layer({ script: AppBuilderTest.turns({ reply: "slow", delay: "10 minutes" }) }))))

  it.effect("a resume whose schedule ends fails with StreamEnded and cancels the run once", () =>
    Effect.gen(function*() {
      const { assistantId, runs, state, threadId } = yield* cutAfter(1)
      const error = yield* Effect.flip(settle(
        Stream.runDrain(
          runs.stream({ assistantId, threadId }, {
            resume: Schedule.spaced("1 second").pipe(Schedule.upTo("5 seconds"))
          })
        )
      ))
      assert.isTrue(error instanceof HttpError && error.reason === "StreamEnded")
      assert.include(error.message, "the resume schedule ended")
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 1)
      assert.deepStrictEqual(yield* state.activeRuns, [])
    }).pipe(Effect.provide(Emulated.layer({ script: AppBuilderTest.turns({ reply: "slow", delay: "10 minutes" }) }))))

  it.effect("a break before run_begin on an inline thread cannot be followed: StreamEnded, as before", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const state = yield* EmulatorState.EmulatorState
      const { assistantId } = yield* setup("你好")
      yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(0))
      const error = yield* Effect.flip(settle(
        Stream.runDrain(runs.stream({ assistantId, thread: { messages: [{ content: "你好" }] } }))
      ))
      assert.isTrue(error instanceof HttpError && error.reason === "StreamEnded")
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("the handler API sees Resumed, and the context names the run even when run_begin was lost", () =>
    Effect.gen(function*() {
      const { assistantId, runs, threadId } = yield* cutAfter(0)
      const resumed = yield* Ref.make<ReadonlyArray<string>>([])
      const result = yield* settle(RunEvent.handle(runs.stream({ assistantId, threadId }), {
        onResumed: (event, context) =>
          Ref.update(resumed, (all) => [...all, `${event.reason}:${context.currentRunId ?? "?"}`])
      }))
      const runId = Option.getOrThrow(result.run).id
      assert.deepStrictEqual(yield* Ref.get(resumed), [`StreamEnded:${runId}`])
      assert.strictEqual(result.context.currentRunId, runId)
      assert.isTrue(Option.isSome(result.runEnd))
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a resume option that is neither a boolean nor a Schedule is a ValidationError; nothing is sent", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { assistantId, newThread } = yield* setup("你好")
      const threadId = yield* newThread
      const before = yield* posts("/v2/threads/runs")
      // @ts-expect-error: a JavaScript caller's mistake
      const error = yield* Effect.flip(Stream.runDrain(runs.stream({ assistantId, threadId }, { resume: "always" })))
      assert.instanceOf(error, ValidationError)
      assert.include(error.message, "resume")
      const loopError = yield* Effect.flip(
        // @ts-expect-error: a JavaScript caller's mistake
        ToolLoop.run({ assistantId, threadId }, { toolkit: weatherToolkit(yield* Ref.make(0)), resume: 3 })
      )
      assert.instanceOf(loopError, ValidationError)
      assert.include(loopError.message, "options.resume")
      assert.strictEqual(yield* posts("/v2/threads/runs"), before)
    }).pipe(Effect.provide(TestLayer)))
})
