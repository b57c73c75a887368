/**
 * What the concurrent loops' process runs (see {@link ConcurrentProcess}): phase 4 of the benchmark, C
 * streamed tool loops at once against the emulator (in another process), in a process that has done
 * nothing else, so that its peak RSS over its idle RSS is what the loops cost.
 *
 * The process builds the loops' client, warms it up with {@link WARM_UP_LOOPS} loops (V8 compiles the
 * hot code then, not during the measurement), collects the heap, takes its idle RSS and runs the C
 * loops ({@link Concurrent.run}, started over the ramp, each bounded). In `sdk` mode it then checks
 * that no run is left active on the server (every thread's runs are listed), prints phase 4's line,
 * and takes the completed-loops samples of the flat-memory target (phase 5b): the live heap after the
 * C loops and again after C / 4 more at the same arrival rate, each time once the batch's Agent is
 * closed (its connections with it). Both samples come after the peak of concurrency, so what is sized
 * by that peak and kept (V8's compiled code, the table of Effect's per-fiber scheduler WeakMap, which
 * V8 does not shrink, undici's parser memory) is in both, and their difference is what completed loops
 * leave.
 *
 * @since 0.1.0
 */
import type * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Undici from "undici"
import * as Concurrent from "./Concurrent.js"
import type * as ConcurrentProcess from "./ConcurrentProcess.js"
import * as EmulatorCpu from "./EmulatorCpu.js"
import * as Loops from "./Loops.js"
import type * as Measure from "./Measure.js"
import * as Report from "./Report.js"
import * as Variants from "./Variants.js"

/**
 * Loops run before the measurement, {@link WARM_UP_CONCURRENCY} at a time.
 *
 * @since 0.1.0
 * @category constants
 */
export const WARM_UP_LOOPS = 50

/**
 * @since 0.1.0
 * @category constants
 */
export const WARM_UP_CONCURRENCY = 10

/** How long the loops' destroyed sockets are given to finish closing before the heap is sampled. */
const SOCKETS_CLOSE_MILLIS = 500
/** Statuses of a run still alive on the server. */
const ACTIVE = new Set(["queued", "in_progress", "requires_action", "cancelling"])

/** A full GC (twice: weak references and finalizers), then the heap in use. */
const heapAfterGc = (): number => {
  globalThis.gc?.()
  globalThis.gc?.()
  return process.memoryUsage().heapUsed
}

/**
 * What a user running thousands of loops configures: one Agent sized for them.
 * - `connections`: a loop holds its run's stream open while it submits the tool outputs on a second
 *   connection, so the pool must exceed the number of loops (or the submissions queue behind the
 *   streams that wait for them); bounded so that both processes stay under their fd limit.
 * - `keepAliveTimeout` / `keepAliveMaxTimeout`: idle connections are given up after 10 s, far below
 *   the emulator's 65 s keep-alive (undici otherwise trusts the server's `Keep-Alive: timeout=65`
 *   minus 2 s): a client whose event loop lags by seconds must not send on a connection the server
 *   is closing ("other side closed" on a submit_tool_outputs, which is not retried).
 * - `connect.timeout`: thousands of connections opened at once wait for accept() longer than
 *   undici's 10 s default on a loaded machine.
 * - pipelining stays 1 (undici's default): a request never waits behind another one's stream.
 */
const makeAgent = (count: number) =>
  new Undici.Agent({
    connections: count + Math.min(count, 4096),
    pipelining: 1,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 10_000,
    connect: { timeout: 60_000 }
  })

/**
 * An Agent in `scope`: closing the scope destroys it, which closes its idle connections at once, so the
 * heap measured afterwards holds what the loops left, not open sockets.
 */
const agentIn = (count: number, scope: Scope.Scope) => Scope.extend(scopedAgent(count), scope)

/** An Agent for `count` loops, destroyed when the current scope closes. */
const scopedAgent = (count: number) =>
  Effect.acquireRelease(Effect.sync(() => makeAgent(count)), (agent) => Effect.promise(() => agent.destroy()))

/**
 * The SDK over an Agent of its own, built in `scope`. Its timeouts are raised, as a user running
 * thousands of loops in one process would: the process' CPU is the queue (a full run's 10,000 loops
 * keep the event loop busy for minutes), so the default 60 s per attempt fails most `Threads.create`
 * calls with `OutcomeUnknown` before their answers are read, and a stream's events can wait longer than
 * the 90 s idle timeout.
 */
const sdkIn = (options: ConcurrentProcess.Options, count: number, scope: Scope.Scope) =>
  Effect.flatMap(agentIn(count, scope), (agent) =>
    Layer.buildWithScope(
      Variants.sdkLayer(
        options.url,
        options.token,
        NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
          Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, agent))
        ),
        { timeout: "20 minutes", streamIdleTimeout: "20 minutes" }
      ),
      scope
    ))

const warmUp = <E, R>(loop: Effect.Effect<unknown, E, R>) =>
  Effect.forEach(Array.from({ length: WARM_UP_LOOPS }), () => loop, {
    concurrency: WARM_UP_CONCURRENCY,
    discard: true
  })

/** C loops (after a full GC), with the emulator's CPU around them. */
const measureLoops = <A, E, R>(
  options: ConcurrentProcess.Options,
  label: string,
  loop: (onEvent: () => void) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    heapAfterGc()
    const emulatorBefore = EmulatorCpu.cpuSeconds(options.emulatorPid)
    const measured = yield* Concurrent.run({
      label,
      count: options.count,
      rampMillis: options.rampMillis,
      timeout: Duration.millis(options.timeoutMillis),
      loop
    })
    const emulatorAfter = EmulatorCpu.cpuSeconds(options.emulatorPid)
    return {
      measured,
      emulatorCpuSeconds: emulatorBefore === undefined || emulatorAfter === undefined
        ? null
        : emulatorAfter - emulatorBefore
    }
  })

/**
 * The outcomes in figures: every loop must see the same events; a loop that saw others (e.g. a resumed
 * stream) or failed is counted, not the end of the measurement (the closing lines are always printed).
 */
const summarize = <A, E>(
  options: ConcurrentProcess.Options,
  measured: Measure.Measured<ReadonlyArray<Either.Either<A, E | Cause.TimeoutException>>>,
  emulatorCpuSeconds: number | null,
  eventsOf: (outcome: A) => number,
  extra: Pick<ConcurrentProcess.Result, "active" | "firstEventP50Millis" | "firstEventP99Millis" | "heap">
): ConcurrentProcess.Result => {
  const outcomes = measured.value.filter(Either.isRight).map((outcome) => outcome.right)
  const failures = measured.value.filter(Either.isLeft).map((outcome) => outcome.left)
  const counts = new Map<number, number>()
  for (const outcome of outcomes) counts.set(eventsOf(outcome), (counts.get(eventsOf(outcome)) ?? 0) + 1)
  const loopEvents = [...counts].reduce((most, entry) => (entry[1] > most[1] ? entry : most), [0, 0])[0]
  return {
    mode: options.mode,
    count: options.count,
    seconds: measured.seconds,
    cpuSeconds: measured.cpuSeconds,
    emulatorCpuSeconds,
    rssBefore: measured.rssBefore,
    peakRss: measured.peakRss,
    peakRssExact: measured.peakRssExact,
    peakHeapDelta: measured.peakHeapDelta,
    completed: outcomes.length,
    failures: failures.length,
    firstFailure: failures.length > 0 ? Variants.describe(failures[0]) : null,
    loopEvents,
    otherEvents: outcomes.length - (counts.get(loopEvents) ?? 0),
    eventCounts: [...counts].map(([events, loops]) => `${loops} × ${events}`).join(", "),
    ...extra
  }
}

const finite = (value: number): number | null => Number.isFinite(value) ? value : null

/** Phase 4 with the SDK's `ToolLoop.stream`, then the completed-loops samples (5b). */
const sdk = (options: ConcurrentProcess.Options) =>
  Effect.gen(function*() {
    const { count } = options
    // closed once the loops are checked (and by the end of the run if something fails first)
    const scope = yield* Effect.acquireRelease(Scope.make(), (scope, exit) => Scope.close(scope, exit))
    const context = yield* sdkIn(options, count, scope)
    const loop = (onEvent: () => void) => Loops.sdkLoop(options.assistantId, onEvent)
    yield* warmUp(loop(() => {})).pipe(Effect.provide(context))
    const heapBefore = heapAfterGc()
    // interrupting a loop (its bound) cancels its run
    const { emulatorCpuSeconds, measured } = yield* measureLoops(options, "SDK loops", loop).pipe(
      Effect.provide(context)
    )
    const outcomes = measured.value.filter(Either.isRight).map((outcome) => outcome.right)
    // none left active on the server: list every thread's runs (after the measurement, over the loops'
    // Agent, closed right after with all its connections)
    const runs = Context.get(context, Runs.Runs)
    const active = yield* Effect.forEach(
      outcomes,
      (outcome) =>
        Effect.map(
          runs.list({ threadId: outcome.threadId }),
          (page) => page.data.filter((r) => ACTIVE.has(r.status)).length + (page.data.length === 0 ? 1 : 0)
        ),
      { concurrency: 64 }
    ).pipe(Effect.map((counts) => counts.reduce((a, b) => a + b, 0)))
    yield* Scope.close(scope, Exit.void)
    // `agent.destroy()` resolves before every socket's handle has finished closing (libuv runs the
    // close callbacks on a later turn of the event loop); until then such a socket still references
    // its Client, whose `drain` listener references the Pool, which keeps every Client it ever made
    // (up to `connections`, ~2.3 KB each: ~31 MiB for 10,000 loops). Let those callbacks run before
    // the heap is sampled, so that it holds what the loops left, not the closing transport.
    yield* Effect.sleep(SOCKETS_CLOSE_MILLIS)
    const firstEvent = outcomes.map((outcome) => outcome.firstEventMillis)
    const p50 = Report.percentile(firstEvent, 0.5)
    const p99 = Report.percentile(firstEvent, 0.99)
    const summary = summarize(options, measured, emulatorCpuSeconds, (outcome) => outcome.events, {
      active,
      firstEventP50Millis: finite(p50),
      firstEventP99Millis: finite(p99),
      heap: null
    })
    if (summary.failures > 0) {
      yield* Console.log(`${summary.failures} loops FAILED; the first: ${summary.firstFailure}`)
    }
    if (summary.otherEvents > 0) {
      yield* Console.log(
        `${summary.otherEvents} loops saw another number of events than ${summary.loopEvents}: ${summary.eventCounts}`
      )
    }
    yield* Console.log(
      `${count} loops in ${measured.seconds.toFixed(2)} s (${
        (count / measured.seconds).toFixed(0)
      } loops/s), ${summary.loopEvents} events/loop, time to first event p50 ${p50.toFixed(0)} ms, p99 ${
        p99.toFixed(0)
      } ms; client cpu ${Report.millis(measured.cpuSeconds / count)}/loop, emulator cpu ${
        emulatorCpuSeconds === null ? "?" : Report.millis(emulatorCpuSeconds / count)
      }/loop; rss ${Report.mib(measured.rssBefore)} → peak ${Report.mib(measured.peakRss)} MiB (${
        measured.peakRssExact ? "kernel high-water mark" : "highest sample"
      }, this process idle after ${WARM_UP_LOOPS} warm-up loops); ${active} runs left active`
    )

    // 5b: the live heap after the C loops, then after C / 4 more at the same arrival rate (on an Agent
    // of their own, closed the same way)
    const heapAfterConcurrent = heapAfterGc()
    const moreLoops = options.moreLoops
    yield* Console.log(`\n5b. flat memory: ${moreLoops} more loops at the same arrival rate`)
    const moreScope = yield* Scope.make()
    const moreFailures = moreLoops === 0 ? 0 : yield* sdkIn(options, moreLoops, moreScope).pipe(
      Effect.flatMap((more) =>
        Concurrent.run({
          label: "more loops",
          count: moreLoops,
          rampMillis: Math.round((options.rampMillis * moreLoops) / count),
          timeout: Duration.millis(options.timeoutMillis),
          loop
        }).pipe(Effect.provide(more))
      ),
      Effect.map((more) => more.value.filter(Either.isLeft).length),
      Effect.ensuring(Scope.close(moreScope, Exit.void))
    )
    yield* Effect.sleep(SOCKETS_CLOSE_MILLIS)
    const heapAfterMore = heapAfterGc()
    yield* Console.log(
      `live heap after GC: ${Report.mib(heapBefore)} MiB before the ${count} concurrent loops, ${
        Report.mib(heapAfterConcurrent)
      } MiB after them (compiled code, tables sized for their peak), ${
        Report.mib(heapAfterMore)
      } MiB after ${moreLoops} more (${
        ((heapAfterMore - heapAfterConcurrent) / Math.max(1, moreLoops)).toFixed(0)
      } B/loop)${moreFailures > 0 ? `; ${moreFailures} of these loops FAILED` : ""}`
    )
    return {
      ...summary,
      heap: {
        before: heapBefore,
        afterConcurrent: heapAfterConcurrent,
        afterMore: heapAfterMore,
        moreLoops,
        moreFailures
      }
    }
  })

/** Phase 4 with the bare baseline loop (undici + `eventsource-parser`, no Effect). */
const bare = (options: ConcurrentProcess.Options) =>
  Effect.gen(function*() {
    const agent = yield* scopedAgent(options.count)
    const target = { dispatcher: agent, origin: options.url, token: options.token }
    const loop = () =>
      Effect.tryPromise({
        try: () => Loops.baselineLoop(target, options.assistantId),
        catch: (cause) => new Variants.BenchError({ message: `baseline loop: ${Variants.describe(cause)}`, cause })
      })
    yield* warmUp(loop())
    const { emulatorCpuSeconds, measured } = yield* measureLoops(options, "baseline loops", loop)
    return summarize(options, measured, emulatorCpuSeconds, (events) => events, noExtra)
  })

/** Phase 4 with the same requests through `@effect/platform`'s HttpClient alone (no SDK). */
const platform = (options: ConcurrentProcess.Options) =>
  Effect.gen(function*() {
    const agent = yield* scopedAgent(options.count)
    const http = yield* Layer.build(
      NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(Layer.succeed(NodeHttpClient.Dispatcher, agent)))
    )
    const loop = () =>
      Loops.platformLoop({ origin: options.url, token: options.token }, options.assistantId).pipe(
        Effect.mapError((cause) =>
          new Variants.BenchError({ message: `platform loop: ${Variants.describe(cause)}`, cause })
        )
      )
    yield* warmUp(loop()).pipe(Effect.provide(http))
    const { emulatorCpuSeconds, measured } = yield* measureLoops(options, "platform loops", loop).pipe(
      Effect.provide(http)
    )
    return summarize(options, measured, emulatorCpuSeconds, (events) => events, noExtra)
  })

const noExtra = { active: null, firstEventP50Millis: null, firstEventP99Millis: null, heap: null } as const

/**
 * Runs the loops of `options.mode` in this process and succeeds with what it measured. A loop that fails
 * or outlives its bound is counted in the result; a failing warm-up fails the run.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: ConcurrentProcess.Options
): Effect.Effect<ConcurrentProcess.Result, Variants.BenchError | AppBuilderError.AppBuilderError> => {
  switch (options.mode) {
    case "sdk":
      return Effect.scoped(sdk(options))
    case "bare":
      return Effect.scoped(bare(options))
    case "platform":
      return Effect.scoped(platform(options))
  }
}
