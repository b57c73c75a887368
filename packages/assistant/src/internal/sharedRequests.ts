/**
 * The request Schemas that several operations share: function tools, inline messages, model parameters,
 * user information and location, tool outputs. Each encodes to the wire form the official client sends
 * (snake_case keys, in its order, every key present).
 *
 * @since 0.1.0
 * @internal
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { MessageRole } from "../Common.js"
import {
  alwaysChecked,
  encodedOnce,
  FileIds,
  Id,
  ignoringUnknownKeys,
  orNull,
  orNullValue,
  required,
  withDefault,
  withNullishDefault
} from "./requestSchema.js"
import { jsonShapeProblem } from "./toolSchema.js"

// -----------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------

const functionSchemaFields = {
  type: withDefault(Schema.String, "object"),
  properties: orNull(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  required: orNull(Schema.Array(Schema.String))
}

const FunctionSchemaWire = Schema.Struct(functionSchemaFields).annotations(ignoringUnknownKeys)

/**
 * The JSON schema of a function tool's input (or output). Any keyword is accepted; only `type` (default
 * `object`), `properties` and `required` are sent, as the official client does. A schema that contains
 * itself, or is nested deeper than the service accepts, is rejected.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const FunctionSchema = Schema.transform(
  FunctionSchemaWire,
  Schema.typeSchema(Schema.Struct(functionSchemaFields, Schema.Record({ key: Schema.String, value: Schema.Unknown })))
    .pipe(Schema.filter((schema) => {
      // the schema object is level 1 and its `properties` level 2
      const problem = Predicate.isRecord(schema.properties) ? jsonShapeProblem(schema.properties, 2) : undefined
      return problem ?? true
    })),
  {
    strict: true,
    decode: (wire) => wire,
    encode: (schema) => ({ type: schema.type, properties: schema.properties, required: schema.required })
  }
)

/**
 * One turn of an example dialogue of a function tool (`role` defaults to `user`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const Example = Schema.Struct({
  role: withDefault(Schema.String, "user"),
  content: Schema.String,
  functionCall: required(
    orNullValue(Schema.Struct({ name: Schema.String, arguments: Schema.String })).pipe(
      Schema.filter((call) => call !== null || "is required")
    ),
    "function_call"
  )
}).annotations(ignoringUnknownKeys)

/**
 * The definition of a function tool: `name` (not empty) and `description` are required.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const FunctionDefinition = Schema.Struct({
  name: Id,
  description: Schema.String,
  parameters: orNull(FunctionSchema),
  responses: orNull(FunctionSchema),
  examples: orNull(Schema.Array(Schema.Array(Example)))
}).annotations(ignoringUnknownKeys)

const ToolType = Schema.declare((u): u is "function" | (string & {}) => Predicate.isString(u), {
  title: "a tool type"
}).pipe(
  Schema.filter((type) => type === "function" || `must be "function", the only tool type (got ${JSON.stringify(type)})`)
)

/**
 * A function tool (`type` defaults to `function`, the only type the service knows).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const Tool = Schema.Struct({
  type: withDefault(ToolType, "function"),
  function: orNullValue(FunctionDefinition).pipe(Schema.filter((definition) => definition !== null || "is required"))
}).annotations(ignoringUnknownKeys)

/**
 * At most 10 function tools. A frozen list made by `ToolLoop.toolkit` is encoded once
 * (see `encodedOnce`): a loop sends the same definitions with every run.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const Tools = encodedOnce(
  Schema.Array(Tool).pipe(
    Schema.filter((tools) => tools.length <= 10 || `at most 10 tools are allowed (got ${tools.length})`, alwaysChecked)
  )
)

// -----------------------------------------------------------------------------
// messages
// -----------------------------------------------------------------------------

/**
 * A message given inline (thread creation, a run's `thread`): role `user` by default, at most 10 file ids.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const InlineMessage = Schema.Struct({
  content: Schema.String,
  /** Default `user`. */
  role: withDefault(MessageRole, "user"),
  /** At most 10 file ids. */
  fileIds: withDefault(FileIds, []).pipe(Schema.fromKey("file_ids"))
}).annotations(ignoringUnknownKeys)

// -----------------------------------------------------------------------------
// model parameters, user info, user location
// -----------------------------------------------------------------------------

const range = (min: number, max: number, minExclusive: boolean) =>
  Schema.Number.pipe(Schema.filter((value) => {
    const inside = (minExclusive ? value > min : value >= min) && value <= max
    return inside || `must be in ${minExclusive ? "(" : "["}${min}, ${max}] (got ${value})`
  }))

interface SamplingDefaults {
  readonly temperature: number
  readonly top_p: number
  readonly penalty_score: number
}

/**
 * Sampling parameters with their defaults; temperature in (0, 1] (the service rejects 0), top_p in
 * [0, 1], penalty_score in [1, 2].
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const SamplingParameters = (defaults: SamplingDefaults) =>
  Schema.Struct({
    temperature: withDefault(range(0, 1, true), defaults.temperature),
    topP: withDefault(range(0, 1, false), defaults.top_p).pipe(Schema.fromKey("top_p")),
    penaltyScore: withDefault(range(1, 2, false), defaults.penalty_score).pipe(Schema.fromKey("penalty_score"))
  }).annotations(ignoringUnknownKeys)

const chatDefaults: SamplingDefaults = { temperature: 0.8, top_p: 0.8, penalty_score: 1.0 }
const thoughtDefaults: SamplingDefaults = { temperature: 0.01, top_p: 0, penalty_score: 1.0 }

/**
 * Model parameters, completed with the official defaults: chat 0.8 / 0.8 / 1.0, thought 0.01 / 0 / 1.0.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const ModelParameters = Schema.Struct({
  chatParameters: withNullishDefault(SamplingParameters(chatDefaults), chatDefaults).pipe(
    Schema.fromKey("chat_parameters")
  ),
  thoughtParameters: withNullishDefault(SamplingParameters(thoughtDefaults), thoughtDefaults).pipe(
    Schema.fromKey("thought_parameters")
  )
}).annotations(ignoringUnknownKeys)

/**
 * Information about the end user, every key sent (`null` when unset).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const UserInfo = Schema.Struct({
  id: orNull(Schema.String),
  name: orNull(Schema.String),
  nickname: orNull(Schema.String),
  watermark: orNull(Schema.String),
  intro: orNull(Schema.String),
  baiduId: orNull(Schema.String).pipe(Schema.fromKey("baidu_id"))
}).annotations(ignoringUnknownKeys)

/**
 * The end user's location, every key sent (`null` when unset).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const UserLoc = Schema.Struct({
  loc: orNull(Schema.String),
  uip: orNull(Schema.String),
  uipv6: orNull(Schema.String)
}).annotations(ignoringUnknownKeys)

// -----------------------------------------------------------------------------
// tool outputs
// -----------------------------------------------------------------------------

/**
 * A tool output in a list of submitted outputs (`run_id` is sent as given, `""` by default, as the
 * official client does).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const SubmittedToolOutput = Schema.Struct({
  toolCallId: required(Id, "tool_call_id"),
  output: Schema.String,
  runId: withDefault(Schema.String, "").pipe(Schema.fromKey("run_id"))
}).annotations(ignoringUnknownKeys)

/**
 * The single tool output that continues a blocking run: its `runId` is required and not empty (optional
 * in the type, which a list of submitted outputs shares).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const ContinuationToolOutput = SubmittedToolOutput.pipe(
  Schema.filter((output) => {
    // checked even when other fields are invalid: the input as given (a non-object is reported by the Struct)
    if (!Predicate.isRecord(output)) return true
    const runId: unknown = output["runId"]
    if (runId === undefined) return { path: ["runId"], message: "is required" }
    return !Predicate.isString(runId) || runId.trim() !== "" || { path: ["runId"], message: "must not be empty" }
  }, alwaysChecked)
)
