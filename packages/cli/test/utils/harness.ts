/**
 * Runs `appbuilder` in-process against one shared in-process emulator, capturing what it prints.
 */
import * as Cli from "@effect-appbuilder/cli/Cli"
import type * as Connection from "@effect-appbuilder/cli/Connection"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as NodeContext from "@effect/platform-node/NodeContext"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/** What one invocation printed and its exit code. */
export interface Result {
  readonly code: Cli.ExitCode
  readonly stdout: string
  readonly stderr: string
  /** What was written to the progress sink (stderr, raw). */
  readonly progress: string
}

const text = (args: ReadonlyArray<unknown>): string => args.map(String).join(" ")

/** A console that records `log`/`info` to `out` and `error`/`warn` to `err`. */
export const recordingConsole = (out: Array<string>, err: Array<string>): Console.Console => {
  const toOut = (...args: ReadonlyArray<unknown>) => {
    out.push(text(args))
  }
  const toErr = (...args: ReadonlyArray<unknown>) => {
    err.push(text(args))
  }
  const ignore = () => {}
  const unsafe: Console.UnsafeConsole = {
    assert: ignore,
    clear: ignore,
    count: ignore,
    countReset: ignore,
    debug: toErr,
    dir: toOut,
    dirxml: toOut,
    error: toErr,
    group: ignore,
    groupCollapsed: ignore,
    groupEnd: ignore,
    info: toOut,
    log: toOut,
    table: toOut,
    time: ignore,
    timeEnd: ignore,
    timeLog: ignore,
    trace: toErr,
    warn: toErr
  }
  const lift = (f: (...args: ReadonlyArray<unknown>) => void) => (...args: ReadonlyArray<unknown>) =>
    Effect.sync(() => f(...args))
  return {
    [Console.TypeId]: Console.TypeId,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: lift(toErr),
    dir: lift(toOut),
    dirxml: lift(toOut),
    error: lift(toErr),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: lift(toOut),
    log: lift(toOut),
    table: lift(toOut),
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: lift(toErr),
    warn: lift(toErr),
    unsafe
  }
}

/** An `appbuilder` bound to one emulator. */
export interface Harness {
  readonly run: (
    args: ReadonlyArray<string>,
    options?: { readonly stdoutIsTTY?: boolean; readonly stderrIsTTY?: boolean }
  ) => Effect.Effect<Result>
  /** The emulator's layer (HttpClient and EmulatorState), to drive it with the SDK. */
  readonly emulator: Layer.Layer<HttpClient.HttpClient | EmulatorState.EmulatorState>
  readonly state: Context.Tag.Service<typeof EmulatorState.EmulatorState>
}

/** Starts one in-process emulator for the test's scope. */
export const make: Effect.Effect<Harness, never, Scope.Scope> = Effect.gen(function*() {
  const context = yield* Layer.build(Emulator.layer())
  const emulator = Layer.succeedContext(context)
  const state = Context.get(context, EmulatorState.EmulatorState)
  const run: Harness["run"] = (args, options = {}) =>
    Effect.gen(function*() {
      const out: Array<string> = []
      const err: Array<string> = []
      let progress = ""
      const environment: Connection.Environment = {
        emulator,
        stderr: {
          isTTY: options.stderrIsTTY ?? false,
          write: (chunk) => {
            progress += chunk
          }
        }
      }
      const code = yield* Cli.run(["node", "appbuilder", ...args], {
        environment,
        stdoutIsTTY: options.stdoutIsTTY ?? false
      }).pipe(Effect.withConsole(recordingConsole(out, err)), Effect.provide(NodeContext.layer))
      return { code, stdout: out.join("\n"), stderr: err.join("\n"), progress }
    })
  return { run, emulator, state }
})
