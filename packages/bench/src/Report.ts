/**
 * Statistics and plain-text tables of the benchmark.
 *
 * @since 0.1.0
 */

/**
 * One measured run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunResult {
  readonly variant: string
  readonly chunks: number
  readonly events: number
  readonly seconds: number
  readonly peakHeapDelta: number
  readonly peakRss: number
  readonly samples: number
  readonly cpuSeconds: number
  /** The run was stopped by the time limit before its end (`events` is then what it got). */
  readonly stopped: boolean
}

/**
 * The median of a non-empty list (mean of the two middle values for an even length); `NaN` when empty.
 *
 * @since 0.1.0
 * @category statistics
 */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * @since 0.1.0
 * @category statistics
 */
export const max = (values: ReadonlyArray<number>): number => values.length === 0 ? Number.NaN : Math.max(...values)

/**
 * The value at rank `p` (0 to 1) of the sorted values (no interpolation); `NaN` when empty.
 *
 * @since 0.1.0
 * @category statistics
 */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

/**
 * Events per second of a run.
 *
 * @since 0.1.0
 * @category statistics
 */
export const rate = (run: RunResult): number => run.events / run.seconds

/**
 * @since 0.1.0
 * @category formatting
 */
export const mib = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1)

/**
 * Seconds as milliseconds with two decimals: `12.34 ms`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const millis = (seconds: number): string => `${(seconds * 1e3).toFixed(2)} ms`

/**
 * An integer with thin groups: `123 456`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const int = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, " ") : "-"

/**
 * One progress line per run.
 *
 * @since 0.1.0
 * @category formatting
 */
export const runLine = (label: string, run: RunResult): string =>
  `${label.padEnd(9)} ${run.variant.padEnd(24)} N=${String(run.chunks).padEnd(7)} events=${
    String(run.events).padEnd(7)
  } ${run.seconds.toFixed(2).padStart(6)} s ${int(rate(run)).padStart(9)} ev/s  heap Δ ${
    mib(run.peakHeapDelta).padStart(6)
  } MiB  rss ${mib(run.peakRss).padStart(6)} MiB  cpu ${
    Math.round(100 * run.cpuSeconds / run.seconds).toString().padStart(3)
  } %  (${run.samples} samples)${run.stopped ? "  STOPPED at the time limit" : ""}`

/**
 * Renders rows as an aligned table (`|`-separated, a rule under the header; numeric-looking cells are
 * right-aligned).
 *
 * @since 0.1.0
 * @category formatting
 */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)))
  const numeric = /^[\d\s.,()×x*-]+$/
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (numeric.test(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join(" | ")
  const rule = widths.map((width) => "-".repeat(width)).join("-|-")
  return [line(header), rule, ...rows.map(line)].join("\n")
}
