/**
 * The streamed tool loop measured per loop and run 10,000 at once: the weather example of the
 * official documentation. The emulator's scripted model calls `get_cur_whether` when the user asks
 * about the weather in 北京, then answers with the tool's output.
 *
 * @since 0.1.0
 */
import type * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import type * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import type * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as BaselineUndici from "./BaselineUndici.js"
import * as PlatformLoop from "./PlatformLoop.js"

/**
 * The user message of every loop.
 *
 * @since 0.1.0
 * @category constants
 */
export const MESSAGE = "北京今天天气怎么样？"

/**
 * The tool's answer, the same in the SDK and the baseline loops.
 *
 * @since 0.1.0
 * @category constants
 */
export const answer = (location: string, unit: string | undefined): string =>
  `${location} 的当前温度是30 ${unit ?? "摄氏度"}`

/**
 * @since 0.1.0
 * @category tools
 */
export const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location, unit }) => Effect.succeed(answer(location, unit))
})

/**
 * @since 0.1.0
 * @category tools
 */
export const toolkit = ToolLoop.toolkit(weather)

/**
 * The events of one loop: `run_begin`, `tool_step_begin`, `tool_calls` (the stream waits), then after
 * the submission `tool_submitted_output`, `tool_step_end`, `message_creation`, the answer's chunks,
 * `run_end`. The count is checked per loop, the same for the SDK and the baseline.
 *
 * @since 0.1.0
 * @category models
 */
export interface LoopOutcome {
  readonly threadId: string
  readonly events: number
  /** Milliseconds from the loop's start to its first run event. */
  readonly firstEventMillis: number
}

/**
 * One loop with the SDK: `Threads.create`, then `ToolLoop.stream` read to its end.
 *
 * @since 0.1.0
 * @category loops
 */
export const sdkLoop = (
  assistantId: string,
  onEvent?: () => void
): Effect.Effect<LoopOutcome, AppBuilderError.AppBuilderError, Threads.Threads | Runs.Runs> =>
  Effect.gen(function*() {
    const started = performance.now()
    const thread = yield* Threads.Threads.pipe(
      Effect.flatMap((threads) => threads.create({ messages: [{ role: "user", content: MESSAGE }] }))
    )
    let events = 0
    let firstEventMillis = -1
    yield* Stream.runForEach(
      ToolLoop.stream({ assistantId, threadId: thread.id }, { toolkit }),
      (_event: RunEvent.RunEvent) =>
        Effect.sync(() => {
          if (events === 0) firstEventMillis = performance.now() - started
          events++
          onEvent?.()
        })
    )
    return { threadId: thread.id, events, firstEventMillis }
  })

/**
 * The tool definitions the baseline sends (the SDK sends the toolkit's).
 *
 * @since 0.1.0
 * @category constants
 */
export const wireTools: ReadonlyArray<unknown> = toolkit.definitions

/**
 * What the baseline and platform loops send and answer (the SDK loop's toolkit, on the wire).
 *
 * @since 0.1.0
 * @category constants
 */
export const loopOptions = (assistantId: string): BaselineUndici.LoopOptions => ({
  assistantId,
  message: MESSAGE,
  tools: wireTools,
  answer: (_name, args) => answer(String(args["location"]), typeof args["unit"] === "string" ? args["unit"] : undefined)
})

/**
 * One loop with the bare baseline (undici + eventsource-parser, no Effect).
 *
 * @since 0.1.0
 * @category loops
 */
export const baselineLoop = (target: BaselineUndici.Target, assistantId: string): Promise<number> =>
  BaselineUndici.toolLoop(target, loopOptions(assistantId))

/**
 * One loop of the same requests through `@effect/platform`'s `HttpClient` alone (no SDK): the floor
 * under {@link sdkLoop}'s figure.
 *
 * @since 0.1.0
 * @category loops
 */
export const platformLoop = (
  target: PlatformLoop.Target,
  assistantId: string
): Effect.Effect<number, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  PlatformLoop.toolLoop(target, loopOptions(assistantId))
