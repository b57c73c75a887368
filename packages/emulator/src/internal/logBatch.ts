/**
 * The request log of the `appbuilder-emulator` command, written in batches under load. A line per
 * request printed with `console.log` costs a format and a write to stdout (a system call) per request:
 * a good part of the emulator's CPU for a short request. Here a line is written at once when the log has
 * been quiet for {@link FLUSH_INTERVAL_MILLIS}; otherwise it waits, with the lines that follow it, for
 * the next flush, at most that long after the previous write. Lines keep their order, and whatever is
 * pending is written when the program using the console ends (normally, on failure or on interruption).
 *
 * @since 0.1.0
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
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
      Effect.sync(() => make(base.unsafe, intervalMillis)),
      (batch) => Console.withConsole(self, { ...base, log: (...args) => Effect.sync(() => batch.log(args)) }),
      (batch) => Effect.sync(() => batch.close())
    )
  )

interface Batch {
  readonly log: (args: ReadonlyArray<unknown>) => void
  readonly close: () => void
}

const make = (out: Console.UnsafeConsole, intervalMillis: number): Batch => {
  let pending: Array<string> = []
  let lastWrite = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined
  const flush = () => {
    timer = undefined
    if (pending.length === 0) return
    const text = pending.join("\n")
    pending = []
    lastWrite = Date.now()
    out.log(text)
  }
  return {
    log: (args) => {
      pending.push(format(...args))
      if (timer !== undefined) return
      const wait = lastWrite + intervalMillis - Date.now()
      if (wait <= 0) return flush()
      timer = setTimeout(flush, wait)
      // the server keeps the process alive; a pending flush alone must not
      timer.unref()
    },
    close: () => {
      if (timer !== undefined) clearTimeout(timer)
      flush()
    }
  }
}
