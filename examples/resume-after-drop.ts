/**
 * A run stream whose connection drops, and a tool loop that finishes anyway. The emulator is told to cut
 * the next run stream after 3 events (`Faults.dropAfter(3)`: `RunBegin`, `ToolStepBegin`, `ToolCalls`).
 * The loop runs the tool and submits its output, then finds the connection gone. It does not fail: the
 * stream emits `Resumed`, follows the run by polling it (the run lives on the server and went on with the
 * output), and emits what the broken connection would have carried, rebuilt (`sendId` 0): the submitted
 * output, the steps, the answer's text in one delta, and `RunEnd`. The tool ran once; one run was started.
 *
 * It always runs on the in-process emulator (a fault cannot be injected into the real service), at the
 * emulator's default speed, in real time:
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/resume-after-drop.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import type * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Runtime from "./Runtime.js"

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location, unit = "摄氏度" }) =>
    Effect.as(Console.log(`  (tool) weather of ${location}, run once`), `${location}今天晴，30${unit}`)
})

const toolkit = ToolLoop.toolkit(weather)

/** One line per event; the `sendId` shows which events came over the wire and which were rebuilt (0). */
const show = (event: RunEvent.RunEvent): string => {
  switch (event._tag) {
    case "Resumed":
      return `>>> Resumed: the stream broke (${event.reason}) after send_id ${event.lastSendId}; following run by polling`
    case "ToolStepBegin":
    case "ToolStepEnd":
      return `${event._tag} ${event.stepId} (sendId ${event.sendId})`
    case "ToolCalls":
      return `ToolCalls ${event.toolCalls.map((call) => call.function?.name).join(", ")} (sendId ${event.sendId})`
    case "MessageDelta":
      return `MessageDelta ${JSON.stringify(event.text)} (sendId ${event.sendId})`
    case "RunEnd":
      return `RunEnd ${event.status} (sendId ${event.sendId})`
    default:
      return `${event._tag} (sendId ${event.sendId})`
  }
}

export const program = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads

  const assistant = yield* Effect.acquireRelease(
    assistants.create({
      name: "weather_assistant",
      instructions: "请用友善的语气回答问题",
      tools: toolkit.definitions
    }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  const thread = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })

  // The next response of POST /v2/threads/runs is cut after 3 events: the connection ends there.
  yield* AppBuilderTest.injectFault("/v2/threads/runs", AppBuilderTest.Faults.dropAfter(3))

  // `resume` is on by default (`Runs.defaultResumeSchedule`); `resume: false` would fail with
  // `HttpError` (`StreamEnded`) here, and cancel the run.
  const text = yield* Ref.make("")
  yield* ToolLoop.stream({ assistantId: assistant.id, threadId: thread.id }, { toolkit }).pipe(
    Stream.runForEach((event) =>
      Effect.zipRight(
        event._tag === "MessageDelta" ? Ref.update(text, (sofar) => sofar + event.text) : Effect.void,
        Console.log(show(event))
      )
    )
  )
  yield* Console.log(`answer: ${yield* Ref.get(text)}`)
}).pipe(Effect.scoped)

/**
 * The services this example runs on: always the in-process emulator (`AppBuilderTest.layer`, which also
 * provides the `EmulatorState` the fault is injected through), whatever `APPBUILDER_TOKEN` says.
 */
export const layer = AppBuilderTest.layer()

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
