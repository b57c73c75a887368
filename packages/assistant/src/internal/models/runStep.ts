/**
 * The run step model and its details, used by `RunSteps` (which re-exports them) and by the events
 * of `RunEvent`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"
import { lenientNumber, lenientString, nullOr, openEnum } from "../schema.js"
import { LastErrorLenient, ToolCall } from "./run.js"

/**
 * `{message_id}` of the message a step created.
 *
 * @since 0.1.0
 * @category models
 */
export class MessageCreationDetails extends Schema.Class<MessageCreationDetails>(
  "@effect-appbuilder/assistant/MessageCreationDetails"
)({
  messageId: lenientString.pipe(Schema.fromKey("message_id"))
}) {}

/**
 * A step's action (camelCase on the wire too).
 *
 * @since 0.1.0
 * @category models
 */
export class ActionInfo extends Schema.Class<ActionInfo>("@effect-appbuilder/assistant/ActionInfo")({
  toolName: nullOr(Schema.String),
  actionName: nullOr(Schema.String),
  actionContent: nullOr(Schema.String)
}) {}

/**
 * One tool invocation reported in a step's details.
 *
 * @since 0.1.0
 * @category models
 */
export class ToolInfo extends Schema.Class<ToolInfo>("@effect-appbuilder/assistant/ToolInfo")({
  type: lenientString,
  name: lenientString,
  arguments: lenientString,
  output: lenientString
}) {}

/**
 * What a step did: created a message, or called tools.
 *
 * @since 0.1.0
 * @category models
 */
export class RunStepDetails extends Schema.Class<RunStepDetails>("@effect-appbuilder/assistant/RunStepDetails")({
  type: lenientString,
  messageCreation: nullOr(MessageCreationDetails).pipe(Schema.fromKey("message_creation")),
  actionInfo: nullOr(ActionInfo).pipe(Schema.fromKey("action_info")),
  toolCalls: nullOr(Schema.Array(ToolCall)).pipe(Schema.fromKey("tool_calls")),
  toolInfo: nullOr(Schema.Array(ToolInfo)).pipe(Schema.fromKey("tool_info"))
}) {}

/**
 * A step of a run (`step-1`, `step-2`, …; ids are unique per run only). `type` may be `null` (observed)
 * and `lastError` is `null` when the service sends `""`.
 *
 * The details are read from `step_details`; the misspelled key `step_datail` that the official client
 * reads is accepted too ({@link RunStep.details} gives whichever is present).
 *
 * @since 0.1.0
 * @category models
 */
export class RunStep extends Schema.Class<RunStep>("@effect-appbuilder/assistant/RunStep")({
  id: lenientString,
  object: lenientString,
  assistantId: lenientString.pipe(Schema.fromKey("assistant_id")),
  threadId: lenientString.pipe(Schema.fromKey("thread_id")),
  runId: lenientString.pipe(Schema.fromKey("run_id")),
  status: Schema.optionalWith(
    openEnum("in_progress", "completed", "cancelled", "failed", "expired"),
    { default: () => "", nullable: true }
  ),
  type: nullOr(Schema.String),
  lastError: Schema.optionalWith(LastErrorLenient, { default: () => null }).pipe(Schema.fromKey("last_error")),
  stepDetails: nullOr(RunStepDetails).pipe(Schema.fromKey("step_details")),
  /** The same details under the misspelled key some clients use; prefer {@link RunStep.details}. */
  stepDatail: nullOr(RunStepDetails).pipe(Schema.fromKey("step_datail")),
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at")),
  startedAt: lenientNumber.pipe(Schema.fromKey("started_at")),
  expiredAt: lenientNumber.pipe(Schema.fromKey("expired_at")),
  cancelledAt: lenientNumber.pipe(Schema.fromKey("cancelled_at")),
  failedAt: lenientNumber.pipe(Schema.fromKey("failed_at")),
  completedAt: lenientNumber.pipe(Schema.fromKey("completed_at"))
}) {
  /**
   * The step details, from `step_details` or else `step_datail`.
   *
   * @since 0.1.0
   */
  get details(): RunStepDetails | null {
    return this.stepDetails ?? this.stepDatail
  }
}
