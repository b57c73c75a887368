/**
 * The spans of a run stream: `Runs.stream` is a child of the caller's span, and every call the stream
 * makes is its child, whenever it is made: the stream's own request (`http.client POST`, whose request id
 * annotates `Runs.stream`), the calls that follow a run after its stream broke, and the cancellation of a
 * run whose stream was stopped early; `Runs.stream` ends with the stream.
 */
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type * as Tracer from "effect/Tracer"
import * as Emulated from "./utils/Emulated.js"
import { recordSpans } from "./utils/RecordSpans.js"
import * as ResumeMatrix from "./utils/ResumeMatrix.js"

/** Runs `effect` in a fiber and moves the TestClock until it is done (the polling after a break waits). */
const settle = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 200; i++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) break
      yield* TestClock.adjust("100 millis")
    }
    return yield* Fiber.join(fiber)
  })

const parentOf = (span: Tracer.Span): string | undefined =>
  Option.getOrUndefined(Option.map(span.parent, (parent) => parent.spanId))

/** The spans named `name` (at least one), and the one `Runs.stream` span, child of the `outer` span. */
const streamSpans = (spans: ReadonlyArray<Tracer.Span>, name: string) => {
  const outer = spans.filter((span) => span.name === "outer")
  const stream = spans.filter((span) => span.name === "Runs.stream")
  assert.strictEqual(outer.length, 1)
  assert.strictEqual(stream.length, 1)
  assert.strictEqual(parentOf(stream[0]!), outer[0]!.spanId)
  const named = spans.filter((span) => span.name === name)
  assert.isAbove(named.length, 0, name)
  return { stream: stream[0]!, named }
}

describe("run stream spans", () => {
  it.effect("the stream's request is a child of Runs.stream, whose request id it records", () =>
    Effect.gen(function*() {
      const { recording, spans } = yield* recordSpans
      const runs = yield* Runs.Runs
      const { assistantId, newThread } = yield* ResumeMatrix.setup("你好")
      const threadId = yield* newThread
      const events = yield* Stream.runCollect(runs.stream({ assistantId, threadId })).pipe(
        Effect.withSpan("outer"),
        Effect.withTracer(recording)
      )
      assert.strictEqual([...events].at(-1)?._tag, "RunEnd")
      const { named, stream } = streamSpans(spans, "http.client POST")
      assert.strictEqual(named.length, 1)
      assert.strictEqual(parentOf(named[0]!), stream.spanId)
      assert.match(String(stream.attributes.get("appbuilder.request_id")), /^[0-9a-f-]{36}$/)
      assert.strictEqual(stream.attributes.get("appbuilder.run_status"), "completed")
      // the span ends with the stream, with its exit
      assert.strictEqual(stream.status._tag, "Ended")
      if (stream.status._tag === "Ended") assert.isTrue(Exit.isSuccess(stream.status.exit))
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("after a break, the calls that follow the run are children of Runs.stream", () =>
    Effect.gen(function*() {
      const { recording, spans } = yield* recordSpans
      const runs = yield* Runs.Runs
      const state = yield* EmulatorState.EmulatorState
      const { assistantId, newThread } = yield* ResumeMatrix.setup("你好")
      const threadId = yield* newThread
      yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(2))
      const events = yield* settle(
        Stream.runCollect(runs.stream({ assistantId, threadId })).pipe(
          Effect.withSpan("outer"),
          Effect.withTracer(recording)
        )
      )
      assert.include([...events].map((event) => event._tag), "Resumed")
      assert.strictEqual([...events].at(-1)?._tag, "RunEnd")
      const { named, stream } = streamSpans(spans, "Runs.query")
      for (const span of named) assert.strictEqual(parentOf(span), stream.spanId)
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("the cancellation of a run stopped early is a child of Runs.stream", () =>
    Effect.gen(function*() {
      const { recording, spans } = yield* recordSpans
      const runs = yield* Runs.Runs
      const { assistantId, newThread } = yield* ResumeMatrix.setup("你好")
      const threadId = yield* newThread
      yield* Stream.runDrain(Stream.take(runs.stream({ assistantId, threadId }), 1)).pipe(
        Effect.withSpan("outer"),
        Effect.withTracer(recording)
      )
      const { named, stream } = streamSpans(spans, "Runs.cancel")
      assert.strictEqual(named.length, 1)
      assert.strictEqual(stream.status._tag, "Ended")
      assert.strictEqual(parentOf(named[0]!), stream.spanId)
    }).pipe(Effect.provide(Emulated.layer())))
})
