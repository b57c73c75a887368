/**
 * The command line: `appbuilder-emulator --port 8089 [--host 127.0.0.1] [--token T] [--chunk-delay "5 millis"]
 * [--ping-interval D] [--requires-action-timeout D] [--max-upload-bytes N] [--request-log N]`.
 *
 * Prints `listening on http://HOST:PORT` once the server is bound and one line per request
 * (`METHOD PATH STATUS DURATION REQUEST-ID`; tokens are never printed). Bad flags print the usage and
 * end with exit code 2.
 *
 * Unlike the in-process layer (no pacing, driven by the caller's clock), the command paces streamed
 * answers like a model: {@link DEFAULT_CHUNK_DELAY} between message chunks unless `--chunk-delay` says
 * otherwise (`--chunk-delay 0` for benchmarks).
 *
 * SIGINT and SIGTERM stop the server within about half a second, even with open streams: the streams
 * end, the runs still executing are interrupted, and the process exits with code 0 (a requested stop
 * is a clean stop, not a failure).
 *
 * @since 0.1.0
 */
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Emulator from "./Emulator.js"
import * as Router from "./internal/Router.js"
import * as Server from "./Server.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface CliOptions {
  readonly port: number
  readonly host: string
  readonly token: string | undefined
  readonly chunkDelay: Duration.Duration | undefined
  readonly pingInterval: Duration.Duration | undefined
  readonly requiresActionTimeout: Duration.Duration | undefined
  readonly maxUploadBytes: number | undefined
  readonly requestLog: number | undefined
  readonly help: boolean
}

/**
 * The pause between two streamed message chunks when the command is run without `--chunk-delay`:
 * a realistic pace, so that a client cancelling after the first events still finds the run producing.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CHUNK_DELAY: Duration.Duration = Duration.millis(30)

/**
 * @since 0.1.0
 * @category constants
 */
export const usage = `usage: appbuilder-emulator [options]

  --port N                       port to listen on (default 8089; 0 = any free port)
  --host H                       address to bind (default 127.0.0.1)
  --token T                      accept only "Bearer T" (default: any non-empty bearer token)
  --chunk-delay D                delay before each streamed message chunk (default "30 millis"; 0 = no pacing)
  --ping-interval D              interval of ping events while a stream waits (default "5 seconds")
  --requires-action-timeout D    how long a run waits for tool outputs (default "10 minutes")
  --max-upload-bytes N           largest accepted upload (default 10485760)
  --request-log N                requests kept in the in-memory request log, oldest dropped first
                                 (default 10000)
  -h, --help                     print this help

Durations: a number of milliseconds or "<n> <unit>" with unit nanos, micros, millis, seconds, minutes,
hours, days or weeks.`

const DURATION = /^(\d+(?:\.\d+)?)\s*(nanos?|micros?|millis?|seconds?|minutes?|hours?|days?|weeks?)$/

/**
 * Parses a duration flag: milliseconds, or `<n> <unit>`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration = (text: string): Either.Either<Duration.Duration, string> => {
  const trimmed = text.trim()
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Either.right(Duration.millis(Number(trimmed)))
  const match = DURATION.exec(trimmed)
  if (match === null) return Either.left(`invalid duration: ${text}`)
  const unit = match[2]!.endsWith("s") ? match[2]! : `${match[2]!}s`
  const amount = Number(match[1])
  switch (unit) {
    case "nanos":
      return Either.right(Duration.nanos(BigInt(Math.round(amount))))
    case "micros":
      return Either.right(Duration.micros(BigInt(Math.round(amount))))
    case "millis":
      return Either.right(Duration.millis(amount))
    case "seconds":
      return Either.right(Duration.seconds(amount))
    case "minutes":
      return Either.right(Duration.minutes(amount))
    case "hours":
      return Either.right(Duration.hours(amount))
    case "days":
      return Either.right(Duration.days(amount))
    default:
      return Either.right(Duration.weeks(amount))
  }
}

const parseInteger = (flag: string, text: string, max: number): Either.Either<number, string> =>
  /^\d+$/.test(text) && Number(text) <= max ? Either.right(Number(text)) : Either.left(`invalid value for ${flag}: ${text}`)

type Flag =
  | "--port"
  | "--host"
  | "--token"
  | "--chunk-delay"
  | "--ping-interval"
  | "--requires-action-timeout"
  | "--max-upload-bytes"
  | "--request-log"

const FLAGS: ReadonlySet<string> = new Set<Flag>([
  "--port",
  "--host",
  "--token",
  "--chunk-delay",
  "--ping-interval",
  "--requires-action-timeout",
  "--max-upload-bytes",
  "--request-log"
])

const isFlag = (s: string): s is Flag => FLAGS.has(s)

/**
 * Parses the arguments (a literal `--`, as pnpm passes it, is ignored).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseArgs = (argv: ReadonlyArray<string>): Either.Either<CliOptions, string> =>
  Either.gen(function*() {
    let options: CliOptions = {
      port: 8089,
      host: "127.0.0.1",
      token: undefined,
      chunkDelay: undefined,
      pingInterval: undefined,
      requiresActionTimeout: undefined,
      maxUploadBytes: undefined,
      requestLog: undefined,
      help: false
    }
    const args = argv.filter((arg) => arg !== "--")
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      if (arg === "-h" || arg === "--help") {
        options = { ...options, help: true }
        continue
      }
      const eq = arg.indexOf("=")
      const name = eq > 0 ? arg.slice(0, eq) : arg
      if (!isFlag(name)) return yield* Either.left(`unknown argument: ${arg}`)
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i]
      if (value === undefined) return yield* Either.left(`missing value for ${name}`)
      switch (name) {
        case "--port":
          options = { ...options, port: yield* parseInteger(name, value, 65535) }
          break
        case "--host":
          if (value.trim() === "") return yield* Either.left("invalid value for --host: empty")
          options = { ...options, host: value }
          break
        case "--token":
          if (value === "") return yield* Either.left("invalid value for --token: empty")
          options = { ...options, token: value }
          break
        case "--chunk-delay":
          options = { ...options, chunkDelay: yield* parseDuration(value) }
          break
        case "--ping-interval":
          options = { ...options, pingInterval: yield* parseDuration(value) }
          break
        case "--requires-action-timeout":
          options = { ...options, requiresActionTimeout: yield* parseDuration(value) }
          break
        case "--max-upload-bytes":
          options = { ...options, maxUploadBytes: yield* parseInteger(name, value, Number.MAX_SAFE_INTEGER) }
          break
        case "--request-log":
          options = { ...options, requestLog: yield* parseInteger(name, value, Number.MAX_SAFE_INTEGER) }
          break
      }
    }
    return options
  })

/**
 * Logs one line per request: `METHOD PATH STATUS DURATION REQUEST-ID`.
 *
 * @since 0.1.0
 * @category middleware
 */
export const requestLogger: HttpMiddleware.HttpMiddleware = HttpMiddleware.make((app) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const start = yield* Clock.currentTimeMillis
    const response = yield* app
    const end = yield* Clock.currentTimeMillis
    const { path } = Router.splitUrl(request.url)
    const requestId = response.headers["x-appbuilder-request-id"] ?? "-"
    yield* Console.log(`${request.method} ${path} ${response.status} ${end - start}ms ${requestId}`)
    return response
  })
)

/**
 * Runs the server until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`).
 *
 * @since 0.1.0
 * @category programs
 */
export const serve = (options: CliOptions) =>
  Effect.gen(function*() {
    const server = yield* Server.EmulatorServer
    yield* Console.log(`listening on ${server.url}`)
    return yield* Effect.never
  }).pipe(
    Effect.provide(Emulator.layerServer({
      port: options.port,
      host: options.host,
      token: options.token,
      chunkDelay: options.chunkDelay ?? DEFAULT_CHUNK_DELAY,
      pingInterval: options.pingInterval,
      requiresActionTimeout: options.requiresActionTimeout,
      maxUploadBytes: options.maxUploadBytes,
      requestLogSize: options.requestLog,
      middleware: requestLogger
    }))
  )

/**
 * The whole command: parse, then serve; succeeds with the process exit code (0 after help, 2 after bad
 * flags, 1 when the server cannot start).
 *
 * @since 0.1.0
 * @category programs
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  Either.match(parseArgs(argv), {
    onLeft: (message) => Effect.as(Console.error(`${message}\n\n${usage}`), 2),
    onRight: (options) =>
      options.help
        ? Effect.as(Console.log(usage), 0)
        : serve(options).pipe(
          Effect.catchAll((error) =>
            Effect.as(
              Console.error(
                `cannot start the emulator: ${error.cause instanceof Error ? error.cause.message : String(error.cause)}`
              ),
              1
            )
          )
        )
  })
