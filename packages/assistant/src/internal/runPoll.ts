/**
 * `Runs.poll`: query a run until it settles, waiting on a `Schedule` between queries.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { HttpError, type ValidationError } from "../AppBuilderError.js"
import type { Run } from "./models/run.js"
import { orUndefined } from "./requestSchema.js"
import { checkOptions } from "./runRequest.js"

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

const AnySchedule = Schema.declare(
  (input): input is Schedule.Schedule<unknown, Run> => Schedule.isSchedule(input),
  { title: "a Schedule" }
)

const DurationInput = Schema.declare(
  (input): input is Duration.DurationInput => Option.isSome(Duration.decodeUnknown(input)),
  { title: "a duration (e.g. \"30 seconds\" or a number of milliseconds)" }
)

const PollCallOptions: Schema.Schema<PollOptions> = Schema.Struct({
  schedule: Schema.optionalWith(orUndefined(AnySchedule), { exact: true }),
  timeout: Schema.optionalWith(orUndefined(DurationInput), { exact: true })
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
    const driver = yield* Schedule.driver(checked?.schedule ?? defaultSchedule)
    const loop: Effect.Effect<Run, E | HttpError> = Effect.flatMap(query(input), (run) =>
      settledStatuses.has(run.status)
        ? Effect.succeed(run)
        : driver.next(run).pipe(
          Effect.catchAll(() =>
            Effect.fail(HttpError.timeout({
              operation,
              description: `the poll schedule ended before run ${run.id} settled (status ${run.status})`
            }))
          ),
          Effect.zipRight(Effect.suspend(() => loop))
        ))
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
