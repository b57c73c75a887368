/**
 * From the bytes of a run stream to {@link RunEvent.RunEvent}s: SSE parsing, an idle timeout between
 * events (pings included), the decoding of each event (see `runEventDecode.ts`), and `RunFailed` right
 * after a `run_end` whose run failed, expired or was cancelled by someone else.
 *
 * @since 0.1.0
 */
import type * as Sse from "@effect/experimental/Sse"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { RunFailed } from "../AppBuilderError.js"
import { HttpError } from "../AppBuilderError.js"
import type * as RunEvent from "../RunEvent.js"
import type { StopOptions } from "./runCancel.js"
import { decodeEventParts } from "./runEventDecode.js"
import { runFailedOf } from "./runFailed.js"
import { isBreak } from "./runResume.js"
import { decodeSsePull } from "./sse.js"
import * as Streams from "./stream.js"
import * as Timeout from "./timeout.js"

// -----------------------------------------------------------------------------
// the run stream
// -----------------------------------------------------------------------------

/**
 * Options of {@link runStream}.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunStreamOptions {
  /** The SDK operation named in errors, e.g. `Runs.stream`. */
  readonly operation: string
  /** The longest silence allowed between two SSE events (pings included). */
  readonly idleTimeout: Duration.DurationInput
}

/**
 * After `RunEnd`: `RunFailed` when the run ended `failed`, `expired` or `cancelled` (the status of the
 * run object, or of the event when the run object has none). A run the SDK cancelled itself never gets
 * here: the SDK cancels only a stream its consumer has stopped reading.
 */
const runEndFailure = (operation: string, end: RunEvent.RunEnd): Option.Option<RunFailed> =>
  runFailedOf(operation, {
    id: end.runId,
    threadId: end.threadId,
    status: end.run.status === "" ? end.status : end.run.status,
    // the run object's `last_error`, else the event's `details.error_info`
    lastError: end.run.lastError ?? end.errorInfo ?? null
  })

/**
 * What one input of the end rules yields: an event, the `HttpError` its payload gave, or nothing (`null` /
 * `undefined`: a ping).
 */
type Decoded = RunEvent.RunEvent | HttpError | null | undefined

/**
 * What a run stream read by {@link runEvents} does beyond the wire events: follow the run by polling
 * after a break (see `runResume.ts`), and cancel the run when the stream stops before `run_end` (see
 * `runCancel.ts`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RunEventsOptions extends RunStreamOptions {
  /** Resuming after a break: sees every wire event, and gives the rest of the run when the stream breaks. */
  readonly resume?: {
    readonly observe: (event: RunEvent.RunEvent) => void
    readonly follow: (lost: HttpError) => Stream.Stream<RunEvent.RunEvent, HttpError | RunFailed>
  } | undefined
  /** Cancelling the run when the stream's scope closes before `run_end`. */
  readonly stop?: StopOptions | undefined
}

/**
 * The whole pipeline of a run stream: bytes → UTF-8 text → SSE events decoded into
 * {@link RunEvent.RunEvent}s as they are found → idle timeout (pings count as life) → the end rules
 * (pings dropped, the end after `RunEnd`):
 *
 * - no SSE event for `idleTimeout` → `HttpError` with reason `Timeout`;
 * - the stream ends right after `RunEnd`; bytes ending before `run_end` → `HttpError` `StreamEnded`;
 * - a run that ends `failed` / `expired` / `cancelled` emits its `RunEnd` and then fails with
 *   `RunFailed` (with the run's `last_error`, else the event's `details.error_info`);
 * - invalid JSON or an invalid known event → `HttpError` `Decode`; unknown events → `Unknown`.
 *
 * The SSE decoder hands each event's name and data straight to the event decoder (no `Sse.Event` per
 * event: this runs for every chunk of a long stream).
 *
 * @since 0.1.0
 * @category combinators
 */
export const runStream = <R>(
  bytes: Stream.Stream<Uint8Array, HttpError, R>,
  options: RunStreamOptions
): Stream.Stream<RunEvent.RunEvent, HttpError | RunFailed, R> => Streams.fromPullScoped(runEvents(bytes, options))

/** What the reader hands over for one pull: decoded wire inputs (or, once following, events), or the end. */
type Answer = Exit.Exit<Chunk.Chunk<Decoded>, Option.Option<HttpError | RunFailed | Sse.SseError>>

/** A failure of the wire as the caller sees it: the SSE parser's own errors become `Decode` errors. */
const runError = (operation: string, error: HttpError | RunFailed | Sse.SseError): HttpError | RunFailed =>
  error._tag === "SseError" ? HttpError.decode({ operation, description: error.message }) : error

/**
 * {@link runStream} with resume and cancellation folded in, as the pull of the stream's chunks (the
 * stream is `fromPullScoped` of it: no stream stage of its own): ONE reader per streamed run, in the
 * scope of the caller's stream. (Each of them used to be a stream stage of its own, with its own fibers and
 * buffers: a worker and a watchdog fiber for the idle timeout, a reader fiber for the cancellation, and
 * a dozen closures and contexts per stage, held for as long as the run streams.)
 *
 * - One reader fiber pulls the decoded wire events, one chunk each time one is asked for (nothing is
 *   read ahead of the consumer), and keeps the chunk until it is taken, whatever became of the fiber
 *   that asked: a consumer stopped while it waits does not lose the chunk, and the read-ahead of the
 *   cancellation can still read on to the `run_begin` that names the run.
 * - One watchdog sleeps: it wakes once per `idle` (more often only while a pull is pending) and,
 *   finding a pull pending for `idle`, answers it with the `Timeout` and interrupts the reader.
 *   (Not `Stream.timeoutFail`, which races every pull against a sleep: two fibers per chunk.) On the
 *   live clock the watchdog is one `setTimeout`, re-armed when it wakes; on any other clock (a
 *   `TestClock`), a fiber sleeping on that clock.
 * - The consumer's pull applies the end rules, the resume bookkeeping and the cancellation bookkeeping
 *   in one synchronous pass per chunk; after a break (with `resume`), the reader pulls the run followed
 *   by polling instead (no idle timeout there).
 * - With `stop`: when the scope closes before `run_end`, whatever stopped the stream, the run is
 *   cancelled once; a stream stopped before `run_begin` first reads ahead (within `cancelTimeout`)
 *   until the run is named. The run's id, thread and final status annotate the current span.
 *
 * The reader and the consumer hand each other plain callbacks (one slot each): a queue of deferreds or
 * a mailbox made most of every chunk survive the young-generation collections (several µs per event).
 *
 * @since 0.1.0
 * @category combinators
 */
export const runEvents = <R>(
  bytes: Stream.Stream<Uint8Array, HttpError, R>,
  options: RunEventsOptions
): Effect.Effect<
  Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<HttpError | RunFailed>>,
  never,
  Scope.Scope | R
> =>
  Effect.gen(function*() {
    const operation = options.operation
    const idle = Duration.decode(options.idleTimeout)
    const limit = Duration.toMillis(idle)
    const { resume, stop } = options
    const clock = yield* Effect.clock
    const scope = yield* Effect.scope
    // the reader's fibers and pulls live in a scope of their own, closed after the cancellation below
    const readerScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const span = stop === undefined ? Option.none() : yield* Effect.option(Effect.currentSpan)
    // the parent span of the setup (the stream's own span under `Runs.stream`), under which a break is
    // followed: the consumer's pulls run under the consumer's span, and are not wrapped each (a copy of
    // the fiber's refs per pull) for the rare pull that starts following the run
    const parent = resume === undefined ? Option.none() : yield* Effect.serviceOption(Tracer.ParentSpan)

    // --- the hand-off between the reader and the consumer ---
    // a chunk read and not yet taken; the consumer waiting for one; the reader waiting to be asked
    let slot: Answer | undefined
    let waiting: ((answer: Effect.Effect<Answer>) => void) | undefined
    let readerWaiting: ((go: Effect.Effect<void>) => void) | undefined
    let asked = false
    // whether the reader is pulling, since when, and whether that pull is under the idle timeout
    let pulling = false
    let pullingSince = 0
    let timed = true
    const deliver = (answer: Answer): void => {
      const consumer = waiting
      waiting = undefined
      if (consumer !== undefined) consumer(Exit.succeed(answer))
      else slot = answer
    }
    const next: Effect.Effect<Answer> = Effect.async<Answer>((resume) => {
      const ready = slot
      if (ready !== undefined) {
        slot = undefined
        return resume(Exit.succeed(ready))
      }
      waiting = resume
      if (!pulling) {
        pulling = true
        pullingSince = clock.unsafeCurrentTimeMillis()
        const reader = readerWaiting
        readerWaiting = undefined
        if (reader === undefined) asked = true
        else reader(Effect.void)
      }
      // an interrupted consumer leaves the chunk being read in the slot
      return Effect.sync(() => {
        if (waiting === resume) waiting = undefined
      })
    })
    const wasAsked = Effect.async<void>((resume) => {
      if (asked) {
        asked = false
        resume(Effect.void)
      } else {
        readerWaiting = resume
      }
    })
    const readFrom = <R2>(
      pull: Effect.Effect<Chunk.Chunk<Decoded>, Option.Option<HttpError | RunFailed | Sse.SseError>, R2>
    ) => {
      const read: Effect.Effect<void, never, R2> = Effect.flatMap(
        wasAsked,
        () =>
          Effect.flatMap(Effect.exit(pull), (exit) => {
            pulling = false
            deliver(exit)
            return Exit.isSuccess(exit) ? read : Effect.void
          })
      )
      return Effect.forkIn(read, readerScope)
    }

    // --- the wire: the reader and its watchdog ---
    // the bytes are pulled as they are, and decoded (UTF-8, SSE, events) in the reader's pull: no stream
    // stage for any of it (the SSE parser's errors are mapped by the consumer's pull)
    const wire = decodeSsePull(
      yield* Streams.toPullIn(bytes, readerScope),
      (name, data): Decoded => decodeEventParts(operation, name, data) ?? null
    )
    let reader = yield* readFrom(wire)
    // what the watchdog does when it wakes: nothing more (`undefined`), sleep again (for how many
    // milliseconds), or answer the pull pending for `idle` with the `Timeout` (`"fired"`: the reader is
    // then interrupted)
    const check = (): number | "fired" | undefined => {
      if (!timed) return undefined
      if (!pulling) return limit
      const remaining = pullingSince + limit - clock.unsafeCurrentTimeMillis()
      if (remaining > 0) return remaining
      timed = false
      pulling = false
      deliver(
        Exit.fail(
          Option.some(HttpError.timeout({ operation, description: `no event received for ${Duration.format(idle)}` }))
        )
      )
      return "fired"
    }
    if (!Timeout.isLiveClock(clock)) {
      // a clock to sleep on (a `TestClock`, a clock of the caller's): a watchdog fiber
      const watch: Effect.Effect<void> = Effect.suspend(() => {
        const next = check()
        if (next === undefined) return Effect.void
        return next === "fired" ? Fiber.interrupt(reader) : Effect.zipRight(Effect.sleep(Duration.millis(next)), watch)
      })
      yield* Effect.forkIn(watch, readerScope)
    } else if (limit <= Timeout.MAX_TIMER_MILLIS) {
      // the live clock: the same watchdog as one `setTimeout` re-armed when it wakes, no fiber (a longer
      // idle timeout never fires: the live clock's sleep would never wake either)
      const interruptor = yield* Effect.fiberId
      const wake = (): void => {
        const next = check()
        if (next === "fired") reader.unsafeInterruptAsFork(interruptor)
        else if (next !== undefined) timer = setTimeout(wake, next)
      }
      let timer = setTimeout(wake, limit)
      yield* Scope.addFinalizer(readerScope, Effect.sync(() => clearTimeout(timer)))
    }

    // --- the cancellation's bookkeeping ---
    let runId: string | undefined
    let threadId = stop?.threadId ?? ""
    let ended = false
    const annotate = (annotations: Record<string, unknown>): void => {
      if (Option.isSome(span)) { for (const key in annotations) span.value.attribute(key, annotations[key]) }
    }
    const observeStop = (event: RunEvent.RunEvent): void => {
      switch (event._tag) {
        case "RunBegin":
        case "RunCancelling":
          runId = event.runId
          if (event.threadId !== "") threadId = event.threadId
          annotate({ "appbuilder.run_id": event.runId, "appbuilder.thread_id": threadId })
          return
        case "Resumed":
          // the stream broke and follows the run by polling: the run it follows is the one to cancel
          runId = event.runId
          threadId = event.threadId
          annotate({
            "appbuilder.run_id": event.runId,
            "appbuilder.thread_id": threadId,
            "appbuilder.resumed": event.reason
          })
          return
        case "RunEnd":
          ended = true
          annotate({ "appbuilder.run_status": event.status })
          return
      }
    }

    // --- the consumer's pull ---
    const toRunError = (error: HttpError | RunFailed | Sse.SseError) => runError(operation, error)
    // the end decided while reading a chunk, handed over after that chunk's events
    let finished: Option.Option<HttpError | RunFailed> | undefined
    let following = false
    const emit = (
      out: Array<RunEvent.RunEvent>
    ): Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<HttpError | RunFailed>> =>
      out.length > 0 ? Exit.succeed(Chunk.unsafeFromArray(out)) : take
    // a wire failure: a break is followed by polling (with `resume`), anything else ends the stream
    const onError = (error: HttpError | RunFailed): Effect.Effect<void> => {
      timed = false
      if (resume === undefined || following || !isBreak(error)) {
        finished = Option.some(error)
        return Effect.void
      }
      following = true
      const follow = Effect.gen(function*() {
        const interrupted = reader
        yield* Fiber.interrupt(interrupted)
        pulling = false
        slot = undefined
        const pull = yield* Streams.toPullIn(resume.follow(error), readerScope)
        reader = yield* readFrom(pull)
      })
      // the reader that follows (and the calls it makes) runs under the setup's span
      return Option.isSome(parent) ? Effect.withParentSpan(follow, parent.value) : follow
    }
    const onWire = (
      answer: Answer
    ): Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<HttpError | RunFailed>> => {
      const out: Array<RunEvent.RunEvent> = []
      if (Exit.isFailure(answer)) {
        const failure = Cause.failureOption(answer.cause)
        // an interruption or a defect (no failure in it: the mapping is for the types)
        if (Option.isNone(failure)) return Exit.failCause(Cause.map(answer.cause, Option.map(toRunError)))
        const error = Option.isSome(failure.value)
          ? toRunError(failure.value.value)
          : HttpError.streamEnded({ operation, description: "the event stream ended before run_end" })
        return Effect.flatMap(onError(error), () => emit(out))
      }
      for (const input of answer.value) {
        if (input === null || input === undefined) continue
        // (by its tag: `instanceof` walks an event's class chain, for every event)
        if (input._tag === "HttpError") return Effect.flatMap(onError(input), () => emit(out))
        resume?.observe(input)
        observeStop(input)
        out.push(input)
        if (input._tag === "RunEnd") {
          timed = false
          finished = runEndFailure(operation, input)
          return emit(out)
        }
      }
      return emit(out)
    }
    const onFollow = (
      answer: Answer
    ): Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<HttpError | RunFailed>> => {
      if (Exit.isFailure(answer)) {
        const failure = Cause.failureOption(answer.cause)
        // an interruption or a defect (no failure in it: the mapping is for the types)
        if (Option.isNone(failure)) return Exit.failCause(Cause.map(answer.cause, Option.map(toRunError)))
        finished = Option.map(failure.value, toRunError)
        return Exit.fail(finished)
      }
      const out: Array<RunEvent.RunEvent> = []
      for (const input of answer.value) {
        if (input === null || input === undefined || input._tag === "HttpError") continue
        observeStop(input)
        out.push(input)
      }
      return emit(out)
    }
    const take: Effect.Effect<Chunk.Chunk<RunEvent.RunEvent>, Option.Option<HttpError | RunFailed>> = Effect
      .suspend(() => {
        if (finished !== undefined) return Exit.fail(finished)
        return Effect.flatMap(next, following ? onFollow : onWire)
      })

    // --- the cancellation ---
    if (stop !== undefined) {
      // Reads (and drops) what the response still brings until the run is named or has ended, or the
      // response is over.
      const readAhead: Effect.Effect<void> = Effect.suspend(() =>
        runId !== undefined || ended || finished !== undefined
          ? Effect.void
          : Effect.flatMap(Effect.exit(take), (exit) => (Exit.isSuccess(exit) ? readAhead : Effect.void))
      )
      // Runs when the stream's scope closes, uninterruptibly: cancel a run we stopped listening to, once.
      // Reading ahead and the cancel call are made interruptible so that `cancelTimeout` bounds them both.
      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          if (ended) return Effect.void
          return Effect.gen(function*() {
            if (runId === undefined) yield* readAhead
            if (ended || runId === undefined) return
            yield* Effect.logDebug(`${operation} stopped before run_end: cancelling the run`).pipe(
              Effect.annotateLogs({ "appbuilder.run_id": runId, "appbuilder.thread_id": threadId })
            )
            yield* stop.cancel({ threadId, runId })
          }).pipe(Effect.interruptible, Effect.timeout(stop.cancelTimeout), Effect.ignore)
        })
      )
    }
    return take
  })
