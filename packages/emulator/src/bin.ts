#!/usr/bin/env node
/**
 * Entry point of the `appbuilder-emulator` command (see `Cli`).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Exit from "effect/Exit"
// `internal/cli.js`, not `Cli.js`: the server is loaded only when the flags ask to serve
import * as Cli from "./internal/cli.js"

NodeRuntime.runMain(Cli.main(process.argv.slice(2)), {
  disablePrettyLogger: true,
  // the program's value is the exit code; interruption by SIGINT/SIGTERM is a clean stop
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit)
        ? (typeof exit.value === "number" ? exit.value : 0)
        : Exit.isInterrupted(exit)
        ? 0
        : 1
    )
})
