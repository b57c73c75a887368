/**
 * `pnpm bench [--chunks N] [--rounds R]`: streaming throughput and memory of the SDK against the
 * minimal baseline ({@link Baseline.streamRun}), on the same emulator stream.
 *
 * 1. Starts the emulator in its own process (see {@link EmulatorProcess}) and creates one assistant.
 * 2. Every run gets a fresh thread whose user message is `please stream N chunks`: the emulator's
 *    scripted model answers with exactly N `message` events, framed by five `status` events.
 * 3. Variants: the baseline (`fetch` + `eventsource-parser` + `JSON.parse`), and the SDK's
 *    `Runs.stream` consumed with `Stream.runCount`, over `NodeHttpClient.layerUndici` and over
 *    `FetchHttpClient.layer`. A diagnostic row drains the SDK's HTTP layer alone
 *    (`AppBuilderClient.stream`, bytes only, events counted as blank lines): the SDK's cost that is not
 *    decoding.
 * 4. A warm-up round (N/4 chunks: JIT, connections), then R measured rounds (default 3) with N chunks,
 *    the variants alternating within each round; then R rounds of each SDK variant with N/4 chunks, for
 *    memory flatness.
 * 5. Prints the median events/second, the ratio to the baseline (target ≥ 0.8 for the SDK rows), the
 *    peak heap growth (see {@link Measure}), the client's CPU use, and a verdict per target. A missed
 *    target prints `TARGET MISSED` but still exits 0: this is a measurement. Anything that invalidates
 *    the measurement (emulator failure, a wrong event count) exits 1.
 *
 * Run node with `--expose-gc` (the root `bench` script does) so that every run starts after a full GC.
 *
 * @since 0.1.0
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import type * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as NodeOs from "node:os"
import * as Baseline from "./Baseline.js"
import * as EmulatorProcess from "./EmulatorProcess.js"
import * as Measure from "./Measure.js"
import * as Report from "./Report.js"

const TOKEN = "bench-token"
/** `run_begin`, `tool_step_begin`, `message_creation`, …the N messages…, `tool_step_end`, `run_end`. */
const STATUS_EVENTS = 5
/** The SDK/baseline throughput ratio to reach. */
const TARGET_RATIO = 0.8

// -----------------------------------------------------------------------------
// arguments
// -----------------------------------------------------------------------------

interface Args {
  readonly chunks: number
  readonly rounds: number
}

const USAGE = "usage: pnpm bench [--chunks N (default 100000)] [--rounds R (default 3)]"

const parseArgs = (argv: ReadonlyArray<string>): Either.Either<Args, string> => {
  let chunks = 100_000
  let rounds = 3
  const args = argv.filter((arg) => arg !== "--")
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf("=")
    const name = eq > 0 ? arg.slice(0, eq) : arg
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i]
    const parsed = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN
    switch (name) {
      case "--chunks":
        if (!(parsed >= 4)) return Either.left(`invalid value for --chunks: ${value ?? "(missing)"}`)
        chunks = parsed
        break
      case "--rounds":
        if (!(parsed >= 1)) return Either.left(`invalid value for --rounds: ${value ?? "(missing)"}`)
        rounds = parsed
        break
      default:
        return Either.left(`unknown argument: ${arg}`)
    }
  }
  return Either.right({ chunks, rounds })
}

// -----------------------------------------------------------------------------
// variants
// -----------------------------------------------------------------------------

class BenchError extends Data.TaggedError("BenchError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

type RunError = BenchError | AppBuilderError.AppBuilderError

/**
 * One way of consuming a streamed run; succeeds with the number of events seen. `transport` is a
 * diagnostic row: the SDK's HTTP layer only (bytes, no decoding).
 */
interface Variant {
  readonly name: string
  readonly kind: "baseline" | "sdk" | "transport"
  readonly stream: (assistantId: string, threadId: string) => Effect.Effect<number, RunError>
}

/**
 * `fetch` rejects with `TypeError: fetch failed` when the request could not be sent or no response
 * arrived, typically a keep-alive connection that the server closed while this process' event loop was
 * busy (the next request then goes out on it). The SDK retries such transport failures; the baseline
 * has no retry, so the harness retries these (before any response, so nothing was streamed).
 */
/** `a: b: c` from an error and its chain of causes. */
const describe = (error: unknown): string => {
  const parts: Array<string> = []
  for (let current = error; current !== undefined && parts.length < 5;) {
    if (current instanceof Error) {
      parts.push(current.message)
      current = current.cause
    } else {
      parts.push(String(current))
      current = undefined
    }
  }
  return parts.join(": ")
}

const isConnectionFailure = (error: BenchError): boolean =>
  error.cause instanceof TypeError && error.cause.message === "fetch failed"

const baseline = (baseUrl: string): Variant => ({
  name: "baseline (fetch)",
  kind: "baseline",
  stream: (assistantId, threadId) =>
    Effect.tryPromise({
      try: () => Baseline.streamRun(baseUrl, TOKEN, { assistant_id: assistantId, thread_id: threadId }),
      catch: (cause) => new BenchError({ message: `baseline failed: ${describe(cause)}`, cause })
    }).pipe(
      Effect.tapError((error) =>
        isConnectionFailure(error) ? Console.log(`(baseline: ${describe(error.cause)}; retried)`) : Effect.void
      ),
      Effect.retry({ times: 2, while: isConnectionFailure })
    )
})

const sdk = (name: string, runs: Runs.Service): Variant => ({
  name,
  kind: "sdk",
  stream: (assistantId, threadId) => Stream.runCount(runs.stream({ assistantId, threadId }))
})

/** Counts the blank lines (`\n\n`) of a byte stream, i.e. its SSE events (the emulator writes LF only). */
const countBlankLines = (state: { events: number; last: number }, bytes: Uint8Array) => {
  let { events, last } = state
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (byte === 10 && last === 10) events++
    last = byte
  }
  return { events, last }
}

const transport = (name: string, client: AppBuilderClient.Service): Variant => ({
  name,
  kind: "transport",
  stream: (assistantId, threadId) =>
    Runs.encodeRunRequest("bench", { assistantId, threadId }, true).pipe(
      Effect.flatMap((body) =>
        Stream.runFold(
          client.stream({ name: "bench", idempotent: false }, "/v2/threads/runs", body),
          { events: 0, last: 0 },
          countBlankLines
        )
      ),
      Effect.map((state) => state.events)
    )
})

/** The SDK's services over one `HttpClient`, built in the caller's scope (never per call). */
const buildSdk = (baseUrl: string, http: Layer.Layer<HttpClient.HttpClient>) =>
  Layer.build(
    AppBuilder.layer({ token: Redacted.make(TOKEN), baseUrl }).pipe(Layer.provide(http))
  )

// -----------------------------------------------------------------------------
// the benchmark
// -----------------------------------------------------------------------------

const program = (args: Args) =>
  Effect.gen(function*() {
    const { chunks, rounds } = args
    const quarter = Math.floor(chunks / 4)
    yield* Console.log(
      `node ${process.version}, ${NodeOs.cpus().length} CPUs (${NodeOs.cpus()[0]?.model ?? "?"}), N = ${chunks}, ${rounds} rounds`
    )
    if (chunks < 100_000) yield* Console.log(`note: N < 100000, figures are indicative only`)
    if (!Measure.gcExposed) {
      yield* Console.log("note: global.gc is not exposed (run node with --expose-gc): heap figures include old garbage")
    }

    const emulator = yield* EmulatorProcess.start({ token: TOKEN })
    yield* Console.log(`emulator: ${emulator.url} (pid ${emulator.pid}, separate process)\n`)

    const undici = yield* buildSdk(emulator.url, NodeHttpClient.layerUndici)
    const fetch = yield* buildSdk(emulator.url, FetchHttpClient.layer)
    const threads = Context.get(undici, Threads.Threads)
    const assistant = yield* Context.get(undici, Assistants.Assistants).create({
      name: "bench",
      description: "streaming benchmark",
      model: "ERNIE-4.0-8K",
      instructions: ""
    })

    const variants: ReadonlyArray<Variant> = [
      baseline(emulator.url),
      sdk("SDK (undici)", Context.get(undici, Runs.Runs)),
      sdk("SDK (fetch)", Context.get(fetch, Runs.Runs)),
      transport("HttpClient only (undici)", Context.get(undici, AppBuilderClient.AppBuilderClient))
    ]
    const sdkVariants = variants.filter((variant) => variant.kind === "sdk")

    const runOnce = (variant: Variant, n: number) =>
      Effect.gen(function*() {
        const thread = yield* threads.create({ messages: [{ role: "user", content: `please stream ${n} chunks` }] })
        const measured = yield* Measure.measure(variant.stream(assistant.id, thread.id))
        if (measured.value !== n + STATUS_EVENTS) {
          return yield* new BenchError({
            message: `${variant.name}: ${measured.value} events for N = ${n}, expected ${n + STATUS_EVENTS}`
          })
        }
        const result: Report.RunResult = {
          variant: variant.name,
          chunks: n,
          events: measured.value,
          seconds: measured.seconds,
          peakHeapDelta: measured.peakHeapDelta,
          peakRss: measured.peakRss,
          samples: measured.samples,
          cpuSeconds: measured.cpuSeconds
        }
        return result
      })

    const results: Array<Report.RunResult> = []
    const round = (label: string, list: ReadonlyArray<Variant>, n: number, keep: boolean) =>
      Effect.forEach(list, (variant) =>
        runOnce(variant, n).pipe(
          Effect.tap((result) => {
            if (keep) results.push(result)
            return Console.log(Report.runLine(label, result))
          })
        ), { discard: true })

    yield* round("warm-up", variants, quarter, false)
    for (let r = 1; r <= rounds; r++) yield* round(`round ${r}`, variants, chunks, true)
    for (let r = 1; r <= rounds; r++) yield* round(`N/4 ${r}`, sdkVariants, quarter, true)
    yield* Measure.collect

    // ------------------------------------------------------------------ summary
    const of = (variant: Variant, n: number) => results.filter((run) => run.variant === variant.name && run.chunks === n)
    const baselineRate = Report.median(of(variants[0]!, chunks).map(Report.rate))
    const rows = [chunks, quarter].flatMap((n) =>
      variants.flatMap((variant) => {
        const runs = of(variant, n)
        if (runs.length === 0) return []
        const eventsPerSecond = Report.median(runs.map(Report.rate))
        const heap = runs.map((run) => run.peakHeapDelta)
        return [[
          variant.name,
          Report.int(n),
          Report.int(runs[0]!.events),
          Report.int(eventsPerSecond),
          n === chunks ? (eventsPerSecond / baselineRate).toFixed(2) : "-",
          `${Report.mib(Report.median(heap))} (${Report.mib(Report.max(heap))})`,
          Report.mib(Report.max(runs.map((run) => run.peakRss))),
          `${Math.round(100 * Report.median(runs.map((run) => run.cpuSeconds / run.seconds)))}`
        ]]
      })
    )
    yield* Console.log(
      `\nmedian of ${rounds} rounds (heap: median (max) of the per-run peak growth over the heap after a GC)\n`
    )
    yield* Console.log(Report.table(
      ["variant", "N", "events", "events/s", "ratio", "peak heap Δ MiB", "peak rss MiB", "client cpu %"],
      rows
    ))
    yield* Console.log("")

    let missed = 0
    for (const variant of sdkVariants) {
      const ratio = Report.median(of(variant, chunks).map(Report.rate)) / baselineRate
      const ok = ratio >= TARGET_RATIO
      if (!ok) missed++
      yield* Console.log(
        `${ok ? "OK           " : "TARGET MISSED"} throughput ${variant.name}: ${ratio.toFixed(2)} × baseline (target ≥ ${
          TARGET_RATIO.toFixed(2)
        })`
      )
    }
    for (const variant of sdkVariants) {
      const small = Report.median(of(variant, quarter).map((run) => run.peakHeapDelta))
      const large = Report.median(of(variant, chunks).map((run) => run.peakHeapDelta))
      // Retaining events would make the growth about 4× at N; allow GC noise on small numbers.
      const flat = large <= 1.5 * small + 4 * 1024 * 1024
      if (!flat) missed++
      yield* Console.log(
        `${flat ? "OK           " : "TARGET MISSED"} memory ${variant.name}: peak heap Δ ${Report.mib(small)} MiB at N/4, ${
          Report.mib(large)
        } MiB at N (×${(large / small).toFixed(2)}; retaining events would give ≈ ×4; target flat: Δ(N) ≤ 1.5 × Δ(N/4) + 4 MiB)`
      )
    }
    yield* Console.log(missed === 0 ? "\nall targets met" : `\n${missed} TARGET MISSED`)
    return 0
  }).pipe(Effect.scoped)

/** Succeeds with the exit code: 0 after a measurement (targets met or not), 2 after bad arguments. */
const main: Effect.Effect<number, RunError | EmulatorProcess.EmulatorStartError> = Either.match(
  parseArgs(process.argv.slice(2)),
  {
    onLeft: (message) => Effect.as(Console.error(`${message}\n${USAGE}`), 2),
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
