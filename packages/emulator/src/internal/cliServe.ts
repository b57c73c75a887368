/**
 * The server side of the `appbuilder-emulator` command: the request log and the serving program. Loaded
 * by `./cli.js` only when the flags ask to serve (see there); the public face is `Cli`.
 */
import type * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type { CliOptions } from "../Cli.js"
import * as Emulator from "../Emulator.js"
import * as Server from "../Server.js"
import * as CliCommand from "./cli.js"
import * as DirectApp from "./directApp.js"
import * as LogBatch from "./logBatch.js"
import * as RequestLog from "./requestLog.js"
import * as Router from "./Router.js"

/** See `Cli.requestLogger`. */
export const requestLogger: HttpMiddleware.HttpMiddleware = DirectApp.observing((request, response, millis) => {
  const { path } = Router.splitUrl(request.url)
  const requestId = response.headers["x-appbuilder-request-id"] ?? "-"
  const mark = RequestLog.formatMark(RequestLog.errorMark(response), request.headers)
  return Console.log(`${request.method} ${path} ${response.status}${mark} ${millis}ms ${requestId}`)
})

/**
 * See `Cli.serve`. The log's lines are written in batches under load (see `./logBatch.js`): the line per
 * request would otherwise cost a write to stdout per request.
 */
export const serve = (options: CliOptions): Effect.Effect<never, CliCommand.StartError> =>
  Effect.gen(function*() {
    const server = yield* Server.EmulatorServer
    yield* Console.log(`listening on ${server.url}`)
    return yield* Effect.never
  }).pipe(
    Effect.provide(Emulator.layerServer({
      port: options.port,
      host: options.host,
      token: options.token,
      chunkDelay: options.chunkDelay ?? CliCommand.DEFAULT_CHUNK_DELAY,
      pingInterval: options.pingInterval,
      requiresActionTimeout: options.requiresActionTimeout,
      maxUploadBytes: options.maxUploadBytes,
      requestLogSize: options.requestLog,
      middleware: requestLogger
    })),
    Effect.mapError((error) =>
      new CliCommand.StartError({ message: error.cause instanceof Error ? error.cause.message : String(error.cause) })
    ),
    LogBatch.batched
  )
