/**
 * Many loops at once, measured (phase 4 of the benchmark): `count` loops started over `rampMillis` (loop
 * i after i × rampMillis / count ms, as traffic arrives, not in one instant: 10,000 connects at once
 * overflow the server's listen backlog and wait for SYN retransmits), each bounded by `timeout`, their
 * outcomes collected (a failed or stuck loop is counted, not the end of the measurement), memory sampled
 * as in {@link Measure.measure}, and a progress line printed every {@link PROGRESS_INTERVAL} (a full run of
 * 10,000 loops takes minutes).
 *
 * The harness keeps its own cost per loop out of the memory it measures: each loop runs on one fiber of
 * its own (what a server gives each request), started by one driver fiber that also enforces the bounds
 * (no per-loop parent fiber, race fibers or timers, as `Effect.forEach` with `Effect.timeout` and
 * `Effect.delay` would add: about three fibers per loop), and its outcome is stored in an array made
 * once. A loop's own fiber is part of what it costs a user.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Measure from "./Measure.js"
import * as Report from "./Report.js"

/**
 * @since 0.1.0
 * @category constants
 */
export const PROGRESS_INTERVAL: Duration.Duration = Duration.seconds(10)

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<A, E, R> {
  /** Named in the progress lines. */
  readonly label: string
  readonly count: number
  readonly rampMillis: number
  /**
   * The bound of one loop, from its start (checked once every loop has started: a bound shorter than
   * the ramp acts late). It only keeps a bad build from hanging the benchmark.
   */
  readonly timeout: Duration.DurationInput
  /** One loop; `onEvent` samples the memory when due (see {@link Measure.Probe}). */
  readonly loop: (onEvent: () => void) => Effect.Effect<A, E, R>
}

/**
 * Runs the loops and measures them; succeeds with every loop's outcome, in start order. A loop that dies
 * (a defect, or an interruption other than its bound) fails the whole run with its cause.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run = <A, E, R>(
  options: Options<A, E, R>
): Effect.Effect<Measure.Measured<ReadonlyArray<Either.Either<A, E | Cause.TimeoutException>>>, never, R> =>
  Effect.suspend(() => {
    const { count } = options
    const timeoutMillis = Duration.toMillis(options.timeout)
    // the harness' records: one slot per loop, allocated before the measurement starts
    const outcomes: Array<Either.Either<A, E | Cause.TimeoutException> | undefined> = new Array(count)
    const fibers: Array<Fiber.RuntimeFiber<Either.Either<A, E>> | undefined> = new Array(count)
    const startedAt = new Float64Array(count)
    const timedOut = new Uint8Array(count)
    let started = 0
    let done = 0
    let defect: Cause.Cause<never> | undefined
    const startedAtWall = performance.now()
    const progress = Effect.suspend(() =>
      Console.log(
        `  ${options.label}: ${((performance.now() - startedAtWall) / 1000).toFixed(0)} s, ${done}/${count} done, ${
          started - done
        } running, rss ${Report.mib(process.memoryUsage().rss)} MiB`
      )
    )
    const loops = (probe: Measure.Probe) =>
      Effect.gen(function*() {
        const allDone = yield* Deferred.make<void>()
        if (count === 0) yield* Deferred.succeed(allDone, undefined)
        const settle = (i: number, exit: Exit.Exit<Either.Either<A, E>>) => {
          fibers[i] = undefined
          if (Exit.isSuccess(exit)) {
            outcomes[i] = exit.value
          } else if (timedOut[i] === 1 && Cause.isInterruptedOnly(exit.cause)) {
            outcomes[i] = Either.left(new Cause.TimeoutException(`loop ${i} took longer than its bound`))
          } else {
            defect ??= exit.cause
          }
          if (++done === count) Deferred.unsafeDone(allDone, Exit.void)
        }
        // The driver: starts the loops over the ramp, then interrupts those that outlive their bound (they
        // started in order, so their deadlines come in order).
        const driver = Effect.gen(function*() {
          const origin = yield* Clock.currentTimeMillis
          const due = (i: number) => origin + Math.floor((i * options.rampMillis) / count)
          while (started < count) {
            const now = yield* Clock.currentTimeMillis
            while (started < count && due(started) <= now) {
              const i = started++
              startedAt[i] = now
              const fiber = yield* Effect.forkDaemon(Effect.either(options.loop(probe.sample)))
              fibers[i] = fiber
              fiber.addObserver((exit) => settle(i, exit))
            }
            if (started < count) yield* Effect.sleep(due(started) - now)
          }
          let oldest = 0
          while (true) {
            while (oldest < count && fibers[oldest] === undefined) oldest++
            if (oldest === count) return
            const now = yield* Clock.currentTimeMillis
            const deadline = startedAt[oldest]! + timeoutMillis
            if (deadline > now) {
              yield* Effect.sleep(deadline - now)
            } else {
              const fiber = fibers[oldest]!
              timedOut[oldest] = 1
              oldest++
              yield* Fiber.interruptAsFork(fiber, yield* Effect.fiberId)
            }
          }
        })
        yield* Effect.forkScoped(driver)
        // the progress fiber lives as long as the loops (interrupted when the scope closes)
        yield* Effect.forkScoped(Effect.forever(Effect.delay(progress, PROGRESS_INTERVAL)))
        yield* Effect.onInterrupt(
          Deferred.await(allDone),
          () => Fiber.interruptAll(fibers.filter((fiber) => fiber !== undefined))
        )
        if (defect !== undefined) return yield* Effect.failCause(defect)
        return outcomes.map((outcome) => outcome!)
      }).pipe(Effect.scoped)
    return Measure.measure(loops)
  })
