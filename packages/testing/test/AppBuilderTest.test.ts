import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import { AppBuilderTest } from "@effect-appbuilder/testing"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"

const { Faults } = AppBuilderTest

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String }),
  handler: ({ location }) => Effect.succeed(`${location} 的当前温度是30 摄氏度`)
})

const toolkit = ToolLoop.toolkit(weather)

const setup = (question: string) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({ name: "kit", instructions: "回答问题", tools: toolkit.definitions })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    return { assistantId: assistant.id, threadId: thread.id }
  })

describe("AppBuilderTest.layer", () => {
  it.effect("runs a tool loop with scripted turns, and no run is left active", () =>
    Effect.gen(function*() {
      const input = yield* setup("北京天气？")
      const result = yield* ToolLoop.run(input, { toolkit })
      assert.strictEqual(result.steps, 1)
      assert.strictEqual(result.text, "scripted: 北京 30度")
      assert.strictEqual(result.run.status, "completed")
      yield* AppBuilderTest.assertNoActiveRuns
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      const [run] = yield* state.runs()
      assert.strictEqual(run?.steps.length, 2)
    }).pipe(Effect.provide(AppBuilderTest.layer({
      script: AppBuilderTest.turns(
        { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
        { reply: "scripted: 北京 30度" }
      )
    }))))

  it.effect("assertNoActiveRuns fails, listing the runs, when a run waits in requires_action", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const input = yield* setup("北京天气？")
      const waiting = yield* runs.run(input)
      assert.strictEqual(waiting.status, "requires_action")
      const error = yield* Effect.flip(AppBuilderTest.assertNoActiveRuns)
      assert.strictEqual(error._tag, "ActiveRunsError")
      assert.deepStrictEqual(error.runs, [{ id: waiting.id, threadId: input.threadId, status: "requires_action" }])
      assert.strictEqual(
        error.message,
        `1 run(s) still active on the emulator: ${waiting.id} (thread ${input.threadId}): requires_action`
      )
      // once cancelled, the assertion passes
      yield* runs.cancel({ threadId: input.threadId, runId: waiting.id })
      yield* AppBuilderTest.assertNoActiveRuns
    }).pipe(Effect.provide(AppBuilderTest.layer({
      script: AppBuilderTest.turns({ toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] })
    }))))

  it.effect("injectFault: a 503 with Retry-After is retried after the delay (TestClock)", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      yield* AppBuilderTest.injectFault("/v2/threads", Faults.status(503, { retryAfter: 2, times: 1 }))
      const fiber = yield* Effect.fork(threads.create())
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual((yield* state.requests).filter((r) => r.path === "/v2/threads").length, 1)
      yield* TestClock.adjust("1 millis")
      const thread = yield* Fiber.join(fiber)
      assert.match(thread.id, /^thread_/)
      assert.strictEqual((yield* state.requests).filter((r) => r.path === "/v2/threads").length, 2)
    }).pipe(Effect.provide(AppBuilderTest.layer())))

  it.effect("client options pass through: with retry: false the injected 503 fails the call", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      yield* AppBuilderTest.injectFault("/v2/threads", Faults.status(503, { times: 1 }))
      const error = yield* Effect.flip(threads.create())
      assert.strictEqual(error._tag, "HttpError")
      assert.strictEqual(error._tag === "HttpError" ? error.status : undefined, 503)
      const thread = yield* threads.create()
      assert.match(thread.id, /^thread_/)
    }).pipe(Effect.provide(AppBuilderTest.layer({ retry: false }))))

  it.effect("token: the emulator demands it and the client sends it", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      const thread = yield* threads.create()
      assert.match(thread.id, /^thread_/)
    }).pipe(Effect.provide(AppBuilderTest.layer({ token: "my-token" }))))
})
