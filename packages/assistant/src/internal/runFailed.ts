/**
 * The one check for "this run ended failed", shared by the blocking run and the run stream.
 *
 * @since 0.1.0
 * @internal
 */
import * as Option from "effect/Option"
import { RunFailed } from "../AppBuilderError.js"

/**
 * What the check reads of a run.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface EndedRun {
  readonly id: string
  readonly threadId: string
  readonly status: string
  readonly lastError: { readonly type: string; readonly message: string } | null
}

/**
 * The {@link RunFailed} error of a run that ended `failed`, `expired` or `cancelled` (with the run's
 * `last_error` when it has one); `None` for any other status.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const runFailedOf = (operation: string, run: EndedRun): Option.Option<RunFailed> => {
  const status = run.status
  if (status !== "failed" && status !== "expired" && status !== "cancelled") return Option.none()
  return Option.some(
    new RunFailed({
      operation,
      runId: run.id,
      threadId: run.threadId,
      status,
      ...(run.lastError === null ? {} : { lastError: { type: run.lastError.type, message: run.lastError.message } })
    })
  )
}
