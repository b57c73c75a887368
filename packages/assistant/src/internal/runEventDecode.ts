/**
 * The payloads of a run stream's SSE events decoded into {@link RunEvent.RunEvent}s: a `status` event
 * by its `event_type`, a `message` event as a text delta (with a fast path for the common shape), and
 * anything else as an `Unknown` event. A payload that does not decode is an `HttpError` with reason
 * `Decode`.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Sse from "@effect/experimental/Sse"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { Mutable } from "effect/Types"
import { HttpError } from "../AppBuilderError.js"
import * as Common from "../Common.js"
import * as RunEvent from "../RunEvent.js"
import { ContentList } from "./models/content.js"
import { FunctionCall, LastErrorLenient, RequiredAction, Run, SubmitToolOutputsAction, ToolCall } from "./models/run.js"
import { MessageCreationDetails, RunStep } from "./models/runStep.js"
import { AssistantTool, FunctionDefinition, FunctionJsonSchema } from "./models/tool.js"
import { lenientNumber, lenientString } from "./schema.js"

// -----------------------------------------------------------------------------
// payload decoding
// -----------------------------------------------------------------------------

const Details = Schema.Struct({
  type: lenientString,
  run_object: Schema.optional(Schema.Unknown),
  run_step_object: Schema.optional(Schema.Unknown),
  message_creation: Schema.optional(Schema.Unknown),
  tool_calls: Schema.optional(Schema.Unknown),
  error_info: Schema.optionalWith(LastErrorLenient, { default: () => null })
})

/** A `status` event payload (the official client's `StreamRunStatus`); the details parts are decoded per event type. */
const StatusPayload = Schema.Struct({
  status: lenientString,
  send_id: lenientNumber,
  message: lenientString,
  event_type: lenientString,
  details: Schema.optionalWith(Schema.NullOr(Details), { default: () => null })
})

const IsEnd = Schema.optionalWith(Schema.Union(Schema.Number, Schema.Boolean), { default: () => 0, nullable: true })

/** A `message` event payload (the official client's `StreamRunMessage`). */
const MessagePayload = Schema.Struct({
  status: lenientString,
  send_id: lenientNumber,
  is_end: IsEnd,
  message_id: lenientString,
  message_index: Schema.optional(Schema.Unknown),
  content: Schema.optionalWith(ContentList, { default: () => [] }),
  metadata: Schema.optional(Schema.Unknown)
})

const MessageCreationPayload = Schema.NullOr(MessageCreationDetails)
const ToolCallList = Schema.NullOr(Schema.Array(ToolCall))

const decodeStatus = Schema.decodeUnknownEither(StatusPayload)
const decodeMessage = Schema.decodeUnknownEither(MessagePayload)
const decodeRun = Schema.decodeUnknownEither(Run)
const decodeStep = Schema.decodeUnknownEither(RunStep)
const decodeMessageCreation = Schema.decodeUnknownEither(MessageCreationPayload)
const decodeToolCalls = Schema.decodeUnknownEither(ToolCallList)

const parseJson = (text: string): Either.Either<unknown, string> =>
  Either.try({
    try: (): unknown => JSON.parse(text),
    catch: (error) => (error instanceof Error ? error.message : String(error))
  })

const BODY_LIMIT = 500

const decodeError = (operation: string, description: string, data: string): HttpError =>
  HttpError.decode({
    operation,
    description,
    body: data.length > BODY_LIMIT ? data.slice(0, BODY_LIMIT) : data
  })

const schemaError = (operation: string, what: string, data: string) => (error: ParseResult.ParseError) =>
  decodeError(operation, `invalid ${what}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`, data)

const finishReason = (metadata: unknown): { readonly finishReason?: string } => {
  if (Predicate.isRecord(metadata)) {
    const value = metadata["finish_reason"]
    if (Predicate.isString(value)) return { finishReason: value }
  }
  return {}
}

/** The fields every status member carries: `send_id`, `status`, `message`, and what `details` says of itself. */
const statusFields = (payload: typeof StatusPayload.Type) => {
  const details = payload.details
  return {
    sendId: payload.send_id,
    status: payload.status,
    message: payload.message,
    ...(details === null ? {} : { detailsType: details.type }),
    ...(details === null || details.error_info === null ? {} : { errorInfo: details.error_info })
  }
}

/** `message_index`, kept when it is a string (the wire's type); anything else is ignored. */
const messageIndex = (value: unknown): { readonly messageIndex?: string } =>
  Predicate.isString(value) ? { messageIndex: value } : {}

// Run and RunStep objects of status events, without the schema when they have the usual shape. Built
// like the message fast path below (a Schema class instance holds exactly its fields as own
// properties, in the schema's order); a test asserts that both paths give the same events.

/** How the fast path reads one field: a lenient string / number (absent or `null`: `""` / `0`), or a part that must be absent or `null`. */
type FieldKind = "string" | "number" | "null"

/** `[property, wire key, kind]` of each field, in the schema's order. */
type Fields = ReadonlyArray<
  readonly [string, string, FieldKind | "tools" | "strings" | "nullableString" | "requiredAction"]
>

const RUN_FIELDS: Fields = [
  ["id", "id", "string"],
  ["object", "object", "string"],
  ["assistantId", "assistant_id", "string"],
  ["threadId", "thread_id", "string"],
  ["model", "model", "string"],
  ["instructions", "instructions", "string"],
  ["thoughtInstructions", "thought_instructions", "string"],
  ["chatInstructions", "chat_instructions", "string"],
  ["tools", "tools", "tools"],
  ["fileIds", "file_ids", "strings"],
  ["status", "status", "string"],
  ["requiredAction", "required_action", "requiredAction"],
  ["lastError", "last_error", "null"],
  ["finalAnswer", "final_answer", "null"],
  ["logId", "log_id", "string"],
  ["createdAt", "created_at", "number"],
  ["startedAt", "started_at", "number"],
  ["expiredAt", "expired_at", "number"],
  ["cancelledAt", "cancelled_at", "number"],
  ["failedAt", "failed_at", "number"],
  ["completedAt", "completed_at", "number"]
]

const STEP_FIELDS: Fields = [
  ["id", "id", "string"],
  ["object", "object", "string"],
  ["assistantId", "assistant_id", "string"],
  ["threadId", "thread_id", "string"],
  ["runId", "run_id", "string"],
  ["status", "status", "string"],
  ["type", "type", "nullableString"],
  ["lastError", "last_error", "null"],
  ["stepDetails", "step_details", "null"],
  ["stepDatail", "step_datail", "null"],
  ["createdAt", "created_at", "number"],
  ["startedAt", "started_at", "number"],
  ["expiredAt", "expired_at", "number"],
  ["cancelledAt", "cancelled_at", "number"],
  ["failedAt", "failed_at", "number"],
  ["completedAt", "completed_at", "number"]
]

/** Marks a field the fast path does not take (the schema decodes the whole object then). */
const UNUSUAL: unique symbol = Symbol("unusual")

const fastField = (value: unknown, kind: Fields[number][2]): unknown => {
  const absent = value === null || value === undefined
  switch (kind) {
    case "string":
      return typeof value === "string" ? value : absent ? "" : UNUSUAL
    case "number":
      return typeof value === "number" ? value : absent ? 0 : UNUSUAL
    case "nullableString":
      return typeof value === "string" ? value : absent ? null : UNUSUAL
    case "null":
      return absent ? null : UNUSUAL
    case "tools":
      return absent ? null : fastTools(value)
    case "strings":
      return absent ? null : fastStrings(value)
    case "requiredAction":
      return absent ? null : fastRequiredAction(value)
  }
}

/** A copy of an array of strings, or {@link UNUSUAL}. */
const fastStrings = (value: unknown): Array<string> | typeof UNUSUAL => {
  if (!Array.isArray(value)) return UNUSUAL
  for (const item of value as ReadonlyArray<unknown>) if (typeof item !== "string") return UNUSUAL
  return [...(value as ReadonlyArray<string>)]
}

/** A lenient string (absent or `null`: `fallback`), or {@link UNUSUAL}. */
const fastString = (value: unknown, fallback: string): string | typeof UNUSUAL =>
  typeof value === "string" ? value : value === null || value === undefined ? fallback : UNUSUAL

// Function tools, required actions and tool calls (what a tool loop's run objects and `tool_calls`
// events carry), built like the run object: each Schema class instance holds exactly its fields as own
// properties, in the schema's order. Examples of a tool and anything not of the wire's types are left
// to the schema.

/**
 * A `properties` map of a tool's JSON schema as `Schema.Record({ key: String, value: Unknown })` decodes
 * it: a fresh object with the same own keys and the same values. `__proto__` is left to the schema (an
 * assignment would not make it an own property).
 */
const fastProperties = (value: unknown): Record<string, unknown> | typeof UNUSUAL => {
  if (!Predicate.isRecord(value)) return UNUSUAL
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === "__proto__") return UNUSUAL
    out[key] = value[key]
  }
  return out
}

/** A {@link FunctionJsonSchema} (`parameters` / `responses`), `null` when absent, or {@link UNUSUAL}. */
const fastJsonSchema = (value: unknown): FunctionJsonSchema | null | typeof UNUSUAL => {
  if (value === null || value === undefined) return null
  if (!Predicate.isRecord(value)) return UNUSUAL
  const type = fastString(value["type"], "object")
  if (type === UNUSUAL) return UNUSUAL
  const rawProperties = value["properties"]
  const properties = rawProperties === null || rawProperties === undefined ? null : fastProperties(rawProperties)
  if (properties === UNUSUAL) return UNUSUAL
  const rawRequired = value["required"]
  const required = rawRequired === null || rawRequired === undefined ? null : fastStrings(rawRequired)
  if (required === UNUSUAL) return UNUSUAL
  const out: Mutable<FunctionJsonSchema> = Object.create(FunctionJsonSchema.prototype)
  out.type = type
  out.properties = properties
  out.required = required
  return out
}

/** A {@link FunctionDefinition} without examples, `null` when absent, or {@link UNUSUAL}. */
const fastFunctionDefinition = (value: unknown): FunctionDefinition | null | typeof UNUSUAL => {
  if (value === null || value === undefined) return null
  if (!Predicate.isRecord(value)) return UNUSUAL
  const name = fastString(value["name"], "")
  const description = fastString(value["description"], "")
  if (name === UNUSUAL || description === UNUSUAL) return UNUSUAL
  const examples = value["examples"]
  if (examples !== null && examples !== undefined) return UNUSUAL
  const parameters = fastJsonSchema(value["parameters"])
  if (parameters === UNUSUAL) return UNUSUAL
  const responses = fastJsonSchema(value["responses"])
  if (responses === UNUSUAL) return UNUSUAL
  const out: Mutable<FunctionDefinition> = Object.create(FunctionDefinition.prototype)
  out.name = name
  out.description = description
  out.parameters = parameters
  out.responses = responses
  out.examples = null
  return out
}

/** A run's tool list, or {@link UNUSUAL}. */
const fastTools = (value: unknown): Array<AssistantTool> | typeof UNUSUAL => {
  if (!Array.isArray(value)) return UNUSUAL
  const out: Array<AssistantTool> = []
  for (const item of value as ReadonlyArray<unknown>) {
    if (!Predicate.isRecord(item)) return UNUSUAL
    const type = fastString(item["type"], "function")
    if (type === UNUSUAL) return UNUSUAL
    const fn = fastFunctionDefinition(item["function"])
    if (fn === UNUSUAL) return UNUSUAL
    const tool: Mutable<AssistantTool> = Object.create(AssistantTool.prototype)
    tool.type = type
    tool.function = fn
    out.push(tool)
  }
  return out
}

/** A {@link ToolCall}, or {@link UNUSUAL}. */
const fastToolCall = (value: unknown): ToolCall | typeof UNUSUAL => {
  if (!Predicate.isRecord(value)) return UNUSUAL
  const id = fastString(value["id"], "")
  const type = fastString(value["type"], "function")
  if (id === UNUSUAL || type === UNUSUAL) return UNUSUAL
  const rawFunction = value["function"]
  let fn: FunctionCall | null = null
  if (rawFunction !== null && rawFunction !== undefined) {
    if (!Predicate.isRecord(rawFunction)) return UNUSUAL
    const name = fastString(rawFunction["name"], "")
    const args = fastString(rawFunction["arguments"], "")
    const output = fastString(rawFunction["output"], "")
    if (name === UNUSUAL || args === UNUSUAL || output === UNUSUAL) return UNUSUAL
    const call: Mutable<FunctionCall> = Object.create(FunctionCall.prototype)
    call.name = name
    call.arguments = args
    call.output = output
    fn = call
  }
  const out: Mutable<ToolCall> = Object.create(ToolCall.prototype)
  out.id = id
  out.type = type
  out.function = fn
  return out
}

/** A list of {@link ToolCall}s, or {@link UNUSUAL}. */
const fastToolCalls = (value: unknown): Array<ToolCall> | typeof UNUSUAL => {
  if (!Array.isArray(value)) return UNUSUAL
  const out: Array<ToolCall> = []
  for (const item of value as ReadonlyArray<unknown>) {
    const call = fastToolCall(item)
    if (call === UNUSUAL) return UNUSUAL
    out.push(call)
  }
  return out
}

/** The message id of `message_creation` details (absent or `null`: `""`) without the schema, or {@link UNUSUAL}. */
const fastMessageId = (value: unknown): string | typeof UNUSUAL => {
  if (value === null) return ""
  return Predicate.isRecord(value) ? fastString(value["message_id"], "") : UNUSUAL
}

/** A run's {@link RequiredAction} (present), or {@link UNUSUAL}. */
const fastRequiredAction = (value: unknown): RequiredAction | typeof UNUSUAL => {
  if (!Predicate.isRecord(value)) return UNUSUAL
  const type = fastString(value["type"], "submit_tool_outputs")
  if (type === UNUSUAL) return UNUSUAL
  const rawSubmit = value["submit_tool_outputs"]
  let submit: SubmitToolOutputsAction | null = null
  if (rawSubmit !== null && rawSubmit !== undefined) {
    if (!Predicate.isRecord(rawSubmit)) return UNUSUAL
    const rawCalls = rawSubmit["tool_calls"]
    const toolCalls = rawCalls === null || rawCalls === undefined ? [] : fastToolCalls(rawCalls)
    if (toolCalls === UNUSUAL) return UNUSUAL
    const action: Mutable<SubmitToolOutputsAction> = Object.create(SubmitToolOutputsAction.prototype)
    action.toolCalls = toolCalls
    submit = action
  }
  const out: Mutable<RequiredAction> = Object.create(RequiredAction.prototype)
  out.type = type
  out.submitToolOutputs = submit
  return out
}

/** The own properties of a Schema class instance read from `json` by `fields`; `undefined` when a field is unusual. */
const fastFields = (json: unknown, fields: Fields): Record<string, unknown> | undefined => {
  if (!Predicate.isRecord(json)) return undefined
  const out: Record<string, unknown> = {}
  for (const [property, key, kind] of fields) {
    const value = fastField(json[key], kind)
    if (value === UNUSUAL) return undefined
    out[property] = value
  }
  return out
}

/** A run object of the usual shape (function tools without examples, no error or final answer) without the schema. */
const fastRun = (json: unknown): Run | undefined => {
  const fields = fastFields(json, RUN_FIELDS)
  return fields === undefined ? undefined : Object.assign(Object.create(Run.prototype), fields)
}

/**
 * A run object of the usual shape decoded without the schema (what `Schema.decodeUnknown(Run)` gives),
 * `undefined` for any other shape: the JSON answers that are runs (submit tool outputs, query) use it too.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const fastRunObject = (json: unknown): Run | undefined => fastRun(json)

/** A run step object of the usual shape (no details or error) without the schema. */
const fastStep = (json: unknown): RunStep | undefined => {
  const fields = fastFields(json, STEP_FIELDS)
  return fields === undefined ? undefined : Object.assign(Object.create(RunStep.prototype), fields)
}

const decodeRunEvent = <Tag extends "RunBegin" | "RunCancelling" | "RunEnd">(
  operation: string,
  tag: Tag,
  payload: typeof StatusPayload.Type,
  data: string,
  fastPath: boolean
): Either.Either<RunEvent.RunBegin | RunEvent.RunCancelling | RunEvent.RunEnd, HttpError> => {
  const runObject = payload.details?.run_object
  if (runObject === undefined || runObject === null) {
    return Either.left(decodeError(operation, `a ${payload.event_type} event without details.run_object`, data))
  }
  const fast = fastPath ? fastRun(runObject) : undefined
  return (fast === undefined ? decodeRun(runObject) : Either.right(fast)).pipe(
    Either.mapLeft(schemaError(operation, `run object in a ${payload.event_type} event`, data)),
    Either.map((run) => {
      const fields = {
        ...statusFields(payload),
        runId: run.id,
        threadId: run.threadId,
        assistantId: run.assistantId,
        run
      }
      switch (tag) {
        case "RunBegin":
          return new RunEvent.RunBegin(fields, true)
        case "RunCancelling":
          return new RunEvent.RunCancelling(fields, true)
        default:
          return new RunEvent.RunEnd(fields, true)
      }
    })
  )
}

const decodeStepEvent = (
  operation: string,
  tag: "ToolStepBegin" | "ToolStepEnd",
  payload: typeof StatusPayload.Type,
  data: string,
  fastPath: boolean
): Either.Either<RunEvent.ToolStepBegin | RunEvent.ToolStepEnd, HttpError> => {
  const stepObject = payload.details?.run_step_object
  if (stepObject === undefined || stepObject === null) {
    return Either.left(decodeError(operation, `a ${payload.event_type} event without details.run_step_object`, data))
  }
  const fast = fastPath ? fastStep(stepObject) : undefined
  return (fast === undefined ? decodeStep(stepObject) : Either.right(fast)).pipe(
    Either.mapLeft(schemaError(operation, `run step object in a ${payload.event_type} event`, data)),
    Either.map((step) => {
      const fields = {
        ...statusFields(payload),
        stepId: step.id,
        runId: step.runId,
        threadId: step.threadId,
        step
      }
      return tag === "ToolStepBegin" ? new RunEvent.ToolStepBegin(fields, true) : new RunEvent.ToolStepEnd(fields, true)
    })
  )
}

const decodeToolCallsEvent = (
  operation: string,
  tag: "ToolCalls" | "ToolSubmittedOutput",
  payload: typeof StatusPayload.Type,
  data: string,
  fastPath: boolean
): Either.Either<RunEvent.ToolCalls | RunEvent.ToolSubmittedOutput, HttpError> => {
  const raw = payload.details?.tool_calls ?? null
  const fast = fastPath ? (raw === null ? null : fastToolCalls(raw)) : UNUSUAL
  return (fast === UNUSUAL ? decodeToolCalls(raw) : Either.right(fast)).pipe(
    Either.mapLeft(schemaError(operation, `tool calls in a ${payload.event_type} event`, data)),
    Either.map((toolCalls) => {
      const fields = {
        ...statusFields(payload),
        toolCalls: toolCalls ?? []
      }
      return tag === "ToolCalls" ? new RunEvent.ToolCalls(fields, true) : new RunEvent.ToolSubmittedOutput(fields, true)
    })
  )
}

const unknownEvent = (
  event: string,
  eventType: string,
  sendId: number,
  status: string,
  data: string,
  raw: unknown
): RunEvent.Unknown => new RunEvent.Unknown({ event, eventType, sendId, status, data, raw }, true)

/**
 * The usual `status` payload without the schema: `status`, `send_id`, `message` and `event_type` of
 * their wire types, `details` absent, `null`, or an object with a string `type` and no `error_info`;
 * `undefined` for any other shape (the schema then decodes it, with its defaults and its errors). The
 * schema costs tens of µs per status event, several times a short run; the parts of `details` are
 * decoded per event type afterwards either way. A test asserts that both paths give the same events.
 */
const fastStatusPayload = (json: unknown): typeof StatusPayload.Type | undefined => {
  if (!Predicate.isRecord(json)) return undefined
  const status = json["status"]
  const sendId = json["send_id"]
  const message = json["message"]
  const eventType = json["event_type"]
  if (typeof status !== "string" || typeof sendId !== "number") return undefined
  if (typeof message !== "string" || typeof eventType !== "string") return undefined
  const details = json["details"]
  if (details === undefined || details === null) {
    return { status, send_id: sendId, message, event_type: eventType, details: null }
  }
  if (!Predicate.isRecord(details) || typeof details["type"] !== "string") return undefined
  const errorInfo = details["error_info"]
  if (errorInfo !== undefined && errorInfo !== null) return undefined
  // the optional parts as the schema leaves them: present only when the payload has them
  const parts: Mutable<typeof Details.Type> = { type: details["type"], error_info: null }
  if (details["run_object"] !== undefined) parts.run_object = details["run_object"]
  if (details["run_step_object"] !== undefined) parts.run_step_object = details["run_step_object"]
  if (details["message_creation"] !== undefined) parts.message_creation = details["message_creation"]
  if (details["tool_calls"] !== undefined) parts.tool_calls = details["tool_calls"]
  return { status, send_id: sendId, message, event_type: eventType, details: parts }
}

const decodeStatusEvent = (
  operation: string,
  data: string,
  json: unknown
): Either.Either<RunEvent.RunEvent, HttpError> => {
  const fast = fastStatusPayload(json)
  return fast === undefined
    ? Either.flatMap(
      Either.mapLeft(decodeStatus(json), schemaError(operation, "status event", data)),
      (payload) => statusEvent(operation, data, json, payload, true)
    )
    : statusEvent(operation, data, json, fast, true)
}

/**
 * The `status` payload decoded by the schema alone, run and step objects included (the fast paths'
 * reference).
 *
 * @internal
 */
export const slowStatusEvent = (
  operation: string,
  data: string,
  json: unknown
): Either.Either<RunEvent.RunEvent, HttpError> =>
  Either.flatMap(
    Either.mapLeft(decodeStatus(json), schemaError(operation, "status event", data)),
    (payload) => statusEvent(operation, data, json, payload, false)
  )

/** A decoded `status` payload as its member, by `event_type` (each decodes its part of `details`). */
const statusEvent = (
  operation: string,
  data: string,
  json: unknown,
  payload: typeof StatusPayload.Type,
  fastPath: boolean
): Either.Either<RunEvent.RunEvent, HttpError> => {
  switch (payload.event_type) {
    case "run_begin":
      return decodeRunEvent(operation, "RunBegin", payload, data, fastPath)
    case "run_cancelling":
      return decodeRunEvent(operation, "RunCancelling", payload, data, fastPath)
    case "run_end":
      return decodeRunEvent(operation, "RunEnd", payload, data, fastPath)
    case "tool_step_begin":
      return decodeStepEvent(operation, "ToolStepBegin", payload, data, fastPath)
    case "tool_step_end":
      return decodeStepEvent(operation, "ToolStepEnd", payload, data, fastPath)
    case "tool_calls":
      return decodeToolCallsEvent(operation, "ToolCalls", payload, data, fastPath)
    case "tool_submitted_output":
      return decodeToolCallsEvent(operation, "ToolSubmittedOutput", payload, data, fastPath)
    case "message_creation": {
      const raw = payload.details?.message_creation ?? null
      const fast = fastPath ? fastMessageId(raw) : UNUSUAL
      const messageId: Either.Either<string, HttpError> = fast === UNUSUAL
        ? decodeMessageCreation(raw).pipe(
          Either.mapLeft(schemaError(operation, "message_creation details", data)),
          Either.map((creation) => creation?.messageId ?? "")
        )
        : Either.right(fast)
      return Either.map(
        messageId,
        (id) => new RunEvent.MessageCreation({ ...statusFields(payload), messageId: id }, true)
      )
    }
    default:
      return Either.right(unknownEvent("status", payload.event_type, payload.send_id, payload.status, data, json))
  }
}

// The fast path below builds Schema class instances from properties it has already checked, without
// running their constructors: a Schema class instance holds exactly its fields as own properties (a
// tagged class: plus `_tag`), which is what is built here, property by property (no intermediate
// object: this runs for every message chunk). Skipped are only the validation and the merging of
// defaults, which dominate the cost of a chunk. A test asserts that the fast path equals what the schema
// decodes.

/** True for `null`, `undefined` or an array of strings: annotations the fast path takes as they are. */
const plainAnnotations = (annotations: unknown): boolean => {
  if (annotations === null || annotations === undefined) return true
  if (!Array.isArray(annotations)) return false
  for (const item of annotations as ReadonlyArray<unknown>) if (typeof item !== "string") return false
  return true
}

/**
 * The content list of the usual `message` payload, built without the schema into `event` (its
 * `content`, and its `text`: the text values joined, what `Common.contentText` gives): an array of
 * `{ type: string, text: { value: string, annotations: array | null } | null }`. `false` for any other
 * shape (the schema then decodes it, with its defaults and its errors). Runs for every message chunk:
 * plain loops, no intermediate arrays or result objects.
 */
const fastContent = (value: unknown, event: Mutable<RunEvent.MessageDelta>): boolean => {
  if (!Array.isArray(value)) return false
  const items = value as ReadonlyArray<unknown>
  const content: Array<Common.Content> = []
  let joined = ""
  for (const item of items) {
    if (!Predicate.isRecord(item) || typeof item["type"] !== "string") return false
    const text = item["text"]
    let decoded: Common.Text | null = null
    if (text !== null && text !== undefined) {
      if (!Predicate.isRecord(text) || typeof text["value"] !== "string") return false
      const annotations = text["annotations"]
      if (!plainAnnotations(annotations)) return false
      const built: Mutable<Common.Text> = Object.create(Common.Text.prototype)
      built.value = text["value"]
      built.annotations = annotations === null || annotations === undefined
        ? null
        : [...(annotations as ReadonlyArray<string>)]
      decoded = built
      // one item (the usual case): the value itself, no concatenation
      joined = joined === "" ? built.value : joined + built.value
    }
    const entry: Mutable<Common.Content> = Object.create(Common.Content.prototype)
    entry.type = item["type"]
    entry.text = decoded
    content.push(entry)
  }
  event.text = joined
  event.content = content
  return true
}

/**
 * The usual `message` payload without the schema; `undefined` when the shape is not the usual one.
 * The event is filled in place (no spread of optional parts): this runs for every message chunk.
 */
const fastMessage = (json: unknown): RunEvent.MessageDelta | undefined => {
  if (!Predicate.isRecord(json)) return undefined
  const status = json["status"]
  const sendId = json["send_id"]
  const isEnd = json["is_end"]
  const messageId = json["message_id"]
  if (typeof status !== "string" || typeof sendId !== "number" || typeof messageId !== "string") return undefined
  if (typeof isEnd !== "number" && typeof isEnd !== "boolean") return undefined
  const event: Mutable<RunEvent.MessageDelta> = Object.create(RunEvent.MessageDelta.prototype)
  event._tag = "MessageDelta"
  event.sendId = sendId
  event.status = status
  event.messageId = messageId
  // the optional fields only when present, as the schema leaves them out
  const index = json["message_index"]
  if (typeof index === "string") event.messageIndex = index
  if (!fastContent(json["content"], event)) return undefined
  event.isEnd = isEnd === true || (typeof isEnd === "number" && isEnd !== 0)
  const metadata = json["metadata"]
  if (Predicate.isRecord(metadata) && typeof metadata["finish_reason"] === "string") {
    event.finishReason = metadata["finish_reason"]
  }
  return event
}

// The usual message chunk read straight from its text, without JSON.parse: the service (and the
// emulator) write it in one layout, and building the generic JSON tree costs more than everything
// else done per chunk. Only that exact layout is read here (keys in this order, no whitespace, strings
// without escapes or control characters, integers of at most 15 digits without a leading zero);
// anything else, valid or not, is left to JSON.parse and the paths above, so what is accepted here is
// exactly what they would give.
//
// One regular expression reads the whole layout: its compiled matcher costs a fraction of the
// `startsWith` / `indexOf` steps of a hand-written scanner (V8's `startsWith` at an offset is a
// runtime call of a few hundred nanoseconds), and of JSON.parse.

/** A JSON string's contents without escapes or control characters (what the scanner reads). */
const PLAIN = `([^"\\\\\\u0000-\\u001f]*)`
/** A non-negative integer of at most 15 digits, without a leading zero (exact as a double). */
const INTEGER = `(0|[1-9][0-9]{0,14})`

/**
 * The layout, its groups: 1 status, 2 send_id, 3 is_end, 4 message_id, 5 message_index (optional),
 * 6 content type, 7 text value, 8 finish_reason (optional).
 */
const MESSAGE_LAYOUT = new RegExp(
  `^\\{"status":"${PLAIN}","send_id":${INTEGER},"is_end":(true|false|0|[1-9][0-9]{0,14}),` +
    `"message_id":"${PLAIN}"(?:,"message_index":"${PLAIN}")?,` +
    `"content":\\[\\{"type":"${PLAIN}","text":\\{"value":"${PLAIN}","annotations":null\\}\\}\\]` +
    `(?:,"metadata":\\{"finish_reason":"${PLAIN}"\\})?\\}$`
)

/**
 * The usual `message` chunk read from its text (see above): the event {@link fastMessage} would build
 * from `JSON.parse(data)`, or `undefined` when the text is laid out in any other way.
 */
const scanMessage = (data: string): RunEvent.MessageDelta | undefined => {
  const match = MESSAGE_LAYOUT.exec(data)
  if (match === null) return undefined
  const isEnd = match[3]!
  const messageIndex = match[5]
  const value = match[7]!
  const finishReason = match[8]
  // built as fastMessage builds it, property by property in the same order
  const event: Mutable<RunEvent.MessageDelta> = Object.create(RunEvent.MessageDelta.prototype)
  event._tag = "MessageDelta"
  event.sendId = Number(match[2])
  event.status = match[1]!
  event.messageId = match[4]!
  if (messageIndex !== undefined) event.messageIndex = messageIndex
  const text: Mutable<Common.Text> = Object.create(Common.Text.prototype)
  text.value = value
  text.annotations = null
  const entry: Mutable<Common.Content> = Object.create(Common.Content.prototype)
  entry.type = match[6]!
  entry.text = text
  event.text = value
  event.content = [entry]
  event.isEnd = isEnd === "true" || (isEnd !== "false" && isEnd !== "0")
  if (finishReason !== undefined) event.finishReason = finishReason
  return event
}

/**
 * The `message` payload read by {@link scanMessage}, for the tests that compare it with the other paths.
 *
 * @internal
 */
export const scannedMessageEvent = (data: string): RunEvent.MessageDelta | undefined => scanMessage(data)

/**
 * The `message` payload decoded by the schema alone (the fast path's reference).
 *
 * @internal
 */
export const slowMessageEvent = (
  operation: string,
  data: string,
  json: unknown
): Either.Either<RunEvent.RunEvent, HttpError> =>
  decodeMessage(json).pipe(
    Either.mapLeft(schemaError(operation, "message event", data)),
    Either.map((payload) =>
      new RunEvent.MessageDelta({
        sendId: payload.send_id,
        status: payload.status,
        messageId: payload.message_id,
        ...messageIndex(payload.message_index),
        text: Common.contentText(payload.content),
        isEnd: payload.is_end === true || (typeof payload.is_end === "number" && payload.is_end !== 0),
        content: payload.content,
        ...finishReason(payload.metadata)
      }, true)
    )
  )

const numberField = (json: unknown, key: string): number => {
  const value = Predicate.isRecord(json) ? json[key] : undefined
  return Predicate.isNumber(value) ? value : 0
}

const stringField = (json: unknown, key: string): string => {
  const value = Predicate.isRecord(json) ? json[key] : undefined
  return Predicate.isString(value) ? value : ""
}

/**
 * Decodes one SSE event: `ping` → `None`; `status` / `message` → their member (a JSON or shape error is
 * an `HttpError` with reason `Decode`); any other event name → {@link RunEvent.Unknown} (never a failure).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEvent = (
  operation: string,
  event: Sse.Event
): Either.Either<Option.Option<RunEvent.RunEvent>, HttpError> => {
  const decoded = decodeEventUnwrapped(operation, event)
  return decoded instanceof HttpError ? Either.left(decoded) : Either.right(Option.fromNullable(decoded))
}

/**
 * {@link decodeEvent} without the `Either` and `Option` around its answer: the event, `undefined` for a
 * ping, or the `HttpError`. The run stream calls it for every event, so a message chunk on the fast
 * path allocates nothing beyond the event itself.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEventUnwrapped = (
  operation: string,
  event: Sse.Event
): RunEvent.RunEvent | HttpError | undefined => decodeEventParts(operation, event.event, event.data)

/**
 * {@link decodeEventUnwrapped} from an event's name and data (the run stream decodes them as the SSE
 * decoder finds them, without an `Sse.Event` in between).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEventParts = (
  operation: string,
  name: string,
  data: string
): RunEvent.RunEvent | HttpError | undefined => {
  switch (name) {
    case "ping":
      return undefined
    case "status":
    case "message": {
      if (name === "message") {
        const scanned = scanMessage(data)
        if (scanned !== undefined) return scanned
      }
      let json: unknown
      try {
        json = JSON.parse(data)
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error)
        return decodeError(operation, `invalid JSON in a ${name} event: ${message}`, data)
      }
      if (name === "message") {
        const fast = fastMessage(json)
        if (fast !== undefined) return fast
      }
      const decoded = name === "message"
        ? slowMessageEvent(operation, data, json)
        : decodeStatusEvent(operation, data, json)
      return Either.isLeft(decoded) ? decoded.left : decoded.right
    }
    default: {
      const raw = Either.getOrElse(parseJson(data), () => data)
      return unknownEvent(
        name,
        stringField(raw, "event_type"),
        numberField(raw, "send_id"),
        stringField(raw, "status"),
        data,
        raw
      )
    }
  }
}
