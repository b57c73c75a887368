/**
 * The closing lines of the benchmark: one per target of issue 11, in a fixed form that a reader (and a
 * script) can match: `OK <name>: <measured> (target <target>)` or `TARGET MISSED <name>: …`.
 *
 * @since 0.1.0
 */

/**
 * The targets, in the order their lines are printed.
 *
 * @since 0.1.0
 * @category constants
 */
export const names = [
  "per-event cpu",
  "per-event throughput",
  "emulator events/s",
  "per-loop cpu",
  "emulator per-loop cpu",
  "concurrent loops",
  "memory per loop",
  "flat memory"
] as const

/**
 * @since 0.1.0
 * @category models
 */
export type Name = typeof names[number]

/**
 * The verdict on one target.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verdict {
  readonly name: Name
  readonly ok: boolean
  /** What was measured, e.g. `1.12× baseline (14.1 vs 12.6 µs/event)`. */
  readonly measured: string
  /** The target, e.g. `≤ 1.3× baseline`. */
  readonly target: string
}

/**
 * `OK <name>: <measured> (target <target>)` or `TARGET MISSED <name>: <measured> (target <target>)`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const line = (verdict: Verdict): string =>
  `${verdict.ok ? "OK" : "TARGET MISSED"} ${verdict.name}: ${verdict.measured} (target ${verdict.target})`

/**
 * The closing lines in the order of {@link names}; a target without a verdict (its phase did not run)
 * is reported as missed, so that every name always has its line.
 *
 * @since 0.1.0
 * @category formatting
 */
export const lines = (verdicts: ReadonlyArray<Verdict>): ReadonlyArray<string> =>
  names.map((name) => {
    const verdict = verdicts.find((v) => v.name === name)
    return line(verdict ?? { name, ok: false, measured: "not measured", target: "-" })
  })

/**
 * A ratio with two decimals and a multiplication sign: `1.27×`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const times = (ratio: number): string => Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "-"
