/**
 * The request of a run (blocking or streamed) as a Schema, and the options of both calls.
 *
 * The run request encodes to the body the official client sends, every key in its order, `stream` set by
 * the operation. It reports every problem at once: each field's own, the rules across fields (a thread
 * id or a thread; a last message written by the user) and unknown keys, which the service forbids.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type { ValidationError } from "../AppBuilderError.js"
import { ResponseFormat } from "../Common.js"
import {
  alwaysChecked,
  encodeRequest,
  Id,
  ignoringUnknownKeys,
  Metadata,
  ModelName,
  orNull,
  orUndefined,
  required,
  text,
  withDefault
} from "./requestSchema.js"
import { ContinuationToolOutput, InlineMessage, ModelParameters, Tools, UserInfo, UserLoc } from "./sharedRequests.js"

/**
 * The messages appended to the conversation before a run (role `user` by default).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const ThreadRequest = Schema.Struct({
  /** The messages, in order; the last one must be the user's. Default `[]`. */
  messages: withDefault(Schema.Array(InlineMessage), [])
}).annotations(ignoringUnknownKeys)

/**
 * A wire key that the caller does not set: always sent as `value` (the run's `stream` flag, decided by
 * the operation).
 */
const sentAs = <const Value extends boolean>(value: Value) =>
  Schema.requiredToOptional(Schema.Literal(value), Schema.Never, {
    decode: () => Option.none(),
    encode: () => value
  })

/**
 * The rules across fields of a run request: a `threadId` or a `thread` is required, and a run that
 * starts from inline messages (no `toolOutput`) needs a last message, written by the user. It runs even
 * when fields are invalid, so it reads the input as given.
 */
const threadRules = (input: unknown): ReadonlyArray<Schema.FilterIssue> => {
  if (!Predicate.isRecord(input)) return []
  const threadId = Predicate.isString(input["threadId"]) ? input["threadId"] : ""
  const thread = input["thread"]
  if (thread === undefined || thread === null) {
    return threadId === "" ? [{ path: ["threadId"], message: "a threadId or a thread is required" }] : []
  }
  const toolOutput = input["toolOutput"]
  if (!Predicate.isRecord(thread) || (toolOutput !== undefined && toolOutput !== null)) return []
  const messages = thread["messages"] === undefined ? [] : thread["messages"]
  if (!Array.isArray(messages)) return []
  const last: unknown = messages[messages.length - 1]
  if (last === undefined) {
    return threadId === ""
      ? [{ path: ["thread", "messages"], message: "must not be empty when no threadId is given" }]
      : []
  }
  // an absent role is `user`; a role that is not a role at all is reported by the message's own Schema
  return Predicate.isRecord(last) && last["role"] === "assistant"
    ? [{ path: ["thread", "messages", messages.length - 1, "role"], message: "the last message must be the user's" }]
    : []
}

/**
 * The fields of a run request, in the order the official client sends them. `null` or absent optional
 * values mean "the assistant's value".
 */
const runFields = <const Streamed extends boolean>(streamed: Streamed) => ({
  /** The thread to continue; `""`/absent creates a new thread (then `thread` is required). */
  threadId: withDefault(Schema.String, "").pipe(Schema.fromKey("thread_id")),
  /**
   * Overrides the assistant's model for this run: any non-empty name (the known ones are suggested); the
   * service rejects a name it does not know (`HttpError` with reason `Api` and `param` `model`).
   */
  model: orNull(ModelName),
  /** The assistant that runs. */
  assistantId: required(Id, "assistant_id"),
  /** At most 16 entries, keys ≤ 64 and values ≤ 512 characters. */
  metadata: withDefault(Metadata, {}),
  /** `text` (default) or `json_object`. */
  responseFormat: withDefault(ResponseFormat, "text").pipe(Schema.fromKey("response_format")),
  /** Persona instructions for this run only, at most 4096 characters. */
  instructions: orNull(text(4096)),
  /** Business-rule instructions for this run only, at most 4096 characters. */
  thoughtInstructions: orNull(text(4096)).pipe(Schema.fromKey("thought_instructions")),
  /** Reply-style instructions for this run only, at most 4096 characters. */
  chatInstructions: orNull(text(4096)).pipe(Schema.fromKey("chat_instructions")),
  /** Set by the operation: `false` for `run`, `true` for `stream`. */
  stream: sentAs(streamed),
  /** Sampling parameters (absent ones get the official defaults). */
  modelParameters: orNull(ModelParameters).pipe(Schema.fromKey("model_parameters")),
  /** Messages appended before running; the last one must be the user's. */
  thread: orNull(ThreadRequest),
  /** Non-empty: replaces the assistant's tools for this run (at most 10). */
  tools: withDefault(Tools, []),
  /** Continues a run waiting in `requires_action` (blocking mode): one output, with its `runId`. */
  toolOutput: orNull(ContinuationToolOutput).pipe(Schema.fromKey("tool_output")),
  /** Information about the end user. */
  userInfo: orNull(UserInfo).pipe(Schema.fromKey("user_info")),
  /** The end user's location. */
  userLoc: orNull(UserLoc).pipe(Schema.fromKey("user_loc"))
})

/**
 * The request of a run, with `"stream": streamed` on the wire: the fields, the rules across them, and no
 * unknown key.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const runRequest = <const Streamed extends boolean>(streamed: Streamed) =>
  Schema.Struct(runFields(streamed)).pipe(
    Schema.filter(threadRules, alwaysChecked),
    // the service forbids unknown fields: a misspelt key (`threadID`) is reported, not dropped (on the
    // outer schema: the filter checks the Struct's Type side, which does not carry the Struct's own annotations)
    Schema.annotations({ parseOptions: { onExcessProperty: "error" } })
  )

/**
 * A duration, as `Duration.decode` reads it: `"30 seconds"`, a number of milliseconds, a `Duration`, …
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const DurationInput = Schema.declare(
  (input): input is Duration.DurationInput => Option.isSome(Duration.decodeUnknown(input)),
  { title: "a duration (e.g. \"30 seconds\" or a number of milliseconds)" }
)

/**
 * A `Schedule` (any input, any output).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const AnySchedule = Schema.declare(
  (input): input is Schedule.Schedule<unknown, unknown> => Schedule.isSchedule(input),
  { title: "a Schedule" }
)

/**
 * The `resume` option: `true` (the default schedule), `false` (no resume) or the `Schedule` of the polling.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const ResumeOption = Schema.Union(Schema.Boolean, AnySchedule)

/** An option that may be absent or `undefined`. */
const optionalOption = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(orUndefined(schema), { exact: true })

/**
 * The options of a blocking run.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const RunCallOptions = Schema.Struct({
  /** The timeout of the blocking call (default: the client's per-attempt timeout). */
  timeout: optionalOption(DurationInput),
  /**
   * How long an interrupted (or lost) call may spend finding the run it started and cancelling it
   * (default 5 seconds). See `Runs.Service.run`.
   */
  cancelTimeout: optionalOption(DurationInput),
  /**
   * Whether a call that started a run and is interrupted cancels that run (default `true`). `false` leaves
   * the run to go on, for a caller that finds it again itself: a durable loop whose process stops adopts
   * the run when it resumes elsewhere. A call that loses its answer still cancels it. See `Runs.Service.run`.
   */
  cancelOnInterrupt: optionalOption(Schema.Boolean),
  /**
   * When the call's answer is lost (the connection broke or the call timed out after the request was
   * sent), follow the run by polling instead of failing: `true` (default schedule), a `Schedule`, or
   * `false` (the default for this call). See `Runs.Service.run`.
   */
  resume: optionalOption(ResumeOption)
})

/**
 * The options of a streamed run.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const StreamCallOptions = Schema.Struct({
  /** The longest silence allowed between two events, pings included (default: the client's `streamIdleTimeout`). */
  idleTimeout: optionalOption(DurationInput),
  /** The timeout of the `cancel` call made when the stream stops before `run_end`. Default 5 seconds. */
  cancelTimeout: optionalOption(DurationInput),
  /**
   * When the stream breaks before `run_end`, follow the run by polling (emitting `Resumed`, then the
   * rebuilt events) instead of failing: `true` (the default: `Runs.defaultResumeSchedule`), a `Schedule`
   * for the polling, or `false` to fail with `StreamEnded` as before.
   */
  resume: optionalOption(ResumeOption)
})

/**
 * Checks the options argument of `operation` (absent, or an object of well-typed options): a
 * `ValidationError` naming `options.<key>` otherwise.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const checkOptions = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  options: A | undefined
): Effect.Effect<A | undefined, ValidationError> =>
  options === undefined
    ? Effect.succeed(options)
    : Effect.as(encodeRequest(operation, optionsStruct(schema), { options }), options)

/**
 * `{ options: schema | undefined }`, built once per options schema. Effect compiles a Schema's parser
 * once per schema object: a struct built anew on every call would be compiled anew on every call
 * (0.15–0.3 ms of CPU per `Runs.stream`, `Runs.run` or `Runs.poll` call, measured on a loaded 2-core machine).
 */
const optionsStructs = new WeakMap<Schema.Schema.AnyNoContext, Schema.Schema.AnyNoContext>()
const optionsStruct = (schema: Schema.Schema.AnyNoContext): Schema.Schema.AnyNoContext => {
  let struct = optionsStructs.get(schema)
  if (struct === undefined) {
    struct = Schema.Struct({ options: orUndefined(schema) })
    optionsStructs.set(schema, struct)
  }
  return struct
}
