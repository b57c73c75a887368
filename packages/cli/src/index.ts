/**
 * @effect-appbuilder/cli: the `appbuilder` command (chat with an assistant, script its resources), built
 * on `@effect/cli`. Most users run the `appbuilder` binary; the modules let a program embed or extend it.
 *
 * @since 0.1.0
 */

/**
 * `appbuilder chat`: the interactive terminal chat.
 *
 * @since 0.1.0
 */
export * as Chat from "./Chat.js"

/**
 * The `appbuilder` root command, its subcommands, and `run` (exit codes, error lines, colour).
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The global options (`--token`, `--gateway-url`, `--emulator`, `--json`) and the SDK layer they select.
 *
 * @since 0.1.0
 */
export * as Connection from "./Connection.js"
