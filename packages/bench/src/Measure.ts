/**
 * Wall-clock time and memory of one benchmarked run.
 *
 * Before the run the heap is collected (`global.gc()`, when node runs with `--expose-gc`); during the run
 * `process.memoryUsage()` is sampled every {@link SAMPLE_INTERVAL_MILLIS} ms (and once more at the end).
 * The peak heap growth is the highest `heapUsed` seen minus the `heapUsed` right before the run: live
 * data plus the garbage not yet collected, which stays bounded for a streaming consumer whatever the
 * stream's length, and grows with it when events are retained.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * @since 0.1.0
 * @category constants
 */
export const SAMPLE_INTERVAL_MILLIS = 20

/**
 * @since 0.1.0
 * @category models
 */
export interface Measured<A> {
  readonly value: A
  readonly seconds: number
  /** Highest `heapUsed` during the run minus `heapUsed` before it, in bytes. */
  readonly peakHeapDelta: number
  /** Highest `rss` during the run, in bytes. */
  readonly peakRss: number
  /** How many samples were taken (shows whether the run let the timer fire). */
  readonly samples: number
  /** CPU time (user + system) of this process during the run, in seconds. */
  readonly cpuSeconds: number
}

/**
 * Whether `global.gc` is available (node `--expose-gc`).
 *
 * @since 0.1.0
 * @category utils
 */
export const gcExposed: boolean = typeof globalThis.gc === "function"

/**
 * Runs a full garbage collection when it is exposed.
 *
 * @since 0.1.0
 * @category utils
 */
export const collect: Effect.Effect<void> = Effect.sync(() => {
  globalThis.gc?.()
})

/**
 * Measures `effect`: elapsed time, peak heap growth and peak RSS (see the module documentation).
 *
 * @since 0.1.0
 * @category combinators
 */
export const measure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Measured<A>, E, R> =>
  Effect.suspend(() => {
    globalThis.gc?.()
    const before = process.memoryUsage()
    const cpuBefore = process.cpuUsage()
    let peakHeap = before.heapUsed
    let peakRss = before.rss
    let samples = 0
    let cpu: NodeJS.CpuUsage = { user: 0, system: 0 }
    const sample = () => {
      const usage = process.memoryUsage()
      samples++
      if (usage.heapUsed > peakHeap) peakHeap = usage.heapUsed
      if (usage.rss > peakRss) peakRss = usage.rss
    }
    return Effect.acquireUseRelease(
      Effect.sync(() => setInterval(sample, SAMPLE_INTERVAL_MILLIS)),
      () => Effect.timed(effect),
      (timer) =>
        Effect.sync(() => {
          clearInterval(timer)
          sample()
          cpu = process.cpuUsage(cpuBefore)
        })
    ).pipe(
      Effect.map(([elapsed, value]): Measured<A> => ({
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        value,
        seconds: Duration.toMillis(elapsed) / 1000,
        peakHeapDelta: peakHeap - before.heapUsed,
        peakRss,
        samples
      }))
    )
  })
