/**
 * The command line, on `@effect/cli`: `appbuilder-emulator [--port 8089] [--host 127.0.0.1] [--token T]
 * [--chunk-delay "5 millis"] [--ping-interval D] [--requires-action-timeout D] [--max-upload-bytes N]
 * [--request-log N]`, plus `@effect/cli`'s `--help` (`-h`), `--version`, `--completions bash|zsh|fish` and
 * `--wizard`.
 *
 * Prints `listening on http://HOST:PORT` once the server is bound and one line per request,
 * `METHOD PATH STATUS [error=CODE "MESSAGE"] DURATIONms REQUEST-ID`: the `error=` mark shows an error
 * answer even when its status is 200, as the service sends most of them (see {@link requestLogger}; tokens
 * are never printed). Under load the lines are written in batches, at most 100 ms after the answer (one
 * write to stdout per batch instead of one per request). Bad flags print what is wrong and the usage on stderr and end with exit code 2; a
 * server that cannot start ends with exit code 1.
 *
 * Unlike the in-process layer (no pacing, driven by the caller's clock), the command paces streamed
 * answers like a model: {@link DEFAULT_CHUNK_DELAY} between message chunks unless `--chunk-delay` says
 * otherwise (`--chunk-delay 0` for benchmarks).
 *
 * SIGINT and SIGTERM stop the server within about half a second, even with open streams: the streams
 * end, the runs still executing are interrupted, and the process exits with code 0 (a requested stop
 * is a clean stop, not a failure).
 *
 * Only serving loads the server: `--help`, `--version` and bad flags load no more than `@effect/cli`
 * (the `bin` starts from `internal/cli.ts`; this module gathers the command and its request log).
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import type * as Command from "@effect/cli/Command"
import type * as ValidationError from "@effect/cli/ValidationError"
import type * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Internal from "./internal/cli.js"
import * as CliServe from "./internal/cliServe.js"

/**
 * The command's settings, as parsed; `undefined` leaves the emulator's default.
 *
 * @since 0.1.0
 * @category models
 */
export interface CliOptions {
  readonly port: number
  readonly host: string
  readonly token: Redacted.Redacted<string> | undefined
  readonly chunkDelay: Duration.Duration | undefined
  readonly pingInterval: Duration.Duration | undefined
  readonly requiresActionTimeout: Duration.Duration | undefined
  readonly maxUploadBytes: number | undefined
  readonly requestLog: number | undefined
}

/**
 * The pause between two streamed message chunks when the command is run without `--chunk-delay`:
 * a realistic pace, so that a client cancelling after the first events still finds the run producing.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CHUNK_DELAY: Duration.Duration = Internal.DEFAULT_CHUNK_DELAY

/**
 * The command's name, as installed (`bin`).
 *
 * @since 0.1.0
 * @category constants
 */
export const NAME: typeof Internal.NAME = Internal.NAME

/**
 * Parses a duration flag: milliseconds, or `<n> <unit>`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseDuration: (text: string) => Either.Either<Duration.Duration, string> = Internal.parseDuration

/**
 * The command's flags.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags: typeof Internal.flags = Internal.flags

/**
 * The parsed flags, before they become {@link CliOptions}.
 *
 * @since 0.1.0
 * @category flags
 */
export type Flags = Command.Command.ParseConfig<typeof flags>

/**
 * The server could not start (e.g. the port is in use).
 *
 * @since 0.1.0
 * @category errors
 */
export const StartError: typeof Internal.StartError = Internal.StartError

/**
 * The server could not start (e.g. the port is in use).
 *
 * @since 0.1.0
 * @category errors
 */
export type StartError = Internal.StartError

/**
 * Logs one line per request: `METHOD PATH STATUS [error=CODE ["MESSAGE"]] DURATIONms REQUEST-ID`.
 *
 * The `error=` mark appears for an answer carrying the service's error body (the assistant family's
 * `{"error": {...}}` envelope or the storage family's `{"request_id", "code", "message"}`), whatever its
 * status, and for any other non-2xx answer (`error=http_<status>`). A 2xx event stream is never held
 * back to look inside: a run that fails in band (a `run_end` event with status `failed`) is not marked.
 * A success costs a look at the body's first bytes. Tokens are never printed.
 *
 * @since 0.1.0
 * @category middleware
 */
export const requestLogger: HttpMiddleware.HttpMiddleware = CliServe.requestLogger

/**
 * Runs the server until interrupted (SIGINT/SIGTERM under `NodeRuntime.runMain`).
 *
 * @since 0.1.0
 * @category programs
 */
export const serve: (options: CliOptions) => Effect.Effect<never, StartError> = CliServe.serve

/**
 * The `appbuilder-emulator` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command: Command.Command<typeof NAME, never, StartError, Flags> = Internal.command

/**
 * Parses the arguments as the command does, without running it (a literal `--`, as pnpm passes it, is
 * ignored). `--help` and the other built-in flags are not settings: they fail here.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseArgs: (
  argv: ReadonlyArray<string>
) => Effect.Effect<CliOptions, ValidationError.ValidationError, CliApp.CliApp.Environment> = Internal.parseArgs

/**
 * The one-line usage printed after a bad flag.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage: string = Internal.usage

/**
 * What `@effect/cli` needs, and no more (`NodeContext.layer` would also load the worker and child
 * process modules at every start).
 *
 * @since 0.1.0
 * @category layers
 */
export const environment: Layer.Layer<CliApp.CliApp.Environment> = Internal.environment

/**
 * The whole command: parse, then serve; succeeds with the process exit code (0 after `--help` and the
 * other built-in flags, 2 after bad flags, 1 when the server cannot start).
 *
 * @since 0.1.0
 * @category programs
 */
export const main: (argv: ReadonlyArray<string>) => Effect.Effect<number> = Internal.main
