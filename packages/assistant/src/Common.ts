/**
 * Models shared by several resources: the literal lists (response format, message role, list order,
 * run status, model names), message content, list pages and paging options, deletion status, model
 * parameters, user info / location and metadata. The models owned by one resource live with it: `Run`
 * and its parts in `Runs`, `RunStep` in `RunSteps`, `Message` in `Messages`, `File` in `Files`,
 * `Assistant` and the tool models in `Assistants`.
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
import { lenientString, nullOr, openEnum, openEnumField } from "./internal/schema.js"
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
  value: lenientString,
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
    object: lenientString,
    data: Schema.optionalWith(Schema.Array(item), { default: () => [], nullable: true }),
    firstId: lenientString.pipe(Schema.fromKey("first_id")),
    lastId: lenientString.pipe(Schema.fromKey("last_id")),
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
  id: lenientString,
  object: lenientString,
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
export interface SamplingParametersInput extends Schema.Schema.Type<ReturnType<typeof Requests.SamplingParameters>> {}

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
