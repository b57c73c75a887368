/**
 * Wall-clock time and memory of one benchmarked run.
 *
 * Before the run the heap is collected (`global.gc()`, when node runs with `--expose-gc`); during the run
 * `process.memoryUsage()` is sampled every {@link SAMPLE_INTERVAL_MILLIS} ms (and once more at the end).
 * The peak heap growth is the highest `heapUsed` seen minus the `heapUsed` right before the run: live
 * data plus the garbage not collected yet. The garbage part depends on V8's heuristics: short-lived
 * objects that survive a scavenge are promoted to the old space and stay there, dead, until the next
 * mark-compact, whose threshold grows with the heap.
 *
 * With `live: true` every sample is taken right after a full GC (every {@link LIVE_INTERVAL_MILLIS} ms):
 * the peak then is the peak of the live data only, which does not grow with the stream's length unless
 * events are retained. Forced collections slow the run down: such runs are for memory only.
 *
 * A consumer that does long synchronous work per chunk starves the timer (an Effect fiber yields to the
 * event loop only every 2048 operations, whatever they cost); such a consumer calls {@link Probe.sample}
 * after each chunk, which samples when the last sample is older than the interval.
 *
 * The peak RSS does not depend on the samples where Linux keeps it: the kernel's high-water mark of the
 * process' RSS (`VmHWM` in `/proc/self/status`) is reset right before the run (writing `5` to
 * `/proc/self/clear_refs`) and read after it, so a peak between two samples (thousands of busy loops
 * can keep the event loop from running the timer for seconds) is counted too. Elsewhere the sampled
 * peak is the figure.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as NodeFs from "node:fs"

/**
 * @since 0.1.0
 * @category constants
 */
export const SAMPLE_INTERVAL_MILLIS = 20

/**
 * @since 0.1.0
 * @category constants
 */
export const LIVE_INTERVAL_MILLIS = 200

/**
 * @since 0.1.0
 * @category models
 */
export interface Measured<A> {
  readonly value: A
  readonly seconds: number
  /** Highest `heapUsed` during the run minus `heapUsed` before it, in bytes (after a GC when `live`). */
  readonly peakHeapDelta: number
  /** Highest `rss` during the run, in bytes (the kernel's high-water mark where it can be read). */
  readonly peakRss: number
  /** Whether {@link Measured.peakRss} is the kernel's high-water mark (else the highest sample). */
  readonly peakRssExact: boolean
  /** `rss` right before the run (after a GC), in bytes. */
  readonly rssBefore: number
  /** How many samples were taken (shows whether the run let the timer fire). */
  readonly samples: number
  /** CPU time (user + system) of this process during the run, in seconds. */
  readonly cpuSeconds: number
}

/**
 * Given to the measured effect.
 *
 * @since 0.1.0
 * @category models
 */
export interface Probe {
  /** Samples the memory unless the last sample is younger than the interval. */
  readonly sample: () => void
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Sample the live heap only (a full GC before each sample). Needs `--expose-gc`. */
  readonly live?: boolean | undefined
}

/**
 * Whether `global.gc` is available (node `--expose-gc`).
 *
 * @since 0.1.0
 * @category utils
 */
export const gcExposed: boolean = typeof globalThis.gc === "function"

/**
 * Resets the kernel's high-water mark of this process' RSS; `false` where it cannot (not Linux, or
 * `/proc/self/clear_refs` not writable).
 */
const resetPeakRss = (): boolean => {
  try {
    NodeFs.writeFileSync("/proc/self/clear_refs", "5")
    return true
  } catch {
    return false
  }
}

/** The kernel's high-water mark of this process' RSS, in bytes, if it can be read. */
const kernelPeakRss = (): number | undefined => {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(NodeFs.readFileSync("/proc/self/status", "utf8"))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

/**
 * Measures `effect`: elapsed time, peak heap growth and peak RSS (see the module documentation).
 *
 * @since 0.1.0
 * @category combinators
 */
export const measure = <A, E, R>(
  effect: (probe: Probe) => Effect.Effect<A, E, R>,
  options?: Options
): Effect.Effect<Measured<A>, E, R> =>
  Effect.suspend(() => {
    const live = options?.live === true && globalThis.gc !== undefined
    const interval = live ? LIVE_INTERVAL_MILLIS : SAMPLE_INTERVAL_MILLIS
    globalThis.gc?.()
    const before = process.memoryUsage()
    const exact = resetPeakRss()
    let kernelPeak: number | undefined
    const cpuBefore = process.cpuUsage()
    let peakHeap = before.heapUsed
    let peakRss = before.rss
    let samples = 0
    let lastSample = performance.now()
    let cpu: NodeJS.CpuUsage = { user: 0, system: 0 }
    const sample = () => {
      if (live) globalThis.gc?.()
      const usage = process.memoryUsage()
      lastSample = performance.now()
      samples++
      if (usage.heapUsed > peakHeap) peakHeap = usage.heapUsed
      if (usage.rss > peakRss) peakRss = usage.rss
    }
    const probe: Probe = {
      sample: () => {
        if (performance.now() - lastSample >= interval) sample()
      }
    }
    return Effect.acquireUseRelease(
      Effect.sync(() => setInterval(probe.sample, interval)),
      () => Effect.timed(effect(probe)),
      (timer) =>
        Effect.sync(() => {
          clearInterval(timer)
          sample()
          cpu = process.cpuUsage(cpuBefore)
          kernelPeak = exact ? kernelPeakRss() : undefined
        })
    ).pipe(
      Effect.map(([elapsed, value]): Measured<A> => ({
        value,
        seconds: Duration.toMillis(elapsed) / 1000,
        peakHeapDelta: peakHeap - before.heapUsed,
        peakRss: kernelPeak === undefined ? peakRss : Math.max(peakRss, kernelPeak),
        peakRssExact: kernelPeak !== undefined,
        rssBefore: before.rss,
        samples,
        cpuSeconds: (cpu.user + cpu.system) / 1e6
      }))
    )
  })
