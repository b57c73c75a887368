/**
 * The public error types of the SDK.
 *
 * - {@link HttpError}: anything that came from the network or the server.
 * - {@link ValidationError}: input rejected before any request was sent.
 * - {@link RunFailed}: a run that ended `failed`, `expired`, or `cancelled` by someone else.
 * - {@link FileWriteError}: a download that arrived but could not be written to the local disk.
 * - The tool loop's own failures: {@link MaxStepsExceeded}, and for one tool call {@link UnknownTool},
 *   {@link ToolArgumentsInvalid}, {@link ToolOutputUnencodable}.
 *
 * None of them ever carries a secret: no header, no token, no request body.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/**
 * Why an {@link HttpError} happened.
 *
 * - `Transport`: the request could not be sent (the connection could not be opened), or, for a read-only
 *   operation, the connection broke before a complete answer arrived; also a run stream that broke after its
 *   headers arrived.
 * - `Timeout`: a read-only operation's attempt, or the gap between two stream events, took too long.
 * - `OutcomeUnknown`: a call that changes something (a create, a run, a tool output submission, an upload,
 *   …) was sent, but no complete answer came back (the connection was reset, the response body was cut, or
 *   no answer arrived within the timeout). The service may or may not have acted on it; the SDK did not
 *   resend it, to avoid doing the work twice. Check the state (e.g. list the assistants or the thread's runs)
 *   before trying again. `requestId` names the request.
 * - `Status`: the server answered with an HTTP status other than 200.
 * - `Api`: the server answered 200 with an error body (the `{"error": {...}}` envelope, or the storage
 *   family's `{"code", "message"}` shape).
 * - `Decode`: the body could not be read or did not have the expected shape.
 * - `StreamEnded`: a run stream ended before its `run_end` event.
 *
 * @since 0.1.0
 * @category models
 */
export const HttpErrorReason = Schema.Literal(
  "Transport",
  "Timeout",
  "OutcomeUnknown",
  "Status",
  "Api",
  "Decode",
  "StreamEnded"
)

/**
 * @since 0.1.0
 * @category models
 */
export type HttpErrorReason = typeof HttpErrorReason.Type

/**
 * Codes that mean "a quota is exhausted" rather than "slow down": Qianfan's daily (`17`) and total (`19`)
 * request limits. Any code, type or message that mentions `quota` counts too.
 *
 * @since 0.1.0
 * @category models
 */
export const QUOTA_CODES: ReadonlySet<string> = new Set(["17", "19"])

const httpErrorFields = {
  reason: HttpErrorReason,
  /** The SDK operation, e.g. `Assistants.create`. */
  operation: Schema.String,
  /** A human readable description (never contains a secret). */
  description: Schema.String,
  /** The HTTP status, when a response arrived. */
  status: Schema.optional(Schema.Number),
  /** The error code of the envelope (or of the storage error shape). */
  code: Schema.optional(Schema.String),
  /** The error type of the envelope. */
  type: Schema.optional(Schema.String),
  /** The offending request field named by the server. */
  param: Schema.optional(Schema.String),
  /** The `X-Appbuilder-Request-Id` of the response (or of the request when no response arrived). */
  requestId: Schema.optional(Schema.String),
  /** The server's `Retry-After`, in milliseconds. */
  retryAfterMillis: Schema.optional(Schema.Number),
  /** The beginning of the response body, for `Status` and `Decode` errors. */
  body: Schema.optional(Schema.String),
  /** The underlying cause (a platform error's cause, never a request). */
  cause: Schema.optional(Schema.Defect)
}

/**
 * A failure that came from the network or the server. Build one with the constructor named after its
 * reason (`HttpError.transport`, `HttpError.outcomeUnknown`, `HttpError.timeout`, `HttpError.status`,
 * `HttpError.api`, `HttpError.decode`, `HttpError.streamEnded`).
 *
 * @since 0.1.0
 * @category errors
 */
export class HttpError
  extends Schema.TaggedError<HttpError>("@effect-appbuilder/assistant/HttpError")("HttpError", httpErrorFields)
{
  /**
   * The request could not be sent, or (for a read-only operation) the connection broke before a complete
   * answer arrived.
   *
   * @since 0.1.0
   * @category constructors
   */
  static transport(details: HttpError.Details): HttpError {
    return new HttpError({ ...details, reason: "Transport" })
  }

  /**
   * A read-only operation's attempt, or the gap between two stream events, took too long.
   *
   * @since 0.1.0
   * @category constructors
   */
  static timeout(details: HttpError.Details): HttpError {
    return new HttpError({ ...details, reason: "Timeout" })
  }

  /**
   * A call that changes something was sent but no complete answer came back, so it was not resent.
   * `problem` names what went wrong (e.g. `connection reset`); the description says that the service may
   * have acted on the request.
   *
   * @since 0.1.0
   * @category constructors
   */
  static outcomeUnknown(details: Omit<HttpError.Details, "description"> & { readonly problem: string }): HttpError {
    const { problem, ...rest } = details
    return new HttpError({
      ...rest,
      reason: "OutcomeUnknown",
      description:
        `outcome unknown: the request was sent but no complete answer came back (${problem}); it was not retried because the service may have acted on it`
    })
  }

  /**
   * The server answered with an HTTP status other than 200.
   *
   * @since 0.1.0
   * @category constructors
   */
  static status(details: HttpError.Details & { readonly status: number }): HttpError {
    return new HttpError({ ...details, reason: "Status" })
  }

  /**
   * The server answered 200 with an error body (an error envelope or the storage error shape).
   *
   * @since 0.1.0
   * @category constructors
   */
  static api(details: HttpError.Details): HttpError {
    return new HttpError({ ...details, reason: "Api" })
  }

  /**
   * The body could not be read as expected (not JSON, not an event stream, not the expected shape).
   *
   * @since 0.1.0
   * @category constructors
   */
  static decode(details: HttpError.Details): HttpError {
    return new HttpError({ ...details, reason: "Decode" })
  }

  /**
   * A run stream ended, or broke, before its `run_end` event.
   *
   * @since 0.1.0
   * @category constructors
   */
  static streamEnded(details: HttpError.Details): HttpError {
    return new HttpError({ ...details, reason: "StreamEnded" })
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const parts = [`${this.operation}: ${this.description}`]
    if (this.status !== undefined) parts.push(`status=${this.status}`)
    if (this.code !== undefined) parts.push(`code=${this.code}`)
    if (this.type !== undefined) parts.push(`type=${this.type}`)
    if (this.param !== undefined && this.param !== "") parts.push(`param=${this.param}`)
    if (this.requestId !== undefined && this.requestId !== "") parts.push(`request_id=${this.requestId}`)
    return parts.join(" ")
  }

  /**
   * True when the error reports an exhausted quota: such errors are never retried.
   *
   * @since 0.1.0
   */
  get isQuotaExhausted(): boolean {
    if (this.code !== undefined && QUOTA_CODES.has(this.code)) return true
    const text = `${this.code ?? ""} ${this.type ?? ""} ${this.reason === "Status" ? this.body ?? "" : this.description}`
    return /quota/i.test(text)
  }

  /**
   * True when retrying cannot do harm for any operation, idempotent or not: the server did not process the
   * request (429 rate limit, 502/503/504, a connection that failed before the request was sent). Never true
   * for `OutcomeUnknown`.
   *
   * @since 0.1.0
   */
  get retryable(): boolean {
    if (this.isQuotaExhausted) return false
    switch (this.reason) {
      case "Transport":
        return true
      case "Status":
        return this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504
      default:
        return false
    }
  }

  /**
   * True when retrying is safe for a read-only operation (query, list, content, download): everything
   * {@link retryable} accepts, plus timeouts, unknown outcomes and any other 5xx.
   *
   * @since 0.1.0
   */
  get retryableWhenIdempotent(): boolean {
    if (this.retryable) return true
    if (this.isQuotaExhausted) return false
    return this.reason === "Timeout" || this.reason === "OutcomeUnknown" ||
      (this.reason === "Status" && this.status !== undefined && this.status >= 500)
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace HttpError {
  /**
   * The fields of an {@link HttpError} without its reason: what the reason constructors take.
   *
   * @since 0.1.0
   * @category models
   */
  export type Details = Omit<Schema.Struct.Constructor<typeof httpErrorFields>, "reason">
}

/**
 * One problem found in a request before it was sent.
 *
 * @since 0.1.0
 * @category models
 */
export class Issue extends Schema.Class<Issue>("@effect-appbuilder/assistant/Issue")({
  /** The field path, e.g. `["tools", 3, "function", "name"]`. */
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  message: Schema.String
}) {
  /**
   * The path in dotted form, e.g. `tools.3.function.name` (empty for the whole input).
   *
   * @since 0.1.0
   */
  get field(): string {
    return this.path.join(".")
  }
}

/**
 * Input rejected before any request was sent; lists every problem with its field path.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>(
  "@effect-appbuilder/assistant/ValidationError"
)("ValidationError", {
  operation: Schema.String,
  issues: Schema.Array(Issue)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const lines = this.issues.map((issue) => `  - ${issue.field === "" ? "(input)" : issue.field}: ${issue.message}`)
    return `${this.operation}: ${this.issues.length} invalid field${this.issues.length === 1 ? "" : "s"}\n${
      lines.join("\n")
    }`
  }
}

/**
 * A downloaded file that could not be written to the local disk (the parent directory is missing or is a
 * file, no permission, disk full, …). The request itself succeeded; `description` is the operating
 * system's reason.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileWriteError extends Schema.TaggedError<FileWriteError>("@effect-appbuilder/assistant/FileWriteError")(
  "FileWriteError",
  {
    operation: Schema.String,
    /** The local path that could not be written. */
    path: Schema.String,
    /** The operating system's reason, e.g. `ENOTDIR: not a directory`. */
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: cannot write ${this.path}: ${this.description}`
  }
}

/**
 * The terminal statuses that make a run fail.
 *
 * @since 0.1.0
 * @category models
 */
export const RunFailedStatus = Schema.Literal("failed", "expired", "cancelled")

/**
 * A run that ended `failed`, `expired`, or `cancelled` by someone else. A cancel caused by our own
 * interruption is an interruption, not a `RunFailed`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RunFailed extends Schema.TaggedError<RunFailed>("@effect-appbuilder/assistant/RunFailed")("RunFailed", {
  operation: Schema.String,
  runId: Schema.String,
  threadId: Schema.String,
  status: RunFailedStatus,
  /** The run's `last_error`, when the server gave one. */
  lastError: Schema.optional(Schema.Struct({ type: Schema.String, message: Schema.String }))
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = this.lastError === undefined ? "" : `: ${this.lastError.type} ${this.lastError.message}`
    return `${this.operation}: run ${this.runId} ended ${this.status}${detail}`
  }
}

/**
 * Any error of the SDK.
 *
 * @since 0.1.0
 * @category models
 */
export type AppBuilderError = HttpError | ValidationError | RunFailed | FileWriteError

/**
 * @since 0.1.0
 * @category guards
 */
export const isHttpError = (u: unknown): u is HttpError => Predicate.isTagged(u, "HttpError") && u instanceof HttpError

/**
 * @since 0.1.0
 * @category guards
 */
export const isValidationError = (u: unknown): u is ValidationError =>
  Predicate.isTagged(u, "ValidationError") && u instanceof ValidationError

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunFailed = (u: unknown): u is RunFailed => Predicate.isTagged(u, "RunFailed") && u instanceof RunFailed

/**
 * @since 0.1.0
 * @category guards
 */
export const isFileWriteError = (u: unknown): u is FileWriteError =>
  Predicate.isTagged(u, "FileWriteError") && u instanceof FileWriteError

/**
 * @since 0.1.0
 * @category guards
 */
export const isAppBuilderError = (u: unknown): u is AppBuilderError =>
  isHttpError(u) || isValidationError(u) || isRunFailed(u) || isFileWriteError(u)

// -----------------------------------------------------------------------------
// tool loop failures
// -----------------------------------------------------------------------------

/**
 * A tool loop stopped because the run still asked for tools after `maxSteps` tool rounds. The loop
 * cancelled the run on the server before failing.
 *
 * @since 0.1.0
 * @category errors
 */
export class MaxStepsExceeded extends Schema.TaggedError<MaxStepsExceeded>(
  "@effect-appbuilder/assistant/MaxStepsExceeded"
)("MaxStepsExceeded", {
  /** The run that was cancelled. */
  runId: Schema.String,
  threadId: Schema.String,
  /** The limit that was reached (the loop's `maxSteps` option). */
  maxSteps: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `ToolLoop: run ${this.runId} still asked for tools after ${this.maxSteps} tool rounds (maxSteps); the run was cancelled`
  }
}

/**
 * The model called a tool that is not in the loop's toolkit.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTool extends Schema.TaggedError<UnknownTool>("@effect-appbuilder/assistant/UnknownTool")(
  "UnknownTool",
  {
    /** The tool name the model used. */
    tool: Schema.String,
    /** The id of the tool call. */
    callId: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `unknown tool: ${this.tool} (call ${this.callId}) is not in the toolkit`
  }
}

/**
 * The arguments the model wrote for a tool call do not decode with the tool's parameters Schema. Each
 * issue's path starts with `arguments`, e.g. `arguments.location`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolArgumentsInvalid extends Schema.TaggedError<ToolArgumentsInvalid>(
  "@effect-appbuilder/assistant/ToolArgumentsInvalid"
)("ToolArgumentsInvalid", {
  tool: Schema.String,
  callId: Schema.String,
  issues: Schema.Array(Issue)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const lines = this.issues.map((issue) => `  - ${issue.field === "" ? "arguments" : issue.field}: ${issue.message}`)
    return `invalid arguments for ${this.tool} (call ${this.callId}):\n${lines.join("\n")}`
  }
}

/**
 * A tool's handler returned a value JSON cannot encode (a `BigInt`, a cycle, a `toJSON` that throws), so
 * it could not be sent as the call's output.
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolOutputUnencodable extends Schema.TaggedError<ToolOutputUnencodable>(
  "@effect-appbuilder/assistant/ToolOutputUnencodable"
)("ToolOutputUnencodable", {
  tool: Schema.String,
  callId: Schema.String,
  /** Why JSON could not encode it, e.g. `Do not know how to serialize a BigInt`. */
  description: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `the output of ${this.tool} (call ${this.callId}) cannot be encoded as JSON: ${this.description}`
  }
}

/**
 * How one tool call can go wrong before its handler's own errors: the tool is unknown, the model's
 * arguments do not decode, or the result cannot be encoded.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolCallError = UnknownTool | ToolArgumentsInvalid | ToolOutputUnencodable

/**
 * @since 0.1.0
 * @category guards
 */
export const isMaxStepsExceeded = (u: unknown): u is MaxStepsExceeded =>
  Predicate.isTagged(u, "MaxStepsExceeded") && u instanceof MaxStepsExceeded

/**
 * @since 0.1.0
 * @category guards
 */
export const isUnknownTool = (u: unknown): u is UnknownTool =>
  Predicate.isTagged(u, "UnknownTool") && u instanceof UnknownTool

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolArgumentsInvalid = (u: unknown): u is ToolArgumentsInvalid =>
  Predicate.isTagged(u, "ToolArgumentsInvalid") && u instanceof ToolArgumentsInvalid

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolOutputUnencodable = (u: unknown): u is ToolOutputUnencodable =>
  Predicate.isTagged(u, "ToolOutputUnencodable") && u instanceof ToolOutputUnencodable

/**
 * True for the errors of one tool call that are not the handler's own ({@link ToolCallError}).
 *
 * @since 0.1.0
 * @category guards
 */
export const isToolCallError = (u: unknown): u is ToolCallError =>
  isUnknownTool(u) || isToolArgumentsInvalid(u) || isToolOutputUnencodable(u)
