/**
 * `pnpm demo`: an agent loop with a local tool, streamed.
 *
 * It creates an assistant with a weather tool, asks about the weather in a streamed run, shows the
 * tool call the model makes, runs the local tool, submits its output on the same stream, prints the
 * answer as it arrives, then the run's steps. It runs against the in-process emulator (no account, no
 * network); set `APPBUILDER_TOKEN` to run it against the AppBuilder service, and `GATEWAY_URL` too to run it
 * against another gateway, e.g. a local emulator (`pnpm emulator`). Its first lines say which of them it
 * talks to. Colours are used only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/demo.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Runtime from "./Runtime.js"

// -- which service, and a little colour ----------------------------------------------------------------------

/** The environment variables the demo reads. */
export type Environment = Readonly<Record<string, string | undefined>>

const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" ||
  /^127(\.\d{1,3}){3}$/.test(hostname)

/**
 * What the demo talks to, in words: the in-process emulator (no `APPBUILDER_TOKEN`), a local emulator
 * (`GATEWAY_URL` on 127.0.0.1 / localhost / ::1), another gateway (any other `GATEWAY_URL`), or the
 * AppBuilder service. A local gateway is never called "the AppBuilder service".
 */
export const describeTarget = (env: Environment): string => {
  const gateway = env["GATEWAY_URL"] ?? ""
  if ((env["APPBUILDER_TOKEN"] ?? "") === "") {
    return gateway === ""
      ? "the in-process emulator (set APPBUILDER_TOKEN to use the AppBuilder service)"
      : "the in-process emulator (GATEWAY_URL is used only with APPBUILDER_TOKEN)"
  }
  if (gateway === "") return "the AppBuilder service (https://appbuilder.baidu.com)"
  // the client prepends https:// to a URL without a scheme; do the same to read its host
  const url = /^http/.test(gateway) ? gateway : `https://${gateway}`
  if (URL.canParse(url) && isLoopback(new URL(url).hostname)) return `a local emulator at ${gateway} (GATEWAY_URL)`
  return `the gateway at ${gateway} (GATEWAY_URL)`
}

/** Colour only on a terminal, and not when `NO_COLOR` is set to anything but the empty string. */
export const colorEnabled = (isTTY: boolean, env: Environment): boolean => isTTY && (env["NO_COLOR"] ?? "") === ""

const color = colorEnabled(process.stdout.isTTY === true, process.env)
const paint = (code: string) => (text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text)
const bold = paint("1")
const dim = paint("2")
const cyan = paint("36")
const green = paint("32")
const yellow = paint("33")
const magenta = paint("35")

/** Writes text without a newline: the streamed answer appears as it arrives. */
const write = (text: string) => Effect.sync(() => void process.stdout.write(text))

// -- the local tool --------------------------------------------------------------------------------------------

const Weather = Schema.Struct({
  location: Schema.String.annotations({ description: "省，市名，例如：河北省" }),
  unit: Schema.optional(Schema.Literal("摄氏度", "华氏度"))
})

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Weather,
  handler: ({ location, unit }) =>
    Effect.gen(function*() {
      const output = `${location} 的当前温度是30 ${unit ?? "摄氏度"}`
      yield* Console.log(`   ${yellow("⚙")} running local tool ${bold("get_cur_whether")} → ${output}`)
      return output
    })
})

const toolkit = ToolLoop.toolkit(weather)

// -- printing the events -------------------------------------------------------------------------------------

const show = (event: RunEvent.RunEvent): Effect.Effect<void> => {
  switch (event._tag) {
    case "RunBegin":
      return Console.log(`${cyan("▶")} run ${dim(event.runId)} ${dim(`(${event.status})`)}`)
    case "ToolStepBegin":
      return Console.log(`${cyan("•")} ${event.stepId} begins`)
    case "ToolCalls":
      return Effect.forEach(event.toolCalls, (call) =>
        Console.log(
          `   ${magenta("🔧")} the model calls ${bold(call.function?.name ?? "?")}(${call.function?.arguments ?? ""})`
        ), { discard: true })
    case "ToolSubmittedOutput":
      return Console.log(`   ${green("✓")} output submitted, the same stream continues`)
    case "ToolStepEnd":
      return Console.log(`${cyan("•")} ${event.stepId} ${event.status}`)
    case "MessageCreation":
      return write(`   ${green("💬")} `)
    case "MessageDelta":
      return write(event.isEnd ? `${event.text}\n` : event.text)
    case "RunCancelling":
      return Console.log(yellow("… cancelling"))
    case "RunEnd":
      return Console.log(`${cyan("■")} run ${event.status}`)
    case "Resumed":
      return Console.log(yellow(`… connection lost (${event.reason}), following run ${event.runId}`))
    case "Unknown":
      return Effect.void
  }
}

// -- the program -----------------------------------------------------------------------------------------------

export const program = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const steps = yield* RunSteps.RunSteps

  yield* Console.log(bold("effect-appbuilder demo"))
  yield* Console.log(dim(`talking to ${describeTarget(process.env)}`))
  yield* Console.log("")

  const assistant = yield* assistants.create({
    name: "weather_demo",
    description: "asks a local tool about the weather",
    instructions: "请用友善的语气回答问题",
    tools: toolkit.definitions
  })
  yield* Console.log(`assistant ${dim(assistant.id)} with tool ${bold("get_cur_whether")}`)

  const question = "今天北京的天气怎么样？"
  const thread = yield* threads.create({ messages: [{ content: question }] })
  yield* Console.log(`thread    ${dim(thread.id)}`)
  yield* Console.log(`${bold("you:")} ${question}`)
  yield* Console.log("")

  const started = yield* Clock.currentTimeMillis
  const lastRun = yield* Ref.make(Option.none<{ readonly runId: string; readonly threadId: string }>())
  yield* ToolLoop.stream({ assistantId: assistant.id, threadId: thread.id }, { toolkit }).pipe(
    Stream.tap((event) => RunEvent.isRunEnd(event) ? Ref.set(lastRun, Option.some(event)) : Effect.void),
    Stream.runForEach(show)
  )
  const elapsed = (yield* Clock.currentTimeMillis) - started

  const run = yield* Ref.get(lastRun)
  if (Option.isSome(run)) {
    yield* Console.log("")
    yield* Console.log(bold(`steps of ${run.value.runId} (${(elapsed / 1000).toFixed(1)} s):`))
    yield* steps.listAll({ threadId: run.value.threadId, runId: run.value.runId, order: "asc" }).pipe(
      Stream.runForEach((step) => {
        const details = step.details
        const what = details?.toolCalls !== null && details?.toolCalls !== undefined && details.toolCalls.length > 0
          ? `tool calls: ${details.toolCalls.map((c) => c.function?.name ?? "?").join(", ")}`
          : details?.messageCreation !== null && details?.messageCreation !== undefined
          ? `message ${details.messageCreation.messageId}`
          : step.type ?? ""
        return Console.log(`  ${step.id.padEnd(7)} ${step.status.padEnd(10)} ${dim(what)}`)
      })
    )
  }
})

if (Runtime.isMain(import.meta.url)) {
  program.pipe(
    Effect.provide(Runtime.layer({ chunkDelay: "30 millis", chunkSize: 2 })),
    NodeRuntime.runMain
  )
}
