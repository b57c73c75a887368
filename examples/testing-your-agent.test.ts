/**
 * How to test your own agent code with the emulator: no account, no network, deterministic, and every
 * timing driven by `TestClock`.
 *
 * The recipe (`pnpm add -D @effect-appbuilder/testing`):
 *
 * - Provide `AppBuilderTest.layer(options?)`: every SDK service over the in-process emulator, plus the
 *   emulator's `EmulatorState`. The emulator is an in-process `HttpClient`, so the whole SDK stack
 *   (validation, encoding, SSE decoding, retries) runs exactly as in production, and `EmulatorState`
 *   lets the test assert on what was sent and on what is left on the "server".
 * - Build the layer inside each test (`Effect.provide(AppBuilderTest.layer())`) so tests do not share
 *   state.
 * - The default scripted model follows documented rules (see `ScriptedModel`): e.g. it calls
 *   `get_cur_whether` for `今天北京的天气怎么样？`, then quotes the tool outputs in its answer. To dictate
 *   exactly what the model does, pass `script: AppBuilderTest.turns(...)`.
 * - `AppBuilderTest.assertNoActiveRuns` fails, listing them, when a run is still queued, in progress or
 *   waiting for tool outputs.
 * - `it.effect` runs on `TestClock`; the in-process emulator uses the test's clock too, so timeouts,
 *   expiries and pings happen only when the test moves time with `TestClock.adjust`.
 *
 * Run it: `pnpm exec vitest run examples/testing-your-agent.test.ts`
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"

// -----------------------------------------------------------------------------------------------------
// The code under test: a tiny weather agent. In your project it lives in your own modules.
// -----------------------------------------------------------------------------------------------------

/** The weather backend the agent's tool uses: a service, so that tests can replace it. */
class WeatherApi extends Context.Tag("examples/WeatherApi")<WeatherApi, {
  readonly current: (city: string) => Effect.Effect<string>
}>() {}

const weatherTool = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  // The handler's requirements (here `WeatherApi`) become requirements of the loop.
  handler: ({ location }) => Effect.flatMap(WeatherApi, (api) => api.current(location))
})

const toolkit = ToolLoop.toolkit(weatherTool)

/** The agent: asks the assistant a question, answers its tool calls, returns the final answer. */
const askAgent = (question: string) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({
      name: "weather_agent",
      instructions: "请用友善的语气回答问题",
      tools: toolkit.definitions
    })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    const result = yield* ToolLoop.run({ assistantId: assistant.id, threadId: thread.id }, {
      toolkit,
      toolTimeout: "5 seconds"
    })
    return result.text
  })

// -----------------------------------------------------------------------------------------------------
// Test helpers
// -----------------------------------------------------------------------------------------------------

/** A fake weather backend that records the cities it was asked about. */
const fakeWeather = Effect.gen(function*() {
  const asked = yield* Ref.make<ReadonlyArray<string>>([])
  const api = WeatherApi.of({
    current: (city) => Effect.as(Ref.update(asked, (cities) => [...cities, city]), `${city}：晴，25度`)
  })
  return { api, asked: Ref.get(asked) }
})

// -----------------------------------------------------------------------------------------------------
// Tests
// -----------------------------------------------------------------------------------------------------

describe("the weather agent", () => {
  // (a) The default scripted model: it asks for `get_cur_whether` with {"location":"北京","unit":"摄氏度"}
  // and then answers `根据工具的结果：<the tool outputs>`.
  it.effect("answers with what the weather backend said (default scripted model)", () =>
    Effect.gen(function*() {
      const weather = yield* fakeWeather
      const answer = yield* askAgent("今天北京的天气怎么样？").pipe(Effect.provideService(WeatherApi, weather.api))
      assert.strictEqual(answer, "根据工具的结果：北京：晴，25度")
      assert.deepStrictEqual(yield* weather.asked, ["北京"])
    }).pipe(Effect.provide(AppBuilderTest.layer())))

  // (b) A script dictates the model's turns, one per step: here two tool calls in one step, then a reply.
  it.effect("calls the tool once per city the model asks for (scripted turns)", () =>
    Effect.gen(function*() {
      const weather = yield* fakeWeather
      const answer = yield* askAgent("上海和广州哪里更热？").pipe(Effect.provideService(WeatherApi, weather.api))
      assert.strictEqual(answer, "两个城市都是25度")
      assert.deepStrictEqual([...(yield* weather.asked)].sort(), ["上海", "广州"].sort())
    }).pipe(Effect.provide(AppBuilderTest.layer({
      script: AppBuilderTest.turns(
        {
          toolCalls: [
            { name: "get_cur_whether", arguments: { location: "上海" } },
            { name: "get_cur_whether", arguments: { location: "广州" } }
          ]
        },
        { reply: "两个城市都是25度" }
      )
    }))))

  // (b′) Scripts also produce what a real model sometimes does: arguments that do not match the tool's
  // Schema. The loop answers them with an error the model can read; `{ useDefault: true }` hands the
  // next turn back to the default rules, which quote the tool outputs.
  it.effect("answers malformed arguments with an error the model can read", () =>
    Effect.gen(function*() {
      const weather = yield* fakeWeather
      const answer = yield* askAgent("天气？").pipe(Effect.provideService(WeatherApi, weather.api))
      assert.include(answer, "error:")
      assert.include(answer, "arguments.location")
      assert.deepStrictEqual(yield* weather.asked, []) // the backend was never called
    }).pipe(Effect.provide(AppBuilderTest.layer({
      script: AppBuilderTest.turns(
        { toolCalls: [{ name: "get_cur_whether", arguments: { city: "北京" } }] },
        { useDefault: true }
      )
    }))))

  // (c) Timing under TestClock: a backend that hangs is cut off by the agent's 5 second tool timeout,
  // and the model is told so. Nothing happens until the test moves the clock.
  it.effect("gives up on a slow weather backend after 5 seconds", () =>
    Effect.gen(function*() {
      const slow = WeatherApi.of({ current: () => Effect.as(Effect.sleep("1 minute"), "too late") })
      const fiber = yield* askAgent("今天北京的天气怎么样？").pipe(
        Effect.provideService(WeatherApi, slow),
        Effect.fork
      )
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting just before the timeout")
      yield* TestClock.adjust("1 millis")
      const answer = yield* Fiber.join(fiber)
      assert.include(answer, "error:")
    }).pipe(Effect.provide(AppBuilderTest.layer())))

  // (c′) The emulator's own timings follow the clock too: a run left waiting for tool outputs longer
  // than `requiresActionTimeout` expires, as on the real service (10 minutes there). Code that answers
  // tool calls later (e.g. after a human approval) must expect that.
  it.effect("a run left waiting for tool outputs expires", () =>
    Effect.gen(function*() {
      // The TestClock starts at 1970-01-01T00:00:00Z; give it a realistic date when timestamps matter.
      yield* TestClock.setTime(Date.parse("2025-01-01T00:00:00Z"))
      const assistants = yield* Assistants.Assistants
      const runs = yield* Runs.Runs
      const assistant = yield* assistants.create({ name: "weather_agent", tools: toolkit.definitions })
      // A blocking run stops at `requires_action`, waiting for the output of the weather call.
      const pending = yield* runs.run({
        assistantId: assistant.id,
        thread: { messages: [{ content: "今天北京的天气怎么样？" }] }
      })
      assert.strictEqual(pending.status, "requires_action")
      const query = runs.query({ threadId: pending.threadId, runId: pending.id })
      yield* TestClock.adjust("119999 millis")
      assert.strictEqual((yield* query).status, "requires_action")
      yield* TestClock.adjust("1 millis")
      const expired = yield* query
      assert.strictEqual(expired.status, "expired")
      assert.strictEqual(expired.expiredAt - pending.startedAt, 120_000)
      // An answer that comes too late is rejected by the service (an `HttpError`, code `invalid_run_state`).
      const late = yield* runs.run({
        assistantId: assistant.id,
        threadId: pending.threadId,
        toolOutput: { toolCallId: pending.toolCalls[0]?.id ?? "", output: "晴", runId: pending.id }
      }).pipe(Effect.flip)
      assert.isTrue(AppBuilderError.isHttpError(late))
      if (AppBuilderError.isHttpError(late)) assert.strictEqual(late.code, "invalid_run_state")
    }).pipe(Effect.provide(AppBuilderTest.layer({ requiresActionTimeout: "2 minutes" }))))

  // (d) `EmulatorState` shows what reached the "server": the requests, in order, and the runs;
  // `assertNoActiveRuns` checks that the agent finished (or cancelled) every run it started.
  it.effect("sends the expected requests and leaves no run behind", () =>
    Effect.gen(function*() {
      const weather = yield* fakeWeather
      yield* askAgent("今天北京的天气怎么样？").pipe(Effect.provideService(WeatherApi, weather.api))
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      const paths = (yield* state.requests).map((request) => request.path)
      assert.deepStrictEqual(paths, [
        "/v2/assistants", // create the assistant
        "/v2/threads", // create the thread with the question
        "/v2/threads/runs", // the streamed run…
        "/v2/threads/runs/submit_tool_outputs" // …answered on the same stream
      ])
      yield* AppBuilderTest.assertNoActiveRuns
      assert.strictEqual((yield* state.runs("completed")).length, 1)
    }).pipe(Effect.provide(AppBuilderTest.layer())))

  // (d′) Interrupting the agent (here with a deadline) cancels its run on the server.
  it.effect("an agent stopped by a deadline cancels its run", () =>
    Effect.gen(function*() {
      const stuck = WeatherApi.of({ current: () => Effect.never })
      const fiber = yield* askAgent("今天北京的天气怎么样？").pipe(
        Effect.provideService(WeatherApi, stuck),
        Effect.timeout("3 seconds"),
        Effect.option,
        Effect.fork
      )
      yield* TestClock.adjust("3 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.join(fiber)), "the deadline fired")
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.activeRuns, [])
      assert.strictEqual((yield* state.runs("cancelled")).length, 1)
      const cancels = (yield* state.requests).filter((request) => request.path === "/v2/threads/runs/cancel")
      assert.strictEqual(cancels.length, 1)
    }).pipe(Effect.provide(AppBuilderTest.layer())))
})
