/**
 * The retry policy of the client. Every call is a POST, so a call that changes something is retried only
 * when the service provably did not process it; read-only calls also retry what may have been processed.
 * A `Retry-After` header replaces the computed delay.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type { Operation, RetryOptions, RetryPolicy } from "../AppBuilderClient.js"
import type { HttpError } from "../AppBuilderError.js"

/**
 * A retry policy with every default filled in: the schedule of the delays (without `Retry-After`, which
 * is applied on top of it) and the longest `Retry-After` waited for.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export interface ResolvedRetry {
  readonly schedule: Schedule.Schedule<unknown, HttpError>
  readonly maxRetryAfter: Duration.Duration
}

/**
 * The default backoff: exponential from `baseDelay` (default 500 ms), jittered ±20 %, capped at
 * `maxDelay` (default 10 s), at most `maxRetries` (default 3) retries.
 *
 * @since 0.1.0
 * @category schedules
 * @internal
 */
export const backoff = (options: RetryOptions = {}): Schedule.Schedule<unknown, HttpError> => {
  const maxDelay = Duration.decode(options.maxDelay ?? "10 seconds")
  return Schedule.exponential(Duration.decode(options.baseDelay ?? "500 millis")).pipe(
    Schedule.jittered,
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay)),
    Schedule.intersect(Schedule.recurs(options.maxRetries ?? 3))
  )
}

/**
 * Fills in the defaults (500 ms base delay, 10 s cap, 3 retries, 60 s longest `Retry-After`); a
 * `Schedule` (or `schedule` in the options) replaces the backoff; `false` means never retry.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const resolveRetry = (retry: RetryPolicy | undefined): ResolvedRetry | undefined => {
  if (retry === false) return undefined
  if (Schedule.isSchedule(retry)) return { schedule: retry, maxRetryAfter: Duration.seconds(60) }
  const options: RetryOptions = retry ?? {}
  return {
    schedule: options.schedule ?? backoff(options),
    maxRetryAfter: Duration.decode(options.maxRetryAfter ?? "60 seconds")
  }
}

/**
 * Parses a `Retry-After` value (delay in seconds or an HTTP date) into milliseconds from `now`.
 *
 * @since 0.1.0
 * @category parsing
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === "") return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * The schedule of a policy with `Retry-After` on top: when the service sends one, it replaces the delay
 * the policy computed.
 *
 * @since 0.1.0
 * @category schedules
 * @internal
 */
export const retrySchedule = (retry: ResolvedRetry): Schedule.Schedule<unknown, HttpError> =>
  retry.schedule.pipe(
    Schedule.intersect(Schedule.identity<HttpError>()),
    Schedule.modifyDelay(([, error], delay) =>
      error.retryAfterMillis === undefined ? delay : Duration.millis(error.retryAfterMillis)
    )
  )

/**
 * Whether an error may be retried for the given operation: a read-only operation retries everything
 * {@link HttpError.retryableWhenIdempotent} accepts, any other only what {@link HttpError.retryable} accepts.
 *
 * @since 0.1.0
 * @category predicates
 * @internal
 */
export const isRetryable = (operation: Operation, error: HttpError): boolean =>
  operation.idempotent ? error.retryableWhenIdempotent : error.retryable

/**
 * Retries `effect` per the policy; every failure that leads to a retry is logged at debug level. An error
 * whose `Retry-After` is longer than `maxRetryAfter` is returned at once.
 *
 * This is `Effect.retry(effect, { schedule, while })` with the schedule and its driver built only when the
 * first attempt fails: almost every call succeeds at once, and `Effect.retry` builds the schedule, a driver
 * and the iteration metadata of every attempt up front, on every call (a hot path: every request of every
 * loop). The loop below is `Effect.retry`'s own (each failure steps the same schedule, `while` included, and
 * the last error is returned when it stops; every retried attempt sees the schedule's iteration metadata),
 * so the delays, `Retry-After`, the debug logs and the number of attempts are the same.
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const withRetry = <A, R>(
  operation: Operation,
  retry: ResolvedRetry | undefined,
  effect: Effect.Effect<A, HttpError, R>
): Effect.Effect<A, HttpError, R> =>
  retry === undefined ?
    effect :
    Effect.catchAll(effect, (first) =>
      Effect.flatMap(Schedule.driver(policySchedule(operation, retry)), (driver) => {
        const attempt = Effect.provideServiceEffect(
          effect,
          Schedule.CurrentIterationMetadata,
          Ref.get(driver.iterationMeta)
        )
        const loop = (error: HttpError): Effect.Effect<A, HttpError, R> =>
          Effect.matchEffect(driver.next(error), {
            onFailure: () => Effect.fail(error),
            onSuccess: () => Effect.catchAll(attempt, loop)
          })
        return loop(first)
      }))

/** The schedule `withRetry` steps with each failure: the policy with `Retry-After`, a debug log, `while`. */
const policySchedule = (operation: Operation, retry: ResolvedRetry): Schedule.Schedule<unknown, HttpError> =>
  retrySchedule(retry).pipe(
    Schedule.tapInput((error: HttpError) =>
      Effect.logDebug("AppBuilder request failed").pipe(
        Effect.annotateLogs({
          operation: operation.name,
          reason: error.reason,
          status: error.status ?? "",
          requestId: error.requestId ?? ""
        })
      )
    ),
    Schedule.whileInput((error: HttpError) =>
      isRetryable(operation, error) &&
      (error.retryAfterMillis === undefined || error.retryAfterMillis <= Duration.toMillis(retry.maxRetryAfter))
    )
  )
