/**
 * The implementation of `RunEvent.handle`: the context of the event being handled (as the official
 * client's `StreamRunContext` keeps it) and the dispatch of each event to its callback.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  MessageCreation,
  MessageDelta,
  Resumed,
  RunBegin,
  RunCancelling,
  RunEnd,
  RunEvent,
  ToolCalls,
  ToolStepBegin,
  ToolStepEnd,
  ToolSubmittedOutput,
  Unknown
} from "../RunEvent.js"
import type { Run, ToolCall } from "./models/run.js"

/**
 * The context of the event being handled, maintained as the official `StreamRunContext`:
 *
 * - before each event, `currentEvent`, `currentToolCalls` and `currentRunStepId` are reset, so the
 *   step-scoped fields are only set during the callback of the event that set them;
 * - {@link RunBegin} sets `currentRunId`, `currentThreadId` and `currentAssistantId` (they persist for
 *   the rest of the stream); {@link ToolCalls} sets `currentToolCalls`; {@link ToolStepBegin} and
 *   {@link ToolStepEnd} set `currentRunStepId`; {@link Resumed} sets `currentRunId` and `currentThreadId`
 *   when no `RunBegin` did (the stream broke before it);
 * - a value is stored only when it is a non-empty string / non-empty list, else the field is `undefined`.
 *
 * Each callback receives an immutable snapshot.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamRunContext {
  /** The event being handled. */
  readonly currentEvent: RunEvent | undefined
  /** The tool calls of the {@link ToolCalls} event being handled. */
  readonly currentToolCalls: ReadonlyArray<ToolCall> | undefined
  /** The step id of the {@link ToolStepBegin} / {@link ToolStepEnd} event being handled. */
  readonly currentRunStepId: string | undefined
  /** The run id, from the {@link RunBegin} event. */
  readonly currentRunId: string | undefined
  /** The thread id, from the {@link RunBegin} event. */
  readonly currentThreadId: string | undefined
  /** The assistant id, from the {@link RunBegin} event. */
  readonly currentAssistantId: string | undefined
}

/**
 * The context before the first event: every field `undefined`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialContext: StreamRunContext = {
  currentEvent: undefined,
  currentToolCalls: undefined,
  currentRunStepId: undefined,
  currentRunId: undefined,
  currentThreadId: undefined,
  currentAssistantId: undefined
}

const nonEmpty = (value: string): string | undefined => (value === "" ? undefined : value)

/**
 * The context after `event`, given the context after the previous event.
 *
 * @since 0.1.0
 * @category combinators
 */
export const nextContext = (self: StreamRunContext, event: RunEvent): StreamRunContext => {
  const base: StreamRunContext = {
    currentEvent: event,
    currentToolCalls: undefined,
    currentRunStepId: undefined,
    currentRunId: self.currentRunId,
    currentThreadId: self.currentThreadId,
    currentAssistantId: self.currentAssistantId
  }
  switch (event._tag) {
    case "RunBegin":
      return {
        ...base,
        currentRunId: nonEmpty(event.run.id),
        currentThreadId: nonEmpty(event.run.threadId),
        currentAssistantId: nonEmpty(event.run.assistantId)
      }
    case "ToolCalls":
      return { ...base, currentToolCalls: event.toolCalls.length === 0 ? undefined : event.toolCalls }
    case "ToolStepBegin":
    case "ToolStepEnd":
      return { ...base, currentRunStepId: nonEmpty(event.step.id) }
    case "Resumed":
      return {
        ...base,
        currentRunId: self.currentRunId ?? nonEmpty(event.runId),
        currentThreadId: self.currentThreadId ?? nonEmpty(event.threadId)
      }
    default:
      return base
  }
}

type Callback<Event> = (event: Event, context: StreamRunContext) => Effect.Effect<unknown, unknown, unknown>

/**
 * One optional effectful callback per official `AssistantEventHandler` callback, plus
 * `onUnknown`. Each is called with the event and the {@link StreamRunContext} after that event; the
 * stream waits for the callback (so a callback of {@link ToolCalls} may submit the tool outputs, and
 * the same stream then continues). A failing callback fails the whole `handle` (the HTTP stream is
 * closed); errors are not swallowed as in the official client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Handlers {
  /** `run_begin` (official `run_begin`). */
  readonly onRunBegin?: Callback<RunBegin> | undefined
  /** `run_end` (official `run_end`). */
  readonly onRunEnd?: Callback<RunEnd> | undefined
  /** `tool_calls` (official `tool_calls`). */
  readonly onToolCalls?: Callback<ToolCalls> | undefined
  /** `tool_step_begin` (official `tool_step_begin`). */
  readonly onToolStepBegin?: Callback<ToolStepBegin> | undefined
  /** `tool_step_end` (official `tool_step_end`). */
  readonly onToolStepEnd?: Callback<ToolStepEnd> | undefined
  /** `tool_submitted_output` (official `tool_submitted_output`). */
  readonly onToolSubmittedOutput?: Callback<ToolSubmittedOutput> | undefined
  /** `message_creation` (official `message_creation`). */
  readonly onMessageCreation?: Callback<MessageCreation> | undefined
  /** Every text delta (official `messages`). */
  readonly onMessage?: Callback<MessageDelta> | undefined
  /** `run_cancelling` (official `run_cancelling`). */
  readonly onRunCancelling?: Callback<RunCancelling> | undefined
  /** Any {@link Unknown} event (the official client only logs them). */
  readonly onUnknown?: Callback<Unknown> | undefined
  /** The stream broke and now follows the run by polling ({@link Resumed}; the official client has no such event). */
  readonly onResumed?: Callback<Resumed> | undefined
}

type ErrorOf<F> = F extends (...args: ReadonlyArray<never>) => Effect.Effect<infer _A, infer E, infer _R> ? E : never
type ContextOf<F> = F extends (...args: ReadonlyArray<never>) => Effect.Effect<infer _A, infer _E, infer R> ? R
  : never

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace Handlers {
  /**
   * The union of the error types of the callbacks of `H`.
   *
   * @since 0.1.0
   * @category models
   */
  export type Error<H> = { readonly [K in keyof H]-?: ErrorOf<H[K]> }[keyof H]

  /**
   * The union of the requirements of the callbacks of `H`.
   *
   * @since 0.1.0
   * @category models
   */
  export type Context<H> = { readonly [K in keyof H]-?: ContextOf<H[K]> }[keyof H]

  /**
   * Rejects keys that are not callbacks of {@link Handlers} (e.g. a misspelled `onMessages`).
   *
   * @since 0.1.0
   * @category models
   */
  export type NoExcess<H> = { readonly [K in Exclude<keyof H, keyof Handlers>]: never }
}

/**
 * What {@link handle} returns once the stream ended.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandleResult {
  /** The {@link RunEnd} event, when the stream reached it (a run stream always does unless it failed). */
  readonly runEnd: Option.Option<RunEnd>
  /** The latest run object seen ({@link RunBegin}, {@link RunCancelling} or {@link RunEnd}). */
  readonly run: Option.Option<Run>
  /**
   * The tool calls of the last {@link ToolCalls} event when neither a {@link ToolSubmittedOutput}, a
   * {@link ToolStepEnd}, a {@link RunCancelling} nor a {@link RunEnd} followed it: what the run still
   * waits for when the stream stopped early (e.g. `Stream.takeUntil(RunEvent.isToolCalls)`). Empty
   * otherwise.
   */
  readonly pendingToolCalls: ReadonlyArray<ToolCall>
  /** The context after the last event (its run, thread and assistant ids persist). */
  readonly context: StreamRunContext
}

const call = <Event>(
  callback: Callback<Event> | undefined,
  event: Event,
  context: StreamRunContext
): Effect.Effect<unknown, unknown, unknown> => callback === undefined ? Effect.void : callback(event, context)

/**
 * Runs `self`, calling the matching callback of `handlers` for each event (see `RunEvent.handle`).
 *
 * @since 0.1.0
 * @internal
 */
export const handle = <E, R, H extends Handlers>(
  self: Stream.Stream<RunEvent, E, R>,
  handlers: H
): Effect.Effect<HandleResult, E | Handlers.Error<H>, R | Handlers.Context<H>> =>
  Effect.suspend(() => {
    let context = initialContext
    let runEnd = Option.none<RunEnd>()
    let run = Option.none<Run>()
    let pendingToolCalls: ReadonlyArray<ToolCall> = []
    const onEvent = (event: RunEvent): Effect.Effect<unknown, unknown, unknown> => {
      context = nextContext(context, event)
      switch (event._tag) {
        case "RunBegin":
          run = Option.some(event.run)
          return call(handlers.onRunBegin, event, context)
        case "ToolStepBegin":
          return call(handlers.onToolStepBegin, event, context)
        case "MessageCreation":
          return call(handlers.onMessageCreation, event, context)
        case "MessageDelta":
          return call(handlers.onMessage, event, context)
        case "ToolCalls":
          pendingToolCalls = event.toolCalls
          return call(handlers.onToolCalls, event, context)
        case "ToolSubmittedOutput":
          pendingToolCalls = []
          return call(handlers.onToolSubmittedOutput, event, context)
        case "ToolStepEnd":
          pendingToolCalls = []
          return call(handlers.onToolStepEnd, event, context)
        case "RunCancelling":
          pendingToolCalls = []
          run = Option.some(event.run)
          return call(handlers.onRunCancelling, event, context)
        case "RunEnd":
          pendingToolCalls = []
          run = Option.some(event.run)
          runEnd = Option.some(event)
          return call(handlers.onRunEnd, event, context)
        case "Unknown":
          return call(handlers.onUnknown, event, context)
        case "Resumed":
          return call(handlers.onResumed, event, context)
      }
    }
    // The callbacks are typed by the `Handlers` constraint (errors and requirements `unknown`); `H`
    // itself says which errors and requirements they really have.
    const drained = Stream.runForEach(self, onEvent) as Effect.Effect<
      void,
      E | Handlers.Error<H>,
      R | Handlers.Context<H>
    >
    return Effect.map(drained, (): HandleResult => ({ runEnd, run, pendingToolCalls, context }))
  })
