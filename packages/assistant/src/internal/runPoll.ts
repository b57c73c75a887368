/**
 * `Runs.poll`: query a run until it settles, waiting on a `Schedule` between queries.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { HttpError, type ValidationError } from "../AppBuilderError.js"
import type { Run } from "./models/run.js"
import { orUndefined } from "./requestSchema.js"
import { checkOptions, DurationInput } from "./runRequest.js"

/**
 * The statuses at which a poll stops: the terminal ones and `requires_action`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const settledStatuses: ReadonlySet<string> = new Set([
  "completed",
  "failed",
  "cancelled",
  "expired",
  "requires_action"
])

/**
 * 250 ms, 500 ms, 1 s, 2 s, 4 s, then every 5 s.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const defaultSchedule: Schedule.Schedule<unknown> = Schedule.exponential("250 millis").pipe(
  Schedule.union(Schedule.spaced("5 seconds")),
  Schedule.asVoid
)

/**
 * The options of a poll.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface PollOptions {
  readonly schedule?: Schedule.Schedule<unknown, Run> | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

/** A `Schedule` stepped with the last queried run. */
const RunSchedule = Schema.declare(
  (input): input is Schedule.Schedule<unknown, Run> => Schedule.isSchedule(input),
  { title: "a Schedule" }
)

const PollCallOptions: Schema.Schema<PollOptions> = Schema.Struct({
  schedule: Schema.optionalWith(orUndefined(RunSchedule), { exact: true }),
  timeout: Schema.optionalWith(orUndefined(DurationInput), { exact: true })
})

/**
 * Runs `attempt` until it succeeds with `Right`: after each `Left`, waits for the next step of a fresh run
 * of `schedule` (stepped with the `Left` value); when the schedule ends, fails with `onEnd(last Left)`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const pollUntil = <A, In, E>(
  schedule: Schedule.Schedule<unknown, In>,
  attempt: Effect.Effect<Either.Either<A, In>, E>,
  onEnd: (last: In) => HttpError
): Effect.Effect<A, E | HttpError> =>
  Effect.flatMap(Schedule.driver(schedule), (driver) => {
    const loop: Effect.Effect<A, E | HttpError> = Effect.flatMap(attempt, (result) =>
      Either.isRight(result)
        ? Effect.succeed(result.right)
        : driver.next(result.left).pipe(
          Effect.catchAll(() => Effect.fail(onEnd(result.left))),
          Effect.zipRight(Effect.suspend(() => loop))
        ))
    return loop
  })

/**
 * Queries the run until its status is in {@link settledStatuses}, stepping the schedule (with the last run)
 * between queries; a schedule that ends, or `timeout`, fails with an `HttpError` of reason `Timeout`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const poll = <I, E>(
  operation: string,
  query: (input: I) => Effect.Effect<Run, E>,
  input: I,
  options: PollOptions | undefined
): Effect.Effect<Run, E | HttpError | ValidationError> =>
  Effect.gen(function*() {
    const checked = yield* checkOptions(operation, PollCallOptions, options)
    const loop = pollUntil(
      checked?.schedule ?? defaultSchedule,
      Effect.map(query(input), (run) => settledStatuses.has(run.status) ? Either.right(run) : Either.left(run)),
      (run) =>
        HttpError.timeout({
          operation,
          description: `the poll schedule ended before run ${run.id} settled (status ${run.status})`
        })
    )
    const timeout = checked?.timeout
    if (timeout === undefined) return yield* loop
    return yield* Effect.timeoutFail(loop, {
      duration: timeout,
      onTimeout: () =>
        HttpError.timeout({
          operation,
          description: `the run did not settle within ${Duration.format(Duration.decode(timeout))}`
        })
    })
  })
