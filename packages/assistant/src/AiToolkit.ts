/**
 * `@effect/ai` tools in a `ToolLoop`: an `@effect/ai` `Toolkit`, with the layer of its handlers, becomes a
 * `ToolLoop.Toolkit`, so the tools an application already has for `LanguageModel` answer AppBuilder runs.
 *
 * This module needs `@effect/ai` (an optional peer dependency, 0.37 for Effect 3): it is published as its
 * own entry point, `@effect-appbuilder/assistant/AiToolkit`, and is not re-exported by the package's index.
 *
 * Each user-defined tool (`Tool.make`) becomes one function tool: its name, its description (or the
 * description annotation of its parameters Schema), and the JSON Schema of its parameters Schema (the one
 * `Tool.getJsonSchema` gives, reduced to `type`, `properties` and `required`). A call's arguments are
 * checked with the parameters Schema (`ToolArgumentsInvalid` when they do not decode, as for every tool),
 * then the toolkit's `handle` runs the handler. Its success, encoded with the tool's success Schema, is
 * the output (JSON text, a string as it is). A failure follows the loop's `onToolError`: an `error: …`
 * output by default, the failure itself with `"fail"`. A failure returned as a result
 * (`failureMode: "return"`) is the output `error: <the encoded failure>`. A result the tool's Schemas
 * reject fails the call with `ToolOutputUnencodable`. Tools defined by a provider
 * (`Tool.providerDefined`) cannot run on AppBuilder: a loop given one fails with a `ValidationError`
 * before anything is sent.
 *
 * @example
 * ```ts
 * import { Tool, Toolkit } from "@effect/ai"
 * import * as AiToolkit from "@effect-appbuilder/assistant/AiToolkit"
 * import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
 * import { Effect, Schema } from "effect"
 *
 * const GetWeather = Tool.make("get_cur_whether", {
 *   description: "这是一个获得指定地点天气的工具",
 *   parameters: { location: Schema.String },
 *   success: Schema.String
 * })
 * const WeatherToolkit = Toolkit.make(GetWeather)
 * const WeatherHandlers = WeatherToolkit.toLayer({
 *   get_cur_whether: ({ location }) => Effect.succeed(`${location} 的当前温度是30 摄氏度`)
 * })
 *
 * const program = (ids: ToolLoop.Input) =>
 *   Effect.gen(function*() {
 *     const toolkit = yield* AiToolkit.toToolkit(WeatherToolkit)
 *     return yield* ToolLoop.run(ids, { toolkit })
 *   }).pipe(Effect.provide(WeatherHandlers))
 * ```
 *
 * @since 0.1.0
 */
import type * as AiTool from "@effect/ai/Tool"
import type * as AiToolkitModule from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import type { ToolOutputUnencodable } from "./AppBuilderError.js"
import * as internal from "./internal/aiToolkit.js"
import * as ToolLoop from "./ToolLoop.js"

/**
 * The `ToolLoop` tools made from the tools of an `@effect/ai` toolkit: their names, the failures of their
 * handlers (plus `ToolOutputUnencodable` for a result the tool's own Schemas reject) and their
 * requirements.
 *
 * @since 0.1.0
 * @category models
 */
export type LoopTool<Tools extends Record<string, AiTool.Any>> = ToolLoop.Tool<
  Tools[keyof Tools]["name"],
  AiTool.Failure<Tools[keyof Tools]> | ToolOutputUnencodable,
  AiTool.Requirements<Tools[keyof Tools]>
>

/**
 * The `ToolLoop` toolkit of an `@effect/ai` toolkit whose handlers are already built (the value of
 * `yield* MyToolkit`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromWithHandler = <Tools extends Record<string, AiTool.Any>>(
  withHandler: AiToolkitModule.WithHandler<Tools>
): ToolLoop.Toolkit<LoopTool<Tools>> => ToolLoop.toolkit(...internal.loopTools(withHandler))

/**
 * The `ToolLoop` toolkit of an `@effect/ai` toolkit. It needs the toolkit's handlers
 * (`MyToolkit.toLayer({ … })`), like `LanguageModel` does.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toToolkit = <Tools extends Record<string, AiTool.Any>>(
  toolkit: AiToolkitModule.Toolkit<Tools>
): Effect.Effect<ToolLoop.Toolkit<LoopTool<Tools>>, never, AiTool.HandlersFor<Tools>> =>
  Effect.map(toolkit, fromWithHandler)
