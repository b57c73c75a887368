/**
 * Models shared by several resources: tools, message content, list pages, model parameters, user
 * info / location, tool calls, runs and run steps.
 *
 * Response models decode leniently: unknown fields are ignored, enumerations are open (unknown strings
 * are kept), absent keys get the official client's defaults and `null` is tolerated where the service
 * is known to send it. The TypeScript side is camelCase; snake_case lives only in the schemas.
 *
 * Request inputs (the `...Input` types) are the Type side of the request Schemas: the same Schema
 * checks an input strictly, reporting every problem at once, and encodes the body sent.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type * as RequestFields from "./internal/requestSchema.js"
import { array, metadata, nullOr, num, openEnum, openEnumField, str } from "./internal/schema.js"
import type * as Requests from "./internal/sharedRequests.js"

// -----------------------------------------------------------------------------
// enumerations
// -----------------------------------------------------------------------------

/**
 * The answer format of an assistant or a run: `text` or `json_object`.
 *
 * @since 0.1.0
 * @category models
 */
export const ResponseFormat = Schema.Literal("text", "json_object")

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseFormat = typeof ResponseFormat.Type

/**
 * The role of a message: `user` or `assistant`.
 *
 * @since 0.1.0
 * @category models
 */
export const MessageRole = Schema.Literal("user", "assistant")

/**
 * @since 0.1.0
 * @category models
 */
export type MessageRole = typeof MessageRole.Type

/**
 * The order of a list: `asc` (oldest first) or `desc` (newest first, the default).
 *
 * @since 0.1.0
 * @category models
 */
export const ListOrder = Schema.Literal("asc", "desc")

/**
 * @since 0.1.0
 * @category models
 */
export type ListOrder = typeof ListOrder.Type

/**
 * The statuses of a run (open: an unknown status is kept as a string).
 *
 * @since 0.1.0
 * @category models
 */
export const RunStatus = openEnum(
  "queued",
  "in_progress",
  "requires_action",
  "cancelling",
  "cancelled",
  "failed",
  "completed",
  "expired"
)

/**
 * @since 0.1.0
 * @category models
 */
export type RunStatus = typeof RunStatus.Type

/**
 * The model names known today (the official client's pair and the documented pair). They are offered as
 * suggestions only: the service adds and retires models, so any non-empty name is sent, and the service
 * rejects a name it does not know (an `HttpError` with reason `Api` and `param` `model`).
 *
 * @since 0.1.0
 * @category models
 */
export const KnownModel = Schema.Literal("ERNIE-4.0T-8K", "DeepSeek-V3.1", "ERNIE-4.0-8K", "ERNIE-3.5-8K")

/**
 * @since 0.1.0
 * @category models
 */
export type KnownModel = typeof KnownModel.Type

/**
 * A model name: one of the {@link KnownModel}s (suggested by the editor) or any other non-empty name.
 *
 * @since 0.1.0
 * @category models
 */
export type Model = KnownModel | (string & {})

/**
 * The model of a run request (an alias of {@link Model}: any non-empty name).
 *
 * @since 0.1.0
 * @category models
 */
export type RunModel = Model

/**
 * The deepest nesting accepted in a function tool's JSON schema (`parameters` / `responses`), counted in
 * JSON levels with the schema object itself at level 1: a schema nested deeper, or one that contains
 * itself, is a `ValidationError` on `tools.<i>.function.parameters`. A nested object property costs two
 * levels (`properties` and the property), so this allows about 15 nested objects.
 *
 * @since 0.1.0
 * @category models
 */
export const MAX_SCHEMA_DEPTH = 32

// -----------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------

/**
 * The JSON schema of a function tool's input (or output). Only `type`, `properties` and `required`
 * are kept, as the official client does.
 *
 * @since 0.1.0
 * @category models
 */
export class FunctionJsonSchema extends Schema.Class<FunctionJsonSchema>("@effect-appbuilder/assistant/FunctionJsonSchema")({
  type: Schema.optionalWith(Schema.String, { default: () => "object", nullable: true }),
  properties: nullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  required: nullOr(Schema.Array(Schema.String))
}) {}

/**
 * The function call of an {@link AssistantExample}.
 *
 * @since 0.1.0
 * @category models
 */
export class ExampleFunctionCall extends Schema.Class<ExampleFunctionCall>(
  "@effect-appbuilder/assistant/ExampleFunctionCall"
)({
  name: str,
  arguments: str
}) {}

/**
 * One turn of an example dialogue of a function tool.
 *
 * @since 0.1.0
 * @category models
 */
export class AssistantExample extends Schema.Class<AssistantExample>("@effect-appbuilder/assistant/AssistantExample")({
  role: Schema.optionalWith(Schema.String, { default: () => "user", nullable: true }),
  content: str,
  functionCall: nullOr(ExampleFunctionCall).pipe(Schema.fromKey("function_call"))
}) {}

/**
 * The definition of a function tool.
 *
 * @since 0.1.0
 * @category models
 */
export class FunctionDefinition extends Schema.Class<FunctionDefinition>(
  "@effect-appbuilder/assistant/FunctionDefinition"
)({
  name: str,
  description: str,
  parameters: nullOr(FunctionJsonSchema),
  responses: nullOr(FunctionJsonSchema),
  examples: nullOr(Schema.Array(Schema.Array(AssistantExample)))
}) {}

/**
 * A tool of an assistant or a run (only `function` tools exist).
 *
 * @since 0.1.0
 * @category models
 */
export class AssistantTool extends Schema.Class<AssistantTool>("@effect-appbuilder/assistant/AssistantTool")({
  type: openEnumField("function", "function"),
  function: nullOr(FunctionDefinition)
}) {}

/**
 * A function tool's JSON schema as given by the caller. Any keyword other than `type`, `properties`
 * and `required` is accepted and dropped (as the official client does).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface FunctionJsonSchemaInput extends Schema.Schema.Type<typeof Requests.FunctionSchema> {}

/**
 * An example turn of a function tool, as given by the caller.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface AssistantExampleInput extends Schema.Schema.Type<typeof Requests.Example> {}

/**
 * A function definition as given by the caller: `name` and `description` are required.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface FunctionDefinitionInput extends Schema.Schema.Type<typeof Requests.FunctionDefinition> {}

/**
 * A tool as given by the caller. A decoded {@link AssistantTool} is accepted too. `type` must be
 * `function` (the only tool type of the service; the default).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface AssistantToolInput extends Schema.Schema.Type<typeof Requests.Tool> {}

// -----------------------------------------------------------------------------
// content
// -----------------------------------------------------------------------------

/**
 * The text of a {@link Content} item.
 *
 * @since 0.1.0
 * @category models
 */
export class Text extends Schema.Class<Text>("@effect-appbuilder/assistant/Text")({
  value: str,
  annotations: nullOr(Schema.Array(Schema.Unknown))
}) {}

/**
 * One content item of a message, a final answer or a message delta (only `text` occurs).
 *
 * @since 0.1.0
 * @category models
 */
export class Content extends Schema.Class<Content>("@effect-appbuilder/assistant/Content")({
  type: openEnumField("text", "text"),
  text: nullOr(Text)
}) {}

/**
 * Concatenates the text values of content items.
 *
 * @since 0.1.0
 * @category utils
 */
export const contentText = (content: ReadonlyArray<Content>): string =>
  content.map((item) => item.text?.value ?? "").join("")

/**
 * `content` given either as a list (current service) or a single object (before 2024-10).
 *
 * @since 0.1.0
 * @category models
 */
export const ContentList = Schema.Union(
  Schema.Array(Content),
  Schema.transform(Content, Schema.Array(Schema.typeSchema(Content)), {
    strict: true,
    decode: (item) => [item],
    encode: (items) => items[0] ?? new Content({ type: "text", text: null })
  }),
  Schema.transform(Schema.Null, Schema.Array(Schema.typeSchema(Content)), {
    strict: true,
    decode: () => [],
    encode: () => null
  })
)

// -----------------------------------------------------------------------------
// lists
// -----------------------------------------------------------------------------

/**
 * The envelope of a list answer: a page of `data`, the ids of its first and last items, and whether more
 * items follow (`hasMore`; pass `lastId` as `after` to get them).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListPage<A> {
  readonly object: string
  readonly data: ReadonlyArray<A>
  readonly firstId: string
  readonly lastId: string
  readonly hasMore: boolean
}

/**
 * The wire form of a list envelope.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListPageEncoded<I> {
  readonly object?: string | null | undefined
  readonly data?: ReadonlyArray<I> | null | undefined
  readonly first_id?: string | null | undefined
  readonly last_id?: string | null | undefined
  readonly has_more?: boolean | null | undefined
}

/**
 * The schema of a list envelope whose `data` holds items of `item`.
 *
 * @since 0.1.0
 * @category models
 */
export const ListPage = <A, I, R>(item: Schema.Schema<A, I, R>): Schema.Schema<ListPage<A>, ListPageEncoded<I>, R> =>
  Schema.Struct({
    object: str,
    data: Schema.optionalWith(Schema.Array(item), { default: () => [], nullable: true }),
    firstId: str.pipe(Schema.fromKey("first_id")),
    lastId: str.pipe(Schema.fromKey("last_id")),
    hasMore: Schema.optionalWith(Schema.Boolean, { default: () => false, nullable: true }).pipe(
      Schema.fromKey("has_more")
    )
  })

/**
 * Paging options of every `list` operation. Defaults as in the official client: `limit` 20, `order`
 * `desc`, no cursors.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListOptions extends Schema.Struct.Type<typeof RequestFields.listFields> {}

/**
 * A deletion status (`{id, object, deleted}`).
 *
 * @since 0.1.0
 * @category models
 */
export class DeletionStatus extends Schema.Class<DeletionStatus>("@effect-appbuilder/assistant/DeletionStatus")({
  id: str,
  object: str,
  deleted: Schema.optionalWith(Schema.Boolean, { default: () => false, nullable: true })
}) {}

// -----------------------------------------------------------------------------
// model parameters, user info, user location
// -----------------------------------------------------------------------------

/**
 * Sampling parameters of one of the two models of a run.
 *
 * @since 0.1.0
 * @category models
 */
export class SamplingParameters extends Schema.Class<SamplingParameters>(
  "@effect-appbuilder/assistant/SamplingParameters"
)({
  temperature: Schema.Number,
  topP: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("top_p")),
  penaltyScore: Schema.propertySignature(Schema.Number).pipe(Schema.fromKey("penalty_score"))
}) {}

/**
 * The model parameters of a run: `chat` is the model producing the reply, `thought` the planning /
 * tool-selection model.
 *
 * @since 0.1.0
 * @category models
 */
export class ModelParameters extends Schema.Class<ModelParameters>("@effect-appbuilder/assistant/ModelParameters")({
  chatParameters: Schema.propertySignature(SamplingParameters).pipe(Schema.fromKey("chat_parameters")),
  thoughtParameters: Schema.propertySignature(SamplingParameters).pipe(Schema.fromKey("thought_parameters"))
}) {}

/**
 * Sampling parameters as given by the caller. Ranges (checked before sending, as the service documents
 * them): temperature in (0, 1] (0 is rejected), topP in [0, 1], penaltyScore in [1, 2].
 *
 * @since 0.1.0
 * @category inputs
 */
export interface SamplingParametersInput
  extends Schema.Schema.Type<ReturnType<typeof Requests.SamplingParameters>>
{}

/**
 * Model parameters as given by the caller. Absent values get the official defaults: chat
 * 0.8 / 0.8 / 1.0, thought 0.01 / 0 / 1.0.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ModelParametersInput extends Schema.Schema.Type<typeof Requests.ModelParameters> {}

/**
 * Information about the end user (opaque to the service).
 *
 * @since 0.1.0
 * @category models
 */
export class UserInfo extends Schema.Class<UserInfo>("@effect-appbuilder/assistant/UserInfo")({
  id: nullOr(Schema.String),
  name: nullOr(Schema.String),
  nickname: nullOr(Schema.String),
  watermark: nullOr(Schema.String),
  intro: nullOr(Schema.String),
  baiduId: nullOr(Schema.String).pipe(Schema.fromKey("baidu_id"))
}) {}

/**
 * User information as given by the caller (absent fields are sent as `null`).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UserInfoInput extends Schema.Schema.Type<typeof Requests.UserInfo> {}

/**
 * The end user's location: `loc` is a string holding JSON, `uip` / `uipv6` the IP addresses.
 *
 * @since 0.1.0
 * @category models
 */
export class UserLoc extends Schema.Class<UserLoc>("@effect-appbuilder/assistant/UserLoc")({
  loc: nullOr(Schema.String),
  uip: nullOr(Schema.String),
  uipv6: nullOr(Schema.String)
}) {}

/**
 * A user location as given by the caller (absent fields are sent as `null`).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UserLocInput extends Schema.Schema.Type<typeof Requests.UserLoc> {}

// -----------------------------------------------------------------------------
// messages given in requests
// -----------------------------------------------------------------------------

/**
 * A message given inline to `Threads.create` or in a run's `thread`: role `user` by default, at most
 * 10 file ids.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface MessageInput extends Schema.Schema.Type<typeof Requests.InlineMessage> {}

// -----------------------------------------------------------------------------
// tool calls and runs
// -----------------------------------------------------------------------------

/**
 * The function part of a {@link ToolCall}: `arguments` is a string holding compact JSON, `output` is
 * `""` until submitted.
 *
 * @since 0.1.0
 * @category models
 */
export class FunctionCall extends Schema.Class<FunctionCall>("@effect-appbuilder/assistant/FunctionCall")({
  name: str,
  arguments: str,
  output: str
}) {}

/**
 * A call of a function tool asked for by the model.
 *
 * @since 0.1.0
 * @category models
 */
export class ToolCall extends Schema.Class<ToolCall>("@effect-appbuilder/assistant/ToolCall")({
  id: str,
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
  toolCalls: array(ToolCall).pipe(Schema.fromKey("tool_calls"))
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
  type: str,
  message: str
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
  messageId: str.pipe(Schema.fromKey("message_id")),
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
  id: str,
  object: str,
  assistantId: str.pipe(Schema.fromKey("assistant_id")),
  threadId: str.pipe(Schema.fromKey("thread_id")),
  model: str,
  instructions: str,
  thoughtInstructions: str.pipe(Schema.fromKey("thought_instructions")),
  chatInstructions: str.pipe(Schema.fromKey("chat_instructions")),
  tools: nullOr(Schema.Array(AssistantTool)),
  fileIds: nullOr(Schema.Array(Schema.String)).pipe(Schema.fromKey("file_ids")),
  status: Schema.optionalWith(RunStatus, { default: () => "", nullable: true }),
  requiredAction: nullOr(RequiredAction).pipe(Schema.fromKey("required_action")),
  lastError: Schema.optionalWith(LastErrorLenient, { default: () => null }).pipe(Schema.fromKey("last_error")),
  finalAnswer: nullOr(FinalAnswer).pipe(Schema.fromKey("final_answer")),
  logId: str.pipe(Schema.fromKey("log_id")),
  createdAt: num.pipe(Schema.fromKey("created_at")),
  startedAt: num.pipe(Schema.fromKey("started_at")),
  expiredAt: num.pipe(Schema.fromKey("expired_at")),
  cancelledAt: num.pipe(Schema.fromKey("cancelled_at")),
  failedAt: num.pipe(Schema.fromKey("failed_at")),
  completedAt: num.pipe(Schema.fromKey("completed_at"))
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

// -----------------------------------------------------------------------------
// run steps
// -----------------------------------------------------------------------------

/**
 * `{message_id}` of the message a step created.
 *
 * @since 0.1.0
 * @category models
 */
export class MessageCreation extends Schema.Class<MessageCreation>("@effect-appbuilder/assistant/MessageCreation")({
  messageId: str.pipe(Schema.fromKey("message_id"))
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
  type: str,
  name: str,
  arguments: str,
  output: str
}) {}

/**
 * What a step did: created a message, or called tools.
 *
 * @since 0.1.0
 * @category models
 */
export class RunStepDetails extends Schema.Class<RunStepDetails>("@effect-appbuilder/assistant/RunStepDetails")({
  type: str,
  messageCreation: nullOr(MessageCreation).pipe(Schema.fromKey("message_creation")),
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
  id: str,
  object: str,
  assistantId: str.pipe(Schema.fromKey("assistant_id")),
  threadId: str.pipe(Schema.fromKey("thread_id")),
  runId: str.pipe(Schema.fromKey("run_id")),
  status: Schema.optionalWith(
    openEnum("in_progress", "completed", "cancelled", "failed", "expired"),
    { default: () => "", nullable: true }
  ),
  type: nullOr(Schema.String),
  lastError: Schema.optionalWith(LastErrorLenient, { default: () => null }).pipe(Schema.fromKey("last_error")),
  stepDetails: nullOr(RunStepDetails).pipe(Schema.fromKey("step_details")),
  /** The same details under the misspelled key some clients use; prefer {@link RunStep.details}. */
  stepDatail: nullOr(RunStepDetails).pipe(Schema.fromKey("step_datail")),
  createdAt: num.pipe(Schema.fromKey("created_at")),
  startedAt: num.pipe(Schema.fromKey("started_at")),
  expiredAt: num.pipe(Schema.fromKey("expired_at")),
  cancelledAt: num.pipe(Schema.fromKey("cancelled_at")),
  failedAt: num.pipe(Schema.fromKey("failed_at")),
  completedAt: num.pipe(Schema.fromKey("completed_at"))
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

/**
 * A tool output (`{tool_call_id, output, run_id}`) as sent to the service.
 *
 * @since 0.1.0
 * @category models
 */
export class ToolOutput extends Schema.Class<ToolOutput>("@effect-appbuilder/assistant/ToolOutput")({
  toolCallId: str.pipe(Schema.fromKey("tool_call_id")),
  output: str,
  runId: str.pipe(Schema.fromKey("run_id"))
}) {}

/**
 * A tool output as given by the caller. `runId` is needed only for the `toolOutput` continuation of a
 * blocking run (it is sent as `""` inside `submitToolOutputs`).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ToolOutputInput extends Schema.Schema.Type<typeof Requests.SubmittedToolOutput> {}

/**
 * Metadata of an assistant / thread / run: at most 16 entries, key ≤ 64 and value ≤ 512 characters.
 *
 * @since 0.1.0
 * @category models
 */
export const Metadata = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type Metadata = typeof Metadata.Type

/**
 * Metadata field of a response: `null` and absent decode to `{}`.
 *
 * @since 0.1.0
 * @category models
 */
export const MetadataField = metadata
