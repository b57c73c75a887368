/**
 * Function calling with `ToolLoop`: a local tool whose arguments are described by a Schema, grouped in
 * a toolkit, and a loop that runs the assistant, answers every tool call the model makes (decoding the
 * arguments with the Schema), submits the outputs and returns the final answer. Shown in both modes of
 * the service: `"stream"` (one streamed run, outputs submitted while the stream stays open) and
 * `"blocking"` (blocking runs, each output sent back with a continuation run).
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/tool-loop.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Runtime from "./Runtime.js"

// The tool's parameters. The Schema is turned into the JSON schema sent to the service, and decodes
// the arguments of each call: the handler receives typed values, never raw JSON text.
const WeatherQuery = Schema.Struct({
  location: Schema.String.annotations({ description: "省，市名，例如：河北省" }),
  unit: Schema.optional(Schema.Literal("摄氏度", "华氏度"))
})

// A tool is a name, a description, the parameters and an effectful handler. A real handler would call
// a weather API here; its failures (and timeouts, and arguments that do not decode) become outputs the
// model can read, unless the loop is given `onToolError: "fail"`.
const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: WeatherQuery,
  timeout: "10 seconds",
  handler: ({ location, unit = "摄氏度" }) =>
    Effect.as(Console.log(`  (tool) weather of ${location} in ${unit}`), `${location}今天晴，30${unit}`)
})

// A toolkit groups tools by name; its `definitions` are what the assistant (or a run) declares.
const toolkit = ToolLoop.toolkit(weather)

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

  for (const mode of ["stream", "blocking"] as const) {
    const thread = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })
    yield* Console.log(`${mode} mode:`)
    // The loop ends when the run is `completed`; it fails with `RunFailed` if the run fails, and
    // interrupting it cancels the run on the server (see cancel-on-timeout.ts).
    const result = yield* ToolLoop.run({ assistantId: assistant.id, threadId: thread.id }, {
      toolkit,
      mode,
      maxSteps: 4 // at most 4 rounds of tool calls
    })
    yield* Console.log(`  answer: ${result.text}`)
    yield* Console.log(`  run ${result.run.id} ${result.run.status} after ${result.steps} tool round(s)`)
  }
}).pipe(Effect.scoped)

/** The services this example runs on (see Runtime.ts). */
export const layer = Runtime.layer()

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
