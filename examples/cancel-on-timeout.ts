/**
 * Stopping a run early cancels it on the server. Whatever stops the consumer of a run — a timeout, an
 * interruption, a stream cut short — the SDK closes the HTTP stream and calls `cancel` once, so no run
 * is left waiting on the server. Two ways are shown:
 *
 * 1. `Effect.timeout` around a tool loop whose tool is too slow;
 * 2. `Stream.takeUntil` (as `Stream.take` would) cutting a run stream at the first tool call.
 *
 * Each time, the run is then queried with `Runs.query`: it ended `cancelled`.
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/cancel-on-timeout.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Runtime from "./Runtime.js"

// A tool that takes far longer than we are willing to wait.
const slowWeather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location }) => Effect.as(Effect.sleep("1 minute"), `${location}今天晴`)
})
const toolkit = ToolLoop.toolkit(slowWeather)

/**
 * A run once it is terminal. `cancel` is asynchronous on the service (the run is `cancelling` for a
 * moment), so query it until it settles, every 100 ms, for at most 10 seconds.
 */
const settled = (ref: Runs.RunRef) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const query = runs.query(ref)
    return yield* Effect.iterate(yield* query, {
      while: (run) => !run.isTerminal,
      body: () => Effect.delay(query, "100 millis")
    })
  }).pipe(Effect.timeout("10 seconds"))

/** The most recent run of a thread. */
const latestRunId = (threadId: string) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const page = yield* runs.list({ threadId, limit: 1 })
    return page.data[0]?.id ?? ""
  })

export const program = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const runs = yield* Runs.Runs

  const assistant = yield* Effect.acquireRelease(
    assistants.create({ name: "impatient", tools: toolkit.definitions }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )

  // 1. A deadline on the whole loop. When it fires, the loop is interrupted: the tool's fiber is
  //    interrupted too, and the loop sends `cancel` for its run before `timeout` returns.
  const first = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })
  const outcome = yield* ToolLoop.run({ assistantId: assistant.id, threadId: first.id }, { toolkit }).pipe(
    Effect.timeout("1 second"),
    Effect.option // Option.none() when the deadline was hit
  )
  yield* Console.log(`1. loop ${Option.isNone(outcome) ? "timed out" : "finished"}`)
  const firstRun = yield* settled({ threadId: first.id, runId: yield* latestRunId(first.id) })
  yield* Console.log(`1. run ${firstRun.id} is ${firstRun.status}`)

  // 2. Stop reading a run stream at the first tool call, without answering it. The events up to and
  //    including `ToolCalls` are handled; closing the stream then cancels the run. `handle` reports
  //    the calls that were left unanswered.
  const second = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })
  const result = yield* runs.stream({ assistantId: assistant.id, threadId: second.id }).pipe(
    Stream.takeUntil(RunEvent.isToolCalls),
    RunEvent.handle({
      onToolCalls: (event) => Console.log(`2. stopping at ${event.toolCalls.length} tool call(s)`)
    })
  )
  yield* Console.log(`2. unanswered tool calls: ${result.pendingToolCalls.length}`)
  const secondRun = yield* settled({ threadId: second.id, runId: result.context.currentRunId ?? "" })
  yield* Console.log(`2. run ${secondRun.id} is ${secondRun.status}`)
}).pipe(Effect.scoped)

/** The services this example runs on (see Runtime.ts). */
export const layer = Runtime.layer()

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
