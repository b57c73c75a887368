/**
 * How `Server` serves the emulator's own app without the platform's request pipeline.
 *
 * The platform runs every request through a request scope, an `http.server` span, its error handling
 * and an `HttpServerRequest` built over the Node request: about 0.6–0.9 ms of CPU per request, more than
 * the emulator's whole budget for a tool loop (three requests). The emulator's app (`Router.layer`)
 * registers here, next to the `HttpApp` it provides as `Server.App`, a {@link Direct}: a way to run
 * its routes on a Node request with one fiber per request, on a runtime built once per server. A request
 * logger that wants to keep that path registers an {@link Observer} with its middleware ({@link observing}).
 * Any other app or middleware is served by the platform, as before.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type * as Route from "./Route.js"

/**
 * What the server does with one request: `handled` answers it (it needs the app's services, `R`), the
 * result runs it, writes the answer and observes it (needing nothing more than `handled` does).
 *
 * @since 0.1.0
 * @category models
 */
export type Around = <R>(
  request: Route.RequestInfo,
  handled: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>
) => Effect.Effect<void, never, R>

/**
 * Starts serving one Node request in a new fiber.
 *
 * @since 0.1.0
 * @category models
 */
export type Fork = (request: Http.IncomingMessage, around: Around) => Fiber.RuntimeFiber<void>

/**
 * Builds the per-request entry point of an app once per server, on the server's runtime (its
 * services, fiber refs and flags) and with the effect completing when the server stops.
 *
 * @since 0.1.0
 * @category models
 */
export type Direct = (runtime: Runtime.Runtime<never>, shutdown: Effect.Effect<void>) => Fork

const directs = new WeakMap<HttpApp.Default<never, Scope.Scope>, Direct>()

/**
 * Registers the direct entry point of an app (both answer every request the same).
 *
 * @since 0.1.0
 * @category utils
 */
export const register = (
  app: HttpApp.Default<never, Scope.Scope>,
  direct: Direct
): HttpApp.Default<never, Scope.Scope> => {
  directs.set(app, direct)
  return app
}

/**
 * The direct entry point of an app, if it has one.
 *
 * @since 0.1.0
 * @category utils
 */
export const directOf = (app: HttpApp.Default<never, Scope.Scope>): Direct | undefined => directs.get(app)

/**
 * Looks at every answer once it is written: the request, the answer, and how long it took from the
 * request's start to the end of the answer (milliseconds on Effect's `Clock`).
 *
 * @since 0.1.0
 * @category models
 */
export type Observer = (
  request: Route.RequestInfo,
  response: HttpServerResponse.HttpServerResponse,
  millis: number
) => Effect.Effect<void>

const observers = new WeakMap<HttpMiddleware.HttpMiddleware, Observer>()

/**
 * A middleware calling `observer` after each answer, registered so that the direct path can call the
 * same observer without the platform's pipeline.
 *
 * @since 0.1.0
 * @category constructors
 */
export const observing = (observer: Observer): HttpMiddleware.HttpMiddleware => {
  const middleware = HttpMiddleware.make((app) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const start = yield* Clock.currentTimeMillis
      const response = yield* app
      const end = yield* Clock.currentTimeMillis
      yield* observer(request, response, end - start)
      return response
    })
  )
  observers.set(middleware, observer)
  return middleware
}

/**
 * The observer of a middleware made with {@link observing}.
 *
 * @since 0.1.0
 * @category utils
 */
export const observerOf = (middleware: HttpMiddleware.HttpMiddleware): Observer | undefined => observers.get(middleware)
