/**
 * The implementation of the accumulation helpers of `RunEvent`: the answer text (whole, or as it grows)
 * and the final run with its text.
 *
 * @since 0.1.0
 * @internal
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RunEnd, RunEvent } from "../RunEvent.js"
import type { Run } from "./models/run.js"

/**
 * The end of a run stream: its {@link RunEnd} event, the run it carries and the answer text.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export interface FinalRun {
  /** The run as the `run_end` event reports it (its terminal `status`, `lastError`, usage, …). */
  readonly run: Run
  /** The text of every `MessageDelta` of the stream, concatenated. */
  readonly text: string
  /** The `run_end` event itself. */
  readonly runEnd: RunEnd
}

const deltaText = (event: RunEvent): string => (event._tag === "MessageDelta" ? event.text : "")

/**
 * The whole answer text: the text of every `MessageDelta`, concatenated.
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const text = <E, R>(self: Stream.Stream<RunEvent, E, R>): Effect.Effect<string, E, R> =>
  Stream.runFold(self, "", (acc, event) => acc + deltaText(event))

/**
 * The answer text as it grows: the text so far, once per non-empty `MessageDelta`.
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const accumulateText = <E, R>(self: Stream.Stream<RunEvent, E, R>): Stream.Stream<string, E, R> =>
  self.pipe(
    Stream.map(deltaText),
    Stream.filter((delta) => delta !== ""),
    Stream.mapAccum("", (acc, delta) => {
      const next = acc + delta
      return [next, next]
    })
  )

/**
 * The run of the stream's `RunEnd` with the answer text; `NoSuchElementException` when the stream ended
 * without a `RunEnd`.
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const finalRun = <E, R>(
  self: Stream.Stream<RunEvent, E, R>
): Effect.Effect<FinalRun, E | Cause.NoSuchElementException, R> =>
  Stream.runFold(
    self,
    { text: "", runEnd: Option.none<RunEnd>() },
    (acc, event) =>
      event._tag === "RunEnd"
        ? { text: acc.text, runEnd: Option.some(event) }
        : { text: acc.text + deltaText(event), runEnd: acc.runEnd }
  ).pipe(
    Effect.flatMap(({ runEnd, text }) =>
      Option.match(runEnd, {
        onNone: () => Effect.fail(new Cause.NoSuchElementException("the run stream ended without a RunEnd event")),
        onSome: (event): Effect.Effect<FinalRun> => Effect.succeed({ run: event.run, text, runEnd: event })
      })
    )
  )
