/**
 * `pnpm bench [--chunks N] [--rounds R] [--time-limit S]`: streaming throughput and memory of the SDK
 * against the minimal baseline (`Baseline.streamRun`), on the same emulator stream.
 *
 * 1. Starts the emulator in its own process (see {@link EmulatorProcess}) and creates one assistant.
 * 2. Every run gets a fresh thread whose user message is `please stream N chunks`: the emulator's
 *    scripted model answers with exactly N `message` events, framed by five `status` events.
 * 3. Variants (see {@link Variants}): the baseline (`fetch` + `eventsource-parser` + `JSON.parse`); the
 *    SDK's `Runs.stream` over `NodeHttpClient.layerUndici` and over `FetchHttpClient.layer`, every event
 *    counted; and a diagnostic row that drains the SDK's HTTP layer alone (`AppBuilderClient.stream`,
 *    bytes only): the SDK's cost that is not decoding.
 * 4. A warm-up round (N/4 chunks: JIT, connections), then R measured rounds (default 3) with N chunks,
 *    the variants alternating within each round; then R rounds of each SDK variant with N/4 chunks, for
 *    memory flatness; then one run of the SDK (undici) at N/4 and one at N sampling the live heap (a
 *    full GC before each sample, see {@link Measure}): garbage excluded, it shows whether events are
 *    retained.
 * 5. Prints the median events/second, the ratio to the baseline (target ≥ 0.8 for the SDK rows), the
 *    peak heap growth (garbage included), the client's CPU use, and a verdict per target: throughput,
 *    flat peak heap growth (N/4 vs N), flat live heap (N/4 vs N).
 *
 * A run of the SDK or of the HTTP layer is stopped after `--time-limit` seconds (default 20): its rate
 * is then the events received so far over that time, and it is marked `STOPPED` (the memory comparison
 * becomes inconclusive when the N runs got less than 3 times the events of the N/4 runs). This keeps a
 * slow build of the SDK from making the benchmark take many minutes.
 *
 * A missed target prints `TARGET MISSED` but still exits 0: this is a measurement. What invalidates the
 * measurement (the emulator failing, a complete run with a wrong event count) exits 1.
 *
 * Run node with `--expose-gc` (the root `bench` script does) so that every run starts after a full GC.
 *
 * @since 0.1.0
 */
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as NodeOs from "node:os"
import * as EmulatorProcess from "./EmulatorProcess.js"
import * as Measure from "./Measure.js"
import * as Report from "./Report.js"
import * as Variants from "./Variants.js"

const TOKEN = "bench-token"
/** `run_begin`, `tool_step_begin`, `message_creation`, …the N messages…, `tool_step_end`, `run_end`. */
const STATUS_EVENTS = 5
/** The SDK/baseline throughput ratio to reach. */
const TARGET_RATIO = 0.8
const MiB = 1024 * 1024

// -----------------------------------------------------------------------------
// arguments
// -----------------------------------------------------------------------------

interface Args {
  readonly chunks: number
  readonly rounds: number
  readonly timeLimitSeconds: number
}

const USAGE = `usage: pnpm bench [--chunks N] [--rounds R] [--time-limit S]

  --chunks N       message chunks per measured run (default 100000; the targets are defined for N ≥ 100000)
  --rounds R       measured rounds (default 3)
  --time-limit S   stop an SDK run after S seconds and rate it on what it got (default 20)`

const parseArgs = (argv: ReadonlyArray<string>): Either.Either<Args, string> => {
  let args: Args = { chunks: 100_000, rounds: 3, timeLimitSeconds: 20 }
  const list = argv.filter((arg) => arg !== "--")
  for (let i = 0; i < list.length; i++) {
    const arg = list[i]!
    const eq = arg.indexOf("=")
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const value = eq > 0 ? arg.slice(eq + 1) : list[++i]
    const parsed = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN
    const invalid = Either.left(`invalid value for ${name}: ${value ?? "(missing)"}`)
    switch (name) {
      case "--chunks":
        if (!(parsed >= 4)) return invalid
        args = { ...args, chunks: parsed }
        break
      case "--rounds":
        if (!(parsed >= 1)) return invalid
        args = { ...args, rounds: parsed }
        break
      case "--time-limit":
        if (!(parsed >= 1)) return invalid
        args = { ...args, timeLimitSeconds: parsed }
        break
      default:
        return Either.left(`unknown argument: ${arg}`)
    }
  }
  return Either.right(args)
}

// -----------------------------------------------------------------------------
// the benchmark
// -----------------------------------------------------------------------------

const verdict = (ok: boolean): string => (ok ? "OK           " : "TARGET MISSED")

const program = (args: Args) =>
  Effect.gen(function*() {
    const { chunks, rounds, timeLimitSeconds } = args
    const quarter = Math.floor(chunks / 4)
    const cpus = NodeOs.cpus()
    yield* Console.log(
      `node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? "?"}), N = ${chunks}, ${rounds} rounds, ` +
        `time limit ${timeLimitSeconds} s per SDK run`
    )
    if (chunks < 100_000) yield* Console.log("note: N < 100000: figures are indicative only")
    if (!Measure.gcExposed) {
      yield* Console.log("note: global.gc is not exposed (run node with --expose-gc): heap figures include old garbage")
    }

    const emulator = yield* EmulatorProcess.start({ token: TOKEN })
    yield* Console.log(`emulator: ${emulator.url} (pid ${emulator.pid}, separate process)\n`)

    // Built once in this scope (a scoped HttpClient layer provided per call would close its dispatcher).
    const undici = yield* Layer.build(Variants.sdkLayer(emulator.url, TOKEN, NodeHttpClient.layerUndici))
    const fetch = yield* Layer.build(Variants.sdkLayer(emulator.url, TOKEN, FetchHttpClient.layer))
    const threads = Context.get(undici, Threads.Threads)
    const assistant = yield* Context.get(undici, Assistants.Assistants).create({
      name: "bench",
      description: "streaming benchmark",
      model: "ERNIE-4.0-8K",
      instructions: ""
    })

    const variants: ReadonlyArray<Variants.Variant> = [
      Variants.baseline(emulator.url, TOKEN),
      Variants.sdk("SDK (undici)", Context.get(undici, Runs.Runs)),
      Variants.sdk("SDK (fetch)", Context.get(fetch, Runs.Runs)),
      Variants.transport("HttpClient only (undici)", Context.get(undici, AppBuilderClient.AppBuilderClient))
    ]
    const sdkVariants = variants.filter((variant) => variant.kind === "sdk")
    const timeLimitMillis = timeLimitSeconds * 1000

    const runOnce = (variant: Variants.Variant, n: number, live: boolean) =>
      Effect.gen(function*() {
        const thread = yield* threads.create({ messages: [{ role: "user", content: `please stream ${n} chunks` }] })
        let started = 0
        let stoppedAt: number | undefined
        const tracker = (probe: Measure.Probe): Variants.Tracker => ({
          events: 0,
          onChunk: () => {
            probe.sample()
            const now = performance.now()
            if (now - started < timeLimitMillis) return false
            stoppedAt = now
            return true
          }
        })
        const measured = yield* Measure.measure(
          (probe) =>
            Effect.suspend(() => {
              started = performance.now()
              const state = tracker(probe)
              return variant.stream(assistant.id, thread.id, state).pipe(
                Effect.catchTag("TimeLimitReached", () => Effect.void),
                Effect.as(state)
              )
            }),
          { live }
        )
        const events = measured.value.events
        if (stoppedAt === undefined && events !== n + STATUS_EVENTS) {
          return yield* new Variants.BenchError({
            message: `${variant.name}: ${events} events for N = ${n}, expected ${n + STATUS_EVENTS}`
          })
        }
        const result: Report.RunResult = {
          variant: variant.name,
          chunks: n,
          events,
          // a stopped run is rated until the stop (its elapsed time also has the cancel call)
          seconds: stoppedAt === undefined ? measured.seconds : (stoppedAt - started) / 1000,
          peakHeapDelta: measured.peakHeapDelta,
          peakRss: measured.peakRss,
          samples: measured.samples,
          cpuSeconds: measured.cpuSeconds,
          stopped: stoppedAt !== undefined
        }
        return result
      })

    const run = (label: string, variant: Variants.Variant, n: number, live = false) =>
      Effect.tap(runOnce(variant, n, live), (result) => Console.log(Report.runLine(label, result)))
    const round = (label: string, list: ReadonlyArray<Variants.Variant>, n: number) =>
      Effect.forEach(list, (variant) => run(label, variant, n))

    yield* round("warm-up", variants, quarter)
    const results: Array<Report.RunResult> = []
    for (let r = 1; r <= rounds; r++) results.push(...yield* round(`round ${r}`, variants, chunks))
    for (let r = 1; r <= rounds; r++) results.push(...yield* round(`N/4 ${r}`, sdkVariants, quarter))
    // live heap: one SDK variant, N/4 then N, a full GC before every sample (slow: memory only)
    const liveVariant = sdkVariants[0]!
    const liveSmall = Measure.gcExposed ? Option.some(yield* run("live N/4", liveVariant, quarter, true)) : Option.none()
    const liveLarge = Measure.gcExposed ? Option.some(yield* run("live N", liveVariant, chunks, true)) : Option.none()

    // ------------------------------------------------------------------------------------------ summary
    const of = (variant: Variants.Variant, n: number) =>
      results.filter((result) => result.variant === variant.name && result.chunks === n)
    const medianRate = (variant: Variants.Variant, n: number) => Report.median(of(variant, n).map(Report.rate))
    const baselineRate = medianRate(variants[0]!, chunks)
    let anyStopped = false
    const rows = [chunks, quarter].flatMap((n) =>
      variants.flatMap((variant) => {
        const runs = of(variant, n)
        if (runs.length === 0) return []
        const stopped = runs.some((result) => result.stopped)
        anyStopped ||= stopped
        const heap = runs.map((result) => result.peakHeapDelta)
        const rate = medianRate(variant, n)
        return [[
          variant.name,
          Report.int(n),
          `${Report.int(Report.median(runs.map((result) => result.events)))}${stopped ? "*" : ""}`,
          Report.int(rate),
          n === chunks ? (rate / baselineRate).toFixed(2) : "-",
          `${Report.mib(Report.median(heap))} (${Report.mib(Report.max(heap))})`,
          Report.mib(Report.max(runs.map((result) => result.peakRss))),
          `${Math.round(100 * Report.median(runs.map((result) => result.cpuSeconds / result.seconds)))}`
        ]]
      })
    )
    yield* Console.log(
      `\nmedians of ${rounds} rounds; peak heap Δ: median (max) of the runs' peak heapUsed growth, garbage included\n`
    )
    yield* Console.log(Report.table(
      ["variant", "N", "events", "events/s", "ratio", "peak heap Δ MiB", "peak rss MiB", "client cpu %"],
      rows
    ))
    if (anyStopped) yield* Console.log(`* some runs were STOPPED at the ${timeLimitSeconds} s limit (median events shown)`)
    yield* Console.log("")

    let missed = 0
    let inconclusive = 0
    const flatness = (label: string, small: ReadonlyArray<Report.RunResult>, large: ReadonlyArray<Report.RunResult>, slack: number) => {
      const smallHeap = Report.median(small.map((result) => result.peakHeapDelta))
      const largeHeap = Report.median(large.map((result) => result.peakHeapDelta))
      const smallEvents = Report.median(small.map((result) => result.events))
      const largeEvents = Report.median(large.map((result) => result.events))
      const figures = `${Report.mib(smallHeap)} MiB at ${Report.int(smallEvents)} events, ${Report.mib(largeHeap)} MiB at ${
        Report.int(largeEvents)
      } events (×${(largeHeap / smallHeap).toFixed(2)})`
      if (largeEvents < 3 * smallEvents) {
        inconclusive++
        return Console.log(`INCONCLUSIVE  ${label}: ${figures}; the N runs were stopped too early to compare`)
      }
      // Retaining the events would make the growth about proportional to the events; allow GC noise.
      const flat = largeHeap <= 1.5 * smallHeap + slack
      if (!flat) missed++
      return Console.log(
        `${verdict(flat)} ${label}: ${figures}; flat: Δ(N) ≤ 1.5 × Δ(N/4) + ${Report.mib(slack)} MiB ` +
          `(retained events: ≈ ×${(largeEvents / smallEvents).toFixed(1)})`
      )
    }
    for (const variant of sdkVariants) {
      const ratio = medianRate(variant, chunks) / baselineRate
      const ok = ratio >= TARGET_RATIO
      if (!ok) missed++
      yield* Console.log(
        `${verdict(ok)} throughput ${variant.name}: ${ratio.toFixed(2)} × baseline (target ≥ ${TARGET_RATIO.toFixed(2)})`
      )
    }
    // Peak heapUsed growth counts garbage not yet collected, which grows with the stream and with GC
    // timing; it is shown for information. Retention (the target) is the live heap after full GCs.
    for (const variant of sdkVariants) {
      const small = Report.median(of(variant, quarter).map((m) => m.peakHeapDelta))
      const large = Report.median(of(variant, chunks).map((m) => m.peakHeapDelta))
      yield* Console.log(
        `INFO          memory, peak heap Δ (garbage included, not a retention measure), ${variant.name}: ` +
          `${Report.mib(small)} MiB at N/4, ${Report.mib(large)} MiB at N`
      )
    }
    if (Option.isSome(liveSmall) && Option.isSome(liveLarge)) {
      yield* flatness(`memory, live heap Δ (after GCs), ${liveVariant.name}`, [liveSmall.value], [liveLarge.value], 2 * MiB)
    } else {
      yield* Console.log("INCONCLUSIVE  memory, live heap: needs --expose-gc")
      inconclusive++
    }
    yield* Console.log(
      missed === 0 && inconclusive === 0
        ? "\nall targets met"
        : `\n${missed} TARGET MISSED${inconclusive > 0 ? `, ${inconclusive} inconclusive` : ""}`
    )
    return 0
  }).pipe(Effect.scoped)

/** Succeeds with the exit code: 0 after a measurement (targets met or not), 2 after bad arguments. */
const main: Effect.Effect<number, Variants.RunError | EmulatorProcess.EmulatorStartError> = Either.match(
  parseArgs(process.argv.slice(2)),
  {
    onLeft: (message) => Effect.as(Console.error(`${message}\n\n${USAGE}`), 2),
    onRight: (args) => program(args).pipe(Effect.provide(NodeContext.layer))
  }
)

NodeRuntime.runMain(main, {
  disablePrettyLogger: true,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit) ? (typeof exit.value === "number" ? exit.value : 0) : Exit.isInterrupted(exit) ? 130 : 1
    )
})
