/**
 * The events a run publishes while it executes, before they are framed for one stream (the stream
 * assigns `send_id`, see `sse.ts`).
 *
 * @since 0.1.0
 */
import type { JsonObject } from "./json.js"
import type * as Store from "./Store.js"
import * as Wire from "./Wire.js"

/**
 * The eight `event_type`s of a `status` event.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusEventType =
  | "run_begin"
  | "run_end"
  | "tool_step_begin"
  | "tool_step_end"
  | "tool_calls"
  | "tool_submitted_output"
  | "message_creation"
  | "run_cancelling"

/**
 * A `status` event: `{status, send_id, message, event_type, details}`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusEvent {
  readonly _tag: "Status"
  readonly status: string
  readonly message: string
  readonly eventType: StatusEventType
  readonly details: JsonObject
}

/**
 * A `message` event (one text delta): `{status, send_id, is_end, message_id, message_index, content[, metadata]}`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageEvent {
  readonly _tag: "Message"
  readonly messageId: string
  readonly text: string
  readonly final: boolean
}

/**
 * Not an event on the wire: tells the streams attached so far that another request took the run over; they
 * end without writing anything more.
 *
 * @since 0.1.0
 * @category models
 */
export interface Detach {
  readonly _tag: "Detach"
}

/**
 * Not published by runs: a stream's own idle timer puts it in the stream's queue, to send a `ping`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ping {
  readonly _tag: "Ping"
}

/**
 * @since 0.1.0
 * @category models
 */
export type RunEvent = StatusEvent | MessageEvent | Detach | Ping

/**
 * @since 0.1.0
 * @category constructors
 */
export const status = (
  eventType: StatusEventType,
  status: string,
  message: string,
  details: JsonObject
): StatusEvent => ({ _tag: "Status", eventType, status, message, details })

/**
 * @since 0.1.0
 * @category constructors
 */
export const message = (messageId: string, text: string, final: boolean): MessageEvent => ({
  _tag: "Message",
  messageId,
  text,
  final
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const detach: Detach = { _tag: "Detach" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const ping: Ping = { _tag: "Ping" }

/**
 * True for the events after which a blocking run call answers: the run waits for tools, or ended.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSettling = (event: RunEvent): boolean =>
  event._tag === "Detach" ||
  (event._tag === "Status" && (event.eventType === "tool_calls" || event.eventType === "run_end"))

/**
 * `run_begin`: always `status: "queued"`, with the run object.
 *
 * @since 0.1.0
 * @category constructors
 */
export const runBegin = (run: Store.RunRecord): StatusEvent =>
  status("run_begin", "queued", `begin to run. logId:${run.logId}`, { type: "run_object", run_object: Wire.run(run) })

/**
 * `tool_step_begin` with the step object.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stepBegin = (step: Store.StepRecord): StatusEvent =>
  status("tool_step_begin", step.status, "begin to run step", {
    type: "run_step_object",
    run_step_object: Wire.streamStep(step)
  })

/**
 * `message_creation` announcing the answer message id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const messageCreation = (messageId: string): StatusEvent =>
  status("message_creation", "in_progress", "message created", {
    type: "message_creation",
    message_creation: { message_id: messageId }
  })

/**
 * `tool_calls`: the run waits for the outputs of these calls.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolCalls = (calls: ReadonlyArray<Store.ToolCallRecord>): StatusEvent =>
  status("tool_calls", "requires_action", "requires action", {
    type: "tool_calls",
    tool_calls: calls.map(Wire.toolCall)
  })

/**
 * `tool_submitted_output`: the calls, with their outputs.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toolSubmittedOutput = (calls: ReadonlyArray<Store.ToolCallRecord>): StatusEvent =>
  status("tool_submitted_output", "in_progress", "tool output submitted", {
    type: "tool_calls",
    tool_calls: calls.map(Wire.toolCall)
  })

/**
 * `tool_step_end`, reporting the step's final status.
 *
 * @since 0.1.0
 * @category constructors
 */
export const stepEnd = (step: Store.StepRecord): StatusEvent =>
  status("tool_step_end", step.status, "step end", { type: "run_step_object", run_step_object: Wire.streamStep(step) })

/**
 * `run_cancelling`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const runCancelling = (run: Store.RunRecord): StatusEvent =>
  status("run_cancelling", "cancelling", "run cancelling", { type: "run_object", run_object: Wire.run(run) })

const terminalAt = (run: Store.RunRecord): number =>
  Math.max(run.completedAt, run.cancelledAt, run.failedAt, run.expiredAt)

/**
 * `run_end`, reporting the run's terminal status; a failed run also carries `error_info`.
 * The text gives the duration since `started_at` in whole seconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const runEnd = (run: Store.RunRecord): StatusEvent => {
  const seconds = Math.max(0, Math.round((terminalAt(run) - run.startedAt) / 1000))
  const details: JsonObject = run.lastError === null
    ? { type: "run_object", run_object: Wire.run(run) }
    : {
      type: "run_object",
      run_object: Wire.run(run),
      error_info: { type: run.lastError.type, message: run.lastError.message }
    }
  return status("run_end", run.status, `run end. duration:${seconds}s logId:${run.logId}`, details)
}
