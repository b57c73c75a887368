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
import * as Headers from "@effect/platform/Headers"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { identity } from "effect/Function"
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
 * The retry policy. Every call is a POST, so only what the server cannot have processed is retried
 * (429, 502/503/504, transport failures); read-only operations also retry timeouts and other 5xx.
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
  /** The timeout of one attempt (until the whole JSON body was read, or until a stream's headers). Default 60 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** The longest silence allowed between two events of a run stream. Default 90 s. */
  readonly streamIdleTimeout?: Duration.DurationInput | undefined
  /** The retry policy, or `false` to never retry. */
  readonly retry?: RetryOptions | false | undefined
  /** The prefix put before the token unless it starts with it already. Default `Bearer`. */
  readonly secretKeyPrefix?: string | undefined
  /** The `appbuilder_sdk_platform` reported in `X-Appbuilder-Sdk-Config`. Default `unknown`. */
  readonly platform?: string | undefined
  /** A hook applied to the underlying client (after the SDK's headers were set). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * An SDK operation: its name (used in errors, spans and logs) and whether it is read-only, which
 * decides what may be retried.
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
   * `Api` error, anything else a `Decode` error. A failure while reading the body is a `Transport`
   * error. No idle timeout is applied here (see {@link Service.streamIdleTimeout}).
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

interface RequestIdCell {
  id: string | undefined
}

const requestIdCell = FiberRef.unsafeMake<RequestIdCell | undefined>(undefined)

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

const fromClientError = (
  operation: Operation,
  error: HttpClientError.HttpClientError,
  requestId: string | undefined
): Effect.Effect<never, HttpError> => {
  if (error._tag === "RequestError") {
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
  return statusError(operation, error.response, requestId)
}

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
    if (Redacted.value(options.token).trim() === "") {
      issues.push(new Issue({ path: ["token"], message: "the token must not be empty" }))
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

    const client: HttpClient.HttpClient = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(baseUrl),
          HttpClientRequest.setHeaders({
            "x-appbuilder-sdk-config": sdkConfig,
            "x-appbuilder-origin": "appbuilder_sdk",
            "authorization": Redacted.value(authorization),
            "x-appbuilder-authorization": Redacted.value(authorization)
          })
        )
      ),
      // an effect: it runs again for every attempt, so every attempt gets its own request id
      HttpClient.mapRequestEffect((request) =>
        Effect.gen(function*() {
          const id = crypto.randomUUID()
          const cell = yield* FiberRef.get(requestIdCell)
          if (cell !== undefined) cell.id = id
          yield* Effect.annotateCurrentSpan("appbuilder.request_id", id)
          return HttpClientRequest.setHeaders(request, { "x-appbuilder-request-id": id, "x-bce-request-id": id })
        })
      ),
      options.transformClient ?? identity
    )
    const scopedClient = HttpClient.withScope(client)

    /** One attempt: send, check the status, then `onResponse`, all under the attempt timeout. */
    const attempt = <A, R>(
      operation: Operation,
      execute: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>,
      onResponse: (
        response: HttpClientResponse.HttpClientResponse,
        requestId: string | undefined
      ) => Effect.Effect<A, HttpError, R>
    ): Effect.Effect<A, HttpError, R> =>
      Effect.suspend(() => {
        const cell: RequestIdCell = { id: undefined }
        const attemptTimeout = operation.timeout === undefined ? timeout : Duration.decode(operation.timeout)
        return execute.pipe(
          Effect.catchAll((error) => fromClientError(operation, error, cell.id)),
          Effect.tap((response) =>
            Effect.logDebug("AppBuilder response").pipe(
              Effect.annotateLogs({
                operation: operation.name,
                status: response.status,
                requestId: responseRequestId(response, cell.id) ?? ""
              })
            )
          ),
          Effect.flatMap((response) =>
            response.status === 200
              ? onResponse(response, responseRequestId(response, cell.id))
              : statusError(operation, response, cell.id)
          ),
          Effect.timeoutFail({
            duration: attemptTimeout,
            onTimeout: () =>
              new HttpError({
                reason: "Timeout",
                operation: operation.name,
                description: `no answer within ${Duration.format(attemptTimeout)}`,
                requestId: cell.id
              })
          }),
          Effect.locally(requestIdCell, cell)
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
          Effect.mapError((error) =>
            new HttpError({
              reason: "Transport",
              operation: operation.name,
              description: "the response body could not be read",
              status: response.status,
              requestId,
              cause: error.cause
            })
          )
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
      withPolicy(operation, attempt(operation, client.execute(jsonRequest(path, body)), readJson(operation, path, schema)))

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
        return withPolicy(operation, attempt(operation, client.execute(request), readJson(operation, path, schema)))
      })

    const postRaw = (
      operation: Operation,
      path: string,
      body: unknown
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError, Scope.Scope> =>
      withPolicy(
        operation,
        attempt(operation, scopedClient.execute(jsonRequest(path, body)), (response) => Effect.succeed(response))
      )

    const checkEventStream = (operation: Operation, path: string) =>
    (
      response: HttpClientResponse.HttpClientResponse,
      requestId: string | undefined
    ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError> => {
      const contentType = (response.headers["content-type"] ?? "").toLowerCase()
      if (contentType.startsWith("text/event-stream")) return Effect.succeed(response)
      return Effect.gen(function*() {
        const text = yield* Effect.orElseSucceed(response.text, () => "")
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
            attempt(operation, scopedClient.execute(jsonRequest(path, body)), checkEventStream(operation, path))
          ),
          (response) =>
            response.stream.pipe(
              Stream.mapError((error) =>
                new HttpError({
                  reason: "Transport",
                  operation: operation.name,
                  description: "the event stream broke",
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
