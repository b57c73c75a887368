/**
 * Runs (`/v2/threads/runs*`): blocking runs (with the `toolOutput` continuation), streamed runs, tool
 * outputs, cancel, list, query, and `poll` (query until the run settles).
 *
 * Every request is a Schema ({@link RunRequest}, {@link SubmitToolOutputsRequest}, …): it checks the
 * caller's input (every problem at once, as one `ValidationError`) and encodes the body the official
 * client sends.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { AppBuilderClient, type Service as ClientService } from "./AppBuilderClient.js"
import type { HttpError, RunFailed, ValidationError } from "./AppBuilderError.js"
import { ListPage } from "./Common.js"
import * as Endpoint from "./internal/endpoint.js"
import { Run } from "./internal/models/run.js"
import { paginate } from "./internal/paginate.js"
import { alwaysChecked, Id, listFields, required, withDefault } from "./internal/requestSchema.js"
import { cancelStartedRun, outcomeUnknown } from "./internal/runCancel.js"
import { runFailedOf } from "./internal/runFailed.js"
import * as RunPoll from "./internal/runPoll.js"
import * as RunRequests from "./internal/runRequest.js"
import * as RunResume from "./internal/runResume.js"
import { runEvents } from "./internal/runStream.js"
import { SubmittedToolOutput } from "./internal/sharedRequests.js"
import * as Streams from "./internal/stream.js"
import * as Messages from "./Messages.js"
import type * as RunEvent from "./RunEvent.js"
import * as RunSteps from "./RunSteps.js"

// -----------------------------------------------------------------------------
// models
// -----------------------------------------------------------------------------

/**
 * The run model (`Run`: both the `thread.run` object and the `run.result` answer of a blocking run)
 * and its parts: the tool calls a run waits for (`RequiredAction` → `SubmitToolOutputsAction` →
 * `ToolCall` → `FunctionCall`), the error of a failed run (`LastError`) and the answer of a blocking
 * run (`FinalAnswer`, `FinalAnswerMessage`). Timestamps are epoch milliseconds, `0` meaning "not set".
 *
 * @since 0.1.0
 * @category models
 */
export {
  /**
   * The answer of a blocking run (`run.result`); `null` elsewhere.
   *
   * @since 0.1.0
   * @category models
   */
  FinalAnswer,
  /**
   * The message of a `FinalAnswer`.
   *
   * @since 0.1.0
   * @category models
   */
  FinalAnswerMessage,
  /**
   * The function part of a `ToolCall`: `arguments` is a string holding compact JSON, `output` is `""`
   * until submitted.
   *
   * @since 0.1.0
   * @category models
   */
  FunctionCall,
  /**
   * The error of a failed run or step.
   *
   * @since 0.1.0
   * @category models
   */
  LastError,
  /**
   * What a run in `requires_action` waits for.
   *
   * @since 0.1.0
   * @category models
   */
  RequiredAction,
  /**
   * A run: both the `thread.run` object and the `run.result` answer of a blocking run.
   *
   * @since 0.1.0
   * @category models
   */
  Run,
  /**
   * The tool calls awaiting outputs.
   *
   * @since 0.1.0
   * @category models
   */
  SubmitToolOutputsAction,
  /**
   * A call of a function tool asked for by the model.
   *
   * @since 0.1.0
   * @category models
   */
  ToolCall
} from "./internal/models/run.js"

/**
 * A tool output as given by the caller. `runId` is needed only for the `toolOutput` continuation of a
 * blocking run (it is sent as `""` inside `submitToolOutputs`).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ToolOutputInput extends Schema.Schema.Type<typeof SubmittedToolOutput> {}

// -----------------------------------------------------------------------------
// requests
// -----------------------------------------------------------------------------

/**
 * The messages appended to the conversation before a run (role `user` by default).
 *
 * @since 0.1.0
 * @category requests
 */
export const ThreadRequest = RunRequests.ThreadRequest

/**
 * The messages appended to the conversation before a run.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ThreadInput extends Schema.Schema.Type<typeof ThreadRequest> {}

/**
 * The request of a blocking run ({@link Service.run}): `"stream": false` on the wire.
 *
 * @since 0.1.0
 * @category requests
 */
export const RunRequest = RunRequests.runRequest(false)

/**
 * The request of a streamed run ({@link Service.stream}): the same fields as {@link RunRequest},
 * `"stream": true` on the wire.
 *
 * @since 0.1.0
 * @category requests
 */
export const StreamRunRequest = RunRequests.runRequest(true)

/**
 * A run request (blocking or streamed). `assistantId` and either `threadId` or `thread` are required;
 * only the keys below are allowed (the service forbids unknown fields; they are reported as validation
 * problems).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface RunInput extends Omit<Schema.Schema.Type<typeof RunRequest>, "stream"> {}

/**
 * Options of a blocking run.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface RunOptions extends Schema.Schema.Type<typeof RunRequests.RunCallOptions> {}

/**
 * Options of a streamed run.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface StreamOptions extends Schema.Schema.Type<typeof RunRequests.StreamCallOptions> {}

/**
 * A thread id and a run id.
 *
 * @since 0.1.0
 * @category requests
 */
export const RunRefRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  runId: required(Id, "run_id")
})

/**
 * A thread id and a run id.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface RunRef extends Schema.Schema.Type<typeof RunRefRequest> {}

/**
 * The request of {@link Service.submitToolOutputs}.
 *
 * @since 0.1.0
 * @category requests
 */
export const SubmitToolOutputsRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  runId: required(Id, "run_id"),
  /** The outputs of every pending tool call (at least one); each output's `runId` is sent as given, `""` by default. */
  toolOutputs: required(
    Schema.Array(SubmittedToolOutput).pipe(
      Schema.filter((outputs) => outputs.length > 0 || "at least one tool output is required", alwaysChecked)
    ),
    "tool_outputs"
  )
})

/**
 * The input of {@link Service.submitToolOutputs}: the outputs of every pending tool call (at least one).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface SubmitToolOutputsInput extends Schema.Schema.Type<typeof SubmitToolOutputsRequest> {}

/**
 * The request of {@link Service.cancel}.
 *
 * @since 0.1.0
 * @category requests
 */
export const CancelRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  runId: required(Id, "run_id"),
  /** `true`: the service answers once the run is cancelled; `false` (default): at once, status `cancelling`. */
  sync: withDefault(Schema.Boolean, false)
})

/**
 * The input of {@link Service.cancel}: with `sync: true` the service answers once the run is cancelled,
 * otherwise at once (status `cancelling`). Cancelling a finished run is not an error.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CancelInput extends Schema.Schema.Type<typeof CancelRequest> {}

/**
 * The request of {@link Service.list}: a thread id with paging options.
 *
 * @since 0.1.0
 * @category requests
 */
export const ListRequest = Schema.Struct({ threadId: required(Id, "thread_id"), ...listFields })

/**
 * A thread id with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListInput extends Schema.Schema.Type<typeof ListRequest> {}

/**
 * The options of {@link Service.poll}.
 *
 * - `schedule`: when to query again while the run is still `queued`, `in_progress` or `cancelling`; the
 *   schedule is stepped with the last queried run. Default {@link defaultPollSchedule} (exponential from
 *   250 ms, capped at 5 s). When the schedule ends before the run settles, `poll` fails with an
 *   `HttpError` of reason `Timeout`.
 * - `timeout`: the longest the whole wait may take (queries included); then `poll` fails with an
 *   `HttpError` of reason `Timeout`. Default: no limit (the service expires runs on its own).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface PollOptions extends RunPoll.PollOptions {}

/**
 * The statuses at which {@link Service.poll} stops: the terminal ones (`completed`, `failed`,
 * `cancelled`, `expired`) and `requires_action` (the run waits for tool outputs).
 *
 * @since 0.1.0
 * @category models
 */
export const settledStatuses: ReadonlySet<string> = RunPoll.settledStatuses

/**
 * The default schedule of {@link Service.poll}: 250 ms, 500 ms, 1 s, 2 s, 4 s, then every 5 s.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultPollSchedule: Schedule.Schedule<unknown> = RunPoll.defaultSchedule

/**
 * The default schedule of the `resume` option ({@link StreamOptions}, {@link RunOptions}): 250 ms, 500 ms,
 * 1 s, 2 s, 4 s, then every 5 s, for at most 30 minutes per wait for a run to settle (the run a lost request
 * may have started is looked for 2 minutes at most).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultResumeSchedule: Schedule.Schedule<unknown> = RunResume.defaultSchedule

/**
 * The runs service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * A blocking run: answers when the run is `completed` or `requires_action` (continue it with another
   * `run` carrying `toolOutput`). Fails with {@link RunFailed} when it ended `failed`, `expired` or
   * `cancelled`.
   *
   * **Cancellation**: a call that starts a run (no `toolOutput`) and is interrupted (or times out, or
   * loses its answer: an `HttpError` that does not prove the service turned the request down) while
   * it waits leaves a run on the server whose id the caller never got. When the thread id is known
   * (`threadId` given), the call then lists the thread's newest runs until a run of this assistant,
   * created since the call began and still `queued`, `in_progress` or `requires_action`, appears,
   * and cancels it once; it gives up when none appears within `cancelTimeout` (default 5 s): the
   * request never reached the service. The interruption waits for this, `cancelTimeout` at most.
   * `cancelOnInterrupt: false` leaves the run of an interrupted call to go on (for a caller that finds it
   * again itself, as `DurableToolLoop` does when the process running it stops).
   *
   * **Resume** (`options.resume`, off by default for this call): when the answer is lost after the request
   * was sent (connection broken, call timed out), the call follows the run instead: it finds the run it
   * started on the thread (or, for a `toolOutput` continuation, queries that run), polls it on the
   * schedule until it settles past this call, and returns it (with `finalAnswer` rebuilt from the reply
   * message when it completed). Nothing is sent again. When the run cannot be followed, the call fails
   * with the original error (and a run it started is cancelled as above). `ToolLoop` turns this on.
   *
   * What remains: with an inline `thread` and no `threadId`, the service creates the thread itself and
   * only the lost answer would have named it, so such a run cannot be found and is left to finish (or
   * expire) on its own. Create the thread first (`Threads.create`) and pass its id when this matters;
   * `ToolLoop` in blocking mode does so. A continuation (`toolOutput`) is not cancelled here: its run
   * id is the caller's, who may cancel it.
   */
  readonly run: (input: RunInput, options?: RunOptions) => Effect.Effect<Run, HttpError | ValidationError | RunFailed>
  /**
   * A streamed run: the request is validated (nothing is sent when it is invalid), then every event of
   * the run is emitted as a {@link RunEvent.RunEvent}, up to and including `RunEnd` (see
   * `RunEvent` for the events, pings are not emitted). The stream keeps waiting at `ToolCalls` until
   * the outputs are submitted with {@link Service.submitToolOutputs}; the same stream then continues.
   *
   * Fails with `HttpError` (`Timeout` when no event, ping included, arrives for `idleTimeout`;
   * `StreamEnded` when the connection ends before `run_end`; `Decode` for a malformed event) and with
   * {@link RunFailed} right after the `RunEnd` of a run that ended `failed`, `expired` or `cancelled`.
   *
   * **Cancellation**: when the stream stops before `RunEnd` once the run id is known (from `RunBegin`),
   * whatever the reason (the consumer was interrupted, took only part of the stream, failed, or the
   * stream itself failed), the run is cancelled on the server: one `cancel` call, made while the stream's
   * scope closes (uninterruptibly), with its own timeout (`cancelTimeout`, default 5 s), its errors
   * ignored. Such a cancel never surfaces as {@link RunFailed}.
   *
   * **Resume** (on by default; `options.resume`): when the connection breaks or goes silent before
   * `RunEnd` (`StreamEnded`, an idle `Timeout`, an unknown outcome), the stream does not fail: it emits
   * {@link RunEvent.Resumed} and follows the run by polling it (on `defaultResumeSchedule` or the given
   * `Schedule`), emitting what the caller missed, rebuilt from the run, its steps and its reply message:
   * the steps' begin and end, `ToolCalls` when the run waits for outputs (each call once), the submitted
   * outputs, `MessageCreation`, the rest of the answer as one `MessageDelta`, and `RunEnd` (then
   * `RunFailed` as usual). Rebuilt events carry `sendId` 0. The run is the one `RunBegin` named, or, when
   * the break came before it, the assistant's newest run created since the request on `threadId` (with
   * an inline thread and no `threadId`, it cannot be found: `StreamEnded`). When the run cannot be
   * followed within the schedule, the stream fails with `StreamEnded` and the run is cancelled as below.
   * No request is sent again. `resume: false` restores the plain failure.
   *
   * A stream stopped before it read `RunBegin` (even before the response headers arrived) keeps
   * reading its own response in the background, within `cancelTimeout`, until `RunBegin` names the run,
   * then cancels it; when the response ends, fails, or names no run in time, there is nothing to cancel.
   * The whole stop (reading ahead and cancelling) takes `cancelTimeout` at most.
   */
  readonly stream: (
    input: RunInput,
    options?: StreamOptions
  ) => Stream.Stream<RunEvent.RunEvent, HttpError | ValidationError | RunFailed>
  readonly submitToolOutputs: (input: SubmitToolOutputsInput) => Effect.Effect<Run, HttpError | ValidationError>
  readonly cancel: (input: CancelInput) => Effect.Effect<Run, HttpError | ValidationError>
  readonly list: (input: ListInput) => Effect.Effect<ListPage<Run>, HttpError | ValidationError>
  /** Every run of the thread, page after page. */
  readonly listAll: (input: ListInput) => Stream.Stream<Run, HttpError | ValidationError>
  readonly query: (input: RunRef) => Effect.Effect<Run, HttpError | ValidationError>
  /**
   * Queries the run until it settles (status in {@link settledStatuses}: `completed`, `failed`,
   * `cancelled`, `expired`, or `requires_action`) and returns it. Between queries it waits on
   * `options.schedule` (default {@link defaultPollSchedule}; on the `Clock`, so `TestClock` drives it).
   *
   * A run that ended `failed`, `expired` or `cancelled` is **returned**, not failed: `poll` answers "where
   * did the run end?" (after `cancel({ sync: false })`, or after a lost stream), and `cancelled` is then
   * the expected answer. Read `run.status` and `run.lastError`.
   *
   * Fails with an `HttpError` of reason `Timeout` when `options.timeout` passes, or the schedule ends,
   * before the run settles; with the query's own `HttpError` / `ValidationError` otherwise.
   */
  readonly poll: (input: RunRef, options?: PollOptions) => Effect.Effect<Run, HttpError | ValidationError>
}

/**
 * The runs service (provided by {@link layer}, or by `AppBuilder.layer` with every other service).
 *
 * @example
 * ```ts
 * import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
 * import * as Runs from "@effect-appbuilder/assistant/Runs"
 * import * as Console from "effect/Console"
 * import * as Effect from "effect/Effect"
 * import * as Stream from "effect/Stream"
 *
 * // Prints the answer as it arrives. Stopping the stream early cancels the run on the server.
 * const program = Effect.gen(function*() {
 *   const runs = yield* Runs.Runs
 *   yield* runs.stream({ assistantId: "asst_…", threadId: "thread_…" }).pipe(
 *     Stream.filter(RunEvent.isMessageDelta),
 *     Stream.runForEach((delta) => Console.log(delta.text))
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Runs extends Context.Tag("@effect-appbuilder/assistant/Runs")<Runs, Service>() {}

/**
 * The operations of the runs service.
 */
const endpoints = {
  run: Endpoint.make({
    name: "Runs.run",
    path: "/v2/threads/runs",
    idempotent: false,
    request: RunRequest,
    response: Run,
    spanAttributes: ["assistant_id", "thread_id"]
  }),
  stream: Endpoint.make({
    name: "Runs.stream",
    path: "/v2/threads/runs",
    idempotent: false,
    request: StreamRunRequest,
    // the answer is an event stream, decoded event by event (see `RunEvent`)
    response: Schema.Unknown,
    spanAttributes: ["assistant_id", "thread_id"]
  }),
  submitToolOutputs: Endpoint.make({
    name: "Runs.submitToolOutputs",
    path: "/v2/threads/runs/submit_tool_outputs",
    idempotent: false,
    request: SubmitToolOutputsRequest,
    response: Run,
    spanAttributes: ["thread_id", "run_id"]
  }),
  cancel: Endpoint.make({
    name: "Runs.cancel",
    path: "/v2/threads/runs/cancel",
    // cancelling twice is harmless (the service answers the current run), so it may be retried
    idempotent: true,
    request: CancelRequest,
    response: Run,
    spanAttributes: ["thread_id", "run_id"]
  }),
  list: Endpoint.make({
    name: "Runs.list",
    path: "/v2/threads/runs/list",
    idempotent: true,
    request: ListRequest,
    response: ListPage(Run),
    spanAttributes: ["thread_id"]
  }),
  query: Endpoint.make({
    name: "Runs.query",
    path: "/v2/threads/runs/query",
    idempotent: true,
    request: RunRefRequest,
    response: Run,
    spanAttributes: ["thread_id", "run_id"]
  })
}

/**
 * The blocking run (see {@link Service.run}): checks the request and the options, sends the run, and when
 * a call that started a run is stopped or loses its answer, finds that run on the thread and cancels it.
 */
const blockingRun = (client: ClientService, runs: Pick<Service, "list" | "cancel">, api: RunResume.Api) =>
  Effect.fn("Runs.run")(function*(input: RunInput, options?: RunOptions) {
    const endpoint = endpoints.run
    const body = yield* Endpoint.encode(endpoint, input)
    const checked = yield* RunRequests.checkOptions(endpoint.name, RunRequests.RunCallOptions, options)
    yield* Endpoint.annotate(endpoint, body)
    if (body.tool_output !== null) yield* Effect.annotateCurrentSpan("appbuilder.run_id", body.tool_output.run_id)
    const since = yield* Clock.currentTimeMillis
    // A call that starts a run and is stopped, or loses its answer, leaves a run the caller cannot name:
    // find it on the thread and cancel it. The rest of the call runs uninterruptibly, so that a run whose
    // answer arrived is always handed to the caller.
    const lost = (exit: Exit.Exit<Run, HttpError>): Effect.Effect<void> => {
      if (body.tool_output !== null || body.thread_id === "" || Exit.isSuccess(exit)) return Effect.void
      const interrupted = Cause.isInterruptedOnly(exit.cause)
      if (interrupted && checked?.cancelOnInterrupt === false) return Effect.void
      if (!interrupted && !Option.exists(Cause.failureOption(exit.cause), outcomeUnknown)) return Effect.void
      return cancelStartedRun(
        runs,
        { threadId: body.thread_id, assistantId: body.assistant_id, since },
        checked?.cancelTimeout
      )
    }
    // With `resume`, a lost answer is replaced by the run followed by polling; when that fails too, the
    // call fails with the original error (and `lost` cancels a run it started).
    const resume = checked?.resume ?? false
    const follow = (error: HttpError): Effect.Effect<Run, HttpError> =>
      RunResume.followBlocking(
        {
          operation: endpoint.name,
          schedule: resume === true ? RunResume.defaultSchedule : resume === false ? Schedule.stop : resume,
          threadId: body.thread_id,
          assistantId: body.assistant_id,
          since,
          api
        },
        body.tool_output === null
          ? undefined
          : { runId: body.tool_output.run_id, toolCallId: body.tool_output.tool_call_id }
      ).pipe(
        Effect.tapError((failure) =>
          Effect.logDebug(`${endpoint.name}: the lost answer could not be followed`, failure)
        ),
        Effect.orElseFail(() => error)
      )
    const canFollow = resume !== false && (body.thread_id !== "" || body.tool_output !== null)
    return yield* Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const result = yield* restore(
          Endpoint.send(client, endpoint, body, { timeout: checked?.timeout }).pipe(
            Effect.catchIf((error) => canFollow && RunResume.isBreak(error), follow)
          )
        ).pipe(Effect.onExit(lost))
        yield* Effect.annotateCurrentSpan({
          "appbuilder.run_id": result.id,
          "appbuilder.thread_id": result.threadId,
          "appbuilder.run_status": result.status
        })
        const failure = runFailedOf(endpoint.name, result)
        if (Option.isSome(failure)) return yield* failure.value
        return result
      })
    )
  })

/**
 * The streamed run (see {@link Service.stream}): checks the request and the options, then streams the
 * run's events; a stream stopped before `run_end` cancels its run.
 */
const streamedRun = (client: ClientService, cancel: Service["cancel"], api: RunResume.Api) =>
(
  input: RunInput,
  options?: StreamOptions
): Stream.Stream<RunEvent.RunEvent, HttpError | ValidationError | RunFailed> =>
  // The stream's span lives in the stream's scope (no `Stream.withSpan` stage around it): made first, it
  // ends last, with the stream's exit. The setup runs under it, and with it everything that makes calls or
  // logs: the reader fiber (the request and the reading), the cancellation (a finalizer added by the
  // setup runs with the setup's refs) and, after a break, the reader that follows the run (`runEvents`
  // keeps the setup's span for it). The pulls themselves only hand over what the reader read: they are not
  // wrapped each (a `withParentSpan` is two copies of the fiber's refs). The scope and the span are given
  // to the setup in one step (not `Scope.extend` then `withParentSpan`). No call-site stack trace:
  // capturing one costs an `Error` per run.
  Streams.fromPullIn((scope) =>
    Effect.flatMap(
      makeSpanIn(scope, "Runs.stream"),
      (span) =>
        Effect.mapInputContext(
          streamSetup(client, cancel, api, input, options),
          (context: Context.Context<never>) =>
            Context.add(Context.add(context, Scope.Scope, scope), Tracer.ParentSpan, span)
        )
    )
  )

/**
 * `Effect.makeSpanScoped(name, { captureStackTrace: false })` in the given scope rather than the one in
 * the context: the span ends when the scope closes, with its exit, at the time of the fiber's clock (when
 * the tracer's timing is on).
 */
const makeSpanIn = (scope: Scope.Scope, name: string): Effect.Effect<Tracer.Span> =>
  Effect.uninterruptible(
    Effect.flatMap(Effect.makeSpan(name, streamSpanOptions), (span) =>
      Effect.withFiberRuntime((fiber) => {
        const timing = fiber.getFiberRef(FiberRef.currentTracerTimingEnabled)
        const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
        return Effect.as(
          Scope.addFinalizerExit(scope, (exit) =>
            Effect.sync(() => {
              if (span.status._tag !== "Ended") span.end(timing ? clock.unsafeCurrentTimeNanos() : BigInt(0), exit)
            })),
          span
        )
      }))
  )

const streamSpanOptions = { captureStackTrace: false } as const

/** The setup of a streamed run: the checks, then the reader of the run (see `runStream.ts`). */
const streamSetup = (
  client: ClientService,
  cancel: Service["cancel"],
  api: RunResume.Api,
  input: RunInput,
  options: StreamOptions | undefined
) =>
  Effect.gen(function*() {
    const endpoint = endpoints.stream
    const body = yield* Endpoint.encode(endpoint, input)
    const checked = yield* RunRequests.checkOptions(endpoint.name, RunRequests.StreamCallOptions, options)
    yield* Endpoint.annotate(endpoint, body)
    const since = yield* Clock.currentTimeMillis
    const resume = checked?.resume ?? true
    // one reader for the whole run: idle timeout, end rules, resume and cancellation (see `runStream.ts`)
    return yield* runEvents(Endpoint.stream(client, endpoint, body), {
      operation: endpoint.name,
      idleTimeout: checked?.idleTimeout ?? client.streamIdleTimeout,
      resume: resume === false ? undefined : RunResume.follower({
        operation: endpoint.name,
        schedule: resume === true ? RunResume.defaultSchedule : resume,
        threadId: body.thread_id,
        assistantId: body.assistant_id,
        since,
        api
      }),
      stop: {
        threadId: body.thread_id,
        cancel,
        cancelTimeout: checked?.cancelTimeout ?? Duration.seconds(5)
      }
    })
  })

/**
 * Builds the runs service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient
  const list = Endpoint.call(client, endpoints.list)
  const cancel = Endpoint.call(client, endpoints.cancel)
  const query = Endpoint.call(client, endpoints.query)
  const steps = yield* RunSteps.make
  const messages = yield* Messages.make
  // the read-only calls that follow a run whose connection broke
  const api: RunResume.Api = {
    query,
    listRuns: list,
    listSteps: steps.list,
    queryMessage: messages.query,
    listMessages: messages.list
  }
  return Runs.of({
    run: blockingRun(client, { list, cancel }, api),
    stream: streamedRun(client, cancel, api),
    submitToolOutputs: Endpoint.call(client, endpoints.submitToolOutputs),
    cancel,
    list,
    listAll: (input) => paginate(input, list),
    query,
    poll: (input, options) => RunPoll.poll("Runs.poll", query, input, options).pipe(Effect.withSpan("Runs.poll"))
  })
})

/**
 * The runs service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Runs, never, AppBuilderClient> = Layer.effect(Runs, make)
