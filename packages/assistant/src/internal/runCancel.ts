/**
 * Cancelling a run that its caller stopped following, so that no run is left going on the server: the
 * run a lost blocking call started (found on its thread), and what the run stream needs to cancel its run
 * when it is stopped before `run_end` (the stream does that itself: see `runEvents` in `runStream.ts`).
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { HttpError } from "../AppBuilderError.js"
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
 * What a run stream needs to cancel its run when it is stopped before `run_end` (see `runEvents` in
 * `runStream.ts`): the thread the run was asked on (the stream's events may name another, for a run on
 * a new thread), how to cancel, and how long the stop may take (reading ahead to `run_begin` included).
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
