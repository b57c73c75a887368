/**
 * A tracer recording every span it makes, over the current one (the spans keep their attributes,
 * events and end status): `Effect.withTracer(recording)` around what a test observes, then read `spans`.
 */
import * as Effect from "effect/Effect"
import * as Tracer from "effect/Tracer"

export const recordSpans: Effect.Effect<{
  readonly spans: Array<Tracer.Span>
  readonly recording: Tracer.Tracer
}> = Effect.gen(function*() {
  const spans: Array<Tracer.Span> = []
  const tracer = yield* Effect.tracer
  const recording = Tracer.make({
    span: (...args) => {
      const span = tracer.span(...args)
      spans.push(span)
      return span
    },
    context: tracer.context
  })
  return { spans, recording }
})
