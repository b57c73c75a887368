/**
 * The low-level client of the AppBuilder Assistant API: a layered `HttpClient` with the base URL, both
 * authorization headers, a fresh request id per attempt, a timeout per attempt, a retry schedule, and the
 * mapping of every failure to an {@link HttpError} (including the HTTP 200 error envelopes of the service).
 *
 * The resource services (`Assistants`, `Files`, …) are built on it; use it directly only for endpoints
 * they do not cover.
 *
 * @since 0.1.0
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Headers from "@effect/platform/Headers"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { constTrue, identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { HttpError, Issue, ValidationError } from "./AppBuilderError.js"
import * as Transport from "./internal/transport.js"
import * as Wire from "./internal/wire.js"

/**
 * The base URL used when none is configured.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://appbuilder.baidu.com"

/**
 * The SDK version sent in `X-Appbuilder-Sdk-Config`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SDK_VERSION = "0.1.0"

/**
 * Header names whose values are secrets: they are redacted in spans and logs (`authorization` is
 * redacted by the platform already).
 *
 * @since 0.1.0
 * @category constants
 */
export const SECRET_HEADERS: ReadonlyArray<string> = ["authorization", "x-appbuilder-authorization"]

/**
 * The retry policy. Every call is a POST, so a call that changes something is retried only when the
 * service provably did not process it (429, 502/503/504, a connection that could not be opened); a failure
 * after the request may have been written (connection reset, body cut, timeout) is an `OutcomeUnknown`
 * error and is not resent. Read-only operations also retry those failures, timeouts and other 5xx.
 * Quota errors are never retried. A `Retry-After` header replaces the computed delay; one longer than
 * `maxRetryAfter` is not waited for (the error is returned at once).
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** The first delay of the exponential backoff (jittered ±20 %). Default 500 ms. */
  readonly baseDelay?: Duration.DurationInput | undefined
  /** The cap of a computed delay. Default 10 s. */
  readonly maxDelay?: Duration.DurationInput | undefined
  /** How many times an operation is retried. Default 3. */
  readonly maxRetries?: number | undefined
  /** The longest `Retry-After` the client waits for. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

/**
 * The options of the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The AppBuilder token (e.g. `bce-v3/ALTAK-…`), with or without the `Bearer ` prefix. */
  readonly token: Redacted.Redacted<string>
  /** Default `https://appbuilder.baidu.com`; `https://` is prepended when it does not start with `http`. */
  readonly baseUrl?: string | undefined
  /**
   * The timeout of one attempt (until the whole JSON body was read, or until a stream's headers). Default
   * 60 s. A call that changes something and times out fails with `OutcomeUnknown` and is not resent.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** The longest silence allowed between two events of a run stream. Default 90 s. */
  readonly streamIdleTimeout?: Duration.DurationInput | undefined
  /** The retry policy, or `false` to never retry. */
  readonly retry?: RetryOptions | false | undefined
  /** The prefix put before the token unless it starts with it already. Default `Bearer`. */
  readonly secretKeyPrefix?: string | undefined
  /** The `appbuilder_sdk_platform` reported in `X-Appbuilder-Sdk-Config`. Default `unknown`. */
  readonly platform?: string | undefined
  /**
   * A hook applied to the underlying client (the requests it sees carry the SDK's headers). The platform's
   * `http.client` span is switched off on this client: the SDK makes its own, with the secret headers
   * redacted and nothing in it that holds the request.
   */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * An SDK operation: its name (used in errors, spans and logs) and whether it is read-only, which
 * decides what may be retried. A failure after a non-idempotent request may have been written (connection
 * reset, response body cut, timeout) is an `OutcomeUnknown` error and is never resent; for an idempotent
 * one it keeps its `Transport` / `Timeout` reason and is retried.
 *
 * @since 0.1.0
 * @category models
 */
export interface Operation {
  readonly name: string
  readonly idempotent: boolean
  /** Overrides the per-attempt timeout of the client (e.g. for blocking runs). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * The single file part of a multipart upload.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadPart {
  /** The form field name (the service expects `file`). */
  readonly field: string
  /** The file name put in the part's `Content-Disposition`. */
  readonly filename: string
  readonly bytes: Uint8Array
}

/**
 * The client service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * POSTs a JSON body and decodes the JSON answer with `schema`, after checking the status, the error
   * envelope and (on `/v2/storage/files*`) the storage error shape.
   */
  readonly post: <A, I, R>(
    operation: Operation,
    path: string,
    body: unknown,
    schema: Schema.Schema<A, I, R>
  ) => Effect.Effect<A, HttpError, R>
  /**
   * POSTs a JSON body and returns the raw response once its status is 200 (for download / content).
   * The request is aborted when the scope closes.
   */
  readonly postRaw: (
    operation: Operation,
    path: string,
    body: unknown
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError, Scope.Scope>
  /**
   * POSTs one file as `multipart/form-data` (with `query` as URL parameters) and decodes the JSON answer
   * like {@link Service.post}.
   */
  readonly upload: <A, I, R>(
    operation: Operation,
    path: string,
    query: Readonly<Record<string, string>>,
    part: UploadPart,
    schema: Schema.Schema<A, I, R>
  ) => Effect.Effect<A, HttpError, R>
  /**
   * POSTs a JSON body and streams the answer's bytes. Retries (per the policy) only until the response
   * headers arrive, with the per-attempt timeout as header timeout. A non-200 status is a `Status` error;
   * a 200 whose content type is not `text/event-stream` is read as JSON: an error envelope becomes an
   * `Api` error, anything else a `Decode` error. Before the headers the rules of {@link Operation} apply
   * (a non-idempotent stream whose request may have been written is not resent: `OutcomeUnknown`). A
   * failure while reading the event stream after the headers is a `Transport` error. No idle timeout is
   * applied here (see {@link Service.streamIdleTimeout}).
   */
  readonly stream: (operation: Operation, path: string, body: unknown) => Stream.Stream<Uint8Array, HttpError>
  /** The configured idle timeout between stream events. */
  readonly streamIdleTimeout: Duration.Duration
  /** The configured per-attempt timeout. */
  readonly timeout: Duration.Duration
  /** The normalised base URL. */
  readonly baseUrl: string
}

/**
 * The client tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class AppBuilderClient extends Context.Tag("@effect-appbuilder/assistant/AppBuilderClient")<
  AppBuilderClient,
  Service
>() {}

/**
 * Normalises a base URL as the official client does (spec §1.1): empty means the default, `https://` is
 * prepended when the value does not start with `http`; trailing slashes are removed so that paths never
 * start with `//`.
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizeBaseUrl = (baseUrl: string | undefined): string => {
  const trimmed = (baseUrl ?? "").trim()
  if (trimmed === "") return DEFAULT_BASE_URL
  const withScheme = trimmed.startsWith("http") ? trimmed : `https://${trimmed}`
  return withScheme.replace(/\/+$/, "")
}

/**
 * The value of both authorization headers: the token with the prefix (default `Bearer`) prepended
 * unless the token already starts with it.
 *
 * @since 0.1.0
 * @category utils
 */
export const authorizationValue = (token: Redacted.Redacted<string>, prefix = "Bearer"): Redacted.Redacted<string> => {
  const value = Redacted.value(token)
  return Redacted.make(value.startsWith(prefix) ? value : `${prefix} ${value}`)
}

/**
 * Parses a `Retry-After` value (delay in seconds or an HTTP date) into milliseconds from `now`.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === "") return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

const MAX_BODY = 2048

const trimBody = (text: string): string => (text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text)

const responseRequestId = (
  response: HttpClientResponse.HttpClientResponse,
  fallback: string | undefined
): string | undefined => {
  const header = response.headers["x-appbuilder-request-id"]
  return header !== undefined && header !== "" ? header : fallback
}

const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

const isStoragePath = (path: string): boolean => path.startsWith("/v2/storage/files")

interface ResolvedRetry {
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  readonly maxRetries: number
  readonly maxRetryAfter: Duration.Duration
}

const resolveRetry = (retry: RetryOptions | false | undefined): ResolvedRetry | undefined =>
  retry === false ? undefined : {
    baseDelay: Duration.decode(retry?.baseDelay ?? "500 millis"),
    maxDelay: Duration.decode(retry?.maxDelay ?? "10 seconds"),
    maxRetries: retry?.maxRetries ?? 3,
    maxRetryAfter: Duration.decode(retry?.maxRetryAfter ?? "60 seconds")
  }

/**
 * The retry schedule: exponential backoff with jitter and a cap; a `Retry-After` replaces the computed
 * delay.
 *
 * @since 0.1.0
 * @category utils
 */
export const retrySchedule = (options: RetryOptions = {}): Schedule.Schedule<unknown, HttpError> => {
  const o = resolveRetry(options) ?? {
    baseDelay: Duration.millis(500),
    maxDelay: Duration.seconds(10),
    maxRetries: 3,
    maxRetryAfter: Duration.seconds(60)
  }
  return Schedule.exponential(o.baseDelay).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, o.maxDelay)),
    Schedule.intersect(Schedule.identity<HttpError>()),
    Schedule.modifyDelay(([, error], delay) =>
      error.retryAfterMillis === undefined ? delay : Duration.millis(error.retryAfterMillis)
    ),
    Schedule.intersect(Schedule.recurs(o.maxRetries))
  )
}

/**
 * Whether an error may be retried for the given operation.
 *
 * @since 0.1.0
 * @category utils
 */
export const isRetryable = (operation: Operation, error: HttpError): boolean =>
  operation.idempotent ? error.retryableWhenIdempotent : error.retryable

/**
 * The error of a call that changes something and was sent, but got no complete answer: it is not resent,
 * because the service may have acted on it.
 */
const outcomeUnknown = (
  operation: Operation,
  problem: string,
  requestId: string | undefined,
  status?: number,
  cause?: unknown
): HttpError =>
  new HttpError({
    reason: "OutcomeUnknown",
    operation: operation.name,
    description:
      `outcome unknown: the request was sent but no complete answer came back (${problem}); it was not retried because the service may have acted on it`,
    status,
    requestId,
    cause
  })

/** A response body that could not be read to its end after a 200. */
const bodyCut = (
  operation: Operation,
  status: number,
  requestId: string | undefined,
  cause: unknown
): HttpError =>
  operation.idempotent
    ? new HttpError({
      reason: "Transport",
      operation: operation.name,
      description: "the response body could not be read",
      status,
      requestId,
      cause
    })
    : outcomeUnknown(operation, "response body cut", requestId, status, cause)

const fromClientError = (
  operation: Operation,
  error: HttpClientError.HttpClientError,
  requestId: string | undefined
): Effect.Effect<never, HttpError> => {
  if (error._tag === "RequestError") {
    // `InvalidUrl` and `Encode` fail before anything is sent; a transport failure is known to be harmless
    // only when the connection could not be opened
    if (error.reason !== "Transport") {
      return Effect.fail(
        new HttpError({
          reason: "Transport",
          operation: operation.name,
          description: `${error.reason} error${error.description === undefined ? "" : `: ${error.description}`}`,
          requestId,
          cause: error.cause
        })
      )
    }
    const problem = Transport.problem(error.cause, "transport failure")
    if (Transport.neverSent(error.cause)) {
      return Effect.fail(
        new HttpError({
          reason: "Transport",
          operation: operation.name,
          description: `the service could not be reached (${problem})`,
          requestId,
          cause: error.cause
        })
      )
    }
    return Effect.fail(
      operation.idempotent
        ? new HttpError({
          reason: "Transport",
          operation: operation.name,
          description: `the connection broke before a complete answer arrived (${problem})`,
          requestId,
          cause: error.cause
        })
        : outcomeUnknown(operation, problem, requestId, undefined, error.cause)
    )
  }
  return statusError(operation, error.response, requestId)
}

/**
 * Sends one request under an `http.client` span of the SDK's own. The platform's span is switched off on
 * the SDK's client because it ends with the response, which holds the request and so the authorization
 * headers in clear. This span carries the same attributes (secret headers redacted), propagates the trace
 * context like the platform does, and ends with nothing that reaches the request.
 */
const send = <R>(
  request: HttpClientRequest.HttpClientRequest,
  execute: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>,
  onError: (error: HttpClientError.HttpClientError) => Effect.Effect<never, HttpError>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError, R> =>
  Effect.gen(function*() {
    const tracerEnabled = yield* FiberRef.get(FiberRef.currentTracerEnabled)
    const disabledWhen = yield* FiberRef.get(HttpClient.currentTracerDisabledWhen)
    const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
    // without tracing, or with a URL the client itself will reject, there is nothing to record
    if (!tracerEnabled || disabledWhen(request) || Either.isLeft(url)) {
      return yield* Effect.catchAll(execute(request), onError)
    }
    const propagate = yield* FiberRef.get(HttpClient.currentTracerPropagation)
    const redactedNames = yield* FiberRef.get(Headers.currentRedactedNames)
    const spanName = yield* HttpClient.SpanNameGenerator
    const received = yield* Effect.useSpan(
      spanName(request),
      { kind: "client", captureStackTrace: false },
      (span) => {
        span.attribute("http.request.method", request.method)
        span.attribute("server.address", url.right.origin)
        if (url.right.port !== "") span.attribute("server.port", Number(url.right.port))
        span.attribute("url.full", url.right.toString())
        span.attribute("url.path", url.right.pathname)
        span.attribute("url.scheme", url.right.protocol.slice(0, -1))
        const query = url.right.search.slice(1)
        if (query !== "") span.attribute("url.query", query)
        for (const [name, value] of Object.entries(Headers.redact(request.headers, redactedNames))) {
          span.attribute(`http.request.header.${name}`, String(value))
        }
        const outgoing = propagate ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span)) : request
        return execute(outgoing).pipe(
          Effect.withParentSpan(span),
          Effect.catchAll(onError),
          Effect.map((response) => {
            span.attribute("http.response.status_code", response.status)
            for (const [name, value] of Object.entries(Headers.redact(response.headers, redactedNames))) {
              span.attribute(`http.response.header.${name}`, String(value))
            }
            // the span ends with this function rather than the response: a tracer that records how a span
            // ended cannot reach the request (and its headers) through it
            return () => response
          })
        )
      }
    )
    return received()
  })

const statusError = (
  operation: Operation,
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined
): Effect.Effect<never, HttpError> =>
  Effect.gen(function*() {
    const text = yield* Effect.orElseSucceed(response.text, () => "")
    const now = yield* Clock.currentTimeMillis
    const retryAfterMillis = parseRetryAfter(response.headers["retry-after"], now)
    const details = Option.match(parseJson(text), {
      onNone: () => Wire.emptyErrorDetails,
      onSome: Wire.errorDetails
    })
    return yield* new HttpError({
      reason: "Status",
      operation: operation.name,
      description: details.message ?? `HTTP status ${response.status}`,
      status: response.status,
      code: details.code,
      type: details.type,
      param: details.param,
      requestId: responseRequestId(response, requestId),
      retryAfterMillis,
      body: trimBody(text)
    })
  })

/**
 * Turns a parsed 200 JSON body into an `Api` error when it is an error envelope, or (on storage paths)
 * the storage error shape.
 */
const apiError = (
  operation: Operation,
  path: string,
  json: unknown,
  status: number,
  requestId: string | undefined
): Option.Option<HttpError> => {
  const envelope = Wire.envelopeError(json)
  const details = envelope !== undefined
    ? envelope
    : isStoragePath(path)
    ? Wire.storageError(json)
    : undefined
  if (details === undefined) return Option.none()
  return Option.some(
    new HttpError({
      reason: "Api",
      operation: operation.name,
      description: details.message ?? "the service returned an error",
      status,
      code: details.code,
      type: details.type,
      param: details.param,
      requestId
    })
  )
}

const decodeError = (
  operation: Operation,
  description: string,
  status: number,
  requestId: string | undefined,
  body: string | undefined,
  cause?: unknown
): HttpError =>
  new HttpError({
    reason: "Decode",
    operation: operation.name,
    description,
    status,
    requestId,
    body: body === undefined ? undefined : trimBody(body),
    cause
  })

/**
 * Builds the client service. Fails with a {@link ValidationError} when the token is empty or the base URL
 * is not a valid URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, ValidationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = normalizeBaseUrl(options.baseUrl)
    const issues: Array<Issue> = []
    const token = Redacted.isRedacted(options.token) ? Redacted.value(options.token) : undefined
    // the messages never show the token: it is a secret, and the offending character could be anywhere in it
    if (!Predicate.isString(token)) {
      issues.push(new Issue({ path: ["token"], message: "the token must be a string wrapped in Redacted" }))
    } else if (token.trim() === "") {
      issues.push(new Issue({ path: ["token"], message: "the token must not be empty" }))
    } else if (!Transport.isHeaderSafe(token)) {
      issues.push(
        new Issue({
          path: ["token"],
          message:
            "the token contains a character that cannot be sent in an HTTP header (a line break, another control character or a non-ASCII character); only visible ASCII, spaces and tabs are allowed"
        })
      )
    }
    if (options.secretKeyPrefix !== undefined && !Transport.isHeaderSafe(options.secretKeyPrefix)) {
      issues.push(
        new Issue({
          path: ["secretKeyPrefix"],
          message: "contains a character that cannot be sent in an HTTP header"
        })
      )
    }
    if (options.platform !== undefined && !Transport.isHeaderSafe(options.platform)) {
      issues.push(
        new Issue({ path: ["platform"], message: "contains a character that cannot be sent in an HTTP header" })
      )
    }
    if (!URL.canParse(baseUrl)) {
      issues.push(new Issue({ path: ["baseUrl"], message: "not a valid URL" }))
    }
    if (issues.length > 0) return yield* new ValidationError({ operation: "AppBuilderClient.make", issues })

    const timeout = Duration.decode(options.timeout ?? "60 seconds")
    const streamIdleTimeout = Duration.decode(options.streamIdleTimeout ?? "90 seconds")
    const retry = resolveRetry(options.retry)
    const authorization = authorizationValue(options.token, options.secretKeyPrefix ?? "Bearer")
    const sdkConfig = JSON.stringify({
      appbuilder_sdk_version: SDK_VERSION,
      appbuilder_sdk_language: "typescript",
      appbuilder_sdk_platform: options.platform ?? "unknown"
    })

    // the platform's own `http.client` span is replaced by the one `send` makes (see there)
    const client: HttpClient.HttpClient = (options.transformClient ?? identity)(yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerDisabledWhen(constTrue)
    )
    const scopedClient = HttpClient.withScope(client)

    const prepare = (request: HttpClientRequest.HttpClientRequest, requestId: string) =>
      request.pipe(
        HttpClientRequest.prependUrl(baseUrl),
        HttpClientRequest.setHeaders({
          "x-appbuilder-sdk-config": sdkConfig,
          "x-appbuilder-origin": "appbuilder_sdk",
          "authorization": Redacted.value(authorization),
          "x-appbuilder-authorization": Redacted.value(authorization),
          "x-appbuilder-request-id": requestId,
          "x-bce-request-id": requestId
        })
      )

    /**
     * One attempt: send, check the status, then `onResponse`, all under the attempt timeout. Every attempt
     * gets its own request id. For a call that changes something, any failure after the request may have
     * been written (including the timeout) is `OutcomeUnknown`.
     */
    const attempt = <A, R>(
      operation: Operation,
      request: HttpClientRequest.HttpClientRequest,
      execute: (
        request: HttpClientRequest.HttpClientRequest
      ) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>,
      onResponse: (
        response: HttpClientResponse.HttpClientResponse,
        requestId: string | undefined
      ) => Effect.Effect<A, HttpError, R>
    ): Effect.Effect<A, HttpError, R> =>
      Effect.suspend(() => {
        const requestId = crypto.randomUUID()
        const attemptTimeout = operation.timeout === undefined ? timeout : Duration.decode(operation.timeout)
        const description = `no answer within ${Duration.format(attemptTimeout)}`
        return Effect.annotateCurrentSpan("appbuilder.request_id", requestId).pipe(
          Effect.zipRight(
            send(prepare(request, requestId), execute, (error) => fromClientError(operation, error, requestId))
          ),
          Effect.tap((response) =>
            Effect.logDebug("AppBuilder response").pipe(
              Effect.annotateLogs({
                operation: operation.name,
                status: response.status,
                requestId: responseRequestId(response, requestId) ?? ""
              })
            )
          ),
          Effect.flatMap((response) =>
            response.status === 200
              ? onResponse(response, responseRequestId(response, requestId))
              : statusError(operation, response, requestId)
          ),
          Effect.timeoutFail({
            duration: attemptTimeout,
            onTimeout: () =>
              operation.idempotent
                ? new HttpError({ reason: "Timeout", operation: operation.name, description, requestId })
                : outcomeUnknown(operation, description, requestId)
          })
        )
      })

    const withPolicy = <A, R>(operation: Operation, effect: Effect.Effect<A, HttpError, R>) => {
      const retried = retry === undefined ? effect : Effect.retry(effect, {
        schedule: retrySchedule(retry).pipe(
          Schedule.tapInput((error: HttpError) =>
            Effect.logDebug("AppBuilder request failed").pipe(
              Effect.annotateLogs({
                operation: operation.name,
                reason: error.reason,
                status: error.status ?? "",
                requestId: error.requestId ?? ""
              })
            )
          )
        ),
        while: (error: HttpError) =>
          isRetryable(operation, error) &&
          (error.retryAfterMillis === undefined ||
            error.retryAfterMillis <= Duration.toMillis(retry.maxRetryAfter))
      })
      return Effect.locallyWith(
        retried,
        Headers.currentRedactedNames,
        (names) => [...names, ...SECRET_HEADERS]
      )
    }

    const readJson = <A, I, R>(
      operation: Operation,
      path: string,
      schema: Schema.Schema<A, I, R>
    ) =>
    (
      response: HttpClientResponse.HttpClientResponse,
      requestId: string | undefined
    ): Effect.Effect<A, HttpError, R> =>
      Effect.gen(function*() {
        const text = yield* response.text.pipe(
          Effect.mapError((error) => bodyCut(operation, response.status, requestId, error.cause))
        )
        const json = parseJson(text)
        if (Option.isNone(json)) {
          return yield* decodeError(operation, "the response body is not JSON", response.status, requestId, text)
        }
        const error = apiError(operation, path, json.value, response.status, requestId)
        if (Option.isSome(error)) return yield* error.value
        return yield* ParseResult.decodeUnknown(schema)(json.value, { onExcessProperty: "ignore" }).pipe(
          Effect.mapError((issue) =>
            decodeError(
              operation,
              `unexpected response: ${ParseResult.TreeFormatter.formatIssueSync(issue)}`,
              response.status,
              requestId,
              text
            )
          )
        )
      })

    const jsonRequest = (path: string, body: unknown) =>
      HttpClientRequest.post(path).pipe(
        HttpClientRequest.setBody(HttpBody.text(JSON.stringify(body) ?? "null", "application/json"))
      )

    const post = <A, I, R>(
      operation: Operation,
      path: string,
      body: unknown,
      schema: Schema.Schema<A, I, R>
    ): Effect.Effect<A, HttpError, R> =>
      withPolicy(operation, attempt(operation, jsonRequest(path, body), client.execute, readJson(operation, path, schema)))

    const upload = <A, I, R>(
      operation: Operation,
      path: string,
      query: Readonly<Record<string, string>>,
      part: UploadPart,
      schema: Schema.Schema<A, I, R>
    ): Effect.Effect<A, HttpError, R> =>
      Effect.suspend(() => {
        const multipart = Wire.multipart(part)
        const request = HttpClientRequest.post(path).pipe(
          HttpClientRequest.setUrlParams(query),
          HttpClientRequest.bodyUint8Array(multipart.body, multipart.contentType)
        )
        return withPolicy(operation, attempt(operation, request, client.execute, readJson(operation, path, schema)))
      })

    const postRaw = (
      operation: Operation,
      path: string,
      body: unknown
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError, Scope.Scope> =>
      withPolicy(
        operation,
        attempt(operation, jsonRequest(path, body), scopedClient.execute, (response) => Effect.succeed(response))
      )

    const checkEventStream = (operation: Operation, path: string) =>
    (
      response: HttpClientResponse.HttpClientResponse,
      requestId: string | undefined
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError> => {
      const contentType = (response.headers["content-type"] ?? "").toLowerCase()
      if (contentType.startsWith("text/event-stream")) return Effect.succeed(response)
      return Effect.gen(function*() {
        const text = yield* response.text.pipe(
          Effect.mapError((error) => bodyCut(operation, response.status, requestId, error.cause))
        )
        const json = parseJson(text)
        if (Option.isSome(json)) {
          const error = apiError(operation, path, json.value, response.status, requestId)
          if (Option.isSome(error)) return yield* error.value
        }
        return yield* decodeError(
          operation,
          `expected an event stream, got ${contentType === "" ? "no content type" : contentType}`,
          response.status,
          requestId,
          text
        )
      })
    }

    const stream = (operation: Operation, path: string, body: unknown): Stream.Stream<Uint8Array, HttpError> =>
      Stream.unwrapScoped(
        Effect.map(
          withPolicy(
            operation,
            attempt(operation, jsonRequest(path, body), scopedClient.execute, checkEventStream(operation, path))
          ),
          (response) =>
            response.stream.pipe(
              Stream.mapError((error) =>
                // the request was processed (the headers came): a broken body is a stream that ended
                // early, never a reason to send the request again
                new HttpError({
                  reason: "StreamEnded",
                  operation: operation.name,
                  description: `the event stream broke: ${Transport.problem(error.cause, "the connection failed")}`,
                  status: response.status,
                  requestId: responseRequestId(response, undefined),
                  cause: error.cause
                })
              )
            )
        )
      )

    return AppBuilderClient.of({
      post,
      postRaw,
      upload,
      stream,
      streamIdleTimeout,
      timeout,
      baseUrl
    })
  })

/**
 * A layer providing the client; it needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`,
 * `FetchHttpClient.layer` or the emulator's in-process client).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AppBuilderClient, ValidationError, HttpClient.HttpClient> =>
  Layer.effect(AppBuilderClient, make(options))

/**
 * Options of {@link layerConfig}: everything of {@link Options}; `token` and `baseUrl` default to the
 * environment.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOverrides extends Omit<Options, "token"> {
  readonly token?: Redacted.Redacted<string> | undefined
}

/**
 * Reads the options from the environment, as the official client does: `APPBUILDER_TOKEN` (required
 * unless given in `overrides`), `GATEWAY_URL` (default `https://appbuilder.baidu.com`),
 * `SECRET_KEY_PREFIX` (default `Bearer`) and `APPBUILDER_SDK_PLATFORM` (default `unknown`). Values given in
 * `overrides` win.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  overrides: ConfigOverrides = {}
): Layer.Layer<AppBuilderClient, ConfigError.ConfigError | ValidationError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const token = overrides.token ?? (yield* Config.redacted("APPBUILDER_TOKEN"))
      const baseUrl = overrides.baseUrl ??
        Option.getOrUndefined(yield* Config.option(Config.string("GATEWAY_URL")))
      const secretKeyPrefix = overrides.secretKeyPrefix ??
        Option.getOrUndefined(yield* Config.option(Config.string("SECRET_KEY_PREFIX")))
      const platform = overrides.platform ??
        Option.getOrUndefined(yield* Config.option(Config.string("APPBUILDER_SDK_PLATFORM")))
      return layer({
        ...overrides,
        token,
        baseUrl,
        secretKeyPrefix: Predicate.isString(secretKeyPrefix) && secretKeyPrefix !== "" ? secretKeyPrefix : undefined,
        platform: Predicate.isString(platform) && platform !== "" ? platform : undefined
      })
    })
  )
