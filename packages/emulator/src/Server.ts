/**
 * Serving the emulator's app on a real HTTP server (`@effect/platform-node`), bound to 127.0.0.1 unless
 * told otherwise. Streamed answers are sent with chunked transfer encoding, one flush per event.
 *
 * @since 0.1.0
 */
import type * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import * as Router from "./Router.js"

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
 * Serves the {@link Router.App} of the context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<EmulatorServer, ServeError, Router.App> => {
  const serve = Layer.unwrapEffect(
    Effect.map(Router.App, (app) =>
      options.middleware === undefined ? HttpServer.serve(app) : HttpServer.serve(app, options.middleware))
  )
  const server = NodeHttpServer.layer(() => createServer(), {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1"
  })
  return Layer.merge(serve, address).pipe(Layer.provide(server))
}
