/**
 * The emulator as a separate process (the compiled `packages/emulator/dist/bin.js`), so that the benchmarked client
 * and the server do not share a core (nor an event loop).
 *
 * The process is started with `--port 0` and the URL is read from its `listening on http://HOST:PORT`
 * line. It is a scoped resource: closing the scope (normally, on failure or on interruption) kills its
 * process group with SIGTERM and waits for it to exit. A synchronous `exit` hook also kills it if this
 * process dies without running its finalizers.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ChildProcess from "./ChildProcess.js"

/**
 * The emulator did not start (bad exit, no `listening on` line in time, or the process could not spawn).
 *
 * @since 0.1.0
 * @category errors
 */
export class EmulatorStartError extends Data.TaggedError("EmulatorStartError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  readonly pid: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The only bearer token the emulator accepts. */
  readonly token: string
  /** How long to wait for the `listening on` line. Default 60 s. */
  readonly startTimeoutMillis?: number | undefined
}

const LISTENING = /^listening on (http:\/\/[^\s:]+:(\d+))\s*$/

/**
 * Starts the emulator in its own process and waits until it listens. Its stdout and stderr are drained
 * for the whole scope (a full pipe would block the server).
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (
  options: Options
): Effect.Effect<RunningEmulator, EmulatorStartError, CommandExecutor.CommandExecutor | Scope.Scope> =>
  Effect.gen(function*() {
    const command = Command.make(
      process.execPath,
      // the compiled emulator (`pnpm bench` builds it first), as users run it
      "packages/emulator/dist/bin.js",
      "--port",
      "0",
      "--token",
      options.token,
      // no pacing between message chunks (the command's default paces like a model): measure the client
      "--chunk-delay",
      "0"
    ).pipe(Command.workingDirectory(ChildProcess.root))

    const child = yield* Command.start(command).pipe(
      Effect.mapError((cause) =>
        new EmulatorStartError({ message: `cannot spawn the emulator: ${cause.message}`, cause })
      )
    )
    const pid = Number(child.pid)
    // Backstop for a crash of this process that skips the finalizers: kill the emulator's group.
    yield* ChildProcess.killOnExit(pid)

    const ready = yield* Deferred.make<string>()
    const output = ChildProcess.tail(4096)
    yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => {
        const match = LISTENING.exec(line)
        if (match === null) return Effect.sync(() => output.push(line + "\n"))
        return Deferred.succeed(ready, match[1]!)
      }),
      Effect.ignore,
      Effect.forkScoped
    )
    yield* child.stderr.pipe(
      Stream.decodeText(),
      Stream.runForEach((text) => Effect.sync(() => output.push(text))),
      Effect.ignore,
      Effect.forkScoped
    )

    const exited = child.exitCode.pipe(
      Effect.orElseSucceed(() => -1),
      Effect.flatMap((code) =>
        Effect.fail(new EmulatorStartError({ message: `the emulator exited with code ${code}:\n${output.get()}` }))
      )
    )
    const url = yield* Deferred.await(ready).pipe(
      Effect.raceFirst(exited),
      Effect.timeoutFail({
        duration: options.startTimeoutMillis ?? 60_000,
        onTimeout: () =>
          new EmulatorStartError({ message: `the emulator did not print its URL in time:\n${output.get()}` })
      })
    )
    const port = Number(new URL(url).port)
    if (!(port > 0)) {
      return yield* new EmulatorStartError({ message: `the emulator printed no usable port: ${url}` })
    }
    return { url, pid }
  })
