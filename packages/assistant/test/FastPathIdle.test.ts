/**
 * The run stream's idle timeout is one watchdog (not a race per pull, see `runStream.ts`): it fires
 * exactly `idleTimeout` after the pull that waits, however many pulls came before, and a stream it
 * stops releases what it was reading. On a `TestClock` the watchdog is a fiber sleeping on it; on the
 * live clock it is one `setTimeout` (no fiber), checked here with short real timeouts.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { HttpError } from "../src/AppBuilderError.js"
import { runStream } from "../src/internal/runStream.js"
import { encode, runBegin, runEnd } from "./fixtures/transcripts.js"

/** A `message` event: one text delta. */
const text = (value: string, sendId: number): string =>
  `event: message\ndata: ${
    JSON.stringify({
      status: "in_progress",
      send_id: sendId,
      is_end: 0,
      message_id: "msg-1",
      content: [{ type: "text", text: { value, annotations: null } }]
    })
  }\n\n`

const options = { operation: "Runs.stream", idleTimeout: "5 seconds" } as const

describe("idle timeout watchdog (TestClock)", () => {
  it.effect("events 4 s apart, each within the 5 s idle timeout, never time out", () =>
    Effect.gen(function*() {
      const deltas = Stream.range(1, 10).pipe(
        Stream.mapEffect((i) => Effect.as(Effect.sleep("4 seconds"), encode(text(`${i} `, i + 1)))),
        Stream.concat(Stream.fromEffect(Effect.as(Effect.sleep("4 seconds"), encode(runEnd("completed", {}, 12)))))
      )
      const fiber = yield* runStream(Stream.make(encode(runBegin)).pipe(Stream.concat(deltas)), options).pipe(
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("44 seconds")
      const out = Chunk.toArray(yield* Fiber.join(fiber))
      assert.strictEqual(out.length, 12)
      assert.strictEqual(out[11]?._tag, "RunEnd")
    }))

  it.effect("a silence after many pulls fires exactly at the idle timeout, and stops the upstream", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(false)
      const upstream = Stream.make(encode(runBegin)).pipe(
        Stream.concat(Stream.fromEffect(Effect.as(Effect.sleep("3 seconds"), encode(text("a", 2))))),
        Stream.concat(Stream.never),
        Stream.ensuring(Ref.set(released, true))
      )
      const fiber = yield* runStream(upstream, options).pipe(Stream.runDrain, Effect.flip, Effect.fork)
      // the last event came at 3 s: the timeout fires at 8 s
      yield* TestClock.adjust("7999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      assert.isFalse(yield* Ref.get(released))
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(error instanceof HttpError && error.reason === "Timeout")
      assert.isTrue(yield* Ref.get(released))
    }))

  it.effect("a consumer that stops early stops the upstream too", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(false)
      const upstream = Stream.make(encode(runBegin), encode(text("a", 2))).pipe(
        Stream.concat(Stream.never),
        Stream.ensuring(Ref.set(released, true))
      )
      const out = yield* runStream(upstream, options).pipe(Stream.take(2), Stream.runCollect)
      assert.deepStrictEqual(Chunk.toArray(out).map((event) => event._tag), ["RunBegin", "MessageDelta"])
      assert.isTrue(yield* Ref.get(released))
    }))
})

describe("idle timeout watchdog (live clock: a timer, no fiber)", () => {
  const live = { operation: "Runs.stream", idleTimeout: "40 millis" } as const

  it.live("a silence after some events fails with Timeout and stops the upstream", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(false)
      const upstream = Stream.make(encode(runBegin), encode(text("a", 2))).pipe(
        Stream.concat(Stream.never),
        Stream.ensuring(Ref.set(released, true))
      )
      const seen = yield* Ref.make(0)
      const error = yield* runStream(upstream, live).pipe(
        Stream.runForEach(() => Ref.update(seen, (n) => n + 1)),
        Effect.flip
      )
      assert.isTrue(
        error instanceof HttpError && error.reason === "Timeout" && error.description === "no event received for 40ms",
        String(error)
      )
      assert.strictEqual(yield* Ref.get(seen), 2)
      assert.isTrue(yield* Ref.get(released))
    }))
})
