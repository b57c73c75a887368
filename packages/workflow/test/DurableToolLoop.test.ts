/**
 * DurableToolLoop on the in-memory workflow engine and the in-process emulator (TestClock): the same
 * result as ToolLoop, each tool executed once, a replay that starts nothing again, a failed run, and an
 * interrupted workflow that cancels its run once.
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as DurableToolLoop from "@effect-appbuilder/workflow/DurableToolLoop"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"

class Executions extends Context.Tag("test/Executions")<Executions, Ref.Ref<number>>() {}

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location, unit }) =>
    Effect.flatMap(Executions, (count) => Ref.update(count, (n) => n + 1)).pipe(
      Effect.as(`${location} 的当前温度是30 ${unit ?? "摄氏度"}`)
    )
})
const toolkit = ToolLoop.toolkit(weather)

const Weather = DurableToolLoop.make({ name: "weather", toolkit })

/** The durable loop registered on the in-memory engine, over the emulator, with a tool counter. */
const layer = (options: AppBuilderTest.Options = {}) =>
  Weather.layer.pipe(
    Layer.provideMerge(WorkflowEngine.layerMemory),
    Layer.provideMerge(Layer.effect(Executions, Ref.make(0))),
    Layer.provideMerge(AppBuilderTest.layer(options))
  )

/** Runs `effect` while moving the TestClock on, until it ends. */
/**
 * Runs `effect`, moving the TestClock by `step` until it ends. With `until`, the clock stays still until
 * `until` holds (the event loop turns meanwhile): what the effect records of the time before then is the
 * time the test started at, however slow the machine.
 */
const settle = <A, E, R, R2 = never>(
  effect: Effect.Effect<A, E, R>,
  step: Duration.DurationInput = "100 millis",
  until?: Effect.Effect<boolean, never, R2>
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; until !== undefined && i < 10_000 && !(yield* until); i++) {
      yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
    }
    for (let i = 0; i < 2000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") break
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.join(fiber)
  })

const setup = (question: string) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({
      name: "loop",
      instructions: "请用友善的语气回答问题",
      tools: toolkit.definitions
    })
    const newThread = Effect.map(threads.create({ messages: [{ content: question }] }), (thread) => thread.id)
    return { assistantId: assistant.id, newThread }
  })

const posts = (path: string) =>
  Effect.flatMap(
    EmulatorState.EmulatorState,
    (state) => Effect.map(state.requests, (requests) => requests.filter((r) => r.path === path).length)
  )

const executions = Effect.flatMap(Executions, Ref.get)

/** What two results share when they ran the same conversation: everything but ids and times. */
const comparable = (result: { readonly run: Runs.Run; readonly steps: number; readonly text: string }) => ({
  steps: result.steps,
  text: result.text,
  status: result.run.status,
  object: result.run.object,
  answer: result.run.finalAnswer?.text,
  lastError: result.run.lastError
})

describe("DurableToolLoop", () => {
  it.effect("completes with the same result as ToolLoop (blocking mode), each tool executed once", () =>
    Effect.gen(function*() {
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const expected = yield* settle(
        ToolLoop.run({ assistantId, threadId: yield* newThread }, { toolkit, mode: "blocking" })
      )
      assert.strictEqual(yield* executions, 1)
      const result = yield* settle(Weather.run({ id: "loop-1", request: { assistantId, threadId: yield* newThread } }))
      assert.deepStrictEqual(comparable(result), comparable(expected))
      assert.strictEqual(result.steps, 1)
      assert.include(result.text, "30")
      assert.strictEqual(yield* executions, 2)
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.activeRuns, [])
    }).pipe(Effect.provide(layer())))

  it.effect("creates an inline thread once, in an activity", () =>
    Effect.gen(function*() {
      const { assistantId } = yield* setup("")
      const result = yield* settle(Weather.run({
        id: "inline",
        request: { assistantId, thread: { messages: [{ content: "北京今天的天气怎么样？" }] } }
      }))
      assert.strictEqual(result.run.status, "completed")
      assert.strictEqual(result.steps, 1)
      assert.strictEqual(yield* posts("/v2/threads"), 1)
      assert.strictEqual(yield* executions, 1)
    }).pipe(Effect.provide(layer())))

  it.effect("appends inline messages to a given thread with the run", () =>
    Effect.gen(function*() {
      const { assistantId } = yield* setup("你好")
      const threads = yield* Threads.Threads
      const thread = yield* threads.create()
      const result = yield* settle(Weather.run({
        id: "appended",
        request: { assistantId, threadId: thread.id, thread: { messages: [{ content: "北京今天的天气怎么样？" }] } }
      }))
      assert.strictEqual(result.run.threadId, thread.id)
      assert.strictEqual(result.steps, 1)
      assert.strictEqual(yield* executions, 1)
    }).pipe(Effect.provide(layer())))

  it.effect("running the same execution again starts no second run and executes no tool again", () =>
    Effect.gen(function*() {
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const payload = { id: "replayed", request: { assistantId, threadId: yield* newThread } }
      const first = yield* settle(Weather.run(payload))
      const second = yield* settle(Weather.run(payload))
      assert.deepStrictEqual(second, first)
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
      assert.strictEqual(yield* posts("/v2/threads/runs/submit_tool_outputs"), 1)
      assert.strictEqual(yield* executions, 1)
      const executionId = yield* Weather.executionId(payload)
      const polled = yield* Weather.poll(executionId)
      assert.strictEqual(polled?._tag, "Complete")
    }).pipe(Effect.provide(layer())))

  it.effect("adopts the run a previous attempt started, and submits nothing the run no longer waits for", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const threadId = yield* newThread
      // a previous attempt of the execution started the run (at the time `prepare` records, TestClock)
      const previous = yield* runs.run({ assistantId, threadId, tools: toolkit.definitions })
      assert.strictEqual(previous.status, "requires_action")
      // ... and its submit reached the service, though its answer was lost: the tool submits on its own
      const submitting = ToolLoop.tool("get_cur_whether", {
        description: "这是一个获得指定地点天气的工具",
        parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
        handler: (_, call) =>
          Effect.gen(function*() {
            yield* Effect.flatMap(Executions, (count) => Ref.update(count, (n) => n + 1))
            yield* runs.submitToolOutputs({
              threadId,
              runId: previous.id,
              toolOutputs: [{ toolCallId: call.id, output: "晴" }]
            })
            return "晴"
          })
      })
      const Adopting = DurableToolLoop.make({ name: "adopting", toolkit: ToolLoop.toolkit(submitting) })
      // the clock stays still until the execution lists the thread's runs: `prepare` has recorded the time
      // the previous attempt's run was started at
      const result = yield* settle(
        Adopting.run({ id: "adopting", request: { assistantId, threadId } }).pipe(Effect.provide(Adopting.layer)),
        "100 millis",
        Effect.map(posts("/v2/threads/runs/list"), (lists) => lists >= 1)
      )
      assert.strictEqual(result.run.id, previous.id)
      assert.strictEqual(result.run.status, "completed")
      assert.strictEqual(result.steps, 1)
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
      assert.strictEqual(yield* posts("/v2/threads/runs/submit_tool_outputs"), 1)
      assert.strictEqual(yield* executions, 1)
    }).pipe(Effect.provide(layer())))

  it.effect("a failed run ends the workflow with RunFailed", () =>
    Effect.gen(function*() {
      const { assistantId, newThread } = yield* setup("please fail")
      const exit = yield* settle(
        Effect.exit(Weather.run({ id: "failing", request: { assistantId, threadId: yield* newThread } }))
      )
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.instanceOf(error, AppBuilderError.RunFailed)
        assert.strictEqual(error?._tag === "RunFailed" ? error.status : "", "failed")
      }
      assert.strictEqual(yield* executions, 0)
    }).pipe(Effect.provide(layer())))

  it.effect("a run that fails after a tool round ends the workflow with RunFailed", () =>
    Effect.gen(function*() {
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const error = yield* settle(
        Effect.flip(Weather.run({ id: "fails-late", request: { assistantId, threadId: yield* newThread } }))
      )
      assert.strictEqual(error._tag, "RunFailed")
      assert.strictEqual(yield* executions, 1)
    }).pipe(Effect.provide(layer({
      script: AppBuilderTest.turns(
        { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
        { fail: { message: "boom" }, delay: "2 seconds" }
      )
    }))))

  it.effect("more rounds than maxSteps cancel the run and fail with MaxStepsExceeded", () =>
    Effect.gen(function*() {
      const Limited = DurableToolLoop.make({ name: "limited", toolkit, maxSteps: 0 })
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const error = yield* settle(
        Effect.flip(Limited.run({ id: "limited", request: { assistantId, threadId: yield* newThread } })).pipe(
          Effect.provide(Limited.layer)
        )
      )
      assert.strictEqual(error._tag, "MaxStepsExceeded")
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 1)
      assert.strictEqual(yield* executions, 0)
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.activeRuns, [])
    }).pipe(Effect.provide(layer())))

  it.effect("interrupting the workflow cancels its run once", () =>
    Effect.gen(function*() {
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const threadId = yield* newThread
      const payload = { id: "interrupted", request: { assistantId, threadId } }
      const executionId = yield* Weather.start(payload)
      const state = yield* EmulatorState.EmulatorState
      // let the tool round pass: the run now thinks for a long time
      for (let i = 0; i < 100 && (yield* posts("/v2/threads/runs/submit_tool_outputs")) === 0; i++) {
        yield* TestClock.adjust("100 millis")
      }
      assert.strictEqual(yield* executions, 1)
      assert.strictEqual((yield* state.activeRuns).length, 1)
      yield* Weather.interrupt(executionId)
      yield* settle(Effect.iterate(0, {
        while: (n) => n < 50,
        body: (n) => Effect.as(Effect.yieldNow(), n + 1)
      }))
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 1)
      assert.deepStrictEqual(yield* state.activeRuns, [])
      const run = (yield* state.runs()).find((r) => r.threadId === threadId)
      assert.strictEqual(run?.status, "cancelled")
      // interrupting again sends nothing more
      yield* Weather.interrupt(executionId)
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 1)
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
    }).pipe(Effect.provide(layer({
      script: AppBuilderTest.turns(
        { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
        { reply: "slow", delay: "10 minutes" }
      )
    }))))

  describe("a process that stops (the engine shuts down under the execution) leaves its run going", () => {
    const slowWeather = ToolLoop.tool("get_cur_whether", {
      description: "这是一个获得指定地点天气的工具",
      parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
      handler: ({ location }) =>
        Effect.flatMap(Executions, (count) => Ref.update(count, (n) => n + 1)).pipe(
          Effect.zipRight(Effect.sleep("30 seconds")),
          Effect.as(`${location} 的当前温度是30 摄氏度`)
        )
    })
    const SlowTool = DurableToolLoop.make({ name: "slow-tool", toolkit: ToolLoop.toolkit(slowWeather) })

    /** Starts the loop on an engine of its own, waits until `until` holds, then shuts that engine down. */
    const stopEngineWhen = (
      until: Effect.Effect<boolean, never, EmulatorState.EmulatorState | Executions>,
      loop: typeof Weather | typeof SlowTool = Weather
    ) =>
      Effect.gen(function*() {
        const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
        const threadId = yield* newThread
        const scope = yield* Scope.make()
        const engine = yield* Layer.buildWithScope(
          loop.layer.pipe(Layer.provideMerge(WorkflowEngine.layerMemory)),
          scope
        )
        yield* loop.start({ id: "stopped", request: { assistantId, threadId } }).pipe(Effect.provide(engine))
        for (let i = 0; i < 200 && !(yield* until); i++) yield* TestClock.adjust("100 millis")
        assert.isTrue(yield* until)
        yield* Scope.close(scope, Exit.void)
        yield* TestClock.adjust("10 seconds")
        const state = yield* EmulatorState.EmulatorState
        assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 0, "nothing cancelled")
        assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
        assert.notInclude((yield* state.runs()).map((run) => run.status), "cancelled")
        return state
      })

    it.effect("while the run starts (a blocking call in flight)", () =>
      Effect.gen(function*() {
        const state = yield* stopEngineWhen(Effect.flatMap(EmulatorState.EmulatorState, (state) =>
          Effect.map(state.activeRuns, (runs) =>
            runs.length === 1)))
        assert.strictEqual(yield* executions, 0)
        // the run went on to ask for its tool: a restarted execution adopts it there
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(
          (yield* state.activeRuns).map((run) =>
            run.status
          ),
          ["requires_action"]
        )
      }).pipe(Effect.provide(layer({
        script: AppBuilderTest.turns(
          { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }], delay: "30 seconds" },
          { reply: "done" }
        )
      }))))

    it.effect("while a tool runs", () =>
      Effect.gen(function*() {
        const state = yield* stopEngineWhen(Effect.map(executions, (n) => n === 1), SlowTool)
        // the run still waits for the tool's output: a restarted execution adopts it and runs the tool
        assert.deepStrictEqual((yield* state.activeRuns).map((run) => run.status), ["requires_action"])
        assert.strictEqual(yield* posts("/v2/threads/runs/submit_tool_outputs"), 0)
      }).pipe(Effect.provide(layer())))

    it.effect("while it waits for the answer (between durable sleeps)", () =>
      Effect.gen(function*() {
        const state = yield* stopEngineWhen(Effect.map(posts("/v2/threads/runs/submit_tool_outputs"), (n) => n === 1))
        assert.strictEqual(yield* executions, 1)
        yield* TestClock.adjust("2 minutes")
        assert.deepStrictEqual(yield* state.activeRuns, [])
        assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["completed"])
      }).pipe(Effect.provide(layer({
        script: AppBuilderTest.turns(
          { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
          { reply: "slow", delay: "1 minute" }
        )
      }))))
  })

  it.effect("waits with durable sleeps: a slow answer takes a bounded number of queries", () =>
    Effect.gen(function*() {
      const { assistantId, newThread } = yield* setup("北京今天的天气怎么样？")
      const result = yield* settle(
        Weather.run({ id: "slow", request: { assistantId, threadId: yield* newThread } }),
        "1 second"
      )
      assert.strictEqual(result.text, "done")
      // 250 ms, 500 ms, 1 s, 2 s, 4 s, then every 5 s: about 10 queries for 40 seconds, not a busy loop
      const queries = yield* posts("/v2/threads/runs/query")
      assert.isAtMost(queries, 16)
      assert.isAtLeast(queries, 5)
    }).pipe(Effect.provide(layer({
      script: AppBuilderTest.turns(
        { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
        { reply: "done", delay: Duration.seconds(40) }
      )
    }))))
})
