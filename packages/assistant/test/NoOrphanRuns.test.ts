/**
 * No run left alive: stopping a run early, in either mode and at any point (before the response headers,
 * between the headers and `run_begin`, during a blocking call, during a tool, while the answer streams),
 * leaves no run `queued`, `in_progress` or `requires_action` on the server, and no run is cancelled twice.
 * The in-process emulator is the server (on the TestClock, except the stress test); its run table and request
 * log are the evidence.
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { runObject } from "./fixtures/transcripts.js"
import * as Emulated from "./utils/Emulated.js"
import { json, layerWith, makeMock, text } from "./utils/MockHttp.js"

const QUESTION = "今天北京的天气怎么样？"

const Weather = Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) })

const weather = (delay: Duration.DurationInput = Duration.zero) =>
  ToolLoop.tool("get_cur_whether", {
    description: "这是一个获得指定地点天气的工具",
    parameters: Weather,
    handler: ({ location }) => Effect.as(Effect.sleep(delay), `${location} 的当前温度是30 摄氏度`)
  })

const makeAssistant = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const assistant = yield* assistants.create({
    name: "orphans",
    instructions: "请用友善的语气回答问题",
    tools: [Emulated.weatherTool]
  })
  return assistant.id
})

const newThread = Effect.flatMap(Threads.Threads, (threads) => threads.create({ messages: [{ content: QUESTION }] }))

/** Every run that is still going, as `id:status`. */
const aliveRuns = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  const active = yield* state.activeRuns
  return active.filter((run) => run.status !== "cancelling").map((run) => `${run.id}:${run.status}`)
})

/** How many cancel requests each run got, from the request log. */
const cancelsByRun = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  const counts = new Map<string, number>()
  for (const request of yield* state.requests) {
    if (request.path !== "/v2/threads/runs/cancel") continue
    const body: unknown = JSON.parse(request.body)
    const runId = typeof body === "object" && body !== null && "run_id" in body ? String(body.run_id) : ""
    counts.set(runId, (counts.get(runId) ?? 0) + 1)
  }
  return counts
})

/** A model that thinks for `delay` before every step. */
const thinking = (delay: Duration.DurationInput) =>
  ScriptedModel.make((input) => Effect.succeed({ ...ScriptedModel.decide(input), delay: Duration.decode(delay) }))

/** Deterministic pseudo-random numbers (mulberry32). */
const random = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe("Runs.stream stopped before run_begin", () => {
  it.effect("interrupted while the request waits for its answer: the run created afterwards is cancelled once", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const runs = yield* Runs.Runs
      const assistantId = yield* makeAssistant
      const thread = yield* newThread
      yield* state.injectFault("/v2/threads/runs", Faults.latency("1 second"))
      const consumer = yield* Effect.fork(Stream.runDrain(runs.stream({ assistantId, threadId: thread.id })))
      yield* TestClock.adjust("500 millis")
      const interrupting = yield* Effect.fork(Fiber.interrupt(consumer))
      // the request goes on: the run is created at 1 s, its run_begin names it, and it is cancelled
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.join(interrupting)))
      const all = yield* state.runs()
      assert.strictEqual(all.length, 1)
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["cancelled"])
      assert.deepStrictEqual([...(yield* cancelsByRun).entries()], [[all[0]!.id, 1]])
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("an inline thread: the run is named (thread included) by the run_begin read ahead", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const runs = yield* Runs.Runs
      const assistantId = yield* makeAssistant
      yield* state.injectFault("/v2/threads/runs", Faults.latency("1 second"))
      const consumer = yield* Effect.fork(
        Stream.runDrain(runs.stream({ assistantId, thread: { messages: [{ content: QUESTION }] } }))
      )
      yield* TestClock.adjust("10 millis")
      const interrupting = yield* Effect.fork(Fiber.interrupt(consumer))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(interrupting)
      assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["cancelled"])
    }).pipe(Effect.provide(Emulated.layer())))
})

describe("Runs.run stopped in flight", () => {
  it.effect("interrupted while the run thinks: the run is found on the thread and cancelled once", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const runs = yield* Runs.Runs
      const assistantId = yield* makeAssistant
      const thread = yield* newThread
      const call = yield* Effect.fork(runs.run({ assistantId, threadId: thread.id }))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* aliveRuns).length, 1)
      const interrupting = yield* Effect.fork(Fiber.interrupt(call))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.join(interrupting)))
      assert.deepStrictEqual(yield* aliveRuns, [])
      assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["cancelled"])
      assert.deepStrictEqual([...(yield* cancelsByRun).values()], [1])
    }).pipe(Effect.provide(Emulated.layer({ script: thinking("10 seconds") }))))

  it.effect("cancelOnInterrupt: false: interrupted while the run thinks, the run goes on and nothing is cancelled", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const assistantId = yield* makeAssistant
      const thread = yield* newThread
      const call = yield* Effect.fork(runs.run({ assistantId, threadId: thread.id }, { cancelOnInterrupt: false }))
      yield* TestClock.adjust("1 second")
      const interrupting = yield* Effect.fork(Fiber.interrupt(call))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.join(interrupting)))
      assert.strictEqual((yield* aliveRuns).length, 1)
      assert.deepStrictEqual([...(yield* cancelsByRun).values()], [])
      // the run goes on to ask for its tool, where a caller that finds it again continues it
      yield* TestClock.adjust("20 seconds")
      assert.deepStrictEqual((yield* aliveRuns).map((run) => run.split(":")[1]), ["requires_action"])
      assert.deepStrictEqual([...(yield* cancelsByRun).values()], [])
    }).pipe(Effect.provide(Emulated.layer({ script: thinking("10 seconds") }))))

  it.effect("held by latency, then interrupted: nothing was created, the search gives up after cancelTimeout", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const runs = yield* Runs.Runs
      const assistantId = yield* makeAssistant
      const thread = yield* newThread
      yield* state.injectFault("/v2/threads/runs", Faults.latency("1 minute"))
      const call = yield* Effect.fork(runs.run({ assistantId, threadId: thread.id }, { cancelTimeout: "2 seconds" }))
      yield* TestClock.adjust("1 second")
      const interrupting = yield* Effect.fork(Fiber.interrupt(call))
      yield* TestClock.adjust("1999 millis")
      assert.isNull(interrupting.unsafePoll(), "still looking for the run")
      yield* TestClock.adjust("1 millis")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.join(interrupting)))
      assert.deepStrictEqual(yield* state.runs(), [])
      assert.strictEqual((yield* cancelsByRun).size, 0)
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("a call that times out (its answer lost) cancels the run it started, then fails with its HttpError", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const runs = yield* Runs.Runs
      const assistantId = yield* makeAssistant
      const thread = yield* newThread
      const call = yield* Effect.fork(
        Effect.flip(runs.run({ assistantId, threadId: thread.id }, { timeout: "2 seconds" }))
      )
      yield* TestClock.adjust("3 seconds")
      const error = yield* Fiber.join(call)
      assert.isTrue(AppBuilderError.isHttpError(error))
      assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["cancelled"])
      assert.deepStrictEqual([...(yield* cancelsByRun).values()], [1])
    }).pipe(Effect.provide(Emulated.layer({ script: thinking("10 seconds") }))))

  it.effect("the run appears on the thread only later: the search waits for it and cancels it once", () =>
    Effect.gen(function*() {
      const THREAD = "thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4"
      const ASSISTANT = "asst_3f6b2a1c9d8e4f70a1b2c3d4e5f60718"
      const lists = yield* Ref.make(0)
      const mock = yield* makeMock((request) =>
        Effect.gen(function*() {
          switch (request.path) {
            case "/v2/threads/runs":
              return yield* Effect.never
            case "/v2/threads/runs/list": {
              const n = yield* Ref.updateAndGet(lists, (k) => k + 1)
              const run = runObject("in_progress", {
                id: "run_late",
                thread_id: THREAD,
                assistant_id: ASSISTANT,
                created_at: 1_000
              })
              return json({ object: "list", data: n < 3 ? [] : [run], first_id: "", last_id: "", has_more: false })
            }
            case "/v2/threads/runs/cancel":
              return json(runObject("cancelling", { id: "run_late", thread_id: THREAD }))
            default:
              return text("not found", 404)
          }
        })
      )
      const requests = yield* Effect.gen(function*() {
        const runs = yield* Runs.Runs
        yield* TestClock.adjust("1 second")
        const call = yield* Effect.fork(runs.run({ assistantId: ASSISTANT, threadId: THREAD }))
        yield* TestClock.adjust("1 millis")
        const interrupting = yield* Effect.fork(Fiber.interrupt(call))
        yield* TestClock.adjust("1 second")
        assert.isTrue(Exit.isInterrupted(yield* Fiber.join(interrupting)))
        return yield* Ref.get(mock.requests)
      }).pipe(Effect.provide(layerWith(mock)))
      const paths = requests.map((r) => r.path)
      assert.deepStrictEqual(paths.filter((p) => p.endsWith("/list")).length, 3)
      const cancels = requests.filter((r) => r.path === "/v2/threads/runs/cancel")
      assert.deepStrictEqual(cancels.map((r) => r.json), [{ thread_id: THREAD, run_id: "run_late", sync: false }])
    }))
})

describe("ToolLoop, blocking mode, inline thread", () => {
  it.effect("creates the thread first, so that a first call stopped in flight still cancels its run", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const assistantId = yield* makeAssistant
      const tool = weather()
      const loop = yield* Effect.fork(ToolLoop.run(
        { assistantId, thread: { messages: [{ content: QUESTION }] } },
        { toolkit: ToolLoop.toolkit(tool), mode: "blocking" }
      ))
      yield* TestClock.adjust("1 second")
      const interrupting = yield* Effect.fork(Fiber.interrupt(loop))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(interrupting)
      const paths = (yield* state.requests).map((r) => r.path)
      assert.deepStrictEqual(paths.slice(0, 3), ["/v2/assistants", "/v2/threads", "/v2/threads/runs"])
      const runRequest: unknown = JSON.parse((yield* state.requests)[2]!.body)
      const threads = yield* state.threads
      assert.deepInclude(runRequest, { thread_id: threads[0]!.id, thread: null })
      assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["cancelled"])
      assert.deepStrictEqual([...(yield* cancelsByRun).values()], [1])
    }).pipe(Effect.provide(Emulated.layer({ script: thinking("10 seconds") }))))
})

// A stress test, not a timing test: the loops run on the real clock (short real delays), because driving
// hundreds of loops through TestClock costs more than the loops themselves (every clock step inspects every
// fiber). 350 loops (it was 700) still stop each kind of loop (streamed or blocking, inline thread or not)
// at every point of the grid below several times over, with the same seeded choices for the first 350.
describe("at scale", () => {
  it.live(
    "200 streamed and 150 blocking loops stopped at random points: no run left going, none cancelled twice",
    () =>
      Effect.gen(function*() {
        const state = yield* EmulatorState.EmulatorState
        const next = random(20240607)
        const assistantId = yield* makeAssistant
        const LATENCY = 20
        // every run call is held 20 ms (a blocking call in flight, a stream before its headers)
        yield* state.injectFault("/v2/threads/runs", Faults.latency(`${LATENCY} millis`, { times: Infinity }))
        const cancels = new Map<string, number>()
        const kinds = [
          ...Array.from({ length: 200 }, () => "stream" as const),
          ...Array.from({ length: 150 }, () => "blocking" as const)
        ]
        // one toolkit per tool delay, shared by the loops (a toolkit encodes its tool definitions once)
        const toolkits = Array.from({ length: 4 }, (_, k) => ToolLoop.toolkit(weather(`${10 * k} millis`)))
        let stopped = 0
        const BATCH = 100
        for (let from = 0; from < kinds.length; from += BATCH) {
          const drivers = yield* Effect.forEach(kinds.slice(from, from + BATCH), (mode, k) =>
            Effect.gen(function*() {
              const index = from + k
              // streamed loops mostly, blocking loops half the time, name no thread: the read-ahead (stream)
              // and the thread created first (blocking) must cover them
              const inline = mode === "stream" ? index % 4 !== 0 : index % 2 === 0
              const input: ToolLoop.Input = inline
                ? { assistantId, thread: { messages: [{ content: QUESTION }] } }
                : { assistantId, threadId: (yield* newThread).id }
              const toolkit = toolkits[Math.floor(next() * 4)]!
              // where to stop, on a 10 ms grid: before anything (0 ms), right when the held run call goes
              // through (the headers of a stream, the start of a blocking run), or anywhere later
              const pick = next()
              const at = pick < 0.2 ? 0 : pick < 0.45 ? LATENCY : 10 * Math.floor(next() * 20)
              const yields = Math.floor(next() * 12)
              const options = { toolkit, cancelTimeout: Duration.seconds(1) }
              const loop = mode === "stream"
                ? Stream.runDrain(ToolLoop.stream(input, options))
                : Effect.asVoid(ToolLoop.run(input, { ...options, mode: "blocking" }))
              return yield* Effect.fork(Effect.gen(function*() {
                const fiber = yield* Effect.fork(loop)
                if (at > 0) yield* Effect.sleep(`${at} millis`)
                for (let y = 0; y < yields; y++) yield* Effect.yieldNow()
                const exit = yield* Fiber.interrupt(fiber)
                if (Exit.isInterrupted(exit)) stopped++
              }))
            }))
          // every driver ends when its loop was stopped and its cancel (or search for a run) finished
          yield* Effect.forEach(drivers, Fiber.join, { discard: true })
          for (const [runId, n] of yield* cancelsByRun) cancels.set(runId, (cancels.get(runId) ?? 0) + n)
          yield* state.clearRequests
        }
        assert.deepStrictEqual(yield* aliveRuns, [])
        for (const status of ["queued", "in_progress", "requires_action"] as const) {
          assert.strictEqual((yield* state.runs(status)).length, 0, status)
        }
        const twice = [...cancels.entries()].filter(([, n]) => n > 1)
        assert.deepStrictEqual(twice, [])
        // the points were spread: many loops were stopped, and many runs were cancelled (the same shares of
        // the loops as the bounds of 300 and 200 out of 700 loops had)
        assert.isAtLeast(stopped, 150)
        assert.isAtLeast((yield* state.runs("cancelled")).length, 100)
      }).pipe(Effect.provide(Emulated.layer({ script: thinking("30 millis"), chunkDelay: "10 millis" }))),
    // each loop makes several requests to the in-process emulator: allow for a busy machine
    180_000
  )
})
