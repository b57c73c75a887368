/**
 * The SDK's own `http.client` span. The platform's span is switched off on the SDK's client because it
 * ends with the response, which holds the request and so the authorization headers in clear. This span
 * carries the same attributes (secret headers redacted), propagates the trace context like the platform
 * does, and ends with nothing that reaches the request.
 *
 * @since 0.1.0
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import { constTrue } from "effect/Function"
import * as Tracer from "effect/Tracer"
import type { HttpError } from "../AppBuilderError.js"
import { withSecrets } from "./headers.js"

/**
 * Sends a request with the platform client's `execute`.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export type Execute<R> = (
  request: HttpClientRequest.HttpClientRequest
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError, R>

const recordRequest = (
  span: Tracer.Span,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  redacted: ReadonlyArray<string | RegExp>
) => {
  span.attribute("http.request.method", request.method)
  span.attribute("server.address", url.origin)
  if (url.port !== "") span.attribute("server.port", Number(url.port))
  span.attribute("url.full", url.toString())
  span.attribute("url.path", url.pathname)
  span.attribute("url.scheme", url.protocol.slice(0, -1))
  const query = url.search.slice(1)
  if (query !== "") span.attribute("url.query", query)
  for (const [name, value] of Object.entries(Headers.redact(request.headers, redacted))) {
    span.attribute(`http.request.header.${name}`, String(value))
  }
}

const recordResponse = (
  span: Tracer.Span,
  response: HttpClientResponse.HttpClientResponse,
  redacted: ReadonlyArray<string | RegExp>
) => {
  span.attribute("http.response.status_code", response.status)
  for (const [name, value] of Object.entries(Headers.redact(response.headers, redacted))) {
    span.attribute(`http.response.header.${name}`, String(value))
  }
}

/**
 * Runs a send with the fiber's refs it needs, set in one step and put back (to the values they had) when
 * it ends, however it ends: the redacted names with the secret headers (`redacted`), so that neither
 * authorization header shows up in clear in a span or a log written while the request is sent (e.g. by
 * the client's `transformClient`); and, under the SDK's span (`span`), the platform's own `http.client`
 * span switched off and the SDK's span as the parent. This is `Effect.locally(Headers.currentRedactedNames,
 * …)`, `Effect.locally(HttpClient.currentTracerDisabledWhen, …)` and `Effect.withParentSpan` in one: each of
 * them is an acquire/use/release of its own, on every request. Each `FiberRef.set` copies all the fiber's
 * refs, as does reading them all: the three refs of a traced send are set together, and put back
 * together (two copies each way instead of three).
 */
const withSendRefs = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  redacted: ReadonlyArray<string | RegExp>,
  span: Tracer.Span | undefined
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime((fiber) => {
      const names = fiber.getFiberRef(Headers.currentRedactedNames)
      let set = FiberRef.set(Headers.currentRedactedNames, redacted)
      let reset = FiberRef.set(Headers.currentRedactedNames, names)
      if (span !== undefined) {
        const disabledWhen = fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)
        const context = fiber.getFiberRef(FiberRef.currentContext)
        const parented = Context.add(context, Tracer.ParentSpan, span)
        set = setSendRefs(redacted, constTrue, parented)
        reset = setSendRefs(names, disabledWhen, context)
      }
      return Effect.zipRight(
        set,
        Effect.matchCauseEffect(restore(effect), {
          onFailure: (cause) => Effect.zipRight(reset, Effect.failCause(cause)),
          onSuccess: (value) => Effect.as(reset, value)
        })
      )
    })
  )

/** One entry of `FiberRefs.updateManyAs`: `ref` set to `value` by `fiberId`. */
const entry = <X>(
  ref: FiberRef.FiberRef<X>,
  fiberId: FiberId.Single,
  value: X
): readonly [FiberRef.FiberRef<X>, readonly [readonly [FiberId.Single, X]]] => [ref, [[fiberId, value]]]

/** Sets the three refs of a traced send in one step (one copy of the fiber's refs). */
const setSendRefs = (
  redacted: ReadonlyArray<string | RegExp>,
  disabledWhen: (request: HttpClientRequest.HttpClientRequest) => boolean,
  context: Context.Context<never>
): Effect.Effect<void> =>
  Effect.updateFiberRefs((fiberId, refs) =>
    FiberRefs.updateManyAs(refs, {
      entries: [
        entry(Headers.currentRedactedNames, fiberId, redacted),
        entry(HttpClient.currentTracerDisabledWhen, fiberId, disabledWhen),
        entry(FiberRef.currentContext, fiberId, context)
      ]
    })
  )

/**
 * Sends one request under the SDK's `http.client` span (see the module documentation); a platform error
 * is turned into an {@link HttpError} by `onError`. Without tracing, or with a URL the client itself will
 * reject, the request is sent without a span (the platform makes none either: it sees the same settings).
 * The secret headers are redacted while the request is sent (see `withSendRefs`).
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const sendTraced = <R>(
  request: HttpClientRequest.HttpClientRequest,
  execute: Execute<R>,
  onError: (error: HttpClientError.HttpClientError) => Effect.Effect<never, HttpError>
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError, R> =>
  // the settings are read from the fiber in one step (not one `yield*` each): every request passes here
  Effect.withFiberRuntime((fiber) => {
    const redacted = withSecrets(fiber.getFiberRef(Headers.currentRedactedNames))
    if (
      !fiber.getFiberRef(FiberRef.currentTracerEnabled) ||
      fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)(request)
    ) {
      return withSendRefs(Effect.catchAll(execute(request), onError), redacted, undefined)
    }
    const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
    if (Either.isLeft(url)) return withSendRefs(Effect.catchAll(execute(request), onError), redacted, undefined)
    const propagate = fiber.getFiberRef(HttpClient.currentTracerPropagation)
    const spanName = Context.get(fiber.currentContext, HttpClient.SpanNameGenerator)
    const received = Effect.useSpan(
      spanName(request),
      { kind: "client", captureStackTrace: false },
      (span) => {
        recordRequest(span, request, url.right, redacted)
        const outgoing = propagate ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span)) : request
        return withSendRefs(Effect.catchAll(execute(outgoing), onError), redacted, span).pipe(
          Effect.map((response) => {
            recordResponse(span, response, redacted)
            // the span ends with this function rather than the response: a tracer that records how a span
            // ended cannot reach the request (and its headers) through it
            return () => response
          })
        )
      }
    )
    return Effect.map(received, (receive) => receive())
  })
