/**
 * Cancelling a run that its caller stopped following, so that no run is left going on the server: the
 * run a lost blocking call started (found on its thread), and the run of a stream stopped before its
 * `run_end` (named by reading ahead to `run_begin`).
 *
 * @since 0.1.0
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { HttpError, type RunFailed } from "../AppBuilderError.js"
import type * as RunEvent from "../RunEvent.js"
import type { RunRef, Service as RunsService } from "../Runs.js"
import type { Run } from "./models/run.js"

/**
 * Cancels a run we stopped following: one `cancel` call, its errors ignored, bounded by `timeout`
 * (default 5 seconds). The call is made interruptible so that the timeout holds even where it runs
 * uninterruptibly, in a finalizer or an `onExit`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const cancelQuietly = (
  cancel: RunsService["cancel"],
  run: RunRef,
  timeout: Duration.DurationInput = "5 seconds"
): Effect.Effect<void> => cancel(run).pipe(Effect.interruptible, Effect.timeout(timeout), Effect.ignore)

/**
 * True for the statuses of a run that goes on unless it is cancelled (`cancelling` is on its way out).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const needsCancel = (status: string): boolean =>
  status === "queued" || status === "in_progress" || status === "requires_action"

/**
 * What identifies the run a blocking call started when its answer never came: the thread, the
 * assistant, and the clock time (epoch milliseconds) just before the call was sent.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface StartedRun {
  readonly threadId: string
  readonly assistantId: string
  readonly since: number
}

/**
 * Finds the run a lost blocking call started and cancels it once: lists the thread's newest runs
 * (after 100 ms, 200 ms, 400 ms, … then every second) until one of the assistant, created at or after
 * `since`, is still going, then cancels it. A thread has at most one active run, so that run is the call's. Gives up when none appears:
 * the request never reached the service. Everything, cancel included, is bounded by `timeout` (default
 * 5 seconds), errors are ignored, and it is interruptible even inside a finalizer.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const cancelStartedRun = (
  runs: Pick<RunsService, "list" | "cancel">,
  started: StartedRun,
  timeout: Duration.DurationInput = "5 seconds"
): Effect.Effect<void> => {
  const look = runs.list({ threadId: started.threadId, limit: 20, order: "desc" }).pipe(
    Effect.map((page) =>
      Option.fromNullable(
        page.data.find((run) =>
          run.assistantId === started.assistantId && run.createdAt >= started.since && needsCancel(run.status)
        )
      )
    ),
    Effect.orElseSucceed(() => Option.none<Run>())
  )
  // the run usually shows at once or within a moment: look again after 100 ms, then ever less often
  const find = (wait: number): Effect.Effect<Run> =>
    Effect.flatMap(
      look,
      Option.match({
        onSome: Effect.succeed,
        onNone: () => Effect.zipRight(Effect.sleep(Duration.millis(wait)), find(Math.min(wait * 2, 1_000)))
      })
    )
  return find(100).pipe(
    Effect.flatMap((run) =>
      Effect.logDebug("a blocking run call was stopped: cancelling the run it started").pipe(
        Effect.zipRight(runs.cancel({ threadId: run.threadId, runId: run.id })),
        Effect.annotateLogs({ "appbuilder.run_id": run.id, "appbuilder.thread_id": run.threadId })
      )
    ),
    Effect.interruptible,
    Effect.timeout(timeout),
    Effect.ignore
  )
}

/**
 * True when a failed call may still have been carried out: every `HttpError` except an answer of the
 * service turning the request down (`Status`, `Api`) and a failure that proves it never reached the
 * service (`retryable`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const outcomeUnknown = (error: unknown): boolean =>
  error instanceof HttpError && !error.retryable && error.reason !== "Status" && error.reason !== "Api"

/**
 * What {@link cancelWhenStopped} needs: the thread the run was asked on (the stream's events may name
 * another, for a run on a new thread), how to cancel, and how long the stop may take.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface StopOptions {
  readonly threadId: string
  readonly cancel: (run: RunRef) => Effect.Effect<unknown, unknown>
  readonly cancelTimeout: Duration.DurationInput
}

/**
 * The run's events, read by a fiber of the enclosing scope; when the scope closes before `run_end`,
 * whatever stopped the stream, the run is cancelled on the server, once.
 * A stream stopped before `run_begin` first reads ahead, within `cancelTimeout`, until the run is named;
 * the whole stop (reading ahead and cancelling) takes `cancelTimeout` at most, and its errors are
 * ignored. The run's id, thread and final status annotate the current span.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const cancelWhenStopped = (
  events: Stream.Stream<RunEvent.RunEvent, HttpError | RunFailed>,
  options: StopOptions
): Effect.Effect<Stream.Stream<RunEvent.RunEvent, HttpError | RunFailed>, never, Scope.Scope> =>
  Effect.gen(function*() {
    let runId: string | undefined
    let threadId = options.threadId
    let ended = false
    // The response is read by a fiber of its own (one chunk each time the caller's stream asks for one),
    // into a buffer the caller's stream reads. Stopping the caller's stream therefore does not stop the
    // request: the finalizer below can still read ahead to the `run_begin` that names the run. The fiber is interrupted (and the request aborted) only when
    // the scope closes, after the finalizer.
    const buffer = makeBuffer<RunEvent.RunEvent, HttpError | RunFailed>()
    const pull = yield* Stream.toPull(events)
    const observe = (chunk: Chunk.Chunk<RunEvent.RunEvent>): Effect.Effect<void> => {
      // one synchronous pass per chunk (no effect per event): only the rare run events annotate the span
      let annotations: Record<string, unknown> | undefined
      for (const event of chunk) {
        switch (event._tag) {
          case "RunBegin":
          case "RunCancelling":
            runId = event.runId
            if (event.threadId !== "") threadId = event.threadId
            annotations = { ...annotations, "appbuilder.run_id": event.runId, "appbuilder.thread_id": threadId }
            break
          case "Resumed":
            // the stream broke and follows the run by polling: the run it follows is the one to cancel
            runId = event.runId
            threadId = event.threadId
            annotations = {
              ...annotations,
              "appbuilder.run_id": event.runId,
              "appbuilder.thread_id": threadId,
              "appbuilder.resumed": event.reason
            }
            break
          case "RunEnd":
            ended = true
            annotations = { ...annotations, "appbuilder.run_status": event.status }
            break
        }
      }
      const offer = buffer.offer(chunk)
      return annotations === undefined ? offer : Effect.zipRight(Effect.annotateCurrentSpan(annotations), offer)
    }
    // a plain loop over the pulls (its end: `None` once the events are over)
    const read: Effect.Effect<void, Option.Option<HttpError | RunFailed>> = Effect.flatMap(
      Effect.zipRight(buffer.demand, pull),
      (chunk) => Effect.flatMap(observe(chunk), () => read)
    )
    yield* read.pipe(
      Effect.catchAll(Option.match({ onNone: () => Effect.void, onSome: Effect.fail })),
      Effect.onExit(buffer.end),
      Effect.forkScoped
    )

    // Reads (and drops) what the response still brings until the run is named or has ended, or the
    // response is over.
    const readAhead: Effect.Effect<void> = buffer.drop.pipe(
      Effect.repeat({ until: (done) => done || runId !== undefined || ended }),
      Effect.ignore
    )
    // Runs when the stream's scope closes, uninterruptibly: cancel a run we stopped listening to, once.
    // Reading ahead and the cancel call are made interruptible so that `cancelTimeout` bounds them both.
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        if (ended) return Effect.void
        return Effect.gen(function*() {
          if (runId === undefined) yield* readAhead
          if (ended || runId === undefined) return
          yield* Effect.logDebug("Runs.stream stopped before run_end: cancelling the run").pipe(
            Effect.annotateLogs({ "appbuilder.run_id": runId, "appbuilder.thread_id": threadId })
          )
          yield* options.cancel({ threadId, runId })
        }).pipe(Effect.interruptible, Effect.timeout(options.cancelTimeout), Effect.ignore)
      })
    )
    return Stream.fromPull(Effect.succeed(buffer.take))
  })

/**
 * The hand-off between the fiber that reads a stream and the one that consumes it: the reader pulls a
 * chunk only when one is asked for (by the consumer, or by the read-ahead of the finalizer), and a
 * chunk read is kept until it is taken, whatever became of the fiber that asked. The two sides hand
 * each other plain callbacks (one slot each). Measured on a stream of 20,000 message chunks: with a
 * `Mailbox` (capacity 256, the reader running ahead of the consumer) most of every chunk survived the
 * young-generation collections and the garbage collector cost several µs per event; pulling on demand
 * brings it back to what the same stream costs without the reader fiber.
 */
interface Buffer<A, E> {
  /** Adds a chunk for the consumer. */
  readonly offer: (chunk: Chunk.Chunk<A>) => Effect.Effect<void>
  /** Marks the end of the input (its failure, if any, follows the buffered elements). */
  readonly end: (exit: Exit.Exit<unknown, E>) => Effect.Effect<void>
  /** A pull of `Stream.fromPull`: everything buffered, waiting for the next chunk when there is none. */
  readonly take: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>
  /** Drops everything buffered (waiting for the next chunk when there is none); `true` once the input has ended. */
  readonly drop: Effect.Effect<boolean>
  /** Waits until a chunk is asked for (the reader reads no further ahead). */
  readonly demand: Effect.Effect<void>
}

const makeBuffer = <A, E>(): Buffer<A, E> => {
  let chunks: Array<Chunk.Chunk<A>> = []
  let size = 0
  let ended: Exit.Exit<unknown, E> | undefined
  // the consumer waiting for input, and the reader waiting to be asked for it
  let taker: (() => void) | undefined
  let reader: (() => void) | undefined
  const takeBuffered = (): Chunk.Chunk<A> => {
    const out = chunks.length === 1 ? chunks[0]! : Chunk.flatten(Chunk.unsafeFromArray(chunks))
    chunks = []
    size = 0
    return out
  }
  // waits until there is something to take or the input has ended, then runs `next`
  const waitForInput = <X, Y>(next: () => Effect.Effect<X, Y>): Effect.Effect<X, Y> =>
    Effect.async<X, Y>((resume) => {
      // the fiber may have yielded since it looked: input may have come in the meantime
      if (size > 0 || ended !== undefined) return resume(Effect.suspend(next))
      taker = () => resume(Effect.suspend(next))
      const waiting = reader
      reader = undefined
      if (waiting !== undefined) waiting()
    })
  const take: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>> = Effect.suspend(() => {
    if (size > 0) return Effect.succeed(takeBuffered())
    if (ended !== undefined) {
      return Exit.isSuccess(ended) ? Exit.fail(Option.none()) : Exit.failCause(Cause.map(ended.cause, Option.some))
    }
    return waitForInput(() => take)
  })
  const drop: Effect.Effect<boolean> = Effect.suspend(() => {
    if (size > 0) {
      takeBuffered()
      return Effect.succeed(false)
    }
    return ended !== undefined ? Effect.succeed(true) : waitForInput(() => drop)
  })
  const demand: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (taker !== undefined) return resume(Effect.void)
    reader = () => resume(Effect.void)
  })
  const offer = (chunk: Chunk.Chunk<A>): Effect.Effect<void> =>
    Effect.sync(() => {
      if (Chunk.isEmpty(chunk)) return
      chunks.push(chunk)
      size += chunk.length
      const consumer = taker
      taker = undefined
      if (consumer !== undefined) consumer()
    })
  const end = (exit: Exit.Exit<unknown, E>): Effect.Effect<void> =>
    Effect.sync(() => {
      ended = exit
      const consumer = taker
      taker = undefined
      if (consumer !== undefined) consumer()
    })
  return { offer, end, take, drop, demand }
}
