/**
 * From the bytes of a run stream to {@link RunEvent.RunEvent}s: SSE parsing, an idle timeout between
 * events (pings included), the decoding of each event (see `runEventDecode.ts`), and `RunFailed` right
 * after a `run_end` whose run failed, expired or was cancelled by someone else.
 *
 * @since 0.1.0
 */
import type * as Sse from "@effect/experimental/Sse"
import type * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RunFailed } from "../AppBuilderError.js"
import { HttpError } from "../AppBuilderError.js"
import type * as RunEvent from "../RunEvent.js"
import { decodeEventParts, decodeEventUnwrapped } from "./runEventDecode.js"
import { runFailedOf } from "./runFailed.js"
import { decodeSseWith, decodeUtf8 } from "./sse.js"

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
 * After `RunEnd`: fails with `RunFailed` when the run ended `failed`, `expired` or `cancelled` (the
 * status of the run object, or of the event when the run object has none). A run the SDK cancelled itself
 * never gets here: the SDK cancels only a stream its consumer has stopped reading.
 */
const afterRunEnd = (operation: string, end: RunEvent.RunEnd): Channel.Channel<never, unknown, RunFailed> => {
  const status = end.run.status === "" ? end.status : end.run.status
  const failure = runFailedOf(operation, {
    id: end.runId,
    threadId: end.threadId,
    status,
    // the run object's `last_error`, else the event's `details.error_info`
    lastError: end.run.lastError ?? end.errorInfo ?? null
  })
  return Option.isSome(failure) ? Channel.fail(failure.value) : Channel.void
}

/**
 * What one input of the end rules yields: an event, the `HttpError` its payload gave, or nothing (`null` /
 * `undefined`: a ping).
 */
type Decoded = RunEvent.RunEvent | HttpError | null | undefined

/**
 * The end rules of a run stream, over inputs that `decode` turns into events: drops pings, stops at the
 * first `HttpError`, ends right after `RunEnd` (then fails with `RunFailed` when the run ended `failed` /
 * `expired` / `cancelled`), fails with `StreamEnded` when the input ends before `run_end`. One synchronous
 * pass per chunk: no effect and no Either / Option per event.
 */
const withEndRules = <In, E, R>(
  self: Stream.Stream<In, E, R>,
  options: RunStreamOptions,
  decode: (input: In) => Decoded
): Stream.Stream<RunEvent.RunEvent, E | HttpError | RunFailed, R> => {
  type Out = Channel.Channel<
    Chunk.Chunk<RunEvent.RunEvent>,
    Chunk.Chunk<In>,
    E | HttpError | RunFailed,
    E,
    unknown,
    unknown
  >
  const emit = (events: Array<RunEvent.RunEvent>, next: Out): Out =>
    events.length === 0 ? next : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(events)), next)
  const loop: Out = Channel.readWithCause({
    onInput: (chunk: Chunk.Chunk<In>): Out => {
      const out: Array<RunEvent.RunEvent> = []
      for (const input of chunk) {
        const event = decode(input)
        if (event === null || event === undefined) continue
        if (event instanceof HttpError) return emit(out, Channel.fail(event))
        out.push(event)
        if (event._tag === "RunEnd") return emit(out, afterRunEnd(options.operation, event))
      }
      return emit(out, loop)
    },
    onFailure: (cause: Cause.Cause<E>): Out => Channel.failCause(cause),
    onDone: (): Out =>
      Channel.fail(
        HttpError.streamEnded({ operation: options.operation, description: "the event stream ended before run_end" })
      )
  })
  return Stream.pipeThroughChannel(self, loop)
}

/**
 * Turns the SSE events of a run stream into {@link RunEvent.RunEvent}s: drops pings, ends right after
 * `RunEnd` (then fails with `RunFailed` when the run ended `failed` / `expired` / `cancelled`), fails
 * with `StreamEnded` when the input ends before `run_end`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toRunEvents = <E, R>(
  self: Stream.Stream<Sse.Event, E, R>,
  options: RunStreamOptions
): Stream.Stream<RunEvent.RunEvent, E | HttpError | RunFailed, R> =>
  withEndRules(self, options, (sse) => decodeEventUnwrapped(options.operation, sse))

/**
 * The whole pipeline of a run stream: bytes → UTF-8 text → SSE events decoded into
 * {@link RunEvent.RunEvent}s as they are found → idle timeout (pings count as life) → the end rules
 * of {@link toRunEvents}.
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
): Stream.Stream<RunEvent.RunEvent, HttpError | RunFailed, R> => {
  const idle = Duration.decode(options.idleTimeout)
  const operation = options.operation
  const decoded = bytes.pipe(
    decodeUtf8,
    decodeSseWith((name, data): Decoded => decodeEventParts(operation, name, data) ?? null),
    Stream.mapError((error): HttpError =>
      error instanceof HttpError
        ? error
        : HttpError.decode({ operation, description: error.message })
    ),
    failWhenIdle(
      idle,
      () => HttpError.timeout({ operation, description: `no event received for ${Duration.format(idle)}` })
    )
  )
  return withEndRules(decoded, options, identity)
}

/**
 * Fails with `onTimeout()` when a pull of `self` has waited `idle` without a chunk. Only the time spent
 * waiting for `self` counts: nothing is pulled ahead of the consumer, so the time it spends on a chunk
 * does not.
 *
 * Written instead of `Stream.timeoutFail`, which races every pull against a sleep (two fibers per chunk,
 * and the chunk's whole decoding run inside a child fiber). Here one worker fiber runs the pulls and one
 * watchdog fiber sleeps: it wakes once per `idle` (more often only while a pull is pending) and, finding
 * a pull pending for `idle`, fails it and interrupts the worker.
 *
 * The consumer and the worker hand each other plain callbacks (one slot each) and the worker loops by
 * plain recursion. Measured on a stream of 20,000 message chunks: with a queue of deferreds and
 * `Effect.forever` (a deferred per pull, even without the queue) most of every chunk survived the
 * young-generation collections and the garbage collector cost several µs per event; with callbacks it
 * costs what the same stream costs without the worker.
 */
const failWhenIdle =
  <E2>(idle: Duration.Duration, onTimeout: () => E2) =>
  <A, E, R>(self: Stream.Stream<A, E, R>): Stream.Stream<A, E | E2, R> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      type Answer = Exit.Exit<Chunk.Chunk<A>, Option.Option<E | E2>>
      const clock = yield* Effect.clock
      const limit = Duration.toMillis(idle)
      const pull = yield* Stream.toPull(self)
      // the consumer's pending pull (its callback) and the clock time it was asked for
      let waiting: ((answer: Answer) => void) | undefined
      let waitingSince = 0
      // the worker waiting for the next pull (its callback), or a pull asked before the worker waited
      let idleWorker: ((go: Effect.Effect<void>) => void) | undefined
      let requested = false
      const answer = (exit: Answer): void => {
        const consumer = waiting
        waiting = undefined
        if (consumer !== undefined) consumer(exit)
      }
      const nextRequest = Effect.async<void>((resume) => {
        if (requested) {
          requested = false
          resume(Effect.void)
        } else {
          idleWorker = resume
        }
      })
      const work: Effect.Effect<void, never, R> = Effect.flatMap(
        nextRequest,
        () =>
          Effect.flatMap(Effect.exit(pull), (exit) => {
            answer(exit)
            return work
          })
      )
      const worker = yield* Effect.forkScoped(work)
      const watch: Effect.Effect<void> = Effect.suspend(() => {
        if (waiting === undefined) return Effect.zipRight(Effect.sleep(idle), watch)
        const remaining = waitingSince + limit - clock.unsafeCurrentTimeMillis()
        if (remaining > 0) return Effect.zipRight(Effect.sleep(Duration.millis(remaining)), watch)
        answer(Exit.fail(Option.some(onTimeout())))
        return Fiber.interrupt(worker)
      })
      yield* Effect.forkScoped(watch)
      const next = Effect.async<Chunk.Chunk<A>, Option.Option<E | E2>>((resume) => {
        waiting = resume
        waitingSince = clock.unsafeCurrentTimeMillis()
        const wake = idleWorker
        idleWorker = undefined
        if (wake === undefined) requested = true
        else wake(Effect.void)
      })
      return Stream.fromPull(Effect.succeed(next))
    }))
