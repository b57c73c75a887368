/**
 * `@effect/ai` toolkits driving `ToolLoop` (`AiToolkit.toToolkit`) against the in-process emulator: the
 * definitions sent, both modes, handler failures as outputs or typed failures, arguments that do not
 * decode, success and failure Schemas, and provider-defined tools refused before anything is sent.
 */
import * as AiToolkit from "@effect-appbuilder/assistant/AiToolkit"
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Emulated from "./utils/Emulated.js"

class WeatherUnavailable extends Schema.TaggedError<WeatherUnavailable>()("WeatherUnavailable", {
  city: Schema.String
}) {}

const GetWeather = Tool.make("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: {
    location: Schema.String.annotations({ description: "省，市名，例如：河北省" }),
    unit: Schema.optional(Schema.Literal("摄氏度", "华氏度"))
  },
  success: Schema.String,
  failure: WeatherUnavailable
})

const Add = Tool.make("add", {
  description: "adds two numbers",
  parameters: { a: Schema.Number, b: Schema.Number },
  success: Schema.Struct({ sum: Schema.Number, at: Schema.Date })
})

const Tools = Toolkit.make(GetWeather, Add)

/** Handlers: `add` answers `{ sum, at }` (`at` encoded by `Schema.Date`), the weather as given. */
const handlers = (weather: (location: string) => Effect.Effect<string, WeatherUnavailable>) =>
  Tools.toLayer({
    get_cur_whether: ({ location, unit }) => Effect.map(weather(location), (text) => `${text} ${unit ?? "摄氏度"}`),
    add: ({ a, b }) => Effect.succeed({ sum: a + b, at: new Date(0) })
  })

const sunny = handlers((location) => Effect.succeed(`${location} 的当前温度是30`))
const unavailable = handlers((city) => Effect.fail(new WeatherUnavailable({ city })))

/** An assistant and a thread whose last user message is `question`. */
const setup = (question: string) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({ name: "ai-tools", instructions: "请用友善的语气回答问题" })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    return { assistantId: assistant.id, threadId: thread.id }
  })

const noActiveRuns = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  return (yield* state.activeRuns).map((run) => `${run.id}:${run.status}`)
})

/** The `tools` of every run request received. */
const sentTools = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  return (yield* state.requests)
    .filter((request) => request.path === "/v2/threads/runs")
    .map((request): unknown => JSON.parse(request.body).tools)
})

const weatherDefinition = {
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
}

const addDefinition = {
  type: "function",
  function: {
    name: "add",
    description: "adds two numbers",
    parameters: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
      required: ["a", "b"]
    },
    responses: null,
    examples: null
  }
}

const bothTools = `call get_cur_whether with {"location":"北京"} call add with {"a":1,"b":2}`

describe("AiToolkit.toToolkit", () => {
  it.effect("one function tool per @effect/ai tool: name, description, the parameters' JSON Schema", () =>
    Effect.gen(function*() {
      const toolkit = yield* AiToolkit.toToolkit(Tools)
      assert.deepStrictEqual([...toolkit.tools.keys()], ["get_cur_whether", "add"])
      assert.deepStrictEqual(toolkit.definitions, [weatherDefinition, addDefinition])
      // the same schema @effect/ai sends to its own providers, reduced to what AppBuilder keeps
      const aiSchema: Record<string, unknown> = { ...Tool.getJsonSchema(GetWeather) }
      const sent: unknown = toolkit.definitions[0]?.function?.parameters
      assert.deepStrictEqual(sent, {
        type: aiSchema.type,
        properties: aiSchema.properties,
        required: aiSchema.required
      })
    }).pipe(Effect.provide(sunny)))

  it("the description falls back to the parameters Schema's description annotation", () => {
    const NoDescription = Tool.make("noop").setParameters(
      Schema.Struct({ n: Schema.Number }).annotations({ description: "does nothing with n" })
    )
    const toolkit = AiToolkit.fromWithHandler({ tools: { noop: NoDescription }, handle: () => Effect.die("unused") })
    assert.strictEqual(toolkit.definitions[0]?.function?.description, "does nothing with n")
  })
})

describe("ToolLoop with an @effect/ai toolkit", () => {
  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: two tools answer the run; their definitions are sent; success encoded by its Schema`, () =>
      Effect.gen(function*() {
        const ids = yield* setup(bothTools)
        const toolkit = yield* AiToolkit.toToolkit(Tools)
        const result = yield* ToolLoop.run(ids, { toolkit, mode })
        assert.strictEqual(result.run.status, "completed")
        assert.strictEqual(result.steps, 1)
        assert.include(result.text, "北京 的当前温度是30 摄氏度")
        assert.include(result.text, `{"sum":3,"at":"1970-01-01T00:00:00.000Z"}`)
        const sent = yield* sentTools
        assert.isAbove(sent.length, 0)
        assert.deepStrictEqual(sent[0], [weatherDefinition, addDefinition])
        assert.deepStrictEqual(yield* noActiveRuns, [])
      }).pipe(Effect.provide(sunny), Effect.provide(Emulated.layer())))
  }

  it.effect("a handler failure becomes an error output by default", () =>
    Effect.gen(function*() {
      const ids = yield* setup(bothTools)
      const result = yield* ToolLoop.run(ids, { toolkit: yield* AiToolkit.toToolkit(Tools) })
      assert.strictEqual(result.run.status, "completed")
      assert.include(result.text, "error:")
      assert.include(result.text, `{"sum":3,`)
    }).pipe(Effect.provide(unavailable), Effect.provide(Emulated.layer())))

  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode, onToolError "fail": the handler's typed failure fails the loop, the run is cancelled`, () =>
      Effect.gen(function*() {
        const ids = yield* setup(bothTools)
        const toolkit = yield* AiToolkit.toToolkit(Tools)
        const error = yield* ToolLoop.run(ids, { toolkit, mode, onToolError: "fail" }).pipe(Effect.flip)
        assert.isTrue(error instanceof WeatherUnavailable, String(error))
        if (error instanceof WeatherUnavailable) assert.strictEqual(error.city, "北京")
        assert.deepStrictEqual(yield* noActiveRuns, [])
        const state = yield* EmulatorState.EmulatorState
        assert.strictEqual((yield* state.runs("cancelled")).length, 1)
      }).pipe(Effect.provide(unavailable), Effect.provide(Emulated.layer())))
  }

  it.effect("arguments the parameters Schema cannot decode: an output naming the field by default", () =>
    Effect.gen(function*() {
      const ids = yield* setup(`call add with {"a":"one","b":2}`)
      const result = yield* ToolLoop.run(ids, { toolkit: yield* AiToolkit.toToolkit(Tools) })
      assert.strictEqual(result.run.status, "completed")
      assert.include(result.text, "error:")
      assert.include(result.text, "arguments.a")
    }).pipe(Effect.provide(sunny), Effect.provide(Emulated.layer())))

  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: arguments that do not decode fail with ToolArgumentsInvalid under "fail"`, () =>
      Effect.gen(function*() {
        const ids = yield* setup(`call add with {"a":"one","b":2}`)
        const toolkit = yield* AiToolkit.toToolkit(Tools)
        const error = yield* ToolLoop.run(ids, { toolkit, mode, onToolError: "fail" }).pipe(Effect.flip)
        assert.isTrue(AppBuilderError.isToolArgumentsInvalid(error), String(error))
        if (AppBuilderError.isToolArgumentsInvalid(error)) {
          assert.strictEqual(error.tool, "add")
          assert.deepStrictEqual(error.issues.map((issue) => issue.field), ["arguments.a"])
        }
        assert.deepStrictEqual(yield* noActiveRuns, [])
      }).pipe(Effect.provide(sunny), Effect.provide(Emulated.layer())))
  }

  it.effect("the handler receives the decoded parameters (a transforming Schema is decoded once)", () =>
    Effect.gen(function*() {
      const Twice = Tool.make("twice", {
        description: "doubles n",
        parameters: { n: Schema.NumberFromString },
        success: Schema.Number
      })
      const Kit = Toolkit.make(Twice)
      const ids = yield* setup(`call twice with {"n":"21"}`)
      const result = yield* Effect.flatMap(AiToolkit.toToolkit(Kit), (toolkit) => ToolLoop.run(ids, { toolkit })).pipe(
        Effect.provide(Kit.toLayer({ twice: ({ n }) => Effect.succeed(n * 2) }))
      )
      assert.include(result.text, "根据工具的结果：42")
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("failureMode \"return\": the encoded failure is the output, marked error:", () =>
    Effect.gen(function*() {
      const Lookup = Tool.make("lookup", {
        description: "looks a city up",
        parameters: { city: Schema.String },
        success: Schema.String,
        failure: WeatherUnavailable,
        failureMode: "return"
      })
      const Kit = Toolkit.make(Lookup)
      const ids = yield* setup(`call lookup with {"city":"北京"}`)
      const result = yield* Effect.flatMap(AiToolkit.toToolkit(Kit), (toolkit) =>
        ToolLoop.run(ids, { toolkit, onToolError: "fail" })).pipe(
          Effect.provide(Kit.toLayer({
            lookup: ({ city }) =>
              Effect.fail(new WeatherUnavailable({ city }))
          }))
        )
      assert.include(result.text, `error: {"city":"北京","_tag":"WeatherUnavailable"}`)
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("a result the success Schema rejects: ToolOutputUnencodable under \"fail\", an output by default", () =>
    Effect.gen(function*() {
      const Count = Tool.make("count", {
        description: "counts",
        parameters: {},
        success: Schema.Number.pipe(Schema.positive())
      })
      const Kit = Toolkit.make(Count)
      const layer = Kit.toLayer({ count: () => Effect.succeed(-1) })
      const ids = yield* setup(`call count`)
      const error = yield* Effect.flatMap(
        AiToolkit.toToolkit(Kit),
        (toolkit) => ToolLoop.run(ids, { toolkit, onToolError: "fail" })
      ).pipe(Effect.provide(layer), Effect.flip)
      assert.isTrue(AppBuilderError.isToolOutputUnencodable(error), String(error))
      if (AppBuilderError.isToolOutputUnencodable(error)) assert.strictEqual(error.tool, "count")

      const ids2 = yield* setup(`call count`)
      const result = yield* Effect.flatMap(AiToolkit.toToolkit(Kit), (toolkit) => ToolLoop.run(ids2, { toolkit })).pipe(
        Effect.provide(layer)
      )
      assert.include(result.text, "error:")
      assert.deepStrictEqual(yield* noActiveRuns, [])
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("a provider-defined tool is refused with a ValidationError before anything is sent", () =>
    Effect.gen(function*() {
      const WebSearch = Tool.providerDefined({
        id: "openai.web_search",
        toolkitName: "web_search",
        providerName: "web_search",
        args: {}
      })
      const Kit = Toolkit.make(WebSearch({}))
      const toolkit = yield* Effect.provide(AiToolkit.toToolkit(Kit), Kit.toLayer({}))
      const error = yield* ToolLoop.run({ assistantId: "asst_1", threadId: "thread_1" }, { toolkit }).pipe(Effect.flip)
      assert.isTrue(AppBuilderError.isValidationError(error), String(error))
      if (AppBuilderError.isValidationError(error)) assert.include(error.message, "provider")
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.requests, [])
    }).pipe(Effect.provide(Emulated.layer())))
})
