/**
 * What the benchmark's child processes (the emulator, the concurrent loops' process) share: where the
 * repository is, a backstop that kills a child's process group if this process dies without running its
 * finalizers, the tail of a child's output for diagnostics, and the exit code of a program.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"

/**
 * The repository root (this file is `packages/bench/src/ChildProcess.ts`, compiled to `dist`): the
 * working directory of every child.
 *
 * @since 0.1.0
 * @category constants
 */
export const root: string = NodePath.resolve(NodePath.dirname(NodeUrl.fileURLToPath(import.meta.url)), "../../..")

/**
 * For the scope: a synchronous `exit` hook that kills the process group of `pid` (SIGKILL), for a crash
 * of this process that skips the finalizers (which kill the child the normal way).
 *
 * @since 0.1.0
 * @category resources
 */
export const killOnExit = (pid: number): Effect.Effect<void, never, Scope.Scope> => {
  const onExit = () => {
    try {
      process.kill(-pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  return Effect.acquireRelease(
    Effect.sync(() => process.once("exit", onExit)),
    () => Effect.sync(() => process.removeListener("exit", onExit))
  )
}

/**
 * Keeps the last `max` characters of a text stream (what a child printed before it failed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const tail = (max: number): { readonly push: (more: string) => void; readonly get: () => string } => {
  let text = ""
  return {
    push: (more: string) => {
      text = (text + more).slice(-max)
    },
    get: () => text
  }
}

/**
 * The exit code of a benchmark program (`NodeRuntime.runMain`'s `teardown`): the program's own code when
 * it succeeds with one, 130 when it was only interrupted (Ctrl-C), 1 when it failed (a failure whose cause
 * also holds interruptions, e.g. of other concurrent loops, is a failure).
 *
 * @since 0.1.0
 * @category running
 */
export const teardown = <E, A>(exit: Exit.Exit<E, A>, onExit: (code: number) => void): void =>
  onExit(
    Exit.isSuccess(exit)
      ? (typeof exit.value === "number" ? exit.value : 0)
      : Cause.isInterruptedOnly(exit.cause)
      ? 130
      : 1
  )
