/**
 * Running the tools a run asks for: each call's tool is looked up in the toolkit, its handler runs with
 * the tool's timeout, and its result becomes the output string sent back to the service. What goes wrong
 * (an unknown tool, arguments that do not decode, a handler failure, a timeout, a result JSON cannot
 * encode) becomes an `error: …` output the model reads, or, with `onToolError: "fail"`, the failure of
 * the loop.
 *
 * @since 0.1.0
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import {
  Issue,
  ToolArgumentsInvalid,
  type ToolOutputUnencodable,
  UnknownTool,
  type ValidationError
} from "../AppBuilderError.js"
import type { ToolOutputInput } from "../Runs.js"
import type { OnToolError, Options, Tool, ToolFailure } from "../ToolLoop.js"
import type { ToolCall } from "./models/run.js"
import * as Timeout from "./timeout.js"
import { encodeToolOutput } from "./toolOutput.js"

/**
 * The options that decide how tool calls run.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export type ToolCallOptions<Tools extends Tool.Any, Mode extends OnToolError> = Pick<
  Options<Tools, Mode>,
  "toolkit" | "concurrency" | "toolTimeout" | "onToolError"
>

/**
 * How one call can fail the loop: the tool loop's own failures (`onToolError: "fail"`), plus a
 * `ValidationError` for a tool whose definition is broken (no parameters Schema, no handler). The loop
 * checks the toolkit before the run starts, so the latter cannot happen once the run exists.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export type ToolCallFailure<Tools extends Tool.Any, Mode extends OnToolError> =
  | ToolFailure<Tools, Mode>
  | ValidationError

/**
 * The failure of a call whose `arguments` the tool's Schema cannot decode: one issue per problem, each
 * path starting with `arguments` (e.g. `arguments.location`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const argumentsInvalid = (
  toolName: string,
  call: ToolCall,
  error: ParseResult.ParseError
): ToolArgumentsInvalid =>
  new ToolArgumentsInvalid({
    tool: toolName,
    callId: call.id,
    issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
      new Issue({
        path: ["arguments", ...issue.path.map((key) => typeof key === "symbol" ? String(key) : key)],
        message: issue.message
      })
    )
  })

/** The text of an error in an `error: …` output: its `message` when it has one. */
const errorText = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

/** Runs the call's tool (decoding its arguments, within its timeout) and encodes the result. */
const executeCall = <Tools extends Tool.Any>(
  options: ToolCallOptions<Tools, OnToolError>,
  call: ToolCall
): Effect.Effect<
  string,
  | UnknownTool
  | ToolArgumentsInvalid
  | ToolOutputUnencodable
  | ValidationError
  | Tool.Error<Tools>
  | Cause.TimeoutException,
  Tool.Context<Tools>
> => {
  const name = call.function?.name ?? ""
  const found = options.toolkit.tools.get(name)
  if (found === undefined) return Effect.fail(new UnknownTool({ tool: name, callId: call.id }))
  const timeout = Option.getOrElse(found.timeout, () => Duration.decode(options.toolTimeout ?? "30 seconds"))
  // `found` is one of `Tools`: its handler's error and context types are `Tool.Error<Tools>` and
  // `Tool.Context<Tools>`, which TypeScript cannot read through the generic
  const execute = found.execute(call) as Effect.Effect<
    unknown,
    ToolArgumentsInvalid | ValidationError | Tool.Error<Tools>,
    Tool.Context<Tools>
  >
  // `Effect.timeout(timeout)` (the same `TimeoutException`), on one fiber instead of two (see `timeout.ts`)
  return Timeout.timeoutFail(
    execute,
    timeout,
    () => new Cause.TimeoutException(`Operation timed out after '${Duration.format(timeout)}'`)
  ).pipe(Effect.flatMap((result) => encodeToolOutput({ tool: name, callId: call.id }, result)))
}

/**
 * The output of one tool call. Every problem becomes an `error: …` output (default), or, with
 * `onToolError: "fail"`, the failure of the loop.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const toolOutputFor = <Tools extends Tool.Any, Mode extends OnToolError>(
  options: ToolCallOptions<Tools, Mode>,
  call: ToolCall
): Effect.Effect<ToolOutputInput, ToolCallFailure<Tools, Mode>, Tool.Context<Tools>> => {
  // one span per call (its failure, if any, is recorded there even when it becomes an `error: …` output)
  const output = Effect.map(
    Effect.withSpan(executeCall(options, call), "ToolLoop.toolCall", {
      // no call-site stack trace: capturing one costs an `Error` per tool call
      captureStackTrace: false,
      attributes: { "appbuilder.tool": call.function?.name ?? "", "appbuilder.tool_call_id": call.id }
    }),
    (text): ToolOutputInput => ({ toolCallId: call.id, output: text })
  )
  // With "output" the catchAll leaves no error; with "fail" every error of `executeCall` is a
  // ToolCallFailure. TypeScript cannot follow the runtime check on `onToolError`, hence the cast.
  return (options.onToolError === "fail"
    ? output
    : Effect.catchAll(
      output,
      (error) => Effect.succeed<ToolOutputInput>({ toolCallId: call.id, output: `error: ${errorText(error)}` })
    )) as Effect.Effect<
      ToolOutputInput,
      ToolCallFailure<Tools, Mode>,
      Tool.Context<Tools>
    >
}

/**
 * The outputs of every call of a tool round, in the calls' order, running at most `concurrency` tools at
 * once (default 4).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const toolOutputsFor = <Tools extends Tool.Any, Mode extends OnToolError>(
  options: ToolCallOptions<Tools, Mode>,
  calls: ReadonlyArray<ToolCall>
): Effect.Effect<Array<ToolOutputInput>, ToolCallFailure<Tools, Mode>, Tool.Context<Tools>> =>
  // one call (the common case) runs in the calling fiber: no fibers forked to run a single effect
  (calls.length === 1
    ? Effect.map(toolOutputFor(options, calls[0]!), (output) => [output])
    : Effect.forEach(calls, (call) => toolOutputFor(options, call), { concurrency: options.concurrency ?? 4 })).pipe(
      Effect.withSpan("ToolLoop.toolCalls", {
        captureStackTrace: false,
        attributes: { "appbuilder.tool_calls": calls.length }
      })
    )
