/**
 * `pnpm bench [--quick] [--chunks N] [--rounds R] [--loops L] [--concurrent C] [--long-chunks M]`:
 * measures, in one run, the targets of issue 11 (see {@link Targets} for the closing lines).
 *
 * The emulator runs in its own process (see {@link EmulatorProcess}), so the client and the server do
 * not share an event loop. Client CPU is the client process' `process.cpuUsage()`, the emulator's CPU is
 * read from `/proc/<pid>/stat`. Every target is a ratio against a baseline measured in the same run, or an
 * absolute figure that does not depend on wall time, so that other load on the machine moves both sides.
 *
 * 1. **Per event**: one stream of N message chunks (`please stream N chunks`), consumed by the bare
 *    baseline over undici (`Dispatcher.request` + `eventsource-parser` + `JSON.parse`) and by the SDK's
 *    `Runs.stream` over `NodeHttpClient.layerUndici`, alternating, R rounds after a warm-up; the fetch
 *    variants are information. Targets: CPU per event ≤ 1.3× the baseline's, events/s ≥ 0.9× the
 *    baseline's (medians).
 * 2. **Emulator events/s**: the same kind of stream, 4 N chunks long, read from a raw socket (see
 *    {@link RawSocket}) R rounds after 4 warm-up streams: ≥ 300,000 events/s and ≥ 3× the SDK's rate.
 * 3. **Per loop**: L streamed tool loops one after the other (create a thread, stream a run, answer
 *    `get_cur_whether` with `submit_tool_outputs`, read to the end): `ToolLoop.stream` against the bare
 *    baseline loop doing the same requests, in R alternating rounds of L / R loops (medians). Targets:
 *    client CPU per loop ≤ 2× the baseline's; emulator CPU per (SDK) loop ≤ 2 ms. Information: the same
 *    requests through `@effect/platform`'s HttpClient alone (see {@link PlatformLoop}), the floor under
 *    any client built on it.
 * 4. **Concurrency**: C loops at once (default 10,000, started over 2 s) in a fresh client process (see
 *    {@link ConcurrentProcess}: this process' heap, and the limits V8 sizes it by, have grown with the
 *    phases above, and a peak measured here would include them), over an undici Agent sized for them:
 *    all complete with the expected events, none left active on the server (every thread's runs are
 *    listed afterwards), and (peak RSS − idle RSS) / C ≤ 64 KiB (idle RSS: the child's RSS after 50
 *    warm-up loops and a full GC, right before the loops start; peak RSS: the kernel's high-water mark
 *    over the loops, see {@link Measure}; the harness' own cost per loop is kept out, see
 *    {@link Concurrent}). Loops/s, p50/p99 time to first event and the CPU of both processes per loop
 *    are information, and so is the bare baseline's memory per loop (4b): the same C loops over an
 *    Agent of the same size, in a fresh process too, and in the full run (not `--quick`) that of the
 *    same requests through `@effect/platform`'s HttpClient alone (4c). The children's lines (a progress
 *    line every 10 s) are forwarded to this process' output.
 * 5. **Flat memory**: the live heap (a full GC before each sample) of an SDK stream of M chunks is not
 *    above 1.5× that of N chunks + 2 MiB; the heap after GC does not grow with the number of completed
 *    loops by more than 2 MiB: sampled in phase 4's process after its C loops and again after C / 4 more
 *    at the same arrival rate, each time once the batch's Agent is closed (its connections with it).
 *    Both samples come after the peak of concurrency, so what is sized by that peak (compiled code,
 *    tables V8 does not shrink) is in both; the heap before the C loops is printed as information.
 *
 * A missed target prints `TARGET MISSED` and still exits 0: this is a measurement (loops of phase 4 that
 * fail or are left active are counted in its line). What invalidates it (the emulator or a concurrent
 * loops' process failing, a wrong event count in phases 1–3) exits 1.
 *
 * Run node with `--expose-gc` (the root `bench` script does).
 *
 * @since 0.1.0
 */
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as NodeOs from "node:os"
import * as Undici from "undici"
import * as Args from "./Args.js"
import type * as BaselineUndici from "./BaselineUndici.js"
import * as ChildProcess from "./ChildProcess.js"
import * as ConcurrentProcess from "./ConcurrentProcess.js"
import * as EmulatorCpu from "./EmulatorCpu.js"
import * as EmulatorProcess from "./EmulatorProcess.js"
import * as Loops from "./Loops.js"
import * as Measure from "./Measure.js"
import * as RawSocket from "./RawSocket.js"
import * as Report from "./Report.js"
import * as Targets from "./Targets.js"
import * as Variants from "./Variants.js"

const TOKEN = "bench-token"
/** `run_begin`, `tool_step_begin`, `message_creation`, …the N messages…, `tool_step_end`, `run_end`. */
const STATUS_EVENTS = 5
/** The concurrent loops start over this many milliseconds (see phase 4). */
const RAMP_MILLIS = 2_000
const KiB = 1024
const MiB = 1024 * KiB

const micros = (seconds: number) => `${(seconds * 1e6).toFixed(2)} µs`
const millis = Report.millis

const program = (args: Args.Args) =>
  Effect.gen(function*() {
    const { chunks, rounds, loops, concurrent, longChunks, timeLimitSeconds } = args
    const quarter = Math.max(4, Math.floor(chunks / 4))
    const cpus = NodeOs.cpus()
    yield* Console.log(
      `node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? "?"}), ${args.quick ? "QUICK: " : ""}` +
        `N = ${chunks}, ${rounds} rounds, ${loops} loops, ${concurrent} concurrent loops, long stream ${longChunks}`
    )
    if (args.quick) {
      yield* Console.log("note: --quick: smaller sizes than the targets are defined for; figures are indicative")
    }
    if (!Measure.gcExposed) {
      yield* Console.log("note: global.gc is not exposed (run node with --expose-gc): memory figures include garbage")
    }

    const emulator = yield* EmulatorProcess.start({ token: TOKEN })
    const emulatorCpu = () => EmulatorCpu.cpuSeconds(emulator.pid)
    yield* Console.log(`emulator: ${emulator.url} (pid ${emulator.pid}, separate process)\n`)

    // One undici Agent for the baselines (the SDK's layer has its own, the same default Agent).
    const dispatcher = yield* Effect.acquireRelease(
      Effect.sync(() => new Undici.Agent()),
      (agent) => Effect.promise(() => agent.close())
    )
    const bare: BaselineUndici.Target = { dispatcher, origin: emulator.url, token: TOKEN }
    // Built once in this scope (a scoped HttpClient layer provided per call would close its dispatcher).
    const undici = yield* Layer.build(Variants.sdkLayer(emulator.url, TOKEN, NodeHttpClient.layerUndici))
    const fetch = yield* Layer.build(Variants.sdkLayer(emulator.url, TOKEN, FetchHttpClient.layer))
    const threads = Context.get(undici, Threads.Threads)
    const runs = Context.get(undici, Runs.Runs)
    const assistant = yield* Context.get(undici, Assistants.Assistants).create({
      name: "bench",
      description: "issue 11 benchmark",
      model: "ERNIE-4.0-8K",
      instructions: ""
    })
    const verdicts: Array<Targets.Verdict> = []

    // ------------------------------------------------------------------------------- 1. per event
    yield* Console.log(`1. per event: one stream of ${chunks} chunks, ${rounds} rounds`)
    const baselineVariant = Variants.baselineUndici(bare)
    const sdkVariant = Variants.sdk("SDK (undici)", runs)
    // the fetch variants and the bare HTTP layer are information: not in the quick run
    const variants: ReadonlyArray<Variants.Variant> = args.quick ? [baselineVariant, sdkVariant] : [
      baselineVariant,
      sdkVariant,
      Variants.baseline(emulator.url, TOKEN),
      Variants.sdk("SDK (fetch)", Context.get(fetch, Runs.Runs)),
      Variants.transport("HttpClient only (undici)", Context.get(undici, AppBuilderClient.AppBuilderClient))
    ]
    const timeLimitMillis = timeLimitSeconds * 1000

    const runOnce = (variant: Variants.Variant, n: number, live: boolean) =>
      Effect.gen(function*() {
        const thread = yield* threads.create({ messages: [{ role: "user", content: `please stream ${n} chunks` }] })
        let started = 0
        let stoppedAt: number | undefined
        const measured = yield* Measure.measure(
          (probe) =>
            Effect.suspend(() => {
              started = performance.now()
              const state: Variants.Tracker = {
                events: 0,
                onChunk: () => {
                  probe.sample()
                  const now = performance.now()
                  if (now - started < timeLimitMillis) return false
                  stoppedAt = now
                  return true
                }
              }
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

    yield* Effect.forEach(variants, (variant) => run("warm-up", variant, quarter))
    const results: Array<Report.RunResult> = []
    for (let r = 1; r <= rounds; r++) {
      for (const result of yield* Effect.forEach(variants, (variant) => run(`round ${r}`, variant, chunks))) {
        results.push(result)
      }
    }
    const of = (variant: Variants.Variant) => results.filter((result) => result.variant === variant.name)
    const cpuPerEvent = (variant: Variants.Variant) =>
      Report.median(of(variant).map((result) => result.cpuSeconds / result.events))
    const rateOf = (variant: Variants.Variant) => Report.median(of(variant).map(Report.rate))
    yield* Console.log("")
    yield* Console.log(Report.table(
      ["variant", "events/s", "× baseline", "client cpu/event", "× baseline"],
      variants.map((variant) => [
        variant.name,
        Report.int(rateOf(variant)),
        (rateOf(variant) / rateOf(baselineVariant)).toFixed(2),
        micros(cpuPerEvent(variant)),
        (cpuPerEvent(variant) / cpuPerEvent(baselineVariant)).toFixed(2)
      ])
    ))
    const cpuRatio = cpuPerEvent(sdkVariant) / cpuPerEvent(baselineVariant)
    verdicts.push({
      name: "per-event cpu",
      ok: cpuRatio <= 1.3,
      measured: `${Targets.times(cpuRatio)} baseline (${micros(cpuPerEvent(sdkVariant))} vs ${
        micros(cpuPerEvent(baselineVariant))
      } per event)`,
      target: "≤ 1.3× baseline"
    })
    const sdkRate = rateOf(sdkVariant)
    const rateRatio = sdkRate / rateOf(baselineVariant)
    verdicts.push({
      name: "per-event throughput",
      ok: rateRatio >= 0.9,
      measured: `${Targets.times(rateRatio)} baseline (${Report.int(sdkRate)} vs ${
        Report.int(rateOf(baselineVariant))
      } events/s)`,
      target: "≥ 0.9× baseline"
    })

    // ------------------------------------------------------------------------- 2. emulator events/s
    yield* Console.log(`\n2. emulator events/s: the same kind of stream (4 N chunks) to a raw socket reader`)
    const rawRun = (n: number) =>
      Effect.gen(function*() {
        const thread = yield* threads.create({ messages: [{ role: "user", content: `please stream ${n} chunks` }] })
        const counted = yield* Effect.tryPromise({
          try: () => RawSocket.streamRun(emulator.url, TOKEN, { assistant_id: assistant.id, thread_id: thread.id }),
          catch: (cause) => new Variants.BenchError({ message: `raw socket: ${Variants.describe(cause)}`, cause })
        })
        if (counted.status !== 200 || counted.events - counted.pings !== n + STATUS_EVENTS) {
          return yield* new Variants.BenchError({
            message: `raw socket: status ${counted.status}, ${counted.events - counted.pings} events for N = ${n}, ` +
              `expected ${n + STATUS_EVENTS}`
          })
        }
        const rate = counted.events / counted.seconds
        yield* Console.log(`raw socket N=${n} ${counted.seconds.toFixed(2)} s ${Report.int(rate)} events/s`)
        return rate
      })
    // The reader's streams are 4 N long, after 4 of them as warm-up: at N = 100,000 one stream lasts about
    // 0.2 s and its rate is still climbing with V8's tiers from one stream to the next (the raw reader's
    // HTTP/1.0 path is not the one phase 1 warmed up); the SDK's rate above comes from streams of N that
    // take twice as long each, after a warm-up of its own.
    const rawChunks = 4 * chunks
    for (let w = 1; w <= 4; w++) yield* rawRun(rawChunks)
    const rawRates: Array<number> = []
    for (let r = 1; r <= rounds; r++) rawRates.push(yield* rawRun(rawChunks))
    const rawRate = Report.median(rawRates)
    verdicts.push({
      name: "emulator events/s",
      ok: rawRate >= 300_000 && rawRate >= 3 * sdkRate,
      measured: `${Report.int(rawRate)} events/s, ${Targets.times(rawRate / sdkRate)} the SDK's ${Report.int(sdkRate)}`,
      target: "≥ 300 000 events/s and ≥ 3× the SDK's rate"
    })

    // ------------------------------------------------------------------------------ 3. per loop
    const perRound = Math.max(1, Math.ceil(loops / rounds))
    yield* Console.log(
      `\n3. per loop: ${
        perRound * rounds
      } streamed tool loops one after the other per variant, in ${rounds} alternating rounds`
    )
    const sdkLoop = Loops.sdkLoop(assistant.id).pipe(Effect.provide(undici))
    const bareLoop = Effect.tryPromise({
      try: () => Loops.baselineLoop(bare, assistant.id),
      catch: (cause) => new Variants.BenchError({ message: `baseline loop: ${Variants.describe(cause)}`, cause })
    })
    // its own HttpClient over its own default Agent, as the SDK's layer has
    const platformHttp = yield* Layer.build(NodeHttpClient.layerUndici)
    const platformLoop = Loops.platformLoop(bare, assistant.id).pipe(
      Effect.provide(platformHttp),
      Effect.mapError((cause) =>
        new Variants.BenchError({ message: `platform loop: ${Variants.describe(cause)}`, cause })
      )
    )
    const checkEvents = (label: string, counts: ReadonlyArray<number>) =>
      counts.every((count) => count === counts[0]) && counts[0]! > 0
        ? Effect.succeed(counts[0]!)
        : new Variants.BenchError({
          message: `${label}: loops saw different event counts: ${[...new Set(counts)].join(", ")}`
        })
    const measureLoops = (label: string, loop: Effect.Effect<number, Variants.RunError>) =>
      Effect.gen(function*() {
        const emulatorBefore = emulatorCpu()
        const measured = yield* Measure.measure(() => Effect.forEach(Array.from({ length: perRound }), () => loop))
        const emulatorAfter = emulatorCpu()
        const events = yield* checkEvents(label, measured.value)
        const emulatorSeconds = emulatorBefore === undefined || emulatorAfter === undefined
          ? Number.NaN
          : (emulatorAfter - emulatorBefore) / perRound
        const clientSeconds = measured.cpuSeconds / perRound
        yield* Console.log(
          `${label.padEnd(20)} ${perRound} loops ${measured.seconds.toFixed(2)} s, ${events} events/loop, client cpu ${
            millis(clientSeconds)
          }/loop, emulator cpu ${millis(emulatorSeconds)}/loop`
        )
        return { clientSeconds, emulatorSeconds, events }
      })
    // warm-up (JIT, connections)
    yield* Effect.forEach(
      Array.from({ length: Math.min(50, loops) }),
      () => Effect.all([sdkLoop, bareLoop, platformLoop])
    )
    const loopRounds: Array<{
      readonly sdk: { readonly clientSeconds: number; readonly emulatorSeconds: number }
      readonly bare: { readonly clientSeconds: number; readonly emulatorSeconds: number }
      readonly platform: { readonly clientSeconds: number; readonly emulatorSeconds: number }
    }> = []
    for (let r = 1; r <= rounds; r++) {
      const sdk = yield* measureLoops("SDK (ToolLoop)", Effect.map(sdkLoop, (outcome) => outcome.events))
      const bareRound = yield* measureLoops("baseline (undici)", bareLoop)
      const platform = yield* measureLoops("platform HttpClient", platformLoop)
      if (sdk.events !== bareRound.events || platform.events !== bareRound.events) {
        return yield* new Variants.BenchError({
          message:
            `per loop: the variants saw different events (${sdk.events}, ${bareRound.events}, ${platform.events})`
        })
      }
      loopRounds.push({ sdk, bare: bareRound, platform })
    }
    const medianOf = (pick: (round: typeof loopRounds[number]) => number) => Report.median(loopRounds.map(pick))
    const sdkLoops = {
      clientSeconds: medianOf((round) => round.sdk.clientSeconds),
      emulatorSeconds: medianOf((round) => round.sdk.emulatorSeconds)
    }
    const bareLoops = {
      clientSeconds: medianOf((round) => round.bare.clientSeconds),
      emulatorSeconds: medianOf((round) => round.bare.emulatorSeconds)
    }
    const platformClientSeconds = medianOf((round) => round.platform.clientSeconds)
    const loopRatio = sdkLoops.clientSeconds / bareLoops.clientSeconds
    yield* Console.log(
      `medians: SDK ${millis(sdkLoops.clientSeconds)}, baseline ${
        millis(bareLoops.clientSeconds)
      }, platform HttpClient ${millis(platformClientSeconds)} per loop: the SDK ${
        Targets.times(loopRatio)
      } the baseline; @effect/platform's HttpClient alone (no SDK) ${
        Targets.times(platformClientSeconds / bareLoops.clientSeconds)
      } the baseline, the SDK ${Targets.times(sdkLoops.clientSeconds / platformClientSeconds)} that floor`
    )
    verdicts.push({
      name: "per-loop cpu",
      ok: loopRatio <= 2,
      measured: `${Targets.times(loopRatio)} baseline (${millis(sdkLoops.clientSeconds)} vs ${
        millis(bareLoops.clientSeconds)
      } per loop; the same requests through @effect/platform's HttpClient alone: ${
        Targets.times(platformClientSeconds / bareLoops.clientSeconds)
      })`,
      target: "≤ 2× baseline"
    })
    verdicts.push({
      name: "emulator per-loop cpu",
      ok: sdkLoops.emulatorSeconds <= 0.002,
      measured: Number.isNaN(sdkLoops.emulatorSeconds)
        ? "unknown (no /proc)"
        : `${millis(sdkLoops.emulatorSeconds)} per SDK loop (${millis(bareLoops.emulatorSeconds)} per baseline loop)`,
      target: "≤ 2 ms"
    })

    // ------------------------------------------------------------------- 5a. flat memory: stream length
    yield* Console.log(`\n5. flat memory: live heap (full GC before each sample) of one SDK stream, N vs M`)
    const liveSmall = yield* run("live N", sdkVariant, chunks, true)
    const liveLarge = yield* run("live M", sdkVariant, longChunks, true)
    const streamFlat = liveLarge.peakHeapDelta <= 1.5 * liveSmall.peakHeapDelta + 2 * MiB && !liveLarge.stopped
    // ------------------------------------------------------------------------------ 4. concurrency
    // Each batch of concurrent loops runs in a fresh client process (see ConcurrentProcess): this one's
    // heap, and the limits V8 sizes it by, have grown with the phases above, and would count in the peak.
    const concurrentOptions = (mode: ConcurrentProcess.Mode, moreLoops: number): ConcurrentProcess.Options => ({
      mode,
      url: emulator.url,
      token: TOKEN,
      assistantId: assistant.id,
      emulatorPid: emulator.pid,
      count: concurrent,
      rampMillis: RAMP_MILLIS,
      timeoutMillis: (args.quick ? 5 : 30) * 60_000,
      moreLoops
    })
    const perLoop = (result: ConcurrentProcess.Result) => (result.peakRss - result.rssBefore) / concurrent / KiB
    const heapPerLoop = (result: ConcurrentProcess.Result) => result.peakHeapDelta / concurrent / KiB
    yield* Console.log(
      `\n4. concurrency: ${concurrent} streamed tool loops at once, in a fresh client process ` +
        `(then 5b, the completed loops' heap, in the same process)`
    )
    const moreLoops = Math.max(1, Math.floor(concurrent / 4))
    const sdkMemory = yield* ConcurrentProcess.run(concurrentOptions("sdk", moreLoops))
    const loopsPerSecond = concurrent / sdkMemory.seconds
    const firstEvent = (millis: number | null) => (millis ?? Number.NaN).toFixed(0)
    verdicts.push({
      name: "concurrent loops",
      ok: sdkMemory.active === 0 && sdkMemory.completed === concurrent && sdkMemory.otherEvents === 0,
      measured:
        `${sdkMemory.completed}/${concurrent} completed, ${sdkMemory.failures} failed, ${
          sdkMemory.otherEvents > 0 ? `${sdkMemory.otherEvents} with other events, ` : ""
        }${sdkMemory.active ?? "?"} left active, ${loopsPerSecond.toFixed(0)} loops/s, ` +
        `first event p50 ${firstEvent(sdkMemory.firstEventP50Millis)} ms / p99 ${
          firstEvent(sdkMemory.firstEventP99Millis)
        } ms`,
      target: `all ${concurrent} complete, none left active`
    })
    const heap = sdkMemory.heap
    const loopGrowth = heap === null ? Number.NaN : heap.afterMore - heap.afterConcurrent
    const loopsFlat = heap !== null && loopGrowth <= 2 * MiB && heap.moreFailures === 0
    verdicts.push({
      name: "flat memory",
      ok: Measure.gcExposed && streamFlat && loopsFlat,
      measured: `live heap Δ ${Report.mib(liveSmall.peakHeapDelta)} MiB at ${Report.int(liveSmall.events)} events, ${
        Report.mib(liveLarge.peakHeapDelta)
      } MiB at ${Report.int(liveLarge.events)}${liveLarge.stopped ? " (STOPPED)" : ""}; heap after GC ${
        loopGrowth >= 0 ? "+" : ""
      }${Report.mib(loopGrowth)} MiB over ${moreLoops} more loops (${
        Report.mib(heap?.afterConcurrent ?? Number.NaN)
      } MiB after the ${concurrent} concurrent loops, ${
        Report.mib(heap?.afterMore ?? Number.NaN)
      } MiB after ${moreLoops} more)${Measure.gcExposed ? "" : " (no --expose-gc)"}`,
      target: "stream: Δ(M) ≤ 1.5 × Δ(N) + 2 MiB; loops: ≤ +2 MiB"
    })

    // ------------------------------------------------- 4b. the baseline's memory per loop (information)
    // The same C loops with the bare baseline, over an Agent of the same size, in a fresh process too:
    // what sockets and undici's per-connection state cost without Effect.
    const otherLoops = (label: string, result: ConcurrentProcess.Result) =>
      `${concurrent} ${label} loops in ${result.seconds.toFixed(2)} s, ${result.failures} failed${
        result.firstFailure === null ? "" : ` (the first: ${result.firstFailure})`
      }; client cpu ${Report.millis(result.cpuSeconds / concurrent)}/loop; rss ${Report.mib(result.rssBefore)} → peak ${
        Report.mib(result.peakRss)
      } MiB = ${perLoop(result).toFixed(1)} KiB per loop (SDK: ${
        perLoop(sdkMemory).toFixed(1)
      } KiB); peak heap growth (garbage included) ${heapPerLoop(result).toFixed(1)} KiB per loop (SDK: ${
        heapPerLoop(sdkMemory).toFixed(1)
      } KiB)`
    yield* Console.log(`\n4b. baseline: ${concurrent} bare loops at once, in a fresh client process (information)`)
    const bareMemory = yield* ConcurrentProcess.run(concurrentOptions("bare", 0))
    yield* Console.log(otherLoops("baseline", bareMemory))
    // ------------------------------------- 4c. @effect/platform's HttpClient alone (information, full run)
    // The floor under any client built on it; another C loops (about 45 s at 10,000), not in --quick.
    let platformMemory: ConcurrentProcess.Result | undefined
    if (!args.quick) {
      yield* Console.log(
        `\n4c. @effect/platform's HttpClient alone: ${concurrent} loops of the same requests at once, ` +
          `in a fresh client process (information)`
      )
      platformMemory = yield* ConcurrentProcess.run(concurrentOptions("platform", 0))
      yield* Console.log(otherLoops("platform HttpClient", platformMemory))
    }
    verdicts.push({
      name: "memory per loop",
      ok: perLoop(sdkMemory) <= 64,
      measured: `${perLoop(sdkMemory).toFixed(1)} KiB (rss ${Report.mib(sdkMemory.rssBefore)} → ${
        Report.mib(sdkMemory.peakRss)
      } MiB over ${concurrent} loops in a fresh process; baseline ${perLoop(bareMemory).toFixed(1)} KiB${
        platformMemory === undefined
          ? ""
          : `; the same requests through @effect/platform's HttpClient alone: ${perLoop(platformMemory).toFixed(1)} KiB`
      })`,
      target: "≤ 64 KiB"
    })
    yield* Console.log("")
    for (const text of Targets.lines(verdicts)) yield* Console.log(text)
    return 0
  }).pipe(Effect.scoped)

/** Succeeds with the exit code: 0 after a measurement (targets met or not), 2 after bad arguments. */
const main = Either.match(Args.parse(process.argv.slice(2)), {
  onLeft: (message) => Effect.as(Console.error(`${message}\n\n${Args.usage}`), 2),
  onRight: (args) => program(args).pipe(Effect.provide(NodeContext.layer))
})

NodeRuntime.runMain(main, {
  disablePrettyLogger: true,
  teardown: ChildProcess.teardown
})
