/**
 * A streamed run consumed with event handlers (`RunEvent.handle`), the Effect version of the official
 * SDK's `AssistantEventHandler`: one optional callback per event kind, each given the event and the
 * `StreamRunContext` (current run, thread, step, tool calls). The answer is printed as it arrives, and
 * the tool call the model asks for is answered from inside the `onToolCalls` callback: the same stream
 * then continues to the end of the run.
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/stream-with-handlers.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Runtime from "./Runtime.js"

/** A function tool, written as the JSON schema the service expects (tool-loop.ts derives it from a Schema). */
const weatherTool: Assistants.AssistantToolInput = {
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
    }
  }
}

export const program = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const runs = yield* Runs.Runs

  const assistant = yield* Effect.acquireRelease(
    assistants.create({ name: "weather_reporter", instructions: "请用友善的语气回答问题", tools: [weatherTool] }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  const thread = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })

  // The handlers below accumulate the answer here.
  const answer = yield* Ref.make("")

  // `Runs.stream` is a `Stream<RunEvent>`; `RunEvent.handle` runs it, calling the matching handler for
  // each event, one at a time and in order. Handlers are effects: they can fail, use services, sleep…
  const result = yield* runs.stream({ assistantId: assistant.id, threadId: thread.id }).pipe(
    RunEvent.handle({
      // The context of `RunBegin` and every later event knows the run, thread and assistant ids.
      onRunBegin: (_event, context) => Console.log(`run begin: ${context.currentRunId} on ${context.currentThreadId}`),
      onToolStepBegin: (_event, context) => Console.log(`step begin: ${context.currentRunStepId}`),
      // The model wants a function called: run it and submit the outputs. The stream waits for this
      // callback, then carries on with the rest of the run (AppBuilder keeps the same stream open).
      onToolCalls: (event, context) =>
        Effect.gen(function*() {
          for (const call of event.toolCalls) {
            yield* Console.log(`tool call: ${call.function?.name}(${call.function?.arguments})`)
          }
          yield* runs.submitToolOutputs({
            threadId: context.currentThreadId ?? thread.id,
            runId: context.currentRunId ?? "",
            toolOutputs: event.toolCalls.map((call) => ({ toolCallId: call.id, output: "北京今天晴，30摄氏度" }))
          })
        }),
      onToolSubmittedOutput: () => Console.log("tool outputs accepted"),
      onToolStepEnd: (event, context) => Console.log(`step end: ${context.currentRunStepId} (${event.status})`),
      onMessageCreation: (event) => Console.log(`message: ${event.messageId}`),
      // Each text delta as it arrives.
      onMessage: (delta) =>
        Effect.zipRight(Ref.update(answer, (text) => text + delta.text), Console.log(`  … ${delta.text}`)),
      onRunEnd: (event) => Console.log(`run end: ${event.status}`)
    })
  )

  yield* Console.log(`answer: ${yield* Ref.get(answer)}`)
  // `handle` also returns what the stream ended with: the `RunEnd` event, the latest run object, the
  // tool calls still pending (when the stream stopped early) and the last context.
  const finalRun = yield* result.run // an `Option` is an effect that fails when it is empty
  yield* Console.log(`final status: ${finalRun.status}, pending tool calls: ${result.pendingToolCalls.length}`)
}).pipe(Effect.scoped)

/** The services this example runs on: the emulator streams slowly enough to watch the text arrive. */
export const layer = Runtime.layer({ chunkDelay: "80 millis" })

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
