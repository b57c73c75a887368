/**
 * ToolLoop against the in-process emulator (TestClock): both modes, tool errors as outputs or failures,
 * timeouts, maxSteps, bounded concurrency, and cancellation leaving no run alive on the server.
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

const layerWith = Emulated.layer

const TestLayer = layerWith()

class WeatherUnavailable extends Schema.TaggedError<WeatherUnavailable>()("WeatherUnavailable", {
  city: Schema.String
}) {}

const Weather = Schema.Struct({
  location: Schema.String.annotations({ description: "省，市名，例如：河北省" }),
  unit: Schema.optional(Schema.Literal("摄氏度", "华氏度"))
})

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Weather,
  handler: ({ location, unit }) => Effect.succeed(`${location} 的当前温度是30 ${unit ?? "摄氏度"}`)
})

/** An assistant and a thread whose last user message is `question`. */
const setup = (question: string, tools: ReadonlyArray<ToolLoop.Tool.Any> = [weather]) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({
      name: "loop",
      instructions: "请用友善的语气回答问题",
      tools: ToolLoop.toolkit(...tools).definitions
    })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    return { assistantId: assistant.id, threadId: thread.id }
  })

const noActiveRuns = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  const active = yield* state.activeRuns
  return active.map((run) => `${run.id}:${run.status}`)
})

describe("ToolLoop.tool", () => {
  it("derives the function's JSON schema from the parameters Schema (type, properties, required only)", () => {
    assert.deepStrictEqual(weather.definition, {
      type: "function",
      function: {
        name: "get_cur_whether",
        description: "这是一个获得指定地点天气的工具",
        parameters: {
          type: "object",
          properties: {
            location: { type: "string", description: "省，市名，例如：河北省" },
            unit: { type: "string", enum: ["摄氏度", "华氏度"] }
          },
          required: ["location"]
        },
        responses: null,
        examples: null
      }
    })
  })
})

describe("ToolLoop.run", () => {
  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: decodes the call, runs the tool, submits its output, returns the final answer`, () =>
      Effect.gen(function*() {
        const seen = yield* Ref.make<ReadonlyArray<typeof Weather.Type>>([])
        const recording = ToolLoop.tool("get_cur_whether", {
          description: "这是一个获得指定地点天气的工具",
          parameters: Weather,
          handler: (args) => Effect.as(Ref.update(seen, (all) => [...all, args]), "北京 的当前温度是30 摄氏度")
        })
        const ids = yield* setup("今天北京的天气怎么样？", [recording])
        const result = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(recording), mode })
        assert.strictEqual(result.run.status, "completed")
        assert.strictEqual(result.steps, 1)
        assert.include(result.text, "北京 的当前温度是30 摄氏度")
        assert.deepStrictEqual(yield* Ref.get(seen), [{ location: "北京", unit: "摄氏度" }])
        assert.deepStrictEqual(yield* noActiveRuns, [])
      }).pipe(Effect.provide(TestLayer)))
  }

  it.effect("a tool failure becomes an output the model reads (default onToolError)", () =>
    Effect.gen(function*() {
      const broken = ToolLoop.tool("get_cur_whether", {
        description: "weather",
        parameters: Weather,
        handler: ({ location }) => Effect.fail(new WeatherUnavailable({ city: location }))
      })
      const ids = yield* setup("今天北京的天气怎么样？", [broken])
      const result = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(broken) })
      assert.strictEqual(result.run.status, "completed")
      assert.include(result.text, "error:")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("arguments the Schema cannot decode become an output naming the field", () =>
    Effect.gen(function*() {
      const add = ToolLoop.tool("add", {
        description: "adds two numbers",
        parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
        handler: ({ a, b }) => Effect.succeed(a + b)
      })
      const ids = yield* setup(`call add with {"a":"one","b":2}`, [add])
      const result = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(add) })
      assert.strictEqual(result.run.status, "completed")
      assert.include(result.text, "error:")
      assert.include(result.text, "arguments.a")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("non-string outputs are sent as JSON", () =>
    Effect.gen(function*() {
      const add = ToolLoop.tool("add", {
        description: "adds two numbers",
        parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
        handler: ({ a, b }) => Effect.succeed({ sum: a + b })
      })
      const ids = yield* setup(`call add with {"a":1,"b":2}`, [add])
      const result = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(add) })
      assert.include(result.text, `{"sum":3}`)
    }).pipe(Effect.provide(TestLayer)))

  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode, onToolError "fail": the tool's error fails the loop and the run is cancelled`, () =>
      Effect.gen(function*() {
        const broken = ToolLoop.tool("get_cur_whether", {
          description: "weather",
          parameters: Weather,
          handler: ({ location }) => Effect.fail(new WeatherUnavailable({ city: location }))
        })
        const ids = yield* setup("今天北京的天气怎么样？", [broken])
        const error = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(broken), mode, onToolError: "fail" }).pipe(
          Effect.flip
        )
        assert.strictEqual(error._tag, "WeatherUnavailable")
        assert.deepStrictEqual(yield* noActiveRuns, [])
        const state = yield* EmulatorState.EmulatorState
        assert.strictEqual((yield* state.runs("cancelled")).length, 1)
      }).pipe(Effect.provide(TestLayer)))
  }

  it.effect("an unknown tool fails with UnknownTool under onToolError \"fail\" (not a ValidationError: the run was sent)", () =>
    Effect.gen(function*() {
      const ids = yield* setup("今天北京的天气怎么样？")
      const other = ToolLoop.tool("other", {
        description: "x",
        parameters: Schema.Struct({}),
        handler: () => Effect.succeed("")
      })
      const error = yield* ToolLoop.run({ ...ids, tools: [weather.definition] }, {
        toolkit: ToolLoop.toolkit(other),
        onToolError: "fail"
      }).pipe(Effect.flip)
      assert.isTrue(AppBuilderError.isUnknownTool(error), String(error))
      assert.isFalse(AppBuilderError.isValidationError(error))
      if (AppBuilderError.isUnknownTool(error)) {
        assert.strictEqual(error.tool, "get_cur_whether")
        assert.notStrictEqual(error.callId, "")
      }
      assert.deepStrictEqual(yield* noActiveRuns, [])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("an unknown tool becomes an output naming it by default", () =>
    Effect.gen(function*() {
      const ids = yield* setup("今天北京的天气怎么样？")
      const other = ToolLoop.tool("other", {
        description: "x",
        parameters: Schema.Struct({}),
        handler: () => Effect.succeed("")
      })
      const result = yield* ToolLoop.run({ ...ids, tools: [weather.definition] }, { toolkit: ToolLoop.toolkit(other) })
      assert.strictEqual(result.run.status, "completed")
      assert.include(result.text, "error: unknown tool: get_cur_whether")
    }).pipe(Effect.provide(TestLayer)))

  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: arguments that do not decode fail with ToolArgumentsInvalid under "fail"`, () =>
      Effect.gen(function*() {
        const add = ToolLoop.tool("add", {
          description: "adds two numbers",
          parameters: Schema.Struct({ a: Schema.Number, b: Schema.Number }),
          handler: ({ a, b }) => Effect.succeed(a + b)
        })
        const ids = yield* setup(`call add with {"a":"one","b":2}`, [add])
        const error = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(add), mode, onToolError: "fail" }).pipe(
          Effect.flip
        )
        assert.isTrue(AppBuilderError.isToolArgumentsInvalid(error), String(error))
        if (AppBuilderError.isToolArgumentsInvalid(error)) {
          assert.strictEqual(error.tool, "add")
          assert.deepStrictEqual(error.issues.map((issue) => issue.field), ["arguments.a"])
        }
        assert.deepStrictEqual(yield* noActiveRuns, [])
      }).pipe(Effect.provide(TestLayer)))
  }

  it.effect("a broken tool in a toolkit whose definitions are not sent: ValidationError before anything is sent", () =>
    Effect.gen(function*() {
      const broken = ToolLoop.tool("get_cur_whether", {
        description: "weather",
        parameters: Schema.Struct({ at: Schema.DateFromSelf }),
        handler: () => Effect.succeed("")
      })
      for (const mode of ["stream", "blocking"] as const) {
        const error = yield* ToolLoop.run(
          { assistantId: "asst_1", threadId: "thread_1", tools: [weather.definition] },
          {
            toolkit: ToolLoop.toolkit(broken),
            mode
          }
        ).pipe(Effect.flip)
        assert.isTrue(AppBuilderError.isValidationError(error), String(error))
        if (AppBuilderError.isValidationError(error)) {
          assert.deepStrictEqual(error.issues.map((issue) => issue.field), [
            "options.toolkit.get_cur_whether.parameters"
          ])
        }
      }
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.requests, [])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("a tool that outlives its timeout: an output by default, TimeoutException under \"fail\"", () =>
    Effect.gen(function*() {
      const slow = ToolLoop.tool("get_cur_whether", {
        description: "weather",
        parameters: Weather,
        timeout: "2 seconds",
        handler: () => Effect.as(Effect.sleep("1 minute"), "too late")
      })
      const ids = yield* setup("今天北京的天气怎么样？", [slow])
      const asOutput = yield* Effect.fork(ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(slow) }))
      yield* TestClock.adjust("1999 millis")
      assert.isNull(asOutput.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(asOutput)
      assert.include(result.text, "error:")

      const ids2 = yield* setup("今天北京的天气怎么样？", [slow])
      const asFailure = yield* Effect.fork(ToolLoop.run(ids2, { toolkit: ToolLoop.toolkit(slow), onToolError: "fail" }))
      yield* TestClock.adjust("2 seconds")
      const exit = yield* Fiber.await(asFailure)
      assert.isTrue(Exit.isFailure(exit) && Cause.isTimeoutException(Cause.squash(exit.cause)))
      assert.deepStrictEqual(yield* noActiveRuns, [])
    }).pipe(Effect.provide(TestLayer)))

  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: maxSteps stops a runaway loop with MaxStepsExceeded and cancels the run`, () =>
      Effect.gen(function*() {
        const ids = yield* setup("今天北京的天气怎么样？")
        const error = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(weather), mode, maxSteps: 2 }).pipe(
          Effect.flip
        )
        assert.isTrue(AppBuilderError.isMaxStepsExceeded(error), String(error))
        assert.isFalse(AppBuilderError.isRunFailed(error))
        const state = yield* EmulatorState.EmulatorState
        const [cancelled] = yield* state.runs("cancelled")
        if (AppBuilderError.isMaxStepsExceeded(error)) {
          assert.strictEqual(error.maxSteps, 2)
          assert.strictEqual(error.threadId, ids.threadId)
          assert.strictEqual(error.runId, cancelled?.id)
        }
        assert.deepStrictEqual(yield* noActiveRuns, [])
        const cancels = (yield* state.requests).filter((r) => r.path === "/v2/threads/runs/cancel")
        assert.strictEqual(cancels.length, 1)
      }).pipe(
        Effect.provide(layerWith({
          script: ScriptedModel.fromTurns(
            Array.from(
              { length: 5 },
              () => ({ toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] })
            )
          )
        }))
      ))
  }

  it.effect("tool handlers run with bounded concurrency", () =>
    Effect.gen(function*() {
      const running = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const probe = ToolLoop.tool("probe", {
        description: "probe",
        parameters: Schema.Struct({ n: Schema.Number }),
        handler: ({ n }) =>
          Effect.gen(function*() {
            const now = yield* Ref.updateAndGet(running, (k) => k + 1)
            yield* Ref.update(peak, (p) => Math.max(p, now))
            yield* Effect.sleep("1 second")
            yield* Ref.update(running, (k) => k - 1)
            return `probe ${n}`
          })
      })
      const ids = yield* setup(`call probe {"n":1} call probe {"n":2} call probe {"n":3} call probe {"n":4}`, [probe])
      const fiber = yield* Effect.fork(ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(probe), concurrency: 2 }))
      yield* TestClock.adjust("1 second")
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(yield* Ref.get(peak), 2)
      for (const n of [1, 2, 3, 4]) assert.include(result.text, `probe ${n}`)
    }).pipe(Effect.provide(TestLayer)))
})

describe("ToolLoop.stream", () => {
  it.effect("maxSteps: the events of the answered rounds, the unanswered ToolCalls, then MaxStepsExceeded; the run is cancelled", () =>
    Effect.gen(function*() {
      const ids = yield* setup("今天北京的天气怎么样？")
      const results = yield* ToolLoop.stream(ids, { toolkit: ToolLoop.toolkit(weather), maxSteps: 1 }).pipe(
        Stream.either,
        Stream.runCollect
      )
      const list = [...results]
      const tagged = (tag: string) => list.filter((item) => item._tag === "Right" && item.right._tag === tag)
      // a ToolCalls event is shown before it is answered: the second round's calls appear, unanswered
      assert.strictEqual(tagged("ToolCalls").length, 2)
      assert.strictEqual(tagged("ToolSubmittedOutput").length, 1)
      const last = list[list.length - 1]
      assert.isTrue(last !== undefined && last._tag === "Left" && AppBuilderError.isMaxStepsExceeded(last.left))
      assert.deepStrictEqual(yield* noActiveRuns, [])
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual((yield* state.runs("cancelled")).length, 1)
    }).pipe(
      Effect.provide(layerWith({
        script: ScriptedModel.fromTurns(
          Array.from(
            { length: 3 },
            () => ({ toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] })
          )
        )
      }))
    ))

  it.effect("shows every event of every step, tool round included, in order", () =>
    Effect.gen(function*() {
      const ids = yield* setup("今天北京的天气怎么样？")
      const tags = yield* ToolLoop.stream(ids, { toolkit: ToolLoop.toolkit(weather) }).pipe(
        Stream.map((event) => event._tag),
        Stream.runCollect
      )
      const list: Array<string> = [...tags]
      assert.strictEqual(list[0], "RunBegin")
      assert.strictEqual(list[list.length - 1], "RunEnd")
      const order = [
        "ToolStepBegin",
        "ToolCalls",
        "ToolSubmittedOutput",
        "ToolStepEnd",
        "MessageCreation",
        "MessageDelta"
      ]
      let at = 0
      for (const tag of order) {
        const found = list.indexOf(tag, at)
        assert.isAtLeast(found, at, `${tag} after index ${at} in ${list.join(",")}`)
        at = found
      }
    }).pipe(Effect.provide(TestLayer)))
})

describe("cancellation", () => {
  // 20 loops (it was 100): the points are the 4 of `i % 4` (the mode and the yields before the clock moves),
  // and on the TestClock with the in-process emulator a point meets the same schedule every time (100 loops
  // made the same requests and left the same run status for every i of a point), so 5 loops per point prove
  // what 25 did.
  it.effect(
    "20 loops interrupted at different points (both modes) leave no run in progress or requires_action",
    () =>
      Effect.gen(function*() {
        const blocked = ToolLoop.tool("get_cur_whether", {
          description: "weather",
          parameters: Weather,
          handler: () => Effect.never
        })
        for (let i = 0; i < 20; i++) {
          const ids = yield* setup("今天北京的天气怎么样？", [blocked])
          const mode = i % 2 === 0 ? "stream" : "blocking"
          const fiber = yield* Effect.fork(ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(blocked), mode }))
          // let the loop get to a different point each time: before the run, waiting for the tool, ...
          for (let k = 0; k < i % 4; k++) yield* Effect.yieldNow()
          yield* TestClock.adjust("10 millis")
          yield* Fiber.interrupt(fiber)
        }
        const state = yield* EmulatorState.EmulatorState
        assert.deepStrictEqual(yield* noActiveRuns, [])
        assert.deepStrictEqual((yield* state.runs("in_progress")).length, 0)
        assert.deepStrictEqual((yield* state.runs("requires_action")).length, 0)
        assert.isAtLeast((yield* state.runs("cancelled")).length, 10)
      }).pipe(Effect.provide(TestLayer)),
    120_000
  ) // loops on the TestClock: CPU-bound, allow for a busy machine

  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: a cancel call that hangs cannot hold the interruption beyond cancelTimeout`, () =>
      Effect.gen(function*() {
        const blocked = ToolLoop.tool("get_cur_whether", {
          description: "weather",
          parameters: Weather,
          handler: () => Effect.never
        })
        const ids = yield* setup("今天北京的天气怎么样？", [blocked])
        const state = yield* EmulatorState.EmulatorState
        yield* state.injectFault("/v2/threads/runs/cancel", Faults.latency("1 minute"))
        const loop = yield* Effect.fork(
          ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(blocked), mode, cancelTimeout: "3 seconds" })
        )
        yield* TestClock.adjust("10 millis") // the run waits for the tool
        const interrupting = yield* Effect.fork(Fiber.interrupt(loop))
        yield* TestClock.adjust("2999 millis")
        assert.isNull(interrupting.unsafePoll(), "still cancelling")
        yield* TestClock.adjust("1 millis")
        const exit = yield* Fiber.join(interrupting)
        assert.isTrue(Exit.isInterrupted(exit))
      }).pipe(Effect.provide(TestLayer)))
  }

  it.effect("interrupting ToolLoop.stream with Stream.take cancels the run once", () =>
    Effect.gen(function*() {
      const ids = yield* setup("今天北京的天气怎么样？")
      const taken = yield* ToolLoop.stream(ids, { toolkit: ToolLoop.toolkit(weather) }).pipe(
        Stream.take(2),
        Stream.runCollect
      )
      assert.strictEqual(taken.length, 2)
      assert.deepStrictEqual(yield* noActiveRuns, [])
      const state = yield* EmulatorState.EmulatorState
      const cancels = (yield* state.requests).filter((r) => r.path === "/v2/threads/runs/cancel")
      assert.strictEqual(cancels.length, 1)
    }).pipe(Effect.provide(TestLayer)))
})
