/**
 * `Runs.stream` + `RunEvent.handle` against the in-process emulator (TestClock-driven): the tool-call
 * flow of spec §5.9 (b) on one stream, and cancel-on-interrupt leaving no run in progress.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

const TestLayer = Emulated.layer()

const weather = Emulated.weatherTool

const weatherSetup = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const assistant = yield* assistants.create({
    name: "weather",
    instructions: "请用友善的语气回答问题",
    tools: [weather]
  })
  const thread = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })
  return { assistantId: assistant.id, threadId: thread.id }
})

describe("Runs.stream against the emulator", () => {
  it.effect("tool call on one stream: handle submits the outputs in onToolCalls, the stream continues", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const { assistantId, threadId } = yield* weatherSetup
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      const answer = yield* Ref.make("")
      const result = yield* runs.stream({ assistantId, threadId }).pipe(
        Stream.tap((event) => Ref.update(seen, (all) => [...all, event._tag])),
        RunEvent.handle({
          onToolCalls: (event, context) =>
            Effect.gen(function*() {
              assert.strictEqual(context.currentToolCalls, event.toolCalls)
              assert.strictEqual(event.toolCalls[0]?.function?.name, "get_cur_whether")
              yield* runs.submitToolOutputs({
                threadId: context.currentThreadId ?? "",
                runId: context.currentRunId ?? "",
                toolOutputs: event.toolCalls.map((call) => ({
                  toolCallId: call.id,
                  output: "北京 的当前温度是30 摄氏度"
                }))
              })
            }),
          onMessage: (delta) => Ref.update(answer, (text) => text + delta.text)
        })
      )
      assert.strictEqual(Option.getOrThrow(result.runEnd).status, "completed")
      const tags = yield* Ref.get(seen)
      assert.strictEqual(tags[0], "RunBegin")
      assert.isTrue(tags.includes("ToolCalls") && tags.includes("ToolSubmittedOutput"))
      assert.strictEqual(tags[tags.length - 1], "RunEnd")
      assert.isAbove((yield* Ref.get(answer)).length, 0)
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.activeRuns, [])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("interrupting the consumer at ToolCalls cancels the run on the server", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const state = yield* EmulatorState.EmulatorState
      const { assistantId, threadId } = yield* weatherSetup
      const runId = yield* Deferred.make<string>()
      const fiber = yield* runs.stream({ assistantId, threadId }).pipe(
        RunEvent.handle({
          onToolCalls: (_, context) => Deferred.succeed(runId, context.currentRunId ?? "")
        }),
        Effect.fork
      )
      const id = yield* Deferred.await(runId)
      assert.strictEqual((yield* state.activeRuns).length, 1)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      yield* TestClock.adjust("1 second")
      const run = yield* runs.query({ threadId, runId: id })
      assert.include(["cancelling", "cancelled"], run.status)
      assert.deepStrictEqual(yield* state.activeRuns, [])
    }).pipe(Effect.provide(TestLayer)))
})
