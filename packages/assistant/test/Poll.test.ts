/**
 * `Runs.poll`: queries a run on a schedule (TestClock) until it settles, against the in-process emulator
 * whose model "thinks" 10 seconds before each step.
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

/** A model that thinks for `delay` before every step. */
const thinking = (delay: Duration.DurationInput) =>
  ScriptedModel.make((input) => Effect.succeed({ ...ScriptedModel.decide(input), delay: Duration.decode(delay) }))

/** A value of any type, as a JavaScript caller could pass it (no cast: parsed from JSON text). */
const untyped = <T>(json: string): T => JSON.parse(json)

const held = Emulated.layer({ script: thinking("10 seconds") })

/** How many `Runs.query` requests the emulator received. */
const queries = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  return (yield* state.requests).filter((request) => request.path === "/v2/threads/runs/query").length
})

/**
 * Starts a run held by the thinking model (a blocking call in the background) and returns its reference
 * and the call's fiber.
 */
const startRun = (question: string, withWeather = false) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const runs = yield* Runs.Runs
    const state = yield* EmulatorState.EmulatorState
    const assistant = yield* assistants.create({ name: "poller", tools: withWeather ? [Emulated.weatherTool] : [] })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    const call = yield* Effect.fork(runs.run({ assistantId: assistant.id, threadId: thread.id }))
    yield* TestClock.adjust("1 millis")
    const [run] = yield* state.runs()
    if (run === undefined) return yield* Effect.dieMessage("no run was started")
    return { ref: { threadId: thread.id, runId: run.id }, call }
  })

describe("Runs.poll", () => {
  it.effect("waits, querying on the given schedule, and returns the completed run", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { call, ref } = yield* startRun("你好")
      const poll = yield* Effect.fork(runs.poll(ref, { schedule: Schedule.spaced("1 second") }))
      yield* TestClock.adjust("0 millis")
      assert.strictEqual(yield* queries, 1, "the first query is immediate")
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* queries, 2)
      yield* TestClock.adjust("3 seconds")
      assert.strictEqual(yield* queries, 5, "one query per second")
      assert.isNull(poll.unsafePoll(), "the run is still thinking")
      yield* TestClock.adjust("7 seconds")
      const run = yield* Fiber.join(poll)
      assert.strictEqual(run.status, "completed")
      assert.strictEqual(run.id, ref.runId)
      // queries at 0, 1, …, 10 s: the run completes at 10 s, seen by the 11th query
      assert.strictEqual(yield* queries, 11)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* queries, 11, "it stopped querying once the run completed")
      assert.strictEqual((yield* Fiber.join(call)).status, "completed")
    }).pipe(Effect.provide(held)))

  it.effect("the default schedule: 250 ms, 500 ms, 1 s, 2 s, 4 s, then 5 s between queries", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { ref } = yield* startRun("你好")
      const poll = yield* Effect.fork(runs.poll(ref))
      // queries at 0, 0.25, 0.75, 1.75, 3.75, 7.75, 12.75 s
      const expected: ReadonlyArray<readonly [Duration.DurationInput, number]> = [
        ["0 millis", 1],
        ["249 millis", 1],
        ["1 millis", 2],
        ["500 millis", 3],
        ["1 second", 4],
        ["2 seconds", 5],
        ["4 seconds", 6],
        ["4999 millis", 6],
        ["1 millis", 7]
      ]
      for (const [step, count] of expected) {
        yield* TestClock.adjust(step)
        assert.strictEqual(yield* queries, count, `after ${Duration.format(Duration.decode(step))}`)
      }
      const run = yield* Fiber.join(poll)
      assert.strictEqual(run.status, "completed")
    }).pipe(Effect.provide(held)))

  it.effect("stops at requires_action", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { ref } = yield* startRun("今天北京的天气怎么样？", true)
      const poll = yield* Effect.fork(runs.poll(ref, { schedule: Schedule.spaced("1 second") }))
      yield* TestClock.adjust("11 seconds")
      const run = yield* Fiber.join(poll)
      assert.strictEqual(run.status, "requires_action")
      assert.strictEqual(run.toolCalls[0]?.function?.name, "get_cur_whether")
    }).pipe(Effect.provide(held)))

  it.effect("after cancel({ sync: false }): returns the cancelled run (not a failure)", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { ref } = yield* startRun("你好")
      const answer = yield* runs.cancel({ ...ref, sync: false })
      assert.strictEqual(answer.status, "cancelling", "the cancel answers at once")
      const poll = yield* Effect.fork(runs.poll(ref, { schedule: Schedule.spaced("1 second") }))
      yield* TestClock.adjust("11 seconds")
      const run = yield* Fiber.join(poll)
      assert.strictEqual(run.status, "cancelled", "cancelling is not settled: poll waited for cancelled")
    }).pipe(Effect.provide(held)))

  it.effect("a failed run is returned, with its last_error", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { ref } = yield* startRun("please fail")
      const poll = yield* Effect.fork(runs.poll(ref, { schedule: Schedule.spaced("1 second") }))
      yield* TestClock.adjust("11 seconds")
      const run = yield* Fiber.join(poll)
      assert.strictEqual(run.status, "failed")
      assert.strictEqual(run.lastError?.type, "server_error")
    }).pipe(Effect.provide(held)))

  it.effect("timeout: fails with an HttpError of reason Timeout when the run has not settled in time", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { ref } = yield* startRun("你好")
      const poll = yield* Effect.fork(Effect.flip(runs.poll(ref, { timeout: "3 seconds" })))
      yield* TestClock.adjust("2999 millis")
      assert.isNull(poll.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(poll)
      assert.isTrue(AppBuilderError.isHttpError(error))
      if (!AppBuilderError.isHttpError(error)) return
      assert.strictEqual(error.reason, "Timeout")
      assert.strictEqual(error.operation, "Runs.poll")
    }).pipe(Effect.provide(held)))

  it.effect("a schedule that ends before the run settles: HttpError Timeout after its last query", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { ref } = yield* startRun("你好")
      const poll = yield* Effect.fork(
        Effect.flip(
          runs.poll(ref, { schedule: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(2))) })
        )
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(poll)
      assert.strictEqual(yield* queries, 3)
      assert.isTrue(AppBuilderError.isHttpError(error) && error.reason === "Timeout")
    }).pipe(Effect.provide(held)))

  it.effect("invalid input or options: a ValidationError naming the field, nothing sent", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const ref = { threadId: "thread_1", runId: "run_1" }
      const cases: ReadonlyArray<readonly [Effect.Effect<unknown, unknown>, string]> = [
        [runs.poll({ threadId: "", runId: "" }), "threadId"],
        [runs.poll(untyped<Runs.RunRef>("null")), ""],
        [runs.poll(ref, untyped<Runs.PollOptions>("{\"schedule\":\"fast\"}")), "options.schedule"],
        [runs.poll(ref, untyped<Runs.PollOptions>("{\"timeout\":\"soon\"}")), "options.timeout"],
        [runs.poll(ref, untyped<Runs.PollOptions>("null")), "options"]
      ]
      for (const [call, field] of cases) {
        const error = yield* Effect.flip(call)
        if (!AppBuilderError.isValidationError(error)) {
          return assert.fail(`expected a ValidationError, got ${String(error)}`)
        }
        assert.include(error.issues.map((issue) => issue.field).join(","), field)
      }
      assert.strictEqual(yield* queries, 0)
    }).pipe(Effect.provide(held)))
})
