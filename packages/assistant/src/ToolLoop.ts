/**
 * The function-calling loop: local tools answer the calls a run asks for, their outputs are
 * submitted, and the run continues until it ends.
 *
 * Both modes of the service are supported (spec §6.3):
 *
 * - `"stream"` (default): one streamed run; at each `ToolCalls` event the outputs are submitted with
 *   `submit_tool_outputs` while the **same** stream continues.
 * - `"blocking"`: a blocking run returns `requires_action`; each output is sent back with a new run
 *   call carrying `toolOutput`, until the run is no longer waiting.
 *
 * The loop is an `Effect.iterate` whose state is the run. Tool handlers run with bounded concurrency
 * and a per-tool timeout. Arguments the tool's Schema cannot decode, unknown tools, timeouts and tool
 * failures become outputs the model can read, unless `onToolError: "fail"` is given. `maxSteps` bounds
 * the number of tool rounds. Interrupting the loop (or failing it) cancels the run on the server once.
 *
 * @example
 * ```ts
 * import { Runs, ToolLoop } from "@effect-appbuilder/assistant"
 * import { Effect, Schema } from "effect"
 *
 * const weather = ToolLoop.tool("get_cur_whether", {
 *   description: "这是一个获得指定地点天气的工具",
 *   parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
 *   handler: ({ location, unit }) => Effect.succeed(`${location} 的当前温度是30 ${unit ?? "摄氏度"}`)
 * })
 *
 * const answer = ToolLoop.run({ assistantId, threadId }, { toolkit: ToolLoop.toolkit(weather) })
 * ```
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as JSONSchema from "effect/JSONSchema"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HttpError, Issue, RunFailed, ValidationError } from "./AppBuilderError.js"
import type { AssistantToolInput, FunctionJsonSchemaInput, Run, ToolCall, ToolOutputInput } from "./Common.js"
import * as RunEvent from "./RunEvent.js"
import * as Runs from "./Runs.js"

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
  /** The `function` tool definition sent to the service. */
  readonly definition: AssistantToolInput
  /**
   * Decodes the call's `arguments` (a JSON text) with the tool's Schema and runs the handler. Arguments
   * that do not decode fail with a `ValidationError` whose paths start with `arguments`.
   */
  readonly execute: (call: ToolCall) => Effect.Effect<unknown, ValidationError | E, R>
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

const inlineRefs = (value: unknown, defs: Readonly<Record<string, unknown>>, depth = 0): unknown => {
  if (Array.isArray(value)) return value.map((item) => inlineRefs(item, defs, depth))
  if (typeof value !== "object" || value === null) return value
  const record = value as Readonly<Record<string, unknown>>
  const ref = record["$ref"]
  if (typeof ref === "string" && ref.startsWith("#/$defs/") && depth < 32) {
    return inlineRefs(defs[ref.slice("#/$defs/".length)], defs, depth + 1)
  }
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(record)) out[key] = inlineRefs(item, defs, depth)
  return out
}

/**
 * The JSON Schema of a parameters Schema, reduced to what the service keeps (`type`, `properties`,
 * `required`; spec §1.4), with `$ref`s inlined.
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonSchemaOf = <A, I>(parameters: Schema.Schema<A, I, never>): FunctionJsonSchemaInput => {
  const defs: Record<string, JSONSchema.JsonSchema7> = {}
  const root = JSONSchema.fromAST(parameters.ast, { definitions: defs, topLevelReferenceStrategy: "skip" })
  const resolved = inlineRefs(root, defs)
  const schema = typeof resolved === "object" && resolved !== null ? resolved as Readonly<Record<string, unknown>> : {}
  const properties = schema["properties"]
  const required = schema["required"]
  return {
    type: typeof schema["type"] === "string" ? schema["type"] : "object",
    properties: typeof properties === "object" && properties !== null
      ? properties as { readonly [key: string]: unknown }
      : {},
    required: Array.isArray(required) ? required.filter((r): r is string => typeof r === "string") : []
  }
}

/**
 * Defines a tool from a name, a description, a Schema for its parameters and an effectful handler.
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
  const decode = Schema.decodeUnknown(Schema.parseJson(options.parameters))
  return {
    _tag: "Tool",
    name,
    description: options.description,
    timeout: Option.map(Option.fromNullable(options.timeout), Duration.decode),
    definition: {
      type: "function",
      function: {
        name,
        description: options.description,
        parameters: jsonSchemaOf(options.parameters),
        responses: null,
        examples: null
      }
    },
    execute: (call) => {
      const text = call.function?.arguments ?? ""
      return decode(text.trim() === "" ? "{}" : text).pipe(
        Effect.mapError((error) => argumentsIssue(name, error)),
        Effect.flatMap((args) => options.handler(args, call))
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
  /** The definitions to send with the run (or with the assistant). */
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
  return { tools: map, definitions: [...map.values()].map((t) => t.definition) }
}

// -----------------------------------------------------------------------------
// Options
// -----------------------------------------------------------------------------

/**
 * What happens when a tool cannot produce an output.
 *
 * - `"output"` (default): the problem becomes the output (`error: …`), the model reads it.
 * - `"fail"`: the loop fails (with the tool's error, a `ValidationError` for unknown tools or bad
 *   arguments, or `TimeoutException`) and the run is cancelled.
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
  /** The most tool rounds before the run is cancelled and the loop fails (default 8). */
  readonly maxSteps?: number | undefined
  readonly onToolError?: Mode | undefined
  /** Options of the underlying streamed runs. */
  readonly stream?: Runs.StreamOptions | undefined
  /** The timeout of the `cancel` call made when the loop stops early (default 5 seconds). */
  readonly cancelTimeout?: Duration.DurationInput | undefined
}

/**
 * The errors of a loop: the SDK's, plus, with `onToolError: "fail"`, the tools' own.
 *
 * @since 0.1.0
 * @category models
 */
export type LoopError<Tools extends Tool.Any, Mode extends OnToolError> =
  | HttpError
  | ValidationError
  | RunFailed
  | ToolFailure<Tools, Mode>

/**
 * How a tool call can fail the loop: only with `onToolError: "fail"`.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolFailure<Tools extends Tool.Any, Mode extends OnToolError> = Mode extends "fail"
  ? ValidationError | Tool.Error<Tools> | Cause.TimeoutException
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
// tool execution
// -----------------------------------------------------------------------------

const describe = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

const encodeOutput = (value: unknown): string => {
  if (typeof value === "string") return value
  const json = JSON.stringify(value)
  return json === undefined ? String(value) : json
}

const argumentsIssue = (toolName: string, error: ParseResult.ParseError) =>
  new ValidationError({
    operation: `ToolLoop.${toolName}`,
    issues: ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
      new Issue({ path: ["arguments", ...issue.path.map((p) => typeof p === "symbol" ? String(p) : p)], message: issue.message })
    )
  })

/**
 * Runs the tool of one call and produces its output; every problem becomes either an `error: …`
 * output or a failure, according to `onToolError`.
 */
const answer = <Tools extends Tool.Any, Mode extends OnToolError>(
  options: Options<Tools, Mode>,
  call: ToolCall
): Effect.Effect<ToolOutputInput, ToolFailure<Tools, Mode>, Tool.Context<Tools>> => {
  const name = call.function?.name ?? ""
  const give = (output: string): ToolOutputInput => ({ toolCallId: call.id, output })
  const found = options.toolkit.tools.get(name)
  const run: Effect.Effect<ToolOutputInput, ValidationError | Tool.Error<Tools> | Cause.TimeoutException, Tool.Context<Tools>> =
    found === undefined
      ? Effect.fail(
        new ValidationError({
          operation: "ToolLoop",
          issues: [new Issue({ path: ["toolCalls", call.id, "function", "name"], message: `unknown tool: ${name}` })]
        })
      )
      // `found` is a `Tools`; its members' error and context types are `Tool.Error<Tools>` / `Tool.Context<Tools>`
      : (found.execute(call) as Effect.Effect<unknown, ValidationError | Tool.Error<Tools>, Tool.Context<Tools>>).pipe(
        Effect.timeout(Option.getOrElse(found.timeout, () => Duration.decode(options.toolTimeout ?? "30 seconds"))),
        Effect.map((output) => give(encodeOutput(output)))
      )
  // the one narrowing of this module: with "output" the catchAll leaves no error; with "fail" every
  // error of `run` is a ToolFailure. TypeScript cannot follow the runtime check on `onToolError`.
  return (options.onToolError === "fail"
    ? run
    : Effect.catchAll(run, (error) => Effect.succeed(give(`error: ${describe(error)}`)))) as Effect.Effect<
      ToolOutputInput,
      ToolFailure<Tools, Mode>,
      Tool.Context<Tools>
    >
}

const answerAll = <Tools extends Tool.Any, Mode extends OnToolError>(
  options: Options<Tools, Mode>,
  calls: ReadonlyArray<ToolCall>
) =>
  Effect.forEach(calls, (call) => answer(options, call), { concurrency: options.concurrency ?? 4 }).pipe(
    Effect.withSpan("ToolLoop.answer", { attributes: { "appbuilder.tool_calls": calls.length } })
  )

const tooManySteps = (run: { readonly runId: string; readonly threadId: string }, maxSteps: number) =>
  new RunFailed({
    operation: "ToolLoop",
    runId: run.runId,
    threadId: run.threadId,
    status: "cancelled",
    lastError: { type: "max_steps", message: `the tool loop stopped after ${maxSteps} tool rounds` }
  })

const withTools = <Tools extends Tool.Any>(input: Input, kit: Toolkit<Tools>): Runs.RunInput => ({
  ...input,
  tools: input.tools !== undefined && input.tools.length > 0 ? input.tools : kit.definitions
})

// -----------------------------------------------------------------------------
// stream mode
// -----------------------------------------------------------------------------

const streamEnded = new HttpError({
  reason: "StreamEnded",
  operation: "ToolLoop",
  description: "the run stream ended before run_end"
})

interface StreamState {
  readonly steps: number
  readonly text: string
  readonly run: Option.Option<Run>
}

/**
 * The streamed loop: pulls events from one run stream, hands each to `emit`, answers `ToolCalls`
 * while the same stream continues, and stops at `RunEnd`. Closing the scope of the pull (interruption,
 * failure) makes `Runs.stream` cancel the run.
 */
const streamLoop = <Tools extends Tool.Any, Mode extends OnToolError, E2>(
  input: Input,
  options: Options<Tools, Mode>,
  emit: (event: RunEvent.RunEvent) => Effect.Effect<void, E2>
): Effect.Effect<Result, LoopError<Tools, Mode> | E2, Runs.Runs | Tool.Context<Tools>> =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const maxSteps = options.maxSteps ?? 8
    const pull = yield* Stream.toPull(runs.stream(withTools(input, options.toolkit), {
      ...options.stream,
      cancelTimeout: options.cancelTimeout ?? options.stream?.cancelTimeout
    }))

    const onEvent = (state: StreamState, event: RunEvent.RunEvent) =>
      Effect.gen(function*() {
        yield* emit(event)
        switch (event._tag) {
          case "MessageDelta":
            return { ...state, text: state.text + event.text }
          case "RunEnd":
            return { ...state, run: Option.some(event.run) }
          default:
            return state
        }
      })

    const context = yield* Ref.make(RunEvent.initialContext)
    const step = (state: StreamState, event: RunEvent.RunEvent) =>
      Effect.gen(function*() {
        const ctx = yield* Ref.updateAndGet(context, RunEvent.nextContext(event))
        const next = yield* onEvent(state, event)
        if (event._tag !== "ToolCalls") return next
        const ref = { runId: ctx.currentRunId ?? "", threadId: ctx.currentThreadId ?? "" }
        if (next.steps >= maxSteps) return yield* tooManySteps(ref, maxSteps)
        const toolOutputs = yield* answerAll(options, event.toolCalls)
        yield* runs.submitToolOutputs({ ...ref, toolOutputs })
        return { ...next, steps: next.steps + 1 }
      })

    const initial: StreamState = { steps: 0, text: "", run: Option.none() }
    const final = yield* Effect.iterate(
      initial,
      {
        while: (state) => Option.isNone(state.run),
        body: (state) =>
          pull.pipe(
            Effect.catchAll(Option.match({
              // `Runs.stream` itself fails with StreamEnded before ending without `RunEnd`
              onNone: () => Effect.fail(streamEnded),
              onSome: (error) => Effect.fail(error)
            })),
            Effect.flatMap((events) => Effect.reduce(events, state, step))
          )
      }
    )
    return yield* Option.match(final.run, {
      onNone: () => Effect.fail(streamEnded),
      onSome: (run) => Effect.succeed({ run, steps: final.steps, text: final.text })
    })
  }).pipe(Effect.scoped)

// -----------------------------------------------------------------------------
// blocking mode
// -----------------------------------------------------------------------------

interface BlockingState {
  readonly run: Run
  readonly steps: number
}

/**
 * The blocking loop: while the run waits for outputs, answer every pending call and send each output
 * back with a continuation run call. A loop that stops early (interruption, failure, `maxSteps`)
 * cancels the run once.
 */
const blockingLoop = <Tools extends Tool.Any, Mode extends OnToolError>(
  input: Input,
  options: Options<Tools, Mode>
): Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Tool.Context<Tools>> =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const maxSteps = options.maxSteps ?? 8
    const request = withTools(input, options.toolkit)
    const current = yield* Ref.make(Option.none<Run>())
    const track = (run: Run) => Effect.as(Ref.set(current, Option.some(run)), run)

    const cancelIfActive = Ref.get(current).pipe(
      Effect.flatMap(Option.match({
        onNone: () => Effect.void,
        onSome: (run) =>
          run.isTerminal
            ? Effect.void
            : Runs.cancelQuietly(runs.cancel, { threadId: run.threadId, runId: run.id }, options.cancelTimeout)
      }))
    )

    const loop = Effect.gen(function*() {
      const first = yield* runs.run(request).pipe(Effect.flatMap(track))
      const initial: BlockingState = { run: first, steps: 0 }
      const final = yield* Effect.iterate(
        initial,
        {
          while: (state) => state.run.status === "requires_action",
          body: (state) =>
            Effect.gen(function*() {
              if (state.steps >= maxSteps) {
                return yield* tooManySteps({ runId: state.run.id, threadId: state.run.threadId }, maxSteps)
              }
              const outputs = yield* answerAll(options, state.run.toolCalls)
              let run = state.run
              for (const output of outputs) {
                run = yield* runs.run({
                  assistantId: request.assistantId,
                  threadId: state.run.threadId,
                  tools: request.tools,
                  toolOutput: { ...output, runId: state.run.id }
                }).pipe(Effect.flatMap(track))
              }
              return { run, steps: state.steps + 1 }
            })
        }
      )
      return { run: final.run, steps: final.steps, text: final.run.finalAnswer?.text ?? "" }
    })
    return yield* loop.pipe(Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : cancelIfActive))
  })

// -----------------------------------------------------------------------------
// public API
// -----------------------------------------------------------------------------

/**
 * Runs the loop to the end and returns the final run, the number of tool rounds and the answer text.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run: {
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    options: Options<Tools, Mode>
  ): (input: Input) => Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Tool.Context<Tools>>
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    input: Input,
    options: Options<Tools, Mode>
  ): Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Tool.Context<Tools>>
} = dual(
  2,
  <Tools extends Tool.Any, Mode extends OnToolError>(input: Input, options: Options<Tools, Mode>) =>
    (options.mode === "blocking" ? blockingLoop(input, options) : streamLoop(input, options, () => Effect.void)).pipe(
      Effect.withSpan("ToolLoop.run", {
        attributes: { "appbuilder.assistant_id": input.assistantId, "appbuilder.mode": options.mode ?? "stream" }
      })
    )
)

/**
 * Every event of the whole loop (stream mode), as one stream: the events of the run, tool rounds
 * included. The outputs are submitted as soon as the `ToolCalls` event has been emitted. Stopping the
 * stream early cancels the run.
 *
 * @since 0.1.0
 * @category combinators
 */
export const stream: {
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    options: Omit<Options<Tools, Mode>, "mode">
  ): (input: Input) => Stream.Stream<RunEvent.RunEvent, LoopError<Tools, Mode>, Runs.Runs | Tool.Context<Tools>>
  <Tools extends Tool.Any, Mode extends OnToolError = "output">(
    input: Input,
    options: Omit<Options<Tools, Mode>, "mode">
  ): Stream.Stream<RunEvent.RunEvent, LoopError<Tools, Mode>, Runs.Runs | Tool.Context<Tools>>
} = dual(
  2,
  <Tools extends Tool.Any, Mode extends OnToolError>(input: Input, options: Omit<Options<Tools, Mode>, "mode">) =>
    Stream.unwrapScoped(
      Effect.gen(function*() {
        const mailbox = yield* Mailbox.make<RunEvent.RunEvent, LoopError<Tools, Mode>>({ capacity: 64 })
        yield* streamLoop(input, options, (event) => mailbox.offer(event)).pipe(
          Mailbox.into(mailbox),
          Effect.forkScoped
        )
        return Mailbox.toStream(mailbox)
      })
    )
)
