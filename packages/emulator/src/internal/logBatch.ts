/**
 * The request log of the `appbuilder-emulator` command, written in batches under load. A line per
 * request printed with `console.log` costs a format and a write to stdout (a system call) per request:
 * a good part of the emulator's CPU for a short request. Here a line is written at once when the log has
 * been quiet for {@link FLUSH_INTERVAL_MILLIS}; otherwise it waits, with the lines that follow it, for
 * the next flush, at most that long after the previous write. Lines keep their order, and whatever is
 * pending is written when the program using the console ends (normally, on failure or on interruption).
 * Time is Effect's `Clock`: the delayed flush is a fiber sleeping on it (so a `TestClock` drives it).
 *
 * @since 0.1.0
 */
import type * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { format } from "node:util"

/**
 * The longest a line waits before it is written (only while other lines were written just before).
 *
 * @since 0.1.0
 * @category constants
 */
export const FLUSH_INTERVAL_MILLIS = 100

/**
 * Runs `self` with a console whose `log` writes its lines in batches (every other method is the
 * current console's); the lines still pending are written when `self` ends.
 *
 * @since 0.1.0
 * @category combinators
 */
export const batched = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  intervalMillis: number = FLUSH_INTERVAL_MILLIS
): Effect.Effect<A, E, R> =>
  Console.consoleWith((base) =>
    Effect.acquireUseRelease(
      Effect.map(
        Effect.zip(Scope.make(), Effect.clock),
        ([scope, clock]) => make(base.unsafe, intervalMillis, clock, scope)
      ),
      (batch) => Console.withConsole(self, { ...base, log: (...args) => batch.log(args) }),
      (batch) => batch.close
    )
  )

interface Batch {
  readonly log: (args: ReadonlyArray<unknown>) => Effect.Effect<void>
  readonly close: Effect.Effect<void>
}

const make = (
  out: Console.UnsafeConsole,
  intervalMillis: number,
  clock: Clock.Clock,
  scope: Scope.CloseableScope
): Batch => {
  let pending: Array<string> = []
  let lastWrite = Number.NEGATIVE_INFINITY
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending.length === 0) return
    const text = pending.join("\n")
    pending = []
    lastWrite = clock.unsafeCurrentTimeMillis()
    out.log(text)
  }
  // the delayed flush: a fiber of the batch's scope, interrupted when the batch closes
  const flushIn = (millis: number): Effect.Effect<void> =>
    Effect.asVoid(Effect.forkIn(Effect.zipRight(Effect.sleep(Duration.millis(millis)), Effect.sync(flush)), scope))
  return {
    log: (args) =>
      Effect.suspend(() => {
        pending.push(format(...args))
        if (scheduled) return Effect.void
        const wait = lastWrite + intervalMillis - clock.unsafeCurrentTimeMillis()
        if (wait <= 0) {
          flush()
          return Effect.void
        }
        scheduled = true
        return flushIn(wait)
      }),
    close: Effect.zipRight(Scope.close(scope, Exit.void), Effect.sync(flush))
  }
}
