/**
 * The `appbuilder` command. Contract for subcommands (e.g. `Chat.command`, the resource commands):
 * the root command owns the global options (`--token` / `$APPBUILDER_TOKEN`, `--gateway-url` /
 * `$GATEWAY_URL`, `--emulator`, `--json`) and provides, to every subcommand, the SDK services
 * (`AppBuilder.Services`: `yield* Assistants.Assistants` …) plus `Connection.CliSettings` (the `json` flag,
 * the target, stderr), over the in-process emulator when `--emulator` is given or no token is configured.
 * Handlers fail with typed errors only: {@link run} prints them as one line on stderr and turns them into
 * exit codes (0 success, 1 service error, 2 usage error), so handlers never print errors themselves. Output
 * may carry ANSI styles: {@link run} strips them from the `Console` when colour is off.
 *
 * @since 0.1.0
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Chat from "./Chat.js"
import * as Connection from "./Connection.js"
import * as Ansi from "./internal/ansi.js"
import * as AssistantsCommand from "./internal/assistantsCommand.js"
import * as Errors from "./internal/errors.js"
import * as FilesCommand from "./internal/filesCommand.js"
import * as MessagesCommand from "./internal/messagesCommand.js"
import * as RunsCommand from "./internal/runsCommand.js"
import * as ThreadsCommand from "./internal/threadsCommand.js"

/**
 * The version `appbuilder --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const version: string = "0.1.0"

const description = "Chat with a Baidu AppBuilder assistant and script its resources. Without a token " +
  "(--token or $APPBUILDER_TOKEN) it talks to an in-process emulator, so it works with no account " +
  "(a fresh one per invocation: run appbuilder-emulator and pass --gateway-url to keep state between " +
  "commands)."

const root = Command.make("appbuilder", Connection.options).pipe(Command.withDescription(description))

const subcommands = [
  Chat.command,
  AssistantsCommand.command,
  ThreadsCommand.command,
  MessagesCommand.command,
  RunsCommand.command,
  FilesCommand.command
] as const

/**
 * The root command with every subcommand, over the given {@link Connection.Environment} (tests pass one
 * with a shared emulator). `appbuilder` alone prints the help.
 *
 * @since 0.1.0
 * @category commands
 */
export const make = (environment: Connection.Environment) => {
  const printHelp = (): Effect.Effect<void> =>
    Console.log(HelpDoc.toAnsiText(Command.getHelp(command, CliConfig.defaultConfig)))
  const command = root.pipe(
    Command.withHandler(printHelp),
    Command.withSubcommands(subcommands),
    Command.provide((global) => Connection.layer(global, environment))
  )
  return command
}

/**
 * The exit code of a finished invocation: 0 success, 1 service (or configuration) error, 2 usage error.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 0 | 1 | 2

/**
 * Options of {@link run}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Default: {@link Connection.defaultEnvironment}. */
  readonly environment?: Connection.Environment | undefined
  /** Whether stdout is a terminal (colour is used only then, and never with `NO_COLOR`). Default: Node's. */
  readonly stdoutIsTTY?: boolean | undefined
}

/**
 * Runs the command on `argv` (as in `process.argv`: executable and script first). Usage errors are
 * printed by `@effect/cli` (exit code 2); every other failure is printed as one line on stderr, with the
 * request id when the service gave one (exit code 1). Never fails. Colour is on only when stdout is a
 * terminal and `NO_COLOR` is unset or empty.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  argv: ReadonlyArray<string>,
  options: RunOptions = {}
): Effect.Effect<ExitCode, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const colour = yield* Ansi.enabled(options.stdoutIsTTY ?? process.stdout.isTTY === true)
    const command = make(options.environment ?? Connection.defaultEnvironment())
    const exit: Effect.Effect<ExitCode, never, CliApp.CliApp.Environment> = Command.run(command, {
      name: "appbuilder",
      version
    })(argv).pipe(
      Effect.as<ExitCode>(0),
      Effect.catchAll((error) =>
        ValidationError.isValidationError(error)
          ? Effect.succeed<ExitCode>(2)
          : Effect.as(Console.error(Errors.render(error)), 1 as const)
      ),
      Effect.catchAllDefect((defect) => Effect.as(Console.error(Errors.renderDefect(defect)), 1 as const))
    )
    if (colour) return yield* exit
    const console = yield* Effect.console
    return yield* Effect.withConsole(exit, Ansi.plainConsole(console))
  })
