/**
 * A durable tool loop: the function-calling loop of `ToolLoop` as an `@effect/workflow` `Workflow`, so
 * that a loop survives the death of the process running it and every side effect happens once.
 *
 * The workflow's payload is the run request (`id`, the key of the execution, and `request`, a
 * `Runs.RunInput`: assistant, thread id or inline thread, overrides); its success is the loop's
 * `ToolLoop.Result`; its errors are the SDK's `HttpError`, `ValidationError`, `RunFailed` and
 * `MaxStepsExceeded`. The body is made of activities, each persisted by the engine:
 *
 * - `prepare`: creates the thread when it is given inline, and records the start time;
 * - `start`: looks for a run of this assistant created on the thread since that time (a previous
 *   attempt of this execution started it: it is adopted), else starts the run (a blocking `Runs.run`,
 *   which answers at `requires_action` or at the end);
 * - `tool/<call id>`: one tool call, executed at most once, its output persisted;
 * - `submit/<round>`: queries the run first and submits the round's outputs only if the run still waits
 *   for those call ids;
 * - `check/<round>/<n>`: one query of a run that has not settled yet, with a `DurableClock.sleep`
 *   between two of them (never a busy loop);
 * - `answer`: the reply message of the completed run, so that the result carries its final answer.
 *
 * Interrupting the workflow (`interrupt`) cancels the run on the server once (so does a workflow that
 * fails while its run still goes, e.g. with an `HttpError`; `MaxStepsExceeded` cancels it too). A run that ends
 * `failed`, `expired` or `cancelled` by someone else ends the workflow with `RunFailed`. Tool problems
 * become `error: …` outputs the model reads (`ToolLoop`'s `onToolError: "output"`).
 *
 * @example
 * ```ts
 * import { DurableToolLoop } from "@effect-appbuilder/workflow"
 * import { ToolLoop } from "@effect-appbuilder/assistant"
 * import { WorkflowEngine } from "@effect/workflow"
 * import { Effect, Layer, Schema } from "effect"
 *
 * const weather = ToolLoop.tool("get_cur_whether", {
 *   description: "天气",
 *   parameters: Schema.Struct({ location: Schema.String }),
 *   handler: ({ location }) => Effect.succeed(`${location} 30 度`)
 * })
 * const Weather = DurableToolLoop.make({ name: "weather", toolkit: ToolLoop.toolkit(weather) })
 *
 * const request = { assistantId: "asst_…", threadId: "thread_…" }
 * const result = Weather.run({ id: "order-42", request }).pipe(
 *   Effect.provide(Weather.layer.pipe(Layer.provideMerge(WorkflowEngine.layerMemory)))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import type * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import * as Workflow from "@effect/workflow/Workflow"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { toolOutput } from "./internal/toolOutput.js"

// -----------------------------------------------------------------------------
// schemas
// -----------------------------------------------------------------------------

/**
 * The payload of a durable loop: `id`, the key of the execution (the same `id` is the same execution:
 * running it again returns its result, or resumes it), and `request`, the run request.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Payload = Schema.Struct({
  /** The key of the execution, e.g. the id of the request that asked for the loop. */
  id: Schema.String,
  /** The run request; its `tools` default to the toolkit's definitions. */
  request: Runs.RunRequest
})

/**
 * The payload of a durable loop.
 *
 * @since 0.1.0
 * @category models
 */
export interface PayloadInput {
  readonly id: string
  readonly request: ToolLoop.Input
}

/**
 * The result of a durable loop, as a Schema: `ToolLoop.Result` (the run as it ended, the tool rounds,
 * the answer text).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Result = Schema.Struct({
  run: Runs.Run,
  steps: Schema.Number,
  text: Schema.String
})

/**
 * The errors of a durable loop, as a Schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LoopError = Schema.Union(
  AppBuilderError.HttpError,
  AppBuilderError.ValidationError,
  AppBuilderError.RunFailed,
  AppBuilderError.MaxStepsExceeded
)

/**
 * The errors of a durable loop.
 *
 * @since 0.1.0
 * @category models
 */
export type LoopError = typeof LoopError.Type

/** The errors of an activity that talks to the service. */
const ApiError = Schema.Union(AppBuilderError.HttpError, AppBuilderError.ValidationError, AppBuilderError.RunFailed)

/** What `prepare` records: the thread of the execution and the time before anything was sent. */
const Prepared = Schema.Struct({ threadId: Schema.String, since: Schema.Number })

// -----------------------------------------------------------------------------
// options and model
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<Name extends string, Tools extends ToolLoop.Tool.Any> {
  /** The workflow's name: unique among the workflows of an engine. */
  readonly name: Name
  readonly toolkit: ToolLoop.Toolkit<Tools>
  /** How many tool calls of a round run at once (default 4). */
  readonly concurrency?: number | undefined
  /** The default timeout of one tool call (default 30 seconds). */
  readonly toolTimeout?: Duration.DurationInput | undefined
  /** The most tool rounds (default 8); one more cancels the run and fails with `MaxStepsExceeded`. */
  readonly maxSteps?: number | undefined
  /**
   * The durable sleeps between two queries of a run that has not settled: the first (default 250 ms),
   * doubled each time up to `max` (default 5 seconds).
   */
  readonly pollInterval?: {
    readonly initial?: Duration.DurationInput | undefined
    readonly max?: Duration.DurationInput | undefined
  } | undefined
  /** How long cancelling the run may take when the workflow is interrupted (default 5 seconds). */
  readonly cancelTimeout?: Duration.DurationInput | undefined
}

/**
 * The services the body of a durable loop uses, besides the tools' own.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = Runs.Runs | Threads.Threads | Messages.Messages

/**
 * A durable tool loop: its `Workflow`, the layer that registers its body with the engine, and the
 * `Workflow`-style operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface DurableToolLoop<Name extends string, Tools extends ToolLoop.Tool.Any> {
  readonly workflow: Workflow.Workflow<Name, typeof Payload, typeof Result, typeof LoopError>
  /** Registers the loop's body with the `WorkflowEngine`. */
  readonly layer: Layer.Layer<never, never, WorkflowEngine.WorkflowEngine | Services | ToolLoop.Tool.Context<Tools>>
  /** Runs the loop (or joins / returns the execution of the same `id`) and returns its result. */
  readonly run: (payload: PayloadInput) => Effect.Effect<ToolLoop.Result, LoopError, WorkflowEngine.WorkflowEngine>
  /** Starts the loop and returns its execution id at once. */
  readonly start: (payload: PayloadInput) => Effect.Effect<string, never, WorkflowEngine.WorkflowEngine>
  /** The execution id of a payload. */
  readonly executionId: (payload: PayloadInput) => Effect.Effect<string>
  /** The result of an execution, when it has one. */
  readonly poll: (
    executionId: string
  ) => Effect.Effect<Workflow.Result<ToolLoop.Result, LoopError> | undefined, never, WorkflowEngine.WorkflowEngine>
  /** Interrupts an execution: its run is cancelled on the server once. */
  readonly interrupt: (executionId: string) => Effect.Effect<void, never, WorkflowEngine.WorkflowEngine>
  /** Resumes a suspended execution. */
  readonly resume: (executionId: string) => Effect.Effect<void, never, WorkflowEngine.WorkflowEngine>
}

// -----------------------------------------------------------------------------
// the body
// -----------------------------------------------------------------------------

const textOf = (content: ReadonlyArray<{ readonly text?: { readonly value: string } | null | undefined }>): string =>
  content.map((item) => item.text?.value ?? "").join("")

const runFailedOf = (run: Runs.Run): Option.Option<AppBuilderError.RunFailed> =>
  run.status === "failed" || run.status === "expired" || run.status === "cancelled"
    ? Option.some(
      new AppBuilderError.RunFailed({
        operation: "DurableToolLoop.run",
        runId: run.id,
        threadId: run.threadId,
        status: run.status,
        ...(run.lastError === null || run.lastError === undefined
          ? {}
          : { lastError: { type: run.lastError.type, message: run.lastError.message } })
      })
    )
    : Option.none()

const isSettled = (run: Runs.Run): boolean => Runs.settledStatuses.has(run.status)

/** Does the run still wait for the outputs of exactly these calls? */
const waitsFor = (run: Runs.Run, callIds: ReadonlyArray<string>): boolean =>
  run.status === "requires_action" && callIds.every((id) => run.toolCalls.some((call) => call.id === id))

const makeBody = <Name extends string, Tools extends ToolLoop.Tool.Any>(options: Options<Name, Tools>) => {
  const maxSteps = options.maxSteps ?? 8
  const toolTimeout = options.toolTimeout ?? "30 seconds"
  const initial = Duration.decode(options.pollInterval?.initial ?? "250 millis")
  const max = Duration.decode(options.pollInterval?.max ?? "5 seconds")
  const interval = (n: number): Duration.Duration =>
    Duration.min(Duration.times(initial, Math.pow(2, Math.min(n, 20))), max)
  const cancelTimeout = options.cancelTimeout ?? "5 seconds"

  return Effect.fn("DurableToolLoop.body")(function*(payload: typeof Payload.Type, executionId: string) {
    const runs = yield* Runs.Runs
    const threads = yield* Threads.Threads
    const messages = yield* Messages.Messages
    yield* Effect.annotateCurrentSpan({ executionId, "appbuilder.assistant_id": payload.request.assistantId })
    const request: Runs.RunInput = {
      ...payload.request,
      tools: payload.request.tools === undefined || payload.request.tools.length === 0
        ? options.toolkit.definitions
        : payload.request.tools
    }

    // the run this execution owns, once known. The workflow's scope closes when the execution ends for
    // good: a workflow interrupted (`interrupt`), or failed while its run still goes (an `HttpError`),
    // then cancels its run on the server, as `ToolLoop` does. The scope also closes when the execution's
    // fiber is interrupted from outside: the process stops, or the cluster moves the execution's shard to
    // another runner. Then the execution is not over (it resumes elsewhere and adopts its run), so its run
    // must go on: that case is an interruption without `instance.interrupted`.
    const instance = yield* WorkflowEngine.WorkflowInstance
    let current: Runs.Run | undefined
    let cancelled = false
    yield* Workflow.addFinalizer((exit) => {
      if (Exit.isSuccess(exit) || cancelled) return Effect.void
      if (Exit.isInterrupted(exit) && !instance.interrupted) return Effect.void
      const run = current
      if (run === undefined || run.isTerminal) return Effect.void
      return runs.cancel({ threadId: run.threadId, runId: run.id }).pipe(
        Effect.timeout(cancelTimeout),
        Effect.tapErrorCause((cause) => Effect.logDebug("DurableToolLoop: cancelling the run failed", cause)),
        Effect.ignore
      )
    })

    const prepared = yield* Activity.make({
      name: "prepare",
      success: Prepared,
      error: ApiError,
      execute: Effect.gen(function*() {
        const since = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        if (request.threadId !== undefined && request.threadId !== "") return { threadId: request.threadId, since }
        const thread = yield* threads.create({ messages: request.thread?.messages ?? [] })
        return { threadId: thread.id, since }
      })
    })
    // a thread created by `prepare` already holds the inline messages; a given thread gets them with the run
    const createdHere = request.threadId === undefined || request.threadId === ""
    const { since, threadId } = prepared
    const onThread: Runs.RunInput = createdHere ? { ...request, threadId, thread: null } : request

    const started = yield* Activity.make({
      name: "start",
      success: Runs.Run,
      error: ApiError,
      execute: Effect.gen(function*() {
        const page = yield* runs.list({ threadId, limit: 20, order: "desc" })
        const adopted = page.data.find((run) => run.assistantId === request.assistantId && run.createdAt >= since)
        if (adopted !== undefined) {
          yield* Effect.logDebug(`DurableToolLoop: adopting run ${adopted.id}`)
          return adopted
        }
        // `cancelOnInterrupt: false`: when this activity is interrupted because the process stops or the
        // shard moves, the run goes on and the resumed execution adopts it (the engines take a workflow's
        // own `interrupt` at its next step, once this call has returned the run)
        return yield* runs.run(onThread, { resume: true, cancelOnInterrupt: false })
      })
    })
    current = started

    // queries the run (one activity each) with durable sleeps between, until it settles
    const settle = (round: number, run: Runs.Run) =>
      Effect.gen(function*() {
        let latest = run
        for (let n = 0; !isSettled(latest); n++) {
          // a durable sleep (the workflow suspends): a restart, or an interrupt, takes effect here
          yield* DurableClock.sleep({
            name: `wait/${round}/${n}`,
            duration: interval(n),
            inMemoryThreshold: Duration.zero
          })
          latest = yield* Activity.make({
            name: `check/${round}/${n}`,
            success: Runs.Run,
            error: ApiError,
            execute: runs.query({ threadId: latest.threadId, runId: latest.id })
          })
          current = latest
        }
        return latest
      })

    const body = Effect.gen(function*() {
      let run = yield* settle(0, started)
      let steps = 0
      while (run.status === "requires_action") {
        if (steps >= maxSteps) {
          yield* Activity.make({
            name: `cancel/${steps}`,
            error: ApiError,
            execute: runs.cancel({ threadId: run.threadId, runId: run.id }).pipe(Effect.asVoid)
          })
          cancelled = true
          return yield* new AppBuilderError.MaxStepsExceeded({ runId: run.id, threadId: run.threadId, maxSteps })
        }
        const calls = run.toolCalls
        const outputs = yield* Effect.forEach(
          calls,
          (call) =>
            Activity.make({
              name: `tool/${call.id}`,
              success: Schema.String,
              execute: toolOutput(options.toolkit, toolTimeout, call)
            }).pipe(Effect.map((output) => ({ toolCallId: call.id, output }))),
          { concurrency: options.concurrency ?? 4 }
        )
        const waiting = run
        const submitted = yield* Activity.make({
          name: `submit/${steps}`,
          success: Runs.Run,
          error: ApiError,
          execute: Effect.gen(function*() {
            const now = yield* runs.query({ threadId: waiting.threadId, runId: waiting.id })
            if (!waitsFor(now, calls.map((call) => call.id))) return now
            return yield* runs.submitToolOutputs({
              threadId: waiting.threadId,
              runId: waiting.id,
              toolOutputs: outputs
            })
          })
        })
        current = submitted
        steps += 1
        run = yield* settle(steps, submitted)
      }
      const failed = runFailedOf(run)
      if (Option.isSome(failed)) return yield* failed.value
      if (run.finalAnswer !== null && run.finalAnswer !== undefined) return { run, steps, text: run.finalAnswer.text }
      const completed = run
      // the reply message of the run, read once: the run as a blocking call answers it (with its final
      // answer), and the answer text
      const answer = yield* Activity.make({
        name: "answer",
        success: Schema.Struct({ run: Runs.Run, text: Schema.String }),
        error: ApiError,
        execute: Effect.gen(function*() {
          const page = yield* messages.list({ threadId: completed.threadId, limit: 20, order: "desc" })
          const reply = page.data.find((message) => message.runId === completed.id && message.role === "assistant")
          if (reply === undefined) return { run: completed, text: "" }
          const withAnswer = new Runs.Run({
            ...completed,
            object: "run.result",
            finalAnswer: new Runs.FinalAnswer({
              type: "message",
              message: new Runs.FinalAnswerMessage({ messageId: reply.id, content: reply.content })
            })
          })
          return { run: withAnswer, text: textOf(reply.content) }
        })
      })
      return { run: answer.run, steps, text: answer.text }
    })

    return yield* body
  })
}

// -----------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------

/**
 * Defines a durable tool loop from a name and a toolkit (and `ToolLoop`'s loop options).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Name extends string, Tools extends ToolLoop.Tool.Any>(
  options: Options<Name, Tools>
): DurableToolLoop<Name, Tools> => {
  const workflow = Workflow.make({
    name: options.name,
    payload: Payload,
    success: Result,
    error: LoopError,
    idempotencyKey: (payload) => payload.id
  })
  const toPayload = (payload: PayloadInput) => ({ id: payload.id, request: payload.request })
  return {
    workflow,
    layer: workflow.toLayer(makeBody(options)),
    run: (payload) => workflow.execute(toPayload(payload)),
    start: (payload) => workflow.execute(toPayload(payload), { discard: true }),
    executionId: (payload) => workflow.executionId(toPayload(payload)),
    poll: (executionId) => workflow.poll(executionId),
    interrupt: (executionId) => workflow.interrupt(executionId),
    resume: (executionId) => workflow.resume(executionId)
  }
}
