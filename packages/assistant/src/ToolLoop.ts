/**
 * The function-calling loop: local tools answer the calls a run asks for, their outputs are
 * submitted, and the run continues until it ends.
 *
 * Both modes of the service are supported:
 *
 * - `"stream"` (default): one streamed run. {@link stream} is the primitive: the run's events, with the
 *   outputs of each `ToolCalls` event submitted with `submit_tool_outputs` as it passes, while the
 *   **same** stream continues. {@link run} folds that stream into a {@link Result}.
 * - `"blocking"`: a blocking run returns `requires_action`; each output is sent back with a new run
 *   call carrying `toolOutput`, until the run is no longer waiting.
 *
 * Tool handlers run with bounded concurrency and a per-tool timeout. Unknown tools
 * (`AppBuilderError.UnknownTool`), arguments the tool's Schema cannot decode
 * (`AppBuilderError.ToolArgumentsInvalid`), results JSON cannot encode
 * (`AppBuilderError.ToolOutputUnencodable`), timeouts and tool failures become `error: …` outputs the
 * model can read, unless `onToolError: "fail"` is given. `maxSteps` bounds the number of tool rounds:
 * one more fails the loop with `AppBuilderError.MaxStepsExceeded`. Stopping the loop early
 * (interruption, a failure, `maxSteps`) cancels the run on the server once, within `cancelTimeout`.
 *
 * The tools of an `@effect/ai` `Toolkit` (with its handlers layer) make a toolkit too:
 * `AiToolkit.toToolkit` in the entry point `@effect-appbuilder/assistant/AiToolkit`, which needs the
 * optional peer dependency `@effect/ai`.
 *
 * @example
 * ```ts
 * import { ToolLoop } from "@effect-appbuilder/assistant"
 * import { Effect, Schema } from "effect"
 *
 * const weather = ToolLoop.tool("get_cur_whether", {
 *   description: "这是一个获得指定地点天气的工具",
 *   parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
 *   handler: ({ location, unit }) => Effect.succeed(`${location} 的当前温度是30 ${unit ?? "摄氏度"}`)
 * })
 *
 * const result = ToolLoop.run(
 *   { assistantId: "asst_…", threadId: "thread_…" },
 *   { toolkit: ToolLoop.toolkit(weather) }
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import {
  type HttpError,
  Issue,
  type MaxStepsExceeded,
  type RunFailed,
  type ToolArgumentsInvalid,
  type ToolCallError,
  ValidationError
} from "./AppBuilderError.js"
import type { AssistantToolInput, FunctionJsonSchemaInput } from "./Assistants.js"
import type { Run, ToolCall } from "./internal/models/run.js"
import { allImmutable, immutable } from "./internal/requestSchema.js"
import * as Streams from "./internal/stream.js"
import { argumentsInvalid } from "./internal/toolCalls.js"
import { blockingLoop } from "./internal/toolLoopBlocking.js"
import { checkLoopArguments } from "./internal/toolLoopInput.js"
import { loopEvents, streamLoop } from "./internal/toolLoopStream.js"
import * as ToolSchema from "./internal/toolSchema.js"
import type * as RunEvent from "./RunEvent.js"
import type * as Runs from "./Runs.js"
import type * as Threads from "./Threads.js"

// -----------------------------------------------------------------------------
// Tool
// -----------------------------------------------------------------------------

/**
 * A local function the model may call. Its argument types are hidden behind {@link Tool.execute},
 * so tools of different shapes fit in one {@link Toolkit}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tool<out Name extends string, out E, out R> {
  readonly _tag: "Tool"
  readonly name: Name
  readonly description: string
  /** Overrides the loop's `toolTimeout` for this tool. */
  readonly timeout: Option.Option<Duration.Duration>
  /**
   * The `function` tool definition sent to the service. Frozen (deeply) when built by {@link tool}: it is
   * then encoded once, not with every run that sends it.
   */
  readonly definition: AssistantToolInput
  /**
   * Decodes the call's `arguments` (a JSON text) with the tool's Schema and runs the handler. Arguments
   * that do not decode fail with `ToolArgumentsInvalid`, whose issue paths start with `arguments`. A tool
   * whose own definition is broken (no parameters Schema, no handler) runs nothing and fails with a
   * `ValidationError` naming the field.
   */
  readonly execute: (call: ToolCall) => Effect.Effect<unknown, ToolArgumentsInvalid | ValidationError | E, R>
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Tool {
  /**
   * Any tool.
   *
   * @since 0.1.0
   * @category models
   */
  export type Any = Tool<string, unknown, unknown>
  /**
   * The error type of a tool's handler.
   *
   * @since 0.1.0
   * @category models
   */
  export type Error<T> = T extends Tool<string, infer E, infer _R> ? E : never
  /**
   * The requirements of a tool's handler.
   *
   * @since 0.1.0
   * @category models
   */
  export type Context<T> = T extends Tool<string, infer _E, infer R> ? R : never
}

/**
 * The JSON Schema of a parameters Schema, reduced to what the service keeps (`type`, `properties`,
 * `required`), with `$ref`s inlined.
 *
 * It never throws. A Schema that cannot be sent — a recursive one (`Schema.suspend`), one with no JSON
 * Schema form (e.g. `bigint`, `Date`), or one nested deeper than `Common.MAX_SCHEMA_DEPTH` levels — gives
 * an empty object schema that carries the problem: any request that sends it (a tool loop, a run, an
 * assistant create or update) fails with a `ValidationError` on `tools.<i>.function.parameters`, before
 * anything is sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonSchemaOf = <A, I>(parameters: Schema.Schema<A, I, never>): FunctionJsonSchemaInput =>
  Either.getOrElse(
    ToolSchema.functionJsonSchema(parameters),
    (message): FunctionJsonSchemaInput =>
      ToolSchema.withProblems({ type: "object", properties: {}, required: [] }, [{ path: [], message }])
  )

const argumentsDecoder = <A, I>(parameters: Schema.Schema<A, I, never>) =>
  Schema.decodeUnknown(Schema.parseJson(parameters))

const toolDefinitionIssue = (toolName: string, field: string, message: string) =>
  new ValidationError({ operation: `ToolLoop.${toolName}`, issues: [new Issue({ path: [field], message })] })

/**
 * Defines a tool from a name, a description, a Schema for its parameters and an effectful handler.
 *
 * Building a tool never throws. A problem with its definition (a parameters Schema that cannot be sent,
 * see {@link jsonSchemaOf}; a missing parameters Schema or handler; a `timeout` that is not a duration;
 * options that are not an object) is reported as a `ValidationError` by the first request that sends the
 * tool's definition, and by a tool loop whose toolkit holds the tool — before anything is sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tool = <const Name extends string, A, I, E = never, R = never>(
  name: Name,
  options: {
    readonly description: string
    readonly parameters: Schema.Schema<A, I, never>
    readonly handler: (args: A, call: ToolCall) => Effect.Effect<unknown, E, R>
    readonly timeout?: Duration.DurationInput | undefined
  }
): Tool<Name, E, R> => {
  const problems: Array<ToolSchema.DefinitionProblem> = []
  // JavaScript callers may pass anything: read the options defensively
  const given: typeof options | undefined = Predicate.isRecord(options) ? options : undefined
  if (given === undefined) {
    problems.push({ path: [], message: "expected tool options { description, parameters, handler }" })
  }
  const parameters = given?.parameters
  const decode = parameters !== undefined && Schema.isSchema(parameters)
    ? argumentsDecoder<A, I>(parameters)
    : undefined
  // a parameters value that is not a Schema is reported by `jsonSchemaOf`; a missing one here
  if (given !== undefined && parameters === undefined) {
    problems.push({ path: ["parameters"], message: "expected a Schema" })
  }
  const timeout = given?.timeout === undefined ? Option.none() : Duration.decodeUnknown(given.timeout)
  if (given?.timeout !== undefined && Option.isNone(timeout)) {
    problems.push({ path: ["timeout"], message: "expected a duration (e.g. \"10 seconds\")" })
  }
  const handler = given?.handler
  if (given !== undefined && typeof handler !== "function") {
    problems.push({ path: ["handler"], message: "expected a function" })
  }
  return {
    _tag: "Tool",
    name,
    description: given?.description ?? "",
    timeout,
    // built here from fresh objects: frozen, and encoded once for all the runs it is sent with
    definition: immutable(ToolSchema.withProblems({
      type: "function",
      function: {
        name,
        description: given?.description ?? "",
        parameters: parameters === undefined ? null : jsonSchemaOf(parameters),
        responses: null,
        examples: null
      }
    }, problems)),
    execute: (call) => {
      if (decode === undefined) return Effect.fail(toolDefinitionIssue(name, "parameters", "expected a Schema"))
      if (typeof handler !== "function") return Effect.fail(toolDefinitionIssue(name, "handler", "expected a function"))
      const text = call.function?.arguments ?? ""
      return decode(text.trim() === "" ? "{}" : text).pipe(
        Effect.mapError((error) => argumentsInvalid(name, call, error)),
        Effect.flatMap((args) => handler(args, call))
      )
    }
  }
}

// -----------------------------------------------------------------------------
// Toolkit
// -----------------------------------------------------------------------------

/**
 * A set of tools, by name.
 *
 * @since 0.1.0
 * @category models
 */
export interface Toolkit<in out Tools extends Tool.Any> {
  readonly tools: ReadonlyMap<string, Tools>
  /**
   * The definitions to send with the run (or with the assistant). Frozen when every tool was built by
   * {@link tool}: a loop then encodes them once, whatever the number of runs.
   */
  readonly definitions: ReadonlyArray<AssistantToolInput>
}

/**
 * Groups tools. A later tool with the same name replaces an earlier one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolkit = <const Tools extends ReadonlyArray<Tool.Any>>(...tools: Tools): Toolkit<Tools[number]> => {
  const map = new Map<string, Tools[number]>()
  for (const t of tools) map.set(t.name, t)
  const definitions = [...map.values()].map((t) => t.definition)
  // the list is encoded once when every definition is the SDK's own (a tool written by hand keeps its
  // definition as given: it is encoded with every request)
  return { tools: map, definitions: allImmutable(definitions) ? immutable(definitions) : definitions }
}

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

/**
 * What happens when a tool cannot produce an output.
 *
 * - `"output"` (default): the problem becomes the output (`error: …`), the model reads it.
 * - `"fail"`: the loop fails with the tool's own error, `UnknownTool`, `ToolArgumentsInvalid`,
 *   `ToolOutputUnencodable` or `TimeoutException`, and the run is cancelled.
 *
 * @since 0.1.0
 * @category models
 */
export type OnToolError = "output" | "fail"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<Tools extends Tool.Any, Mode extends OnToolError = "output"> {
  readonly toolkit: Toolkit<Tools>
  /** `"stream"` (default) or `"blocking"`. */
  readonly mode?: "stream" | "blocking" | undefined
  /** How many tool calls run at once (default 4). */
  readonly concurrency?: number | undefined
  /** The default timeout of one tool call (default 30 seconds). */
  readonly toolTimeout?: Duration.DurationInput | undefined
  /**
   * The most tool rounds (default 8). When the run asks for one more, the loop cancels the run and fails
   * with `MaxStepsExceeded`.
   */
  readonly maxSteps?: number | undefined
  readonly onToolError?: Mode | undefined
  /** Options of the streamed run (stream mode): the longest silence allowed between two events. */
  readonly stream?: Omit<Runs.StreamOptions, "cancelTimeout" | "resume"> | undefined
  /**
   * When the connection of a run breaks (a stream ends or goes silent before `run_end`, a blocking
   * call's answer is lost), follow the run by polling and go on (see `Runs.Service.stream`): `true` (the
   * default: `Runs.defaultResumeSchedule`), a `Schedule` for the polling, or `false` to fail as the
   * connection did. Each tool call is executed once and its output submitted once, across a resume. A
   * submit whose answer was lost counts as taken once the run no longer waits for its calls; a run still
   * waiting for them 2 minutes later was not continued, and the loop fails as the submit did.
   */
  readonly resume?: Schedule.Schedule<unknown, unknown> | boolean | undefined
  /**
   * How long stopping early may spend cancelling the run (default 5 seconds), in both modes: the `cancel`
   * call, and finding a run whose id never came back (see `Runs.Service.run` and `Runs.Service.stream`).
   */
  readonly cancelTimeout?: Duration.DurationInput | undefined
}

/**
 * The errors of a loop: the SDK's (`ValidationError` only before anything was sent), `MaxStepsExceeded`,
 * plus, with `onToolError: "fail"`, the failures of a tool call.
 *
 * @since 0.1.0
 * @category models
 */
export type LoopError<Tools extends Tool.Any, Mode extends OnToolError> =
  | HttpError
  | ValidationError
  | RunFailed
  | MaxStepsExceeded
  | ToolFailure<Tools, Mode>

/**
 * How a tool call can fail the loop, only with `onToolError: "fail"`: an unknown tool, arguments that do
 * not decode, a result JSON cannot encode (`ToolCallError`), the tool's own error, or its timeout.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolFailure<Tools extends Tool.Any, Mode extends OnToolError> = Mode extends "fail"
  ? ToolCallError | Tool.Error<Tools> | Cause.TimeoutException
  : never

/**
 * The run request of a loop: a {@link Runs.RunInput} whose `tools` default to the toolkit's definitions.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = Omit<Runs.RunInput, "toolOutput">

/**
 * The outcome of a loop.
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  /** The run as it ended (`completed`). */
  readonly run: Run
  /** The number of tool rounds answered. */
  readonly steps: number
  /** The streamed answer text (stream mode) or the final answer (blocking mode). */
  readonly text: string
}

// -----------------------------------------------------------------------------
// public API
// -----------------------------------------------------------------------------

/**
 * Runs the loop to the end and returns the final run (`completed`), the number of tool rounds and the
 * answer text. In stream mode this is a fold over {@link stream}. A run that ends `failed`, `expired` or
 * cancelled by someone else fails the loop with `RunFailed`, in both modes; a run still asking for tools
 * after `maxSteps` rounds is cancelled and the loop fails with `MaxStepsExceeded`. Arguments a JavaScript
 * caller got wrong (`null`, a missing toolkit, a mistyped option) fail with a `ValidationError` before
 * anything is sent.
 *
 * An inline `thread` without `threadId` is created first (`Threads.Threads`; in stream mode only when
 * `resume` is on, the default), so that a run stopped, or cut off, before its first answer can still be
 * found: cancelled, or followed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run: {
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    options: Options<Tools, Mode>
  ): (input: Input) => Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>>
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    input: Input,
    options: Options<Tools, Mode>
  ): Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>>
} = dual(
  2,
  <Tools extends Tool.Any, Mode extends OnToolError>(input: Input, options: Options<Tools, Mode>) =>
    Effect.suspend(() => {
      const raw: unknown = input
      const rawOptions: unknown = options
      const assistantId = Predicate.isRecord(raw) && typeof raw["assistantId"] === "string" ? raw["assistantId"] : ""
      const mode = Predicate.isRecord(rawOptions) && rawOptions["mode"] === "blocking" ? "blocking" : "stream"
      return checkLoopArguments("ToolLoop.run", raw, rawOptions).pipe(
        Effect.zipRight(mode === "blocking" ? blockingLoop(input, options) : streamLoop(input, options)),
        Effect.tap((result) =>
          Effect.annotateCurrentSpan({
            "appbuilder.thread_id": result.run.threadId,
            "appbuilder.run_id": result.run.id,
            "appbuilder.steps": result.steps
          })
        ),
        Effect.withSpan("ToolLoop.run", {
          attributes: { "appbuilder.assistant_id": assistantId, "appbuilder.mode": mode }
        })
      )
    })
)

/**
 * Every event of the whole loop (stream mode), as one stream: the events of the run, tool rounds
 * included. Each `ToolCalls` event is answered as it passes: the event is emitted, then (when the
 * consumer asks for the next event) the tools run, their outputs are submitted, and the same stream
 * continues. Stopping the stream early cancels the run
 * (within `cancelTimeout`). A run that ends `failed`, `expired` or cancelled by someone else emits its
 * `RunEnd`, then the stream fails with `RunFailed`; a run still asking for tools after `maxSteps` rounds
 * is cancelled and the stream fails with `MaxStepsExceeded`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const stream: {
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    options: Omit<Options<Tools, Mode>, "mode">
  ): (
    input: Input
  ) => Stream.Stream<RunEvent.RunEvent, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>>
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    input: Input,
    options: Omit<Options<Tools, Mode>, "mode">
  ): Stream.Stream<RunEvent.RunEvent, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>>
} = dual(
  2,
  <Tools extends Tool.Any, Mode extends OnToolError>(input: Input, options: Omit<Options<Tools, Mode>, "mode">) =>
    Streams.unwrap(Effect.map(checkLoopArguments("ToolLoop.stream", input, options), () => loopEvents(input, options)))
)
