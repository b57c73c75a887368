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
import type * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HttpError, Issue, RunFailed, ValidationError } from "./AppBuilderError.js"
import type { AssistantToolInput, FunctionJsonSchemaInput, Run, ToolCall, ToolOutputInput } from "./Common.js"
import { encodeToolOutput } from "./internal/toolOutput.js"
import * as ToolSchema from "./internal/toolSchema.js"
import * as RunEvent from "./RunEvent.js"
import * as Runs from "./Runs.js"
import * as Threads from "./Threads.js"

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

const toolIssue = (toolName: string, field: string, message: string) =>
  new ValidationError({ operation: `ToolLoop.${toolName}`, issues: [new Issue({ path: [field], message })] })

/**
 * Defines a tool from a name, a description, a Schema for its parameters and an effectful handler.
 *
 * Building a tool never throws. A problem with its definition (a parameters Schema that cannot be sent,
 * see {@link jsonSchemaOf}; a `timeout` that is not a duration; options that are not an object) is
 * reported as a `ValidationError` by the first request that sends the tool's definition — the tool loop
 * fails before anything is sent.
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
  const o: typeof options | undefined = Predicate.isRecord(options) ? options : undefined
  if (o === undefined) problems.push({ path: [], message: "expected tool options { description, parameters, handler }" })
  const parameters = o?.parameters
  const decode = parameters !== undefined && Schema.isSchema(parameters) ? argumentsDecoder<A, I>(parameters) : undefined
  const timeout = o?.timeout === undefined ? Option.none() : Duration.decodeUnknown(o.timeout)
  if (o?.timeout !== undefined && Option.isNone(timeout)) {
    problems.push({ path: ["timeout"], message: "expected a duration (e.g. \"10 seconds\")" })
  }
  const handler = o?.handler
  return {
    _tag: "Tool",
    name,
    description: o?.description ?? "",
    timeout,
    definition: ToolSchema.withProblems({
      type: "function",
      function: {
        name,
        description: o?.description ?? "",
        parameters: parameters === undefined ? null : jsonSchemaOf(parameters),
        responses: null,
        examples: null
      }
    }, problems),
    execute: (call) => {
      if (decode === undefined) return Effect.fail(toolIssue(name, "parameters", "expected a Schema"))
      if (typeof handler !== "function") return Effect.fail(toolIssue(name, "handler", "expected a function"))
      const text = call.function?.arguments ?? ""
      return decode(text.trim() === "" ? "{}" : text).pipe(
        Effect.mapError((error) => argumentsIssue(name, error)),
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

/** The output string of a tool's result; a result JSON cannot encode is a `ValidationError` on `output`. */
const encodeOutput = encodeToolOutput

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
        Effect.flatMap((output) => Effect.map(encodeOutput(name, output), give))
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

// `tools` that are not an array are left for the run's validation to report
const withTools = <Tools extends Tool.Any>(input: Input, kit: Toolkit<Tools>): Runs.RunInput => ({
  ...input,
  tools: input.tools === undefined || (Array.isArray(input.tools) && input.tools.length === 0)
    ? kit.definitions
    : input.tools
})

const isDuration = (value: unknown): boolean => value === undefined || Option.isSome(Duration.decodeUnknown(value))

/**
 * Checks what a JavaScript caller may get wrong before anything runs: the input must be an object
 * (the run request itself is checked by `Runs`), the options an object with a toolkit and well typed
 * optional fields.
 */
const checkArguments = (operation: string, input: unknown, options: unknown): Effect.Effect<void, ValidationError> =>
  Effect.suspend(() => {
    const issues: Array<Issue> = []
    const add = (path: ReadonlyArray<string>, message: string) => issues.push(new Issue({ path: [...path], message }))
    if (!Predicate.isRecord(input)) add(["input"], `expected a run request object, got ${kindOf(input)}`)
    if (!Predicate.isRecord(options)) {
      add(["options"], `expected an options object with a toolkit, got ${kindOf(options)}`)
    } else {
      const kit = options["toolkit"]
      if (!Predicate.isRecord(kit) || !(kit["tools"] instanceof Map) || !Array.isArray(kit["definitions"])) {
        add(["options", "toolkit"], "expected a toolkit (made with ToolLoop.toolkit)")
      }
      const oneOf = (key: string, allowed: ReadonlyArray<string>) => {
        const value = options[key]
        if (value !== undefined && !allowed.some((a) => a === value)) {
          add(["options", key], `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`)
        }
      }
      oneOf("mode", ["stream", "blocking"])
      oneOf("onToolError", ["output", "fail"])
      const integer = (key: string, min: number) => {
        const value = options[key]
        if (value !== undefined && !(Number.isInteger(value) && typeof value === "number" && value >= min)) {
          add(["options", key], `expected an integer of at least ${min}`)
        }
      }
      integer("concurrency", 1)
      integer("maxSteps", 0)
      for (const key of ["toolTimeout", "cancelTimeout"]) {
        if (!isDuration(options[key])) add(["options", key], "expected a duration")
      }
      const stream = options["stream"]
      if (stream !== undefined) {
        if (!Predicate.isRecord(stream)) add(["options", "stream"], `expected an object, got ${kindOf(stream)}`)
        else {
          for (const key of ["idleTimeout", "cancelTimeout"]) {
            if (!isDuration(stream[key])) add(["options", "stream", key], "expected a duration")
          }
        }
      }
    }
    return issues.length === 0 ? Effect.void : Effect.fail(new ValidationError({ operation, issues }))
  })

const kindOf = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

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
  /** The run stream ended (after `RunEnd`, or a failure). */
  readonly done: boolean
}

/**
 * The streamed loop: pulls events from one run stream, hands each to `emit`, answers `ToolCalls`
 * while the same stream continues, and reads the stream to its end: after the `RunEnd` of a run that
 * ended `failed`, `expired` or cancelled by someone else, `Runs.stream` fails with `RunFailed`, as a
 * blocking run does. Closing the scope of the pull (interruption, failure) makes `Runs.stream` cancel
 * the run.
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

    const initial: StreamState = { steps: 0, text: "", run: Option.none(), done: false }
    const final = yield* Effect.iterate(
      initial,
      {
        while: (state) => !state.done,
        body: (state) =>
          pull.pipe(
            Effect.map((events) => Option.some(events)),
            Effect.catchAll(Option.match({
              // the end of the stream (`Runs.stream` fails with StreamEnded when it ends without `RunEnd`)
              onNone: () => Effect.succeed(Option.none<Chunk.Chunk<RunEvent.RunEvent>>()),
              onSome: (error) => Effect.fail(error)
            })),
            Effect.flatMap(Option.match({
              onNone: () => Effect.succeed<StreamState>({ ...state, done: true }),
              onSome: (events) => Effect.reduce(events, state, step)
            }))
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
 *
 * An inline `thread` without `threadId` is first created with `Threads.create`, and the run started on
 * its id: a first call that is stopped (or loses its answer) can then find the run it started on that
 * thread and cancel it (see `Runs.Service.run`); without a thread id that run could not be found.
 */
const blockingLoop = <Tools extends Tool.Any, Mode extends OnToolError>(
  input: Input,
  options: Options<Tools, Mode>
): Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>> =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const threads = yield* Threads.Threads
    const maxSteps = options.maxSteps ?? 8
    const runOptions: Runs.RunOptions = { cancelTimeout: options.cancelTimeout }
    let request = withTools(input, options.toolkit)
    // an invalid request sends nothing, not even the thread
    yield* Runs.encodeRunRequest("Runs.run", request, false)
    if ((request.threadId === undefined || request.threadId === "") && request.thread != null) {
      const thread = yield* threads.create({ messages: request.thread.messages })
      request = { ...request, threadId: thread.id, thread: null }
    }
    const current = yield* Ref.make(Option.none<Run>())
    // A call and the recording of its answer form one unit that an interruption cannot split: a run
    // that answered is always known to `cancelIfActive`. A first call that is stopped before its answer
    // cancels the run it started itself (`Runs.run`); `current` is then still empty.
    const call = (runInput: Runs.RunInput) =>
      Effect.uninterruptibleMask((restore) =>
        restore(runs.run(runInput, runOptions)).pipe(Effect.tap((run) => Ref.set(current, Option.some(run))))
      )

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
      const first = yield* call(request)
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
                run = yield* call({
                  assistantId: request.assistantId,
                  threadId: state.run.threadId,
                  tools: request.tools,
                  toolOutput: { ...output, runId: state.run.id }
                })
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
 * Runs the loop to the end and returns the final run (`completed`), the number of tool rounds and the
 * answer text. A run that ends `failed`, `expired` or cancelled by someone else fails the loop with
 * `RunFailed`, in both modes. Arguments a JavaScript caller got wrong (`null`, a missing toolkit, a
 * mistyped option) fail with a `ValidationError` before anything is sent.
 *
 * In blocking mode an inline `thread` without `threadId` is created first (`Threads.Threads`), so that
 * a run stopped before its first answer can still be found and cancelled.
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
      return checkArguments("ToolLoop.run", raw, rawOptions).pipe(
        Effect.zipRight(mode === "blocking" ? blockingLoop(input, options) : streamLoop(input, options, () => Effect.void)),
        Effect.withSpan("ToolLoop.run", { attributes: { "appbuilder.assistant_id": assistantId, "appbuilder.mode": mode } })
      )
    })
)

/**
 * Every event of the whole loop (stream mode), as one stream: the events of the run, tool rounds
 * included. The outputs are submitted as soon as the `ToolCalls` event has been emitted. Stopping the
 * stream early cancels the run. A run that ends `failed`, `expired` or cancelled by someone else emits
 * its `RunEnd`, then the stream fails with `RunFailed`.
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
        yield* checkArguments("ToolLoop.stream", input, options)
        const mailbox = yield* Mailbox.make<RunEvent.RunEvent, LoopError<Tools, Mode>>({ capacity: 64 })
        yield* streamLoop(input, options, (event) => mailbox.offer(event)).pipe(
          Mailbox.into(mailbox),
          Effect.forkScoped
        )
        return Mailbox.toStream(mailbox)
      })
    )
)
