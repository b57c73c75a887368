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
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { constTrue, identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import * as Attempt from "./internal/attempt.js"
import * as RequestHeaders from "./internal/headers.js"
import * as ClientOptions from "./internal/options.js"
import * as Responses from "./internal/responses.js"
import * as Retry from "./internal/retry.js"
import type * as Span from "./internal/span.js"
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
    // the platform's own `http.client` span is replaced by the SDK's, which holds no secret
    const client = (options.transformClient ?? identity)(yield* HttpClient.HttpClient).pipe(
      HttpClient.withTracerDisabledWhen(constTrue)
    )
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
      Effect.suspend(() => {
        const request = buildRequest()
        return RequestHeaders.redactSecrets(
          Retry.withRetry(operation, resolved.retry, attempt(operation, request, execute, onResponse))
        )
      })

    const post: Service["post"] = (operation, path, body, schema) =>
      call(operation, () => jsonRequest(path, body), client.execute, Responses.readJson(operation, path, schema))

    const upload: Service["upload"] = (operation, path, query, part, schema) =>
      call(operation, () => multipartRequest(path, query, part), client.execute, Responses.readJson(operation, path, schema))

    const postRaw: Service["postRaw"] = (operation, path, body) =>
      call(operation, () => jsonRequest(path, body), scopedClient.execute, Effect.succeed)

    const stream: Service["stream"] = (operation, path, body) =>
      Stream.unwrapScoped(
        Effect.map(
          call(operation, () => jsonRequest(path, body), scopedClient.execute, Responses.checkEventStream(operation, path)),
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
