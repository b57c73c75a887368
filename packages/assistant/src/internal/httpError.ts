/**
 * {@link HttpError}: every failure that came from the network or the server, with its reasons and the
 * retry policies derived from them. `AppBuilderError` re-exports it.
 *
 * @since 0.1.0
 * @internal
 */
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
const QUOTA_CODES: ReadonlySet<string> = new Set(["17", "19"])

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
    const text = `${this.code ?? ""} ${this.type ?? ""} ${
      this.reason === "Status" ? this.body ?? "" : this.description
    }`
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
