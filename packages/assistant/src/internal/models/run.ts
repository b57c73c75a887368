/**
 * The run model and its parts (tool calls, required action, last error, final answer). They live in
 * an internal module because both `Runs` (its service decodes runs) and `RunEvent` (its events carry a
 * run) need them, while `Runs` itself needs `RunEvent` for the stream: defining them here keeps the
 * modules acyclic. `Runs` re-exports them.
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"
import { contentText, RunStatus } from "../../Common.js"
import { lenientArray, lenientNumber, lenientString, nullOr, openEnumField } from "../schema.js"
import { ContentList } from "./content.js"
import { AssistantTool } from "./tool.js"

/**
 * The function part of a {@link ToolCall}: `arguments` is a string holding compact JSON, `output` is
 * `""` until submitted.
 *
 * @since 0.1.0
 * @category models
 */
export class FunctionCall extends Schema.Class<FunctionCall>("@effect-appbuilder/assistant/FunctionCall")({
  name: lenientString,
  arguments: lenientString,
  output: lenientString
}) {}

/**
 * A call of a function tool asked for by the model.
 *
 * @since 0.1.0
 * @category models
 */
export class ToolCall extends Schema.Class<ToolCall>("@effect-appbuilder/assistant/ToolCall")({
  id: lenientString,
  type: openEnumField("function", "function"),
  function: nullOr(FunctionCall)
}) {}

/**
 * The tool calls awaiting outputs.
 *
 * @since 0.1.0
 * @category models
 */
export class SubmitToolOutputsAction extends Schema.Class<SubmitToolOutputsAction>(
  "@effect-appbuilder/assistant/SubmitToolOutputsAction"
)({
  toolCalls: lenientArray(ToolCall).pipe(Schema.fromKey("tool_calls"))
}) {}

/**
 * What a run in `requires_action` waits for.
 *
 * @since 0.1.0
 * @category models
 */
export class RequiredAction extends Schema.Class<RequiredAction>("@effect-appbuilder/assistant/RequiredAction")({
  type: openEnumField("submit_tool_outputs", "submit_tool_outputs"),
  submitToolOutputs: nullOr(SubmitToolOutputsAction).pipe(Schema.fromKey("submit_tool_outputs"))
}) {}

/**
 * The error of a failed run or step.
 *
 * @since 0.1.0
 * @category models
 */
export class LastError extends Schema.Class<LastError>("@effect-appbuilder/assistant/LastError")({
  type: lenientString,
  message: lenientString
}) {}

/**
 * `last_error` as the service sends it: an object, `null`, or a string (`""` observed in run-step
 * lists, decoded as `null`; any other string becomes the message of a {@link LastError}).
 *
 * @since 0.1.0
 * @category models
 */
export const LastErrorLenient = Schema.Union(
  LastError,
  Schema.Null,
  Schema.transform(Schema.String, Schema.NullOr(Schema.typeSchema(LastError)), {
    strict: true,
    decode: (text) => (text === "" ? null : new LastError({ type: "", message: text })),
    encode: (error) => (error === null ? "" : error.message)
  })
)

/**
 * The message of a {@link FinalAnswer}.
 *
 * @since 0.1.0
 * @category models
 */
export class FinalAnswerMessage extends Schema.Class<FinalAnswerMessage>(
  "@effect-appbuilder/assistant/FinalAnswerMessage"
)({
  messageId: lenientString.pipe(Schema.fromKey("message_id")),
  content: Schema.optionalWith(ContentList, { default: () => [] })
}) {}

/**
 * The answer of a blocking run (`run.result`); `null` elsewhere.
 *
 * @since 0.1.0
 * @category models
 */
export class FinalAnswer extends Schema.Class<FinalAnswer>("@effect-appbuilder/assistant/FinalAnswer")({
  type: openEnumField("message", "message"),
  message: nullOr(FinalAnswerMessage)
}) {
  /**
   * The answer's text (all text items concatenated).
   *
   * @since 0.1.0
   */
  get text(): string {
    return this.message === null ? "" : contentText(this.message.content)
  }
}

/**
 * A run: both the `thread.run` object (stream, list, query, submit, cancel) and the `run.result`
 * answer of a blocking run (which has `finalAnswer` and `logId`). Timestamps are epoch milliseconds,
 * `0` meaning "not set".
 *
 * @since 0.1.0
 * @category models
 */
export class Run extends Schema.Class<Run>("@effect-appbuilder/assistant/Run")({
  id: lenientString,
  object: lenientString,
  assistantId: lenientString.pipe(Schema.fromKey("assistant_id")),
  threadId: lenientString.pipe(Schema.fromKey("thread_id")),
  model: lenientString,
  instructions: lenientString,
  thoughtInstructions: lenientString.pipe(Schema.fromKey("thought_instructions")),
  chatInstructions: lenientString.pipe(Schema.fromKey("chat_instructions")),
  tools: nullOr(Schema.Array(AssistantTool)),
  fileIds: nullOr(Schema.Array(Schema.String)).pipe(Schema.fromKey("file_ids")),
  status: Schema.optionalWith(RunStatus, { default: () => "", nullable: true }),
  requiredAction: nullOr(RequiredAction).pipe(Schema.fromKey("required_action")),
  lastError: Schema.optionalWith(LastErrorLenient, { default: () => null }).pipe(Schema.fromKey("last_error")),
  finalAnswer: nullOr(FinalAnswer).pipe(Schema.fromKey("final_answer")),
  logId: lenientString.pipe(Schema.fromKey("log_id")),
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at")),
  startedAt: lenientNumber.pipe(Schema.fromKey("started_at")),
  expiredAt: lenientNumber.pipe(Schema.fromKey("expired_at")),
  cancelledAt: lenientNumber.pipe(Schema.fromKey("cancelled_at")),
  failedAt: lenientNumber.pipe(Schema.fromKey("failed_at")),
  completedAt: lenientNumber.pipe(Schema.fromKey("completed_at"))
}) {
  /**
   * The tool calls the run waits for (empty unless `requires_action`).
   *
   * @since 0.1.0
   */
  get toolCalls(): ReadonlyArray<ToolCall> {
    return this.requiredAction?.submitToolOutputs?.toolCalls ?? []
  }

  /**
   * True when the run reached a terminal status (`completed`, `failed`, `cancelled`, `expired`).
   *
   * @since 0.1.0
   */
  get isTerminal(): boolean {
    return this.status === "completed" || this.status === "failed" || this.status === "cancelled" ||
      this.status === "expired"
  }
}
