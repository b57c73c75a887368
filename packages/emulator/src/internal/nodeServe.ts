/**
 * The emulator's app served straight from Node's `http.Server` (the direct path of {@link DirectApp}):
 * one fiber per request on a runtime built once, the answer written to the Node response here.
 *
 * What it keeps from the platform's pipeline (`@effect/platform-node`'s `NodeHttpServer`): the handling
 * of a request is uninterruptible except while its body is written, and a client that goes away before
 * the answer has ended interrupts it; `HEAD` answers carry the headers only; cookies become `Set-Cookie`
 * headers; a failure after the headers ends the response, before them it answers 500. What it leaves
 * out: the request scope (the emulator's routes need none) and the `http.server` span, which with
 * Effect's own tracer is never seen; a server whose runtime has another tracer (the user traces) keeps
 * the platform's pipeline, span and header redaction included (see `Server`).
 *
 * @since 0.1.0
 */
import * as Cookies from "@effect/platform/Cookies"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as RuntimeFlags from "effect/RuntimeFlags"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type * as Http from "node:http"
import type * as DirectApp from "./directApp.js"
import * as DirectBody from "./directBody.js"
import type * as Route from "./Route.js"
import * as Shutdown from "./shutdown.js"

let native: Tracer.Tracer | undefined

/**
 * Whether the current runtime has a tracer of its own (not Effect's default one, whose spans nobody
 * sees): the platform's `http.server` spans are then worth their cost.
 *
 * @since 0.1.0
 * @category utils
 */
export const hasTracer: Effect.Effect<boolean> = Effect.map(Effect.tracer, (tracer) => {
  native ??= Effect.runSync(Effect.tracer)
  return tracer !== native
})

/**
 * A streamed body ends (normally) as soon as `shutdown` completes; other bodies are left alone, and so
 * are the emulator's event streams, which end themselves (`Stream.interruptWhen` costs several fibers per
 * chunk, too much for a stream of 100,000 events).
 *
 * @since 0.1.0
 * @category utils
 */
export const endOnShutdown = (
  response: HttpServerResponse.HttpServerResponse,
  shutdown: Effect.Effect<void>
): HttpServerResponse.HttpServerResponse => {
  const body = response.body
  if (body._tag !== "Stream" || Shutdown.isSelfEnding(body.stream)) return response
  return HttpServerResponse.setBody(
    response,
    HttpBody.stream(Stream.interruptWhen(body.stream, shutdown), body.contentType, body.contentLength)
  )
}

const headersOf = (response: HttpServerResponse.HttpServerResponse): Http.OutgoingHttpHeaders => {
  if (Cookies.isEmpty(response.cookies)) return response.headers
  const set: Array<string> = Cookies.toSetCookieHeaders(response.cookies)
  const existing = response.headers["set-cookie"]
  if (existing !== undefined) set.push(existing)
  return { ...response.headers, "set-cookie": set }
}

/** Ends a response whose writing failed: 500 when nothing was sent yet, else the body just stops. */
const abandon = (res: Http.ServerResponse): Effect.Effect<void> =>
  Effect.sync(() => {
    if (!res.headersSent) res.writeHead(500)
    if (!res.writableEnded) res.end()
  })

/** Writes a `Stream` body one `res.write` per element, waiting for `drain` when Node asks to. */
const writeStream = (
  res: Http.ServerResponse,
  stream: Stream.Stream<Uint8Array, unknown>
): Effect.Effect<void> => {
  const drainLatch = Effect.unsafeMakeLatch()
  res.on("drain", () => drainLatch.unsafeOpen())
  return stream.pipe(
    Stream.runForEachChunk((chunk) => {
      let needDrain = false
      for (const bytes of Chunk.toReadonlyArray(chunk)) needDrain = !res.write(bytes)
      if (!needDrain) return Effect.void
      drainLatch.unsafeClose()
      return drainLatch.await
    }),
    Effect.interruptible,
    Effect.matchCauseEffect({ onSuccess: () => Effect.sync(() => res.end()), onFailure: () => abandon(res) })
  )
}

/**
 * Writes `response` to the Node response as the platform would, for the bodies the emulator's app answers
 * with (empty, bytes, a stream; `Server` leaves the emulator's own event streams to {@link DirectBody}).
 *
 * @since 0.1.0
 * @category writing
 */
export const writeResponse = (
  method: string,
  res: Http.ServerResponse,
  response: HttpServerResponse.HttpServerResponse
): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (res.writableEnded) return Effect.void
    const headers = headersOf(response)
    if (method === "HEAD") {
      res.writeHead(response.status, headers)
      res.end()
      return Effect.void
    }
    const body = response.body
    switch (body._tag) {
      case "Empty": {
        res.writeHead(response.status, headers)
        res.end()
        return Effect.void
      }
      case "Uint8Array": {
        res.writeHead(response.status, headers)
        res.end(body.body)
        return Effect.void
      }
      case "Raw":
      case "FormData":
        // only the emulator's own app takes this path, and it never answers with these bodies
        return Effect.dieMessage(`nodeServe: a ${body._tag} body is not written on the direct path`)
      case "Stream": {
        res.writeHead(response.status, headers)
        return writeStream(res, body.stream)
      }
    }
  })

/**
 * The answer, written: the emulator's own event streams by their direct writer (one write per batch of
 * events), any other answer by {@link writeResponse} (a streamed body ending when the server stops).
 *
 * @since 0.1.0
 * @category writing
 */
export const write = (
  method: string,
  res: Http.ServerResponse,
  response: HttpServerResponse.HttpServerResponse,
  shutdown: Effect.Effect<void>
): Effect.Effect<void> => {
  const writer = DirectBody.writerFor(method, response)
  if (writer === undefined) {
    return writeResponse(method, res, endOnShutdown(response, shutdown))
  }
  return res.writableEnded ? Effect.void : DirectBody.writeNode(res, response, writer)
}

/**
 * Serves `direct` on `server` until the scope closes: one fiber per request, interrupted when the client
 * goes away before the answer has ended; `observer` (the request log) sees every answer once written.
 *
 * @since 0.1.0
 * @category serving
 */
export const serve = (
  server: Http.Server,
  direct: DirectApp.Direct,
  options: { readonly shutdown: Effect.Effect<void>; readonly observer: Option.Option<DirectApp.Observer> }
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    // the fibers start uninterruptible (as the platform's `Effect.uninterruptible` around each request,
    // without its two flag patches per request): only the writing of a body is interruptible. Without
    // Effect's fiber metrics (on by default: two to four metric updates per fiber, for the request's and
    // its run's fibers), which nobody reads on this path
    const runtime = Runtime.disableRuntimeFlag(
      Runtime.disableRuntimeFlag(yield* Effect.runtime<never>(), RuntimeFlags.Interruption),
      RuntimeFlags.RuntimeMetrics
    )
    const fork = direct(runtime, options.shutdown)
    const { observer, shutdown } = options
    // the runtime's clock, read once: every request fiber runs with this runtime's services
    const clock = yield* Effect.clock
    const onRequest = (req: Http.IncomingMessage, res: Http.ServerResponse): void => {
      const around: DirectApp.Around = <R>(
        request: Route.RequestInfo,
        handled: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>
      ): Effect.Effect<void, never, R> => {
        if (Option.isNone(observer)) {
          return Effect.catchAllCause(
            Effect.flatMap(handled, (response) => write(request.method, res, response, shutdown)),
            () => abandon(res)
          )
        }
        const start = clock.unsafeCurrentTimeMillis()
        return Effect.catchAllCause(
          Effect.flatMap(handled, (response) =>
            Effect.flatMap(
              write(request.method, res, response, shutdown),
              () => observer.value(request, response, clock.unsafeCurrentTimeMillis() - start)
            )),
          () => abandon(res)
        )
      }
      const fiber = fork(req, around)
      res.on("close", () => {
        if (!res.writableEnded) {
          fiber.unsafeInterruptAsFork(HttpServerError.clientAbortFiberId)
        }
      })
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => server.on("request", onRequest)),
      () => Effect.sync(() => server.off("request", onRequest))
    )
  })
