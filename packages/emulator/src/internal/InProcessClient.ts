/**
 * An `HttpClient` that hands every request to an `HttpApp` in the caller's own runtime: no sockets,
 * and the caller's `Clock` (e.g. `TestClock`) drives the app and its streamed bodies. The host part of
 * the URL is ignored. JSON, raw bytes, `FormData` (multipart) and stream bodies are supported;
 * interrupting the consumer of a streamed answer interrupts the app's body stream.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/** `duplex` is required by undici for stream bodies but missing from the DOM `RequestInit` type. */
interface StreamRequestInit extends RequestInit {
  readonly duplex: "half"
}

const toWebBody = (
  body: HttpClientRequest.HttpClientRequest["body"],
  runtime: Runtime.Runtime<never>
): { readonly body: BodyInit | null; readonly stream: boolean } => {
  switch (body._tag) {
    case "Empty":
      return { body: null, stream: false }
    case "Uint8Array":
      // TS 5.7+ typed arrays: `Uint8Array<ArrayBufferLike>` is not a `BodyInit`; copy into a fresh buffer.
      return { body: new Uint8Array(body.body), stream: false }
    case "Raw":
      return { body: rawBody(body.body), stream: false }
    case "FormData":
      return { body: body.formData, stream: false }
    case "Stream":
      return { body: Stream.toReadableStreamRuntime(body.stream, runtime), stream: true }
  }
}

const rawBody = (raw: unknown): BodyInit | null => {
  if (raw === null || raw === undefined) return null
  if (typeof raw === "string" || raw instanceof Blob || raw instanceof ArrayBuffer || raw instanceof FormData) {
    return raw
  }
  if (raw instanceof URLSearchParams || raw instanceof ReadableStream) return raw
  if (raw instanceof Uint8Array) return new Uint8Array(raw)
  return String(raw)
}

/**
 * The client for one app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (app: HttpApp.Default<never, Scope.Scope>): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) =>
    Effect.gen(function*() {
      // the caller's runtime: its Clock (TestClock in tests) also drives streamed bodies
      const runtime = yield* Effect.runtime<never>()
      const { body, stream } = toWebBody(request.body, runtime)
      const init: RequestInit = { method: request.method, headers: request.headers, body, signal }
      const streamInit: StreamRequestInit = { ...init, duplex: "half" }
      const webRequest = new Request(url, stream ? streamInit : init)
      const response = yield* app.pipe(
        Effect.provideService(HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
        Effect.scoped
      )
      const webResponse = HttpServerResponse.toWeb(response, { runtime })
      // an aborted request (interrupted caller, closed scope) also releases a body nobody reads
      const release = () => void webResponse.body?.cancel().catch(() => undefined)
      if (signal.aborted) release()
      else signal.addEventListener("abort", release, { once: true })
      return HttpClientResponse.fromWeb(request, webResponse)
    }).pipe(
      Effect.catchAllDefect((cause) =>
        Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
      )
    )
  )

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (app: HttpApp.Default<never, Scope.Scope>): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(app))
