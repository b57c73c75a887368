/**
 * The accumulation helpers of `RunEvent`: `text`, `accumulateText` and `finalRun`, on hand-made event
 * streams and on the in-process emulator.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { runStream } from "../src/internal/runStream.js"
import { defaultOptions, transcript } from "./fixtures/transcripts.js"
import * as Emulated from "./utils/Emulated.js"

const delta = (sendId: number, text: string) =>
  new RunEvent.MessageDelta({
    sendId,
    status: "in_progress",
    messageId: "chatmsg_1",
    text,
    isEnd: false,
    content: []
  })

const unknown = (sendId: number) =>
  new RunEvent.Unknown({ event: "custom", eventType: "", sendId, status: "", data: "{}", raw: {} })

/** The `RunEnd` of the plain-answer transcript (spec §5.9 a). */
const transcriptRunEnd = runStream(Stream.make(transcript("a")), defaultOptions).pipe(
  Stream.filter(RunEvent.isRunEnd),
  Stream.runHead,
  Effect.flatten
)

const handMade: ReadonlyArray<RunEvent.RunEvent> = [
  delta(1, "你"),
  unknown(2),
  delta(3, ""),
  delta(4, "好"),
  delta(5, "！")
]

describe("RunEvent accumulation helpers", () => {
  it.effect("text concatenates the deltas and ignores other events", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* RunEvent.text(Stream.fromIterable(handMade)), "你好！")
      assert.strictEqual(yield* Stream.make(unknown(1)).pipe(RunEvent.text), "")
    }))

  it.effect("text fails as the stream does", () =>
    Effect.gen(function*() {
      const failing = Stream.concat(Stream.make(delta(1, "a")), Stream.fail("boom" as const))
      const result = yield* Effect.either(RunEvent.text(failing))
      assert.deepStrictEqual(result, Either.left("boom" as const))
    }))

  it.effect("accumulateText emits the text so far once per non-empty delta", () =>
    Effect.gen(function*() {
      const grown = yield* Stream.fromIterable(handMade).pipe(RunEvent.accumulateText, Stream.runCollect)
      assert.deepStrictEqual(Chunk.toReadonlyArray(grown), ["你", "你好", "你好！"])
    }))

  it.effect("finalRun returns the run of the RunEnd with the text", () =>
    Effect.gen(function*() {
      const runEnd = yield* transcriptRunEnd
      const final = yield* RunEvent.finalRun(Stream.make(delta(1, "晴，"), unknown(2), delta(3, "25度"), runEnd))
      assert.strictEqual(final.text, "晴，25度")
      assert.strictEqual(final.runEnd, runEnd)
      assert.strictEqual(final.run, runEnd.run)
      assert.strictEqual(final.run.status, "completed")
    }))

  it.effect("finalRun fails with NoSuchElementException when no RunEnd arrives", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(RunEvent.finalRun(Stream.fromIterable(handMade)))
      assert.isTrue(Either.isLeft(result) && Cause.isNoSuchElementException(result.left))
    }))

  it.effect("on the emulator: text, accumulateText and finalRun agree with the stored answer", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const runs = yield* Runs.Runs
      const state = yield* EmulatorState.EmulatorState
      const assistant = yield* assistants.create({ name: "accumulator" })
      // a fresh thread per run; the answer as the emulator stored it
      const ask = Effect.map(threads.create({ messages: [{ content: "你好" }] }), (thread) => ({
        events: runs.stream({ assistantId: assistant.id, threadId: thread.id }),
        stored: Effect.map(
          state.messages(thread.id),
          (messages) => messages.filter((message) => message.role === "assistant").map((message) => message.content)
        )
      }))

      const first = yield* ask
      const final = yield* RunEvent.finalRun(first.events)
      assert.strictEqual(final.run.status, "completed")
      assert.isAbove(final.text.length, 0)
      assert.deepStrictEqual(yield* first.stored, [final.text])

      const second = yield* ask
      const text = yield* RunEvent.text(second.events)
      assert.deepStrictEqual(yield* second.stored, [text])

      const third = yield* ask
      const grown = Chunk.toReadonlyArray(yield* Stream.runCollect(RunEvent.accumulateText(third.events)))
      assert.isAbove(grown.length, 1, "the answer arrives in several deltas")
      grown.forEach((prefix, i) => assert.isTrue(i === 0 || prefix.startsWith(grown[i - 1] ?? "")))
      assert.deepStrictEqual(yield* third.stored, [grown[grown.length - 1]])
    }).pipe(Effect.provide(Emulated.layer())))
})
