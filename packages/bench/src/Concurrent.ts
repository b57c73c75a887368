/**
 * Many loops at once, measured (phase 4 of the benchmark): `count` loops started over `rampMillis` (loop
 * i after i × rampMillis / count ms, as traffic arrives, not in one instant: 10,000 connects at once
 * overflow the server's listen backlog and wait for SYN retransmits), each bounded by `timeout`, their
 * outcomes collected (a failed or stuck loop is counted, not the end of the measurement), memory sampled
 * as in {@link Measure.measure}, and a progress line printed every {@link PROGRESS_INTERVAL} (a full run of
 * 10,000 loops takes minutes).
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
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
  /** The bound of one loop: it only keeps a bad build from hanging the benchmark. */
  readonly timeout: Duration.DurationInput
  /** One loop; `onEvent` samples the memory when due (see {@link Measure.Probe}). */
  readonly loop: (onEvent: () => void) => Effect.Effect<A, E, R>
}

/**
 * Runs the loops and measures them; succeeds with every loop's outcome, in start order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run = <A, E, R>(
  options: Options<A, E, R>
): Effect.Effect<Measure.Measured<ReadonlyArray<Either.Either<A, E | Cause.TimeoutException>>>, never, R> =>
  Effect.suspend(() => {
    let started = 0
    let done = 0
    const startedAt = performance.now()
    const progress = Effect.suspend(() =>
      Console.log(
        `  ${options.label}: ${((performance.now() - startedAt) / 1000).toFixed(0)} s, ${done}/${options.count} done, ${
          started - done
        } running, rss ${Report.mib(process.memoryUsage().rss)} MiB`
      )
    )
    const loops = Measure.measure((probe) =>
      Effect.forEach(
        Array.from({ length: options.count }, (_, i) => i),
        (i) =>
          Effect.suspend(() => {
            started++
            return options.loop(probe.sample)
          }).pipe(
            Effect.timeout(options.timeout),
            Effect.ensuring(Effect.sync(() => {
              done++
            })),
            Effect.delay(Math.floor((i * options.rampMillis) / options.count)),
            Effect.either
          ),
        { concurrency: "unbounded" }
      )
    )
    // the progress fiber lives as long as the loops (interrupted when the scope closes)
    return Effect.scoped(
      Effect.zipRight(
        Effect.forkScoped(Effect.forever(Effect.delay(progress, PROGRESS_INTERVAL))),
        loops
      )
    )
  })
