/**
 * Serving the emulator's app on a real HTTP server (`@effect/platform-node`), bound to 127.0.0.1 unless
 * told otherwise. Streamed answers are sent with chunked transfer encoding, one HTTP chunk per event; the
 * emulator's own event streams are written one batch of pending events per socket write.
 *
 * Stopping the layer stops the server promptly: open event streams end (cleanly, with the chunked
 * terminator), the listening socket closes, and requests still in flight after a short grace period
 * ({@link SHUTDOWN_GRACE_MILLIS}) have their connections closed. Both `Authorization` and
 * `X-Appbuilder-Authorization` are redacted in the `http.server` spans of the platform.
 *
 * Two request paths, one public API. The emulator's own app (`Emulator.layerServer`) is served
 * straight from Node's `http.Server`: one fiber per request on a runtime built once, the answer written
 * to the Node response directly (`internal/nodeServe.ts`), because the platform's per-request pipeline
 * (request scope, span, error handling) alone costs more CPU than the emulator's budget for a whole tool
 * loop. The platform's pipeline (`HttpServer.serve`) still serves any other {@link App} of yours, any
 * `middleware` of yours (the `appbuilder-emulator` command's request log has a direct equivalent), and
 * every app when the runtime has a tracer of the user's (not Effect's default one): the `http.server`
 * spans, with the headers above redacted, then cost what they are worth. Both paths answer the same
 * bytes: `HEAD`, keep-alive, HTTP/1.0, chunked framing, faults and shutdown behave alike.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { createServer } from "node:http"
import type * as Http from "node:http"
import * as DirectApp from "./internal/directApp.js"
import * as DirectBody from "./internal/directBody.js"
import * as NodeServe from "./internal/nodeServe.js"
import * as Shutdown from "./internal/shutdown.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The port to bind (default 0: any free port). */
  readonly port?: number | undefined
  /** The address to bind (default `127.0.0.1`). */
  readonly host?: string | undefined
  /** Wraps the app, e.g. to log requests. */
  readonly middleware?: HttpMiddleware.HttpMiddleware | undefined
}

/**
 * Where a running server can be reached.
 *
 * @since 0.1.0
 * @category models
 */
export interface Address {
  /** e.g. `http://127.0.0.1:8089` */
  readonly url: string
  readonly host: string
  readonly port: number
}

/**
 * The HTTP application a server answers with: the emulator's own (provided by `Emulator.layerServer`), or
 * any `HttpApp` of yours served with {@link layer}.
 *
 * @since 0.1.0
 * @category tags
 */
export class App extends Context.Tag("@effect-appbuilder/emulator/Server/App")<
  App,
  HttpApp.Default<never, Scope.Scope>
>() {}

/**
 * Where the running server listens.
 *
 * @since 0.1.0
 * @category tags
 */
export class EmulatorServer extends Context.Tag("@effect-appbuilder/emulator/Server/EmulatorServer")<
  EmulatorServer,
  Address
>() {}

/**
 * The base URL of a bound address (IPv6 hosts in brackets).
 *
 * @since 0.1.0
 * @category utils
 */
export const formatUrl = (host: string, port: number): string =>
  host.includes(":") ? `http://[${host}]:${port}` : `http://${host}:${port}`

const address: Layer.Layer<EmulatorServer, never, HttpServer.HttpServer> = Layer.effect(
  EmulatorServer,
  Effect.map(HttpServer.HttpServer, (server) => {
    const bound = server.address
    return bound._tag === "TcpAddress"
      ? { url: formatUrl(bound.hostname, bound.port), host: bound.hostname, port: bound.port }
      : { url: `unix://${bound.path}`, host: bound.path, port: 0 }
  })
)

/**
 * How long requests still in flight when the server stops (other than event streams, which end at
 * once) may take before their connections are closed.
 *
 * @since 0.1.0
 * @category constants
 */
export const SHUTDOWN_GRACE_MILLIS = 500

/**
 * The listen backlog asked for (the kernel caps it at `net.core.somaxconn`).
 *
 * @since 0.1.0
 * @category constants
 */
export const LISTEN_BACKLOG = 65535

/**
 * How long the server keeps an idle keep-alive connection open. Node's default (5 s) is shorter than
 * the idle timeout of many client pools and, worse, close to it: a client whose event loop lags
 * (thousands of concurrent loops) sends a request on a connection the server is closing at that moment,
 * and the request fails with "other side closed" (a `submit_tool_outputs` is then not retried, the
 * service may have acted on it). 65 s leaves a wide margin over a client pool's idle timeout (undici's
 * default is 4 s; told `Keep-Alive: timeout=65` it keeps idle connections up to 63 s unless its
 * `keepAliveMaxTimeout` is lower, which clients running many loops should set, e.g. 10 s). The real
 * service's value is unknown; this is a safe choice for a local emulator, not a claim about the service.
 *
 * @since 0.1.0
 * @category constants
 */
export const KEEP_ALIVE_TIMEOUT_MILLIS = 65_000

/**
 * How long a client may take to send a request's headers (Node requires more than the keep-alive
 * timeout, or an idle connection whose next request has just started could be cut). A loaded server
 * reads them late, not the client sending them slowly: generous, as the other timeouts below.
 *
 * @since 0.1.0
 * @category constants
 */
export const HEADERS_TIMEOUT_MILLIS = 70_000

/**
 * Header names redacted in the platform's `http.server` spans (both carry the bearer token).
 *
 * @since 0.1.0
 * @category constants
 */
export const REDACTED_HEADERS: ReadonlyArray<string> = ["authorization", "x-appbuilder-authorization"]

/**
 * Answers with the app's response on the platform's pipeline. The emulator's own event streams are
 * written to the Node response here, one write per batch of events (see `DirectBody`): the platform then
 * finds the response ended and leaves it. Every other response is left to the platform (a streamed body
 * ending when the server stops).
 */
const respond = (
  response: HttpServerResponse.HttpServerResponse,
  shutdown: Effect.Effect<void>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const writer = DirectBody.writerFor(request.method, response)
    if (writer === undefined) {
      return Effect.succeed(NodeServe.endOnShutdown(response, shutdown))
    }
    return Effect.as(DirectBody.writeNode(NodeHttpServerRequest.toServerResponse(request), response, writer), response)
  })

/**
 * Stops listening and waits until every connection is closed; connections still open after the grace
 * period are closed by force, so that stopping never hangs on a client that keeps its connection.
 */
const closeServer = (server: Http.Server): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MILLIS)
    server.close(() => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    server.closeIdleConnections()
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * Serves the {@link App} of the context until the layer is released.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<EmulatorServer, ServeError, App> =>
  Layer.suspend(() => {
    const nodeServer = createServer({
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MILLIS,
      headersTimeout: HEADERS_TIMEOUT_MILLIS
    })
    const serve = Layer.scopedDiscard(
      Effect.gen(function*() {
        const app = yield* App
        const shutdown = yield* Deferred.make<void>()
        const stopped = Deferred.await(shutdown)
        // released before the platform closes the server: end the streams first, then close
        yield* Effect.addFinalizer(() =>
          Effect.zipRight(Deferred.succeed(shutdown, undefined), closeServer(nodeServer))
        )
        const direct = DirectApp.directOf(app)
        const observer = options.middleware === undefined
          ? Option.some(Option.none<DirectApp.Observer>())
          : Option.map(Option.fromNullable(DirectApp.observerOf(options.middleware)), Option.some)
        if (direct !== undefined && Option.isSome(observer) && !(yield* NodeServe.hasTracer)) {
          return yield* NodeServe.serve(nodeServer, direct, { shutdown: stopped, observer: observer.value })
        }
        const served = Effect.flatMap(
          Effect.provideService(app, Shutdown.ServerShutdown, stopped),
          (response) => respond(response, stopped)
        )
        yield* options.middleware === undefined
          ? HttpServer.serveEffect()(served)
          : HttpServer.serveEffect(options.middleware)(served)
      }).pipe(
        // the request handlers run in the runtime captured here: their spans redact both auth headers
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, ...REDACTED_HEADERS])
      )
    )
    const server = NodeHttpServer.layer(() => nodeServer, {
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      // thousands of clients may connect at once (a benchmark's concurrent loops): with Node's default
      // backlog (511) the connections beyond it wait for SYN retransmits, seconds each
      backlog: LISTEN_BACKLOG
    })
    return Layer.merge(serve, address).pipe(Layer.provide(server))
  })
