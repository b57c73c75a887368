/**
 * The three public error types of the SDK.
 *
 * - {@link HttpError}: anything that came from the network or the server.
 * - {@link ValidationError}: input rejected before any request was sent.
 * - {@link RunFailed}: a run that ended `failed`, `expired`, or `cancelled` by someone else.
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

/**
 * A failure that came from the network or the server.
 *
 * @since 0.1.0
 * @category errors
 */
export class HttpError extends Schema.TaggedError<HttpError>("@effect-appbuilder/assistant/HttpError")("HttpError", {
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
}) {
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
export type AppBuilderError = HttpError | ValidationError | RunFailed

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
export const isAppBuilderError = (u: unknown): u is AppBuilderError =>
  isHttpError(u) || isValidationError(u) || isRunFailed(u)
