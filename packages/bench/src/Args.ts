/**
 * The command line of `pnpm bench`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/**
 * The sizes of one benchmark run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Args {
  /** `--quick`: the smaller sizes (development), unless a size is given explicitly. */
  readonly quick: boolean
  /** Message chunks of the per-event stream (the targets are defined for ≥ 100,000). */
  readonly chunks: number
  /** Measured rounds of the per-event and per-loop comparisons. */
  readonly rounds: number
  /** Sequential tool loops measured per variant (per-loop CPU). */
  readonly loops: number
  /** Concurrent tool loops (the targets are defined for 10,000). */
  readonly concurrent: number
  /** Message chunks of the long stream of the flat-memory check (compared with `chunks`). */
  readonly longChunks: number
  /** An SDK stream is stopped after this many seconds (a slow build must not take forever). */
  readonly timeLimitSeconds: number
}

/**
 * The full run: the sizes the targets of issue 11 are defined for.
 *
 * @since 0.1.0
 * @category constants
 */
export const full: Args = {
  quick: false,
  chunks: 100_000,
  rounds: 3,
  loops: 1_000,
  concurrent: 10_000,
  longChunks: 1_000_000,
  timeLimitSeconds: 60
}

/**
 * `--quick`: under a minute, for development; the figures are indicative.
 *
 * @since 0.1.0
 * @category constants
 */
export const quick: Args = {
  quick: true,
  chunks: 20_000,
  rounds: 1,
  loops: 50,
  // 500 concurrent loops cost about 15 s of client CPU (2026-11, about 30 ms per loop at that
  // concurrency): 1,000 would take the quick run past a minute
  concurrent: 500,
  longChunks: 60_000,
  timeLimitSeconds: 20
}

/**
 * @since 0.1.0
 * @category constants
 */
export const usage =
  `usage: pnpm bench [--quick] [--chunks N] [--rounds R] [--loops L] [--concurrent C] [--long-chunks M]
                  [--time-limit S]

  --quick           smaller sizes, about a minute (chunks 20000, rounds 1, loops 50, concurrent 500,
                    long-chunks 60000), no fetch variants, no concurrent loops of @effect/platform's
                    HttpClient alone; explicit sizes still apply
  --chunks N        message chunks of the per-event stream (default 100000)
  --rounds R        measured rounds of the per-event and per-loop comparisons (default 3)
  --loops L         sequential tool loops per variant for the per-loop CPU, in R rounds (default 1000)
  --concurrent C    concurrent tool loops (default 10000)
  --long-chunks M   chunks of the long stream of the flat-memory check (default 1000000)
  --time-limit S    stop an SDK stream after S seconds (default 60)`

type Size = Exclude<keyof Args, "quick">

const SIZES: Record<string, { readonly key: Size; readonly min: number }> = {
  "--chunks": { key: "chunks", min: 4 },
  "--rounds": { key: "rounds", min: 1 },
  "--loops": { key: "loops", min: 1 },
  "--concurrent": { key: "concurrent", min: 1 },
  "--long-chunks": { key: "longChunks", min: 4 },
  "--time-limit": { key: "timeLimitSeconds", min: 1 }
}

/**
 * Parses the arguments (`--name value` or `--name=value`; a literal `--`, as pnpm passes it, is
 * ignored). `--quick` picks the quick defaults wherever it appears; explicit sizes win over both.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (argv: ReadonlyArray<string>): Either.Either<Args, string> => {
  const list = argv.filter((arg) => arg !== "--")
  const given: Partial<Record<Size, number>> = {}
  let isQuick = false
  for (let i = 0; i < list.length; i++) {
    const arg = list[i]!
    if (arg === "--quick") {
      isQuick = true
      continue
    }
    const eq = arg.indexOf("=")
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const size = SIZES[name]
    if (size === undefined) return Either.left(`unknown argument: ${arg}`)
    const value = eq > 0 ? arg.slice(eq + 1) : list[++i]
    const parsed = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN
    if (!(parsed >= size.min)) return Either.left(`invalid value for ${name}: ${value ?? "(missing)"}`)
    given[size.key] = parsed
  }
  return Either.right({ ...(isQuick ? quick : full), ...given })
}
