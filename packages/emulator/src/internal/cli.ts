/**
 * The `appbuilder-emulator` command without the server: flags, parsing, usage, `--help`/`--version`
 * and the exit codes. The server (`./cliServe.js`) is imported only when the flags ask to serve, so
 * that `--help`, `--version` and bad flags start in the time it takes to load `@effect/cli`. The public
 * face of both is `Cli`.
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as Options from "@effect/cli/Options"
import * as Usage from "@effect/cli/Usage"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { fileURLToPath } from "node:url"
// types only: the public module loads the server
import type { CliOptions, Flags } from "../Cli.js"

/**
 * The pause between two streamed message chunks when the command is run without `--chunk-delay`:
 * a realistic pace, so that a client cancelling after the first events still finds the run producing.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_CHUNK_DELAY: Duration.Duration = Duration.millis(30)

/**
 * The command's name, as installed (`bin`).
 *
 * @since 0.1.0
 * @category constants
 */
export const NAME = "appbuilder-emulator"

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

const invalid = (message: string) => ValidationError.invalidValue(HelpDoc.p(message))

/** A whole number in `[min, max]`, named in the error. */
const integerIn = (name: string, min: number, max: number) => (value: number) =>
  Number.isSafeInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(invalid(`invalid value for --${name}: ${value} (expected ${min} to ${max})`))

const counting = (name: string, description: string) =>
  Options.integer(name).pipe(
    Options.withDescription(description),
    Options.mapEffect(integerIn(name, 0, Number.MAX_SAFE_INTEGER)),
    Options.optional
  )

const duration = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("duration"),
    Options.withDescription(description),
    Options.mapEffect((text) =>
      Either.match(parseDuration(text), {
        onLeft: (message) => Effect.fail(invalid(`invalid value for --${name}: ${message}`)),
        onRight: Effect.succeed
      })
    ),
    Options.optional
  )

const DURATIONS = "A duration is a number of milliseconds or \"<n> <unit>\" with unit nanos, micros, millis, " +
  "seconds, minutes, hours, days or weeks, e.g. \"5 millis\"."

/**
 * The command's flags.
 *
 * @since 0.1.0
 * @category flags
 */
export const flags = {
  port: Options.integer("port").pipe(
    Options.withDescription("Port to listen on (default 8089; 0 = any free port)."),
    Options.mapEffect(integerIn("port", 0, 65535)),
    Options.withDefault(8089)
  ),
  host: Options.text("host").pipe(
    Options.withDescription("Address to bind (default 127.0.0.1)."),
    Options.mapEffect((host) =>
      host.trim() === "" ? Effect.fail(invalid("invalid value for --host: empty")) : Effect.succeed(host)
    ),
    Options.withDefault("127.0.0.1")
  ),
  token: Options.redacted("token").pipe(
    Options.withDescription("Accept only \"Bearer <token>\" (default: any non-empty bearer token)."),
    Options.optional
  ),
  chunkDelay: duration(
    "chunk-delay",
    `Delay before each streamed message chunk (default "30 millis"; 0 = no pacing). ${DURATIONS}`
  ),
  pingInterval: duration("ping-interval", "Interval of ping events while a stream waits (default \"5 seconds\")."),
  requiresActionTimeout: duration(
    "requires-action-timeout",
    "How long a run waits for tool outputs (default \"10 minutes\")."
  ),
  maxUploadBytes: counting("max-upload-bytes", "Largest accepted upload in bytes (default 10485760)."),
  requestLog: counting(
    "request-log",
    "Requests kept in the in-memory request log, oldest dropped first (default 10000)."
  )
}

const toCliOptions = (parsed: Flags): CliOptions => ({
  port: parsed.port,
  host: parsed.host,
  token: Option.getOrUndefined(parsed.token),
  chunkDelay: Option.getOrUndefined(parsed.chunkDelay),
  pingInterval: Option.getOrUndefined(parsed.pingInterval),
  requiresActionTimeout: Option.getOrUndefined(parsed.requiresActionTimeout),
  maxUploadBytes: Option.getOrUndefined(parsed.maxUploadBytes),
  requestLog: Option.getOrUndefined(parsed.requestLog)
})

/**
 * The server could not start (e.g. the port is in use).
 *
 * @since 0.1.0
 * @category errors
 */
export class StartError extends Data.TaggedError("StartError")<{ readonly message: string }> {}

/**
 * The `appbuilder-emulator` command.
 *
 * @since 0.1.0
 * @category commands
 */
export const command: Command.Command<typeof NAME, never, StartError, Flags> = Command.make(
  NAME,
  flags,
  // the server's modules are loaded only here, once the flags ask to serve
  (parsed) =>
    Effect.flatMap(Effect.promise(() => import("./cliServe.js")), (CliServe) => CliServe.serve(toCliOptions(parsed)))
).pipe(
  Command.withDescription(
    "Serves a local emulator of Baidu AppBuilder's Assistant API. Prints \"listening on http://HOST:PORT\", " +
      "then one line per request: METHOD PATH STATUS [error=CODE \"MESSAGE\"] DURATIONms REQUEST-ID. " +
      "SIGINT or SIGTERM stops it (exit code 0)."
  )
)

/** pnpm passes a literal `--` through (`pnpm emulator -- --port 0`): it is not an argument. */
const withoutSeparator = (argv: ReadonlyArray<string>): ReadonlyArray<string> => argv.filter((arg) => arg !== "--")

/**
 * Parses the arguments as the command does, without running it (a literal `--`, as pnpm passes it, is
 * ignored). `--help` and the other built-in flags are not settings: they fail here.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseArgs = (
  argv: ReadonlyArray<string>
): Effect.Effect<CliOptions, ValidationError.ValidationError, CliApp.CliApp.Environment> =>
  Descriptor.parse(command.descriptor, [NAME, ...withoutSeparator(argv)], CliConfig.defaultConfig).pipe(
    Effect.flatMap((directive) =>
      directive._tag === "BuiltIn"
        ? Effect.fail(invalid(`not a setting: ${directive.option._tag}`))
        : directive.leftover.length > 0
        ? Effect.fail(
          ValidationError.invalidArgument(HelpDoc.p(`Received unknown argument: '${directive.leftover[0]}'`))
        )
        : Effect.succeed(toCliOptions(directive.value))
    )
  )

/**
 * The one-line usage printed after a bad flag.
 *
 * @since 0.1.0
 * @category constants
 */
export const usage: string = `usage: ${
  Usage.enumerate(Command.getUsage(command), CliConfig.defaultConfig)
    .map((span) => HelpDoc.toAnsiText(HelpDoc.p(span)).trim())
    .join("\n       ")
}\n\nRun \`${NAME} --help\` for what each flag does.`

const packageJson = fileURLToPath(new URL("../../package.json", import.meta.url))
const decodeVersion = Schema.decode(Schema.parseJson(Schema.Struct({ version: Schema.String })))

/** The package's version (the same file from `src/` and `dist/`), for `--version`. */
const version: Effect.Effect<string, never, FileSystem.FileSystem> = FileSystem.FileSystem.pipe(
  Effect.flatMap((fs) => fs.readFileString(packageJson)),
  Effect.flatMap(decodeVersion),
  Effect.map((json) => json.version),
  Effect.orElseSucceed(() => "unknown")
)

const ANSI = /\u001b\[[0-9;]*m/g

const plain = (args: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  args.map((arg) => typeof arg === "string" && arg.includes("\u001b") ? arg.replace(ANSI, "") : arg)

/**
 * The console without colour on the streams that are not terminals, or everywhere when `NO_COLOR` is
 * set (https://no-color.org): `@effect/cli` always renders its help and errors with ANSI styles.
 */
const respectNoColor = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((base) => {
    const noColor = (process.env["NO_COLOR"] ?? "") !== ""
    const plainOut = noColor || process.stdout.isTTY !== true
    const plainErr = noColor || process.stderr.isTTY !== true
    if (!plainOut && !plainErr) return self
    return Console.withConsole(self, {
      ...base,
      log: (...args: ReadonlyArray<unknown>) => base.log(...(plainOut ? plain(args) : args)),
      error: (...args: ReadonlyArray<unknown>) => base.error(...(plainErr ? plain(args) : args))
    })
  })

/**
 * What `@effect/cli` needs, and no more (`NodeContext.layer` would also load the worker and child
 * process modules at every start).
 *
 * @since 0.1.0
 * @category layers
 */
export const environment: Layer.Layer<CliApp.CliApp.Environment> = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeTerminal.layer
)

/**
 * The whole command: parse, then serve; succeeds with the process exit code (0 after `--help` and the
 * other built-in flags, 2 after bad flags, 1 when the server cannot start).
 *
 * @since 0.1.0
 * @category programs
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  Effect.gen(function*() {
    const run = Command.run(command, {
      name: NAME,
      version: yield* version,
      summary: Span.text("a local emulator of the AppBuilder Assistant API")
    })
    // `Command.run` expects `process.argv` (runtime and script first)
    return yield* run([process.execPath, NAME, ...withoutSeparator(argv)]).pipe(
      Effect.as(0),
      Effect.catchAll((error) =>
        error._tag === "StartError"
          ? Effect.as(Console.error(`cannot start the emulator: ${error.message}`), 1)
          // @effect/cli has printed what is wrong
          : Effect.as(Console.error(usage), 2)
      )
    )
  }).pipe(respectNoColor, Effect.provide(environment))
