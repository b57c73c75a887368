import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { HttpError, RunFailed } from "../src/AppBuilderError.js"
import { runStream } from "../src/internal/runStream.js"
import * as RunEvent from "../src/RunEvent.js"
import {
  decodeChunks,
  defaultOptions,
  encode,
  runBegin,
  runEnd,
  statusEvent,
  text,
  transcript
} from "./fixtures/transcripts.js"

const events = (results: ReadonlyArray<Either.Either<RunEvent.RunEvent, unknown>>) =>
  results.filter(Either.isRight).map((r) => r.right)

const failure = (results: ReadonlyArray<Either.Either<RunEvent.RunEvent, HttpError | RunFailed>>) => {
  const last = results[results.length - 1]
  return last !== undefined && Either.isLeft(last) ? Option.some(last.left) : Option.none()
}

const tags = (results: ReadonlyArray<Either.Either<RunEvent.RunEvent, unknown>>) => events(results).map((e) => e._tag)

const decodeText = (...parts: ReadonlyArray<string>) => decodeChunks(parts.map(encode))

const assertHttpError = (
  error: Option.Option<HttpError | RunFailed>,
  reason: HttpError["reason"]
): HttpError => {
  assert.isTrue(Option.isSome(error), "expected a failure")
  const e = Option.getOrThrow(error)
  assert.instanceOf(e, HttpError)
  if (!(e instanceof HttpError)) throw new Error("unreachable")
  assert.strictEqual(e.reason, reason)
  assert.strictEqual(e.operation, "Runs.stream")
  return e
}

const assertRunFailed = (error: Option.Option<HttpError | RunFailed>): RunFailed => {
  assert.isTrue(Option.isSome(error), "expected a failure")
  const e = Option.getOrThrow(error)
  assert.instanceOf(e, RunFailed)
  if (!(e instanceof RunFailed)) throw new Error("unreachable")
  return e
}

describe("transcripts of spec §5.9", () => {
  it.effect("(a) plain answer: every event with its fields", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([transcript("a")])
      assert.isTrue(Option.isNone(failure(results)))
      assert.deepStrictEqual(tags(results), [
        "RunBegin",
        "ToolStepBegin",
        "MessageCreation",
        "MessageDelta",
        "MessageDelta",
        "MessageDelta",
        "ToolStepEnd",
        "RunEnd"
      ])
      const [begin, stepBegin, creation, d1, d2, d3, stepEnd, end] = events(results)
      assert(RunEvent.isRunBegin(begin))
      assert.strictEqual(begin.sendId, 1)
      assert.strictEqual(begin.status, "queued")
      assert.strictEqual(begin.message, "begin to run. logId:3b9d2f6e-8a41-4c7e-9f12-6d5a0b7c8e91")
      assert.strictEqual(begin.runId, "run_0d1e2f3a4b5c46d7e8f9a0b1c2d3e4f5")
      assert.strictEqual(begin.threadId, "thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4")
      assert.strictEqual(begin.assistantId, "asst_3f6b2a1c9d8e4f70a1b2c3d4e5f60718")
      assert.strictEqual(begin.run.instructions, "每句话回复前都加上我是秦始皇")
      assert.strictEqual(begin.run.startedAt, 1717645517270)
      assert(RunEvent.isToolStepBegin(stepBegin))
      assert.strictEqual(stepBegin.stepId, "step-1")
      assert.strictEqual(stepBegin.runId, "run_0d1e2f3a4b5c46d7e8f9a0b1c2d3e4f5")
      assert.strictEqual(stepBegin.status, "in_progress")
      assert(RunEvent.isMessageCreation(creation))
      assert.strictEqual(creation.messageId, "chatmsg_5e6f7a8b9c0d41e2f3a4b5c6d7e8f9a0")
      assert(RunEvent.isMessageDelta(d1) && RunEvent.isMessageDelta(d2) && RunEvent.isMessageDelta(d3))
      assert.deepStrictEqual([d1.text, d2.text, d3.text], ["我是秦始皇，", "你好！\n很高兴", "见到你。"])
      assert.deepStrictEqual([d1.isEnd, d2.isEnd, d3.isEnd], [false, false, true])
      assert.deepStrictEqual([d1.sendId, d2.sendId, d3.sendId], [4, 5, 6])
      assert.strictEqual(d1.messageId, "chatmsg_5e6f7a8b9c0d41e2f3a4b5c6d7e8f9a0")
      assert.strictEqual(d1.finishReason, undefined)
      assert.strictEqual(d3.finishReason, "normal")
      assert.strictEqual(d3.status, "completed")
      assert.strictEqual(d1.content[0]?.text?.value, "我是秦始皇，")
      assert(RunEvent.isToolStepEnd(stepEnd))
      assert.strictEqual(stepEnd.status, "completed")
      assert.strictEqual(stepEnd.step.completedAt, 1717645520118)
      assert(RunEvent.isRunEnd(end))
      assert.strictEqual(end.status, "completed")
      assert.strictEqual(end.run.status, "completed")
      assert.strictEqual(end.sendId, 8)
    }))

  it.effect("(b) function call: the ping is not emitted, tool calls are decoded", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([transcript("b")])
      assert.isTrue(Option.isNone(failure(results)))
      assert.deepStrictEqual(tags(results), [
        "RunBegin",
        "ToolStepBegin",
        "ToolCalls",
        "ToolSubmittedOutput",
        "ToolStepEnd",
        "ToolStepBegin",
        "MessageCreation",
        "MessageDelta",
        "MessageDelta",
        "ToolStepEnd",
        "RunEnd"
      ])
      const all = events(results)
      const calls = all[2]
      assert(RunEvent.isToolCalls(calls))
      assert.strictEqual(calls.status, "requires_action")
      assert.strictEqual(calls.toolCalls.length, 1)
      const call = calls.toolCalls[0]!
      assert.strictEqual(
        call.id,
        "call-thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4-run_7c2d9e4f1a3b45c6d7e8f90a1b2c3d4e-step-1"
      )
      assert.strictEqual(call.type, "function")
      assert.strictEqual(call.function?.name, "get_cur_whether")
      assert.strictEqual(call.function?.arguments, "{\"location\":\"北京\",\"unit\":\"摄氏度\"}")
      assert.strictEqual(call.function?.output, "")
      const submitted = all[3]
      assert(RunEvent.isToolSubmittedOutput(submitted))
      assert.strictEqual(submitted.toolCalls[0]?.function?.output, "北京 的当前温度是30 摄氏度")
      const step2 = all[5]
      assert(RunEvent.isToolStepBegin(step2))
      assert.strictEqual(step2.stepId, "step-2")
      const end = all[10]
      assert(RunEvent.isRunEnd(end))
      assert.strictEqual(end.run.tools?.[0]?.function?.name, "get_cur_whether")
    }))

  it.effect("(c) cancelled run: RunEnd is emitted, then the stream fails with RunFailed", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([transcript("c")])
      assert.deepStrictEqual(tags(results), ["RunBegin", "ToolStepBegin", "RunCancelling", "ToolStepEnd", "RunEnd"])
      const cancelling = events(results)[2]
      assert(RunEvent.isRunCancelling(cancelling))
      assert.strictEqual(cancelling.status, "cancelling")
      assert.strictEqual(cancelling.runId, "run_5a6b7c8d9e0f41a2b3c4d5e6f7a8b9c0")
      const error = assertRunFailed(failure(results))
      assert.strictEqual(error.status, "cancelled")
      assert.strictEqual(error.runId, "run_5a6b7c8d9e0f41a2b3c4d5e6f7a8b9c0")
      assert.strictEqual(error.threadId, "thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4")
      assert.strictEqual(error.operation, "Runs.stream")
      assert.strictEqual(error.lastError, undefined)
    }))

  it.effect("(c) a cancelled run always fails with RunFailed: the SDK cancels only streams nobody reads", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([transcript("c")], defaultOptions)
      assert.deepStrictEqual(tags(results), ["RunBegin", "ToolStepBegin", "RunCancelling", "ToolStepEnd", "RunEnd"])
      assert.strictEqual(assertRunFailed(failure(results)).status, "cancelled")
    }))
})

describe("terminal statuses", () => {
  it.effect("failed: RunEnd then RunFailed with the run's last_error", () =>
    Effect.gen(function*() {
      const results = yield* decodeText(
        runBegin,
        runEnd("failed", { failed_at: 5, last_error: { type: "server_error", message: "model crashed" } })
      )
      assert.deepStrictEqual(tags(results), ["RunBegin", "RunEnd"])
      const error = assertRunFailed(failure(results))
      assert.strictEqual(error.status, "failed")
      assert.strictEqual(error.runId, "run_1")
      assert.strictEqual(error.threadId, "thread_1")
      assert.deepStrictEqual(error.lastError, { type: "server_error", message: "model crashed" })
    }))

  it.effect("expired: RunEnd then RunFailed", () =>
    Effect.gen(function*() {
      const results = yield* decodeChunks([encode(runBegin + runEnd("expired", { expired_at: 5 }))], defaultOptions)
      assert.deepStrictEqual(tags(results), ["RunBegin", "RunEnd"])
      const error = assertRunFailed(failure(results))
      assert.strictEqual(error.status, "expired")
      assert.strictEqual(error.lastError, undefined)
    }))

  it.effect("completed: the stream ends right after RunEnd, whatever follows", () =>
    Effect.gen(function*() {
      // a stream that would never end after run_end
      const results = yield* runStream(
        Stream.make(encode(runBegin + runEnd("completed"))).pipe(Stream.concat(Stream.never)),
        defaultOptions
      ).pipe(Stream.runCollect, Effect.map(Chunk.toArray))
      assert.deepStrictEqual(results.map((e) => e._tag), ["RunBegin", "RunEnd"])
      // events after run_end are not read
      const more = yield* decodeText(runBegin + runEnd("completed") + runEnd("completed", {}, 3))
      assert.deepStrictEqual(tags(more), ["RunBegin", "RunEnd"])
      assert.isTrue(Option.isNone(failure(more)))
    }))
})

describe("stream ended early", () => {
  it.effect("bytes ending before run_end → HttpError StreamEnded, after the events", () =>
    Effect.gen(function*() {
      const full = text("a")
      const withoutEnd = full.slice(0, full.lastIndexOf("event: status"))
      const results = yield* decodeText(withoutEnd)
      assert.strictEqual(tags(results).length, 7)
      assertHttpError(failure(results), "StreamEnded")
    }))

  it.effect("a truncated run_end line → StreamEnded (not a JSON error)", () =>
    Effect.gen(function*() {
      const full = text("a")
      const results = yield* decodeText(full.slice(0, full.length - 40))
      assert.strictEqual(tags(results).length, 7)
      assertHttpError(failure(results), "StreamEnded")
    }))

  it.effect("an empty body → StreamEnded", () =>
    Effect.gen(function*() {
      const results = yield* decodeText()
      assert.deepStrictEqual(tags(results), [])
      assertHttpError(failure(results), "StreamEnded")
    }))

  it.effect("a final run_end without its empty line is still the end", () =>
    Effect.gen(function*() {
      const full = text("a")
      const results = yield* decodeText(full.slice(0, full.length - 1))
      assert.strictEqual(tags(results).length, 8)
      assert.isTrue(Option.isNone(failure(results)))
    }))

  it.effect("an upstream HttpError is propagated after the events before it", () =>
    Effect.gen(function*() {
      const broken = new HttpError({
        reason: "Transport",
        operation: "Runs.stream",
        description: "the event stream broke"
      })
      const results = yield* runStream(
        Stream.make(encode(runBegin)).pipe(Stream.concat(Stream.fail(broken))),
        defaultOptions
      ).pipe(Stream.either, Stream.runCollect, Effect.map(Chunk.toArray))
      assert.deepStrictEqual(tags(results), ["RunBegin"])
      assert.strictEqual(assertHttpError(failure(results), "Transport"), broken)
    }))
})

describe("idle timeout (TestClock)", () => {
  it.effect("no event for the idle timeout → HttpError Timeout", () =>
    Effect.gen(function*() {
      const fiber = yield* runStream(
        Stream.make(encode(runBegin)).pipe(Stream.concat(Stream.never)),
        { operation: "Runs.stream", idleTimeout: "90 seconds" }
      ).pipe(Stream.runDrain, Effect.flip, Effect.fork)
      yield* TestClock.adjust("89999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      assert.instanceOf(error, HttpError)
      if (!(error instanceof HttpError)) return
      assert.strictEqual(error.reason, "Timeout")
      assert.strictEqual(error.operation, "Runs.stream")
      assert.include(error.description, "1m 30s")
    }))

  it.effect("the first event is awaited for the idle timeout too", () =>
    Effect.gen(function*() {
      const fiber = yield* runStream(Stream.never, { operation: "Runs.stream", idleTimeout: "5 seconds" }).pipe(
        Stream.runDrain,
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(error instanceof HttpError && error.reason === "Timeout")
    }))

  it.effect("pings count as life; the timeout starts again after the last one", () =>
    Effect.gen(function*() {
      const pings = Stream.tick("30 seconds").pipe(Stream.take(5), Stream.as(encode("event: ping\ndata: {}\n\n")))
      const received = yield* Ref.make(0)
      const fiber = yield* runStream(
        Stream.make(encode(runBegin)).pipe(Stream.concat(pings), Stream.concat(Stream.never)),
        { operation: "Runs.stream", idleTimeout: "90 seconds" }
      ).pipe(
        Stream.tap(() => Ref.update(received, (n) => n + 1)),
        Stream.runDrain,
        Effect.flip,
        Effect.fork
      )
      // ticks at 0, 30, 60, 90 and 120 s: silence starts at 120 s, the timeout fires at 210 s
      yield* TestClock.adjust("209 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(error instanceof HttpError && error.reason === "Timeout")
      assert.strictEqual(yield* Ref.get(received), 1) // pings are not emitted
    }))

  it.effect("the time a consumer spends on an event does not count", () =>
    Effect.gen(function*() {
      const fiber = yield* runStream(Stream.make(encode(runBegin + runEnd("completed"))), {
        operation: "Runs.stream",
        idleTimeout: "1 second"
      }).pipe(
        Stream.tap(() => Effect.sleep("10 seconds")),
        Stream.runCollect,
        Effect.fork
      )
      yield* TestClock.adjust("30 seconds")
      const out = yield* Fiber.join(fiber)
      assert.deepStrictEqual(Chunk.toArray(out).map((e) => e._tag), ["RunBegin", "RunEnd"])
    }))
})

describe("unknown and malformed events", () => {
  it.effect("an unknown SSE event name → Unknown (raw JSON kept), never a failure", () =>
    Effect.gen(function*() {
      const results = yield* decodeText(
        runBegin,
        "event: progress\ndata: {\"send_id\":2,\"percent\":50}\n\n",
        "event: weird\ndata: not json\n\n",
        runEnd("completed", {}, 3)
      )
      assert.deepStrictEqual(tags(results), ["RunBegin", "Unknown", "Unknown", "RunEnd"])
      const [, progress, weird] = events(results)
      assert(RunEvent.isUnknown(progress) && RunEvent.isUnknown(weird))
      assert.strictEqual(progress.event, "progress")
      assert.strictEqual(progress.sendId, 2)
      assert.strictEqual(progress.eventType, "")
      assert.deepStrictEqual(progress.raw, { send_id: 2, percent: 50 })
      assert.strictEqual(weird.raw, "not json")
      assert.strictEqual(weird.data, "not json")
    }))

  it.effect("an unknown event_type of a status event → Unknown", () =>
    Effect.gen(function*() {
      const payload = { status: "in_progress", send_id: 2, message: "thinking", event_type: "thought", details: null }
      const results = yield* decodeText(runBegin, statusEvent(payload), runEnd("completed", {}, 3))
      const unknown = events(results)[1]
      assert(RunEvent.isUnknown(unknown))
      assert.strictEqual(unknown.event, "status")
      assert.strictEqual(unknown.eventType, "thought")
      assert.strictEqual(unknown.status, "in_progress")
      assert.strictEqual(unknown.sendId, 2)
      assert.deepStrictEqual(unknown.raw, payload)
      assert.isTrue(Option.isNone(failure(results)))
    }))

  it.effect("invalid JSON in a status data line → HttpError Decode, after the events before it", () =>
    Effect.gen(function*() {
      const results = yield* decodeText(runBegin, "event: status\ndata: {\"status\":\n\n", runEnd("completed"))
      assert.deepStrictEqual(tags(results), ["RunBegin"])
      const error = assertHttpError(failure(results), "Decode")
      assert.include(error.description, "invalid JSON in a status event")
      assert.strictEqual(error.body, "{\"status\":")
    }))

  it.effect("invalid JSON in a message data line → HttpError Decode", () =>
    Effect.gen(function*() {
      const results = yield* decodeText(runBegin, "event: message\ndata: oops\n\n")
      assertHttpError(failure(results), "Decode")
    }))

  it.effect("a run_begin without its run object → HttpError Decode", () =>
    Effect.gen(function*() {
      const results = yield* decodeText(
        statusEvent({ status: "queued", send_id: 1, message: "", event_type: "run_begin", details: null })
      )
      assert.include(assertHttpError(failure(results), "Decode").description, "details.run_object")
    }))

  it.effect("lenient decoding: absent fields get the official defaults, is_end as boolean", () =>
    Effect.gen(function*() {
      const results = yield* decodeText(
        runBegin,
        statusEvent({ event_type: "message_creation" }),
        "event: message\ndata: {\"content\":{\"type\":\"text\",\"text\":{\"value\":\"hi\"}},\"is_end\":true}\n\n",
        "event: message\ndata: {\"content\":null}\n\n",
        runEnd("completed")
      )
      assert.deepStrictEqual(tags(results), ["RunBegin", "MessageCreation", "MessageDelta", "MessageDelta", "RunEnd"])
      const [, creation, d1, d2] = events(results)
      assert(RunEvent.isMessageCreation(creation))
      assert.strictEqual(creation.messageId, "")
      assert.strictEqual(creation.sendId, 0)
      assert(RunEvent.isMessageDelta(d1) && RunEvent.isMessageDelta(d2))
      assert.strictEqual(d1.text, "hi")
      assert.isTrue(d1.isEnd)
      assert.strictEqual(d2.text, "")
      assert.deepStrictEqual(d2.content, [])
    }))
})
