/**
 * The events of a streamed run, and the event-handler API of the official client
 * (`AssistantEventHandler` + `StreamRunContext`) as a `Stream.runForEach` combinator.
 *
 * A run stream (`Runs.stream`) emits one {@link RunEvent} per `status` or `message` SSE event, in wire
 * order:
 *
 * | wire (`event_type` of a `status` event, or SSE event name) | member |
 * | --- | --- |
 * | `run_begin` | {@link RunBegin} |
 * | `tool_step_begin` | {@link ToolStepBegin} |
 * | `message_creation` | {@link MessageCreation} |
 * | `message` (SSE event) | {@link MessageDelta} |
 * | `tool_calls` | {@link ToolCalls} |
 * | `tool_submitted_output` | {@link ToolSubmittedOutput} |
 * | `tool_step_end` | {@link ToolStepEnd} |
 * | `run_cancelling` | {@link RunCancelling} |
 * | `run_end` | {@link RunEnd} (always the last event) |
 * | anything else | {@link Unknown} (never a failure) |
 * | (no wire event: the connection dropped and the SDK follows the run by polling) | {@link Resumed} |
 *
 * `ping` events are **not** emitted: they only keep the stream's idle timeout from firing (as the
 * official `stream_run` iterator, which skips them).
 *
 * Every member is a `Schema.TaggedClass`, so events can be matched on `_tag` (`Match.valueTags`,
 * `Match.tagsExhaustive`, a `switch`), tested with the guards below ({@link isRunEnd}, …), compared with
 * `Equal` and serialised with {@link RunEvent the union schema}.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as Common from "./Common.js"
import { LastError, Run, ToolCall } from "./internal/models/run.js"
import { RunStep } from "./internal/models/runStep.js"
import * as Accumulate from "./internal/runEventAccumulate.js"
import * as Handling from "./internal/runEventHandlers.js"

const id = (name: string) => `@effect-appbuilder/assistant/RunEvent/${name}`

/**
 * The fields every `status` event carries: its `send_id` (1, 2, 3, … over the `status` and `message`
 * events of one stream), its `status` (the run's or the step's status; an open set of strings) and its
 * human-readable `message` (e.g. `begin to run. logId:…`).
 */
const StatusFields = {
  /** The wire's `send_id`: 1, 2, 3, … over the `status` and `message` events of one stream. */
  sendId: Schema.Number,
  /** The run's or the step's status reported by the event (an open set of strings). */
  status: Schema.String,
  /** The human-readable text of the event (e.g. `begin to run. logId:…`). */
  message: Schema.String,
  /** The wire's `details.type` (`run_object`, `run_step_object`, `message_creation`, `tool_calls`, …), when the event has details. */
  detailsType: Schema.optional(Schema.String),
  /** The wire's `details.error_info` (the error of a failed run, on its `run_end`), when present. */
  errorInfo: Schema.optional(LastError)
}

const RunFields = {
  ...StatusFields,
  /** The run id (`run_…`), from `details.run_object.id`. */
  runId: Schema.String,
  /** The thread id (`thread_…`), from `details.run_object.thread_id`. */
  threadId: Schema.String,
  /** The assistant id (`asst_…`), from `details.run_object.assistant_id`. */
  assistantId: Schema.String,
  /** The run object of the event. */
  run: Run
}

const StepFields = {
  ...StatusFields,
  /** The step id (`step-1`, …), from `details.run_step_object.id`. */
  stepId: Schema.String,
  /** The run id, from `details.run_step_object.run_id`. */
  runId: Schema.String,
  /** The thread id, from `details.run_step_object.thread_id`. */
  threadId: Schema.String,
  /** The run step object of the event. */
  step: RunStep
}

const ToolCallsFields = {
  ...StatusFields,
  /** The tool calls, from `details.tool_calls`. */
  toolCalls: Schema.Array(ToolCall)
}

/**
 * `run_begin`: the first event of every stream (status `queued`).
 *
 * @since 0.1.0
 * @category models
 */
export class RunBegin extends Schema.TaggedClass<RunBegin>(id("RunBegin"))("RunBegin", RunFields) {}

/**
 * `tool_step_begin`: a step starts (status `in_progress`).
 *
 * @since 0.1.0
 * @category models
 */
export class ToolStepBegin extends Schema.TaggedClass<ToolStepBegin>(id("ToolStepBegin"))(
  "ToolStepBegin",
  StepFields
) {}

/**
 * `message_creation`: the answer message is created, before its deltas.
 *
 * @since 0.1.0
 * @category models
 */
export class MessageCreation extends Schema.TaggedClass<MessageCreation>(id("MessageCreation"))("MessageCreation", {
  ...StatusFields,
  /** The id of the created message (`chatmsg_…`), from `details.message_creation.message_id`. */
  messageId: Schema.String
}) {}

/**
 * A `message` event: one text delta of the answer. Concatenating the `text` of every delta gives the
 * answer.
 *
 * @since 0.1.0
 * @category models
 */
export class MessageDelta extends Schema.TaggedClass<MessageDelta>(id("MessageDelta"))("MessageDelta", {
  sendId: Schema.Number,
  /** `in_progress` for non-final deltas, `completed` for the final one (not reliable: observed on every chunk). */
  status: Schema.String,
  /** The message the delta belongs to (the id of the preceding {@link MessageCreation}). */
  messageId: Schema.String,
  /** The wire's `message_index` (observed `""`), when the payload carries it as a string. */
  messageIndex: Schema.optional(Schema.String),
  /** The new text: the text values of `content` concatenated. */
  text: Schema.String,
  /** The wire's `is_end` (`1` → true). The service was observed sending `0` on the final chunk too. */
  isEnd: Schema.Boolean,
  /** The content items of the delta as sent. */
  content: Schema.Array(Common.Content),
  /** `metadata.finish_reason` (e.g. `normal` on the final chunk), when present. */
  finishReason: Schema.optional(Schema.String)
}) {}

/**
 * `tool_calls`: the model asks for local function calls (status `requires_action`). The stream stays
 * open until the outputs are submitted (`Runs.submitToolOutputs`), the run is cancelled or it expires.
 *
 * @since 0.1.0
 * @category models
 */
export class ToolCalls extends Schema.TaggedClass<ToolCalls>(id("ToolCalls"))("ToolCalls", ToolCallsFields) {}

/**
 * `tool_submitted_output`: the tool outputs were accepted; the tool calls carry their `output`.
 *
 * @since 0.1.0
 * @category models
 */
export class ToolSubmittedOutput extends Schema.TaggedClass<ToolSubmittedOutput>(id("ToolSubmittedOutput"))(
  "ToolSubmittedOutput",
  ToolCallsFields
) {}

/**
 * `tool_step_end`: a step ends; `status` is the step's final status (`completed`, `cancelled`,
 * `failed`, `expired`).
 *
 * @since 0.1.0
 * @category models
 */
export class ToolStepEnd extends Schema.TaggedClass<ToolStepEnd>(id("ToolStepEnd"))("ToolStepEnd", StepFields) {}

/**
 * `run_cancelling`: a cancel was accepted (status `cancelling`).
 *
 * @since 0.1.0
 * @category models
 */
export class RunCancelling extends Schema.TaggedClass<RunCancelling>(id("RunCancelling"))(
  "RunCancelling",
  RunFields
) {}

/**
 * `run_end`: the last event of a stream; `status` is the run's terminal status (`completed`,
 * `cancelled`, `failed`, `expired`). A run stream fails with `RunFailed` right after a `RunEnd` whose
 * status is `failed`, `expired` or `cancelled` (unless the cancel was our own).
 *
 * @since 0.1.0
 * @category models
 */
export class RunEnd extends Schema.TaggedClass<RunEnd>(id("RunEnd"))("RunEnd", RunFields) {}

/**
 * An event this SDK does not know: an SSE event name other than `status`, `message`, `ping`, or a
 * `status` event with an unknown `event_type`. It never fails the stream.
 *
 * @since 0.1.0
 * @category models
 */
export class Unknown extends Schema.TaggedClass<Unknown>(id("Unknown"))("Unknown", {
  /** The SSE event name. */
  event: Schema.String,
  /** The `event_type` of a `status` event (`""` otherwise). */
  eventType: Schema.String,
  /** The `send_id`, when the payload has one (else `0`). */
  sendId: Schema.Number,
  /** The `status`, when the payload has one (else `""`). */
  status: Schema.String,
  /** The `data` text as received. */
  data: Schema.String,
  /** The parsed JSON payload (the `data` string itself when it is not JSON). */
  raw: Schema.Unknown
}) {}

/**
 * Not a wire event: the connection of the run stream ended (or went silent) before `run_end`, and the
 * stream now follows the run by polling it instead of failing (see `Runs.StreamOptions.resume`). The
 * events that follow are rebuilt from the run, its steps and its reply message: they carry `sendId` `0`,
 * and the rest of the answer text comes as one {@link MessageDelta} (the chunking of the lost events
 * cannot be recovered). Emitted once per stream, before the rebuilt events.
 *
 * @since 0.1.0
 * @category models
 */
export class Resumed extends Schema.TaggedClass<Resumed>(id("Resumed"))("Resumed", {
  /** The run that is followed. */
  runId: Schema.String,
  /** Its thread. */
  threadId: Schema.String,
  /** Why the stream broke: the reason of the `HttpError` that would have failed it (`StreamEnded`, `Timeout`, `OutcomeUnknown`). */
  reason: Schema.String,
  /** The message of that error. */
  description: Schema.String,
  /** The `send_id` of the last event received before the break (`0` when none was). */
  lastSendId: Schema.Number
}) {}

/**
 * Any event of a run stream.
 *
 * @since 0.1.0
 * @category models
 */
export type RunEvent =
  | RunBegin
  | ToolStepBegin
  | MessageCreation
  | MessageDelta
  | ToolCalls
  | ToolSubmittedOutput
  | ToolStepEnd
  | RunCancelling
  | RunEnd
  | Unknown
  | Resumed

/**
 * The schema of {@link RunEvent} (e.g. to serialise events).
 *
 * @since 0.1.0
 * @category models
 */
export const RunEvent: Schema.Union<[
  typeof RunBegin,
  typeof ToolStepBegin,
  typeof MessageCreation,
  typeof MessageDelta,
  typeof ToolCalls,
  typeof ToolSubmittedOutput,
  typeof ToolStepEnd,
  typeof RunCancelling,
  typeof RunEnd,
  typeof Unknown,
  typeof Resumed
]> = Schema.Union(
  RunBegin,
  ToolStepBegin,
  MessageCreation,
  MessageDelta,
  ToolCalls,
  ToolSubmittedOutput,
  ToolStepEnd,
  RunCancelling,
  RunEnd,
  Unknown,
  Resumed
)

// -----------------------------------------------------------------------------
// guards
// -----------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunBegin = (u: unknown): u is RunBegin => Predicate.isTagged(u, "RunBegin") && u instanceof RunBegin

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolStepBegin = (u: unknown): u is ToolStepBegin =>
  Predicate.isTagged(u, "ToolStepBegin") && u instanceof ToolStepBegin

/**
 * @since 0.1.0
 * @category guards
 */
export const isMessageCreation = (u: unknown): u is MessageCreation =>
  Predicate.isTagged(u, "MessageCreation") && u instanceof MessageCreation

/**
 * @since 0.1.0
 * @category guards
 */
export const isMessageDelta = (u: unknown): u is MessageDelta =>
  Predicate.isTagged(u, "MessageDelta") && u instanceof MessageDelta

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolCalls = (u: unknown): u is ToolCalls => Predicate.isTagged(u, "ToolCalls") && u instanceof ToolCalls

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolSubmittedOutput = (u: unknown): u is ToolSubmittedOutput =>
  Predicate.isTagged(u, "ToolSubmittedOutput") && u instanceof ToolSubmittedOutput

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolStepEnd = (u: unknown): u is ToolStepEnd =>
  Predicate.isTagged(u, "ToolStepEnd") && u instanceof ToolStepEnd

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunCancelling = (u: unknown): u is RunCancelling =>
  Predicate.isTagged(u, "RunCancelling") && u instanceof RunCancelling

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunEnd = (u: unknown): u is RunEnd => Predicate.isTagged(u, "RunEnd") && u instanceof RunEnd

/**
 * @since 0.1.0
 * @category guards
 */
export const isUnknown = (u: unknown): u is Unknown => Predicate.isTagged(u, "Unknown") && u instanceof Unknown

/**
 * @since 0.1.0
 * @category guards
 */
export const isResumed = (u: unknown): u is Resumed => Predicate.isTagged(u, "Resumed") && u instanceof Resumed

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunEvent = (u: unknown): u is RunEvent =>
  isRunBegin(u) || isToolStepBegin(u) || isMessageCreation(u) || isMessageDelta(u) || isToolCalls(u) ||
  isToolSubmittedOutput(u) || isToolStepEnd(u) || isRunCancelling(u) || isRunEnd(u) || isUnknown(u) || isResumed(u)

// -----------------------------------------------------------------------------
// handlers
// -----------------------------------------------------------------------------

/**
 * The types of the handler API: {@link StreamRunContext} (the context of the event being handled, as
 * the official client's `StreamRunContext` keeps it), {@link Handlers} (one optional effectful callback
 * per official `AssistantEventHandler` callback) and {@link HandleResult} (what {@link handle} returns).
 *
 * @since 0.1.0
 * @category models
 */
export type {
  /**
   * What `handle` returns once the stream ended.
   *
   * @since 0.1.0
   * @category models
   */
  HandleResult,
  /**
   * One optional effectful callback per official `AssistantEventHandler` callback.
   *
   * @since 0.1.0
   * @category models
   */
  Handlers,
  /**
   * The context of the event being handled.
   *
   * @since 0.1.0
   * @category models
   */
  StreamRunContext
} from "./internal/runEventHandlers.js"

/**
 * The context before the first event: every field `undefined`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialContext: Handling.StreamRunContext = Handling.initialContext

/**
 * The context after `event`, given the context after the previous event.
 *
 * @since 0.1.0
 * @category combinators
 */
export const nextContext: {
  (event: RunEvent): (self: Handling.StreamRunContext) => Handling.StreamRunContext
  (self: Handling.StreamRunContext, event: RunEvent): Handling.StreamRunContext
} = dual(2, Handling.nextContext)

/**
 * Runs a stream of events, calling the matching callback of `handlers` for each event, one at a time
 * and in order (see {@link Handlers} and {@link StreamRunContext}). The error and requirement types of
 * the callbacks flow into the result.
 *
 * Returns a {@link HandleResult}: the final {@link RunEnd} and run, the tool calls still pending when
 * the stream ended early, and the last context.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { RunEvent, Runs } from "@effect-appbuilder/assistant"
 *
 * const program = Effect.gen(function*() {
 *   const runs = yield* Runs.Runs
 *   const result = yield* runs.stream({ assistantId: "asst_…", threadId: "thread_…" }).pipe(
 *     RunEvent.handle({
 *       onMessage: (delta) => Effect.sync(() => process.stdout.write(delta.text)),
 *       onToolCalls: (event, context) =>
 *         runs.submitToolOutputs({
 *           threadId: context.currentThreadId ?? "",
 *           runId: context.currentRunId ?? "",
 *           toolOutputs: event.toolCalls.map((call) => ({ toolCallId: call.id, output: "42" }))
 *         })
 *     })
 *   )
 *   return result.runEnd
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const handle: {
  <const H extends Handling.Handlers>(
    handlers: H & Handling.Handlers.NoExcess<H>
  ): <E, R>(
    self: Stream.Stream<RunEvent, E, R>
  ) => Effect.Effect<Handling.HandleResult, E | Handling.Handlers.Error<H>, R | Handling.Handlers.Context<H>>
  <E, R, const H extends Handling.Handlers>(
    self: Stream.Stream<RunEvent, E, R>,
    handlers: H & Handling.Handlers.NoExcess<H>
  ): Effect.Effect<Handling.HandleResult, E | Handling.Handlers.Error<H>, R | Handling.Handlers.Context<H>>
} = dual(2, Handling.handle)

// -----------------------------------------------------------------------------
// accumulation
// -----------------------------------------------------------------------------

export type {
  /**
   * What {@link finalRun} returns: the stream's {@link RunEnd}, the run it carries (terminal `status`,
   * `lastError`, usage, …) and the answer text.
   *
   * @since 0.1.0
   * @category models
   */
  FinalRun
} from "./internal/runEventAccumulate.js"

/**
 * The whole answer text of a run stream: the `text` of every {@link MessageDelta}, concatenated (the
 * fold every caller would otherwise write). Fails as the stream does (e.g. `RunFailed`).
 *
 * @example
 * ```ts
 * import { RunEvent, Runs } from "@effect-appbuilder/assistant"
 * import * as Effect from "effect/Effect"
 *
 * const answer = Effect.flatMap(Runs.Runs, (runs) =>
 *   runs.stream({ assistantId: "asst_…", threadId: "thread_…" }).pipe(RunEvent.text))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const text: <E, R>(self: Stream.Stream<RunEvent, E, R>) => Effect.Effect<string, E, R> = Accumulate.text

/**
 * The answer text as it grows: one element per non-empty {@link MessageDelta}, each the whole text so
 * far (e.g. to re-render a chat bubble). Its last element is what {@link text} returns.
 *
 * @since 0.1.0
 * @category combinators
 */
export const accumulateText: <E, R>(self: Stream.Stream<RunEvent, E, R>) => Stream.Stream<string, E, R> =
  Accumulate.accumulateText

/**
 * Runs a run stream to its {@link RunEnd} and returns `{ run, text, runEnd }`: the final run, the whole
 * answer text and the event. A stream that ends without a `RunEnd` (e.g. a hand-made or cut one) fails
 * with `NoSuchElementException`; a run that ended `failed` / `expired` fails with the stream's `RunFailed`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const finalRun: <E, R>(
  self: Stream.Stream<RunEvent, E, R>
) => Effect.Effect<Accumulate.FinalRun, E | Cause.NoSuchElementException, R> = Accumulate.finalRun

// -----------------------------------------------------------------------------
// constructors (hand-made events, e.g. for a `Layer.mock(Runs.Runs, …)` stream)
// -----------------------------------------------------------------------------

/**
 * Options of {@link textDelta}.
 *
 * @since 0.1.0
 * @category models
 */
export interface TextDeltaOptions {
  /** Default `msg_1`. */
  readonly messageId?: string | undefined
  /** Default `1`. */
  readonly sendId?: number | undefined
  /** Default `false`. */
  readonly isEnd?: boolean | undefined
  /** Default `in_progress` (`completed` when `isEnd`). */
  readonly status?: string | undefined
}

/**
 * A {@link MessageDelta} carrying `text` (its `content` holds the same text), with defaults for every
 * other field: handy to build the stream of a mocked `Runs.stream`.
 *
 * @example
 * ```ts
 * import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
 * import * as Stream from "effect/Stream"
 *
 * const events = Stream.make(RunEvent.textDelta("Hello"), RunEvent.textDelta(", world"), RunEvent.runEnd())
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const textDelta = (text: string, options?: TextDeltaOptions): MessageDelta =>
  new MessageDelta({
    sendId: options?.sendId ?? 1,
    status: options?.status ?? (options?.isEnd === true ? "completed" : "in_progress"),
    messageId: options?.messageId ?? "msg_1",
    text,
    isEnd: options?.isEnd ?? false,
    content: [new Common.Content({ type: "text", text: new Common.Text({ value: text, annotations: null }) })]
  })

/**
 * Options of {@link runEnd}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunEndOptions {
  /** The run's terminal status (default `completed`). */
  readonly status?: string | undefined
  /** Default `run_1`. */
  readonly runId?: string | undefined
  /** Default `thread_1`. */
  readonly threadId?: string | undefined
  /** Default `asst_1`. */
  readonly assistantId?: string | undefined
  /** Default `1`. */
  readonly sendId?: number | undefined
}

/**
 * A {@link RunEnd} (default status `completed`) whose `run` is a minimal run object with the same ids
 * and status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const runEnd = (options?: RunEndOptions): RunEnd => {
  const status = options?.status ?? "completed"
  const runId = options?.runId ?? "run_1"
  const threadId = options?.threadId ?? "thread_1"
  const assistantId = options?.assistantId ?? "asst_1"
  return new RunEnd({
    sendId: options?.sendId ?? 1,
    status,
    message: "",
    runId,
    threadId,
    assistantId,
    run: new Run({ id: runId, object: "thread.run", threadId, assistantId, status })
  })
}
