/**
 * The low-level client of the AppBuilder Assistant API: the base URL, both authorization headers, a fresh
 * request id per attempt, a timeout per attempt, a retry policy that never resends a call the service may
 * have acted on, and the mapping of every failure to an {@link HttpError} (including the HTTP 200 error
 * envelopes of the service).
 *
 * The resource services (`Assistants`, `Files`, …) are built on it; use it directly only for endpoints
 * they do not cover.
 *
 * @since 0.1.0
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual, identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import * as Attempt from "./internal/attempt.js"
import * as RequestHeaders from "./internal/headers.js"
import * as ClientOptions from "./internal/options.js"
import * as Overrides from "./internal/overrides.js"
import * as Responses from "./internal/responses.js"
import * as Retry from "./internal/retry.js"
import type * as Span from "./internal/span.js"
import * as Streams from "./internal/stream.js"
import * as Wire from "./internal/wire.js"

/**
 * The base URL used when none is configured.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL: string = ClientOptions.DEFAULT_BASE_URL

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
  /**
   * The schedule of the delays between attempts, replacing the default backoff (`baseDelay`, `maxDelay`
   * and `maxRetries` are then ignored): e.g. `Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(5)))`.
   * It only sees failures that are safe to retry, and a `Retry-After` still replaces its delay.
   */
  readonly schedule?: Schedule.Schedule<unknown, HttpError> | undefined
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
 * What `retry` accepts: the {@link RetryOptions}, an Effect `Schedule` (short for `{ schedule }`: it
 * decides the delays and when to stop; only failures that are safe to retry reach it, and a `Retry-After`
 * of at most 60 s replaces its delay), or `false` to never retry.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryPolicy = RetryOptions | Schedule.Schedule<unknown, HttpError> | false

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
  /** The retry policy: {@link RetryOptions}, a `Schedule`, or `false` to never retry. */
  readonly retry?: RetryPolicy | undefined
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
 * What the client knows of the last response received inside {@link withResponseMeta}: the request id to
 * quote in a support ticket (the service's `X-Appbuilder-Request-Id`, else the one the SDK sent), the
 * HTTP status, and the SDK operation (e.g. `Assistants.create`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseMeta {
  readonly requestId: string
  readonly status: number
  readonly operation: string
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
   * failure while reading the event stream after the headers is a `StreamEnded` error (the request was
   * processed, so it is never resent). No idle timeout is applied here (see {@link Service.streamIdleTimeout}).
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

const jsonRequest = (path: string, body: unknown): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.post(path).pipe(
    HttpClientRequest.setBody(HttpBody.text(JSON.stringify(body) ?? "null", "application/json"))
  )

const multipartRequest = (
  path: string,
  query: Readonly<Record<string, string>>,
  part: UploadPart
): HttpClientRequest.HttpClientRequest => {
  const multipart = Wire.multipart(part)
  return HttpClientRequest.post(path).pipe(
    HttpClientRequest.setUrlParams(query),
    HttpClientRequest.bodyUint8Array(multipart.body, multipart.contentType)
  )
}

/**
 * Builds the client service. Fails with a {@link ValidationError} when the token is empty or cannot be
 * sent in a header (the message never shows it), or the base URL is not a valid URL.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, ValidationError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const resolved = yield* ClientOptions.resolve(options)
    // the platform's own `http.client` span is replaced by the SDK's, which holds no secret: it is switched
    // off for the requests the SDK sends (see `internal/span.ts`), as are the secret headers redacted
    const client = (options.transformClient ?? identity)(yield* HttpClient.HttpClient)
    const scopedClient = HttpClient.withScope(client)
    const attempt = Attempt.make({ timeout: resolved.timeout, prepare: RequestHeaders.makePrepare(resolved) })
    // the request is built once per call, lazily (so that nothing throws while the effect is being built),
    // then every attempt sends it with its own request id under the retry policy
    const call = <A, R>(
      operation: Operation,
      buildRequest: () => HttpClientRequest.HttpClientRequest,
      execute: Span.Execute<R>,
      onResponse: Attempt.OnResponse<A, R>
    ): Effect.Effect<A, HttpError, R> =>
      // the overrides of `withRetry` / `withTimeout` are read from the fiber when the call is made, in one
      // step (every call passes here)
      Effect.withFiberRuntime((fiber) => {
        const request = buildRequest()
        const retry = Context.get(fiber.currentContext, Overrides.CurrentRetry)
        const timeout = Context.get(fiber.currentContext, Overrides.CurrentTimeout)
        const effective: Operation = operation.timeout === undefined && Option.isSome(timeout)
          ? { ...operation, timeout: timeout.value }
          : operation
        const policy = Option.match(retry, { onNone: () => resolved.retry, onSome: Retry.resolveRetry })
        return Retry.withRetry(effective, policy, attempt(effective, request, execute, onResponse))
      })

    const post: Service["post"] = (operation, path, body, schema) =>
      call(operation, () => jsonRequest(path, body), client.execute, Responses.readJson(operation, path, schema))

    const upload: Service["upload"] = (operation, path, query, part, schema) =>
      call(
        operation,
        () => multipartRequest(path, query, part),
        client.execute,
        Responses.readJson(operation, path, schema)
      )

    const postRaw: Service["postRaw"] = (operation, path, body) =>
      call(operation, () => jsonRequest(path, body), scopedClient.execute, Effect.succeed)

    const stream: Service["stream"] = (operation, path, body) =>
      Streams.unwrapScoped(
        Effect.map(
          call(
            operation,
            () => jsonRequest(path, body),
            scopedClient.execute,
            Responses.checkEventStream(operation, path)
          ),
          (response) => Responses.eventStreamBytes(operation, response)
        )
      )

    return AppBuilderClient.of({
      post,
      postRaw,
      upload,
      stream,
      streamIdleTimeout: resolved.streamIdleTimeout,
      timeout: resolved.timeout,
      baseUrl: resolved.baseUrl
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
 * Runs `self` and returns its result together with the {@link ResponseMeta} of the last response that
 * arrived while it ran (`Option.none()` when it made no request), e.g. to quote the request id of a
 * successful call in a support ticket without a span exporter. Every SDK call inside counts (the
 * resource services, `AppBuilderClient` itself, the requests of a run stream consumed inside); with
 * retries, it is the response of the last attempt; with concurrent calls, the one that arrived last.
 * Nested uses each see the responses of their own effect. A failed call carries its request id in the
 * error (`HttpError.requestId`).
 *
 * @example
 * ```ts
 * import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
 * import * as Assistants from "@effect-appbuilder/assistant/Assistants"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 *
 * const program = Effect.gen(function*() {
 *   const assistants = yield* Assistants.Assistants
 *   const [assistant, meta] = yield* AppBuilderClient.withResponseMeta(assistants.query("asst_1"))
 *   yield* Effect.log(`request id: ${Option.match(meta, { onNone: () => "-", onSome: (m) => m.requestId })}`)
 *   return assistant
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withResponseMeta = <A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<[A, Option.Option<ResponseMeta>], E, R> =>
  Effect.flatMap(
    Ref.make(Option.none<ResponseMeta>()),
    (collector) =>
      Effect.flatMap(Attempt.ResponseMetaCollectors, (collectors) =>
        self.pipe(
          Effect.provideService(Attempt.ResponseMetaCollectors, [...collectors, collector]),
          Effect.flatMap((a) => Effect.map(Ref.get(collector), (meta): [A, Option.Option<ResponseMeta>] => [a, meta]))
        ))
  )

/**
 * Runs `self` with another retry policy for every request it makes (the client's policy is replaced,
 * not merged): a `Schedule`, {@link RetryOptions} or `false`. As with the client's policy, only failures
 * that are safe to retry are retried (a create whose outcome is unknown never is), and a `Retry-After`
 * replaces the delay. The innermost override wins. For a `Stream`, use {@link withRetryStream}.
 *
 * @example
 * ```ts
 * import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
 * import * as Assistants from "@effect-appbuilder/assistant/Assistants"
 * import * as Effect from "effect/Effect"
 * import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
 *
 * const program = Effect.flatMap(Assistants.Assistants, (assistants) => assistants.query("asst_1")).pipe(
 *   AppBuilderClient.withRetry(Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(5))))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRetry: {
  (policy: RetryPolicy): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, policy: RetryPolicy): Effect.Effect<A, E, R> =>
    Effect.provideService(self, Overrides.CurrentRetry, Option.some(policy))
)

/**
 * {@link withRetry} for a `Stream` (e.g. `Runs.stream`): the policy applies to the requests the stream
 * makes (a run stream is retried only until its response headers arrive).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRetryStream: {
  (policy: RetryPolicy): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>
  <A, E, R>(self: Stream.Stream<A, E, R>, policy: RetryPolicy): Stream.Stream<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Stream.Stream<A, E, R>, policy: RetryPolicy): Stream.Stream<A, E, R> =>
    Stream.provideService(self, Overrides.CurrentRetry, Option.some(policy))
)

/**
 * Runs `self` with another per-attempt timeout (any `Duration` input) for every request it makes; a
 * timeout given to one call (e.g. `Runs.run(…, { timeout })`) still wins. The innermost override wins.
 * For a `Stream`, use {@link withTimeoutStream}.
 *
 * @example
 * ```ts
 * import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
 * import * as Assistants from "@effect-appbuilder/assistant/Assistants"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.flatMap(Assistants.Assistants, (assistants) => assistants.query("asst_1")).pipe(
 *   AppBuilderClient.withTimeout("2 seconds")
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTimeout: {
  (timeout: Duration.DurationInput): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.DurationInput): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.DurationInput): Effect.Effect<A, E, R> =>
    Effect.suspend(() => Effect.provideService(self, Overrides.CurrentTimeout, Option.some(Duration.decode(timeout))))
)

/**
 * {@link withTimeout} for a `Stream`: the timeout of each attempt until the response headers (the idle
 * timeout between events is the client's `streamIdleTimeout`, or the stream's `idleTimeout` option).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTimeoutStream: {
  (timeout: Duration.DurationInput): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>
  <A, E, R>(self: Stream.Stream<A, E, R>, timeout: Duration.DurationInput): Stream.Stream<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Stream.Stream<A, E, R>, timeout: Duration.DurationInput): Stream.Stream<A, E, R> =>
    Stream.suspend(() => Stream.provideService(self, Overrides.CurrentTimeout, Option.some(Duration.decode(timeout))))
)

/**
 * A value given directly, or read from a `Config`.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigValue<A> = A | Config.Config<A>

/**
 * {@link RetryOptions} whose durations and count may be read from a `Config`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryOptionsConfig {
  readonly schedule?: Schedule.Schedule<unknown, HttpError> | undefined
  readonly baseDelay?: ConfigValue<Duration.DurationInput> | undefined
  readonly maxDelay?: ConfigValue<Duration.DurationInput> | undefined
  readonly maxRetries?: ConfigValue<number> | undefined
  readonly maxRetryAfter?: ConfigValue<Duration.DurationInput> | undefined
}

/**
 * Options of {@link layerConfig}: every option of {@link Options}, each given directly or as a `Config`
 * (`transformClient` only directly). `token` defaults to `Config.redacted("APPBUILDER_TOKEN")`,
 * `baseUrl` to `GATEWAY_URL` (else `https://appbuilder.baidu.com`), `secretKeyPrefix` to
 * `SECRET_KEY_PREFIX` and `platform` to `APPBUILDER_SDK_PLATFORM`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigOptions {
  readonly token?: ConfigValue<Redacted.Redacted<string>> | undefined
  readonly baseUrl?: ConfigValue<string> | undefined
  readonly timeout?: ConfigValue<Duration.DurationInput> | undefined
  readonly streamIdleTimeout?: ConfigValue<Duration.DurationInput> | undefined
  readonly retry?: ConfigValue<RetryPolicy> | RetryOptionsConfig | undefined
  readonly secretKeyPrefix?: ConfigValue<string> | undefined
  readonly platform?: ConfigValue<string> | undefined
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The former name of {@link ConfigOptions}.
 *
 * @since 0.1.0
 * @category models
 */
export type ConfigOverrides = ConfigOptions

const isConfig = <A>(value: ConfigValue<A>): value is Config.Config<A> => Config.isConfig(value)

const readValue = <A>(value: ConfigValue<A>): Effect.Effect<A, ConfigError.ConfigError> =>
  isConfig(value) ? value : Effect.succeed(value)

const read = <A>(value: ConfigValue<A> | undefined): Effect.Effect<A | undefined, ConfigError.ConfigError> =>
  value === undefined ? Effect.succeed(undefined) : readValue(value)

const readOptional = (name: string): Effect.Effect<string | undefined, ConfigError.ConfigError> =>
  Effect.map(
    Config.option(Config.string(name)),
    Option.match({ onNone: () => undefined, onSome: (value) => (value === "" ? undefined : value) })
  )

const TOKEN_MISSING =
  "APPBUILDER_TOKEN is not set: set it to your AppBuilder token, or pass `token` to AppBuilder.layerConfig / AppBuilderClient.layerConfig"

const defaultToken: Effect.Effect<Redacted.Redacted<string>, ConfigError.ConfigError> = Effect.catchIf(
  Config.redacted("APPBUILDER_TOKEN"),
  ConfigError.isMissingDataOnly,
  () => Effect.fail(ConfigError.MissingData(["APPBUILDER_TOKEN"], TOKEN_MISSING))
)

const readRetry = (
  retry: ConfigOptions["retry"]
): Effect.Effect<RetryPolicy | undefined, ConfigError.ConfigError> => {
  if (retry === undefined || retry === false || Schedule.isSchedule(retry)) return Effect.succeed(retry)
  if (Config.isConfig(retry)) return readValue<RetryPolicy>(retry)
  return Effect.map(
    Effect.all({
      baseDelay: read(retry.baseDelay),
      maxDelay: read(retry.maxDelay),
      maxRetries: read(retry.maxRetries),
      maxRetryAfter: read(retry.maxRetryAfter)
    }),
    (fields): RetryOptions => ({ ...fields, schedule: retry.schedule })
  )
}

/**
 * Reads the options of the client, each given directly or as a `Config`, with the defaults of
 * {@link ConfigOptions}. A missing token is a `ConfigError` saying how to provide it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const config = (options: ConfigOptions = {}): Effect.Effect<Options, ConfigError.ConfigError> =>
  Effect.all({
    token: options.token === undefined ? defaultToken : readValue(options.token),
    baseUrl: options.baseUrl === undefined ? readOptional("GATEWAY_URL") : read(options.baseUrl),
    secretKeyPrefix: options.secretKeyPrefix === undefined
      ? readOptional("SECRET_KEY_PREFIX")
      : read(options.secretKeyPrefix),
    platform: options.platform === undefined ? readOptional("APPBUILDER_SDK_PLATFORM") : read(options.platform),
    timeout: read(options.timeout),
    streamIdleTimeout: read(options.streamIdleTimeout),
    retry: readRetry(options.retry)
  }).pipe(
    Effect.map((values): Options => ({ ...values, transformClient: options.transformClient }))
  )

/**
 * The client configured from `Config` values: every option of {@link ConfigOptions} may be a `Config`
 * (e.g. `{ token: Config.redacted("MY_TOKEN"), timeout: Config.duration("MY_TIMEOUT") }`) or a plain
 * value; by default the token is read from `APPBUILDER_TOKEN` and the base URL from `GATEWAY_URL`, as the
 * official client does. Fails with a `ConfigError` (a missing token says how to set it) or a
 * {@link ValidationError}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ConfigOptions = {}
): Layer.Layer<AppBuilderClient, ConfigError.ConfigError | ValidationError, HttpClient.HttpClient> =>
  Layer.effect(AppBuilderClient, Effect.flatMap(config(options), make))
