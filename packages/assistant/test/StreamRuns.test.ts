/**
 * `Runs.stream` over the real client stack (AppBuilderClient + a scripted HttpClient): validation,
 * events, and the cancel-on-early-stop finalizer.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Data from "effect/Data"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RunEvent from "../src/RunEvent.js"
import * as Runs from "../src/Runs.js"
import { encode, runObject, text as transcriptText } from "./fixtures/transcripts.js"
import { json, layerWith, makeMock, type Mock, type Recorded, type Reply, text } from "./utils/MockHttp.js"

const RUN_B = "run_7c2d9e4f1a3b45c6d7e8f90a1b2c3d4e"
const THREAD = "thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4"
const input: Runs.RunInput = { assistantId: "asst_3f6b2a1c9d8e4f70a1b2c3d4e5f60718", threadId: THREAD }

const PING = "event: ping\ndata: {}\n\n"
/** Transcript (b) up to the ping after `tool_calls`: the stream then waits for tool outputs. */
const partOne = (() => {
  const full = transcriptText("b")
  return full.slice(0, full.indexOf(PING) + PING.length)
})()

/** An SSE body that the test feeds and that records whether the client cancelled it. */
const openBody = () => {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  let cancelled = false
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
    cancel() {
      cancelled = true
    }
  })
  return {
    body,
    push: (value: string) => controller?.enqueue(encode(value)),
    close: () => controller?.close(),
    isCancelled: () => cancelled
  }
}

type Body = ReturnType<typeof openBody>

const sse = (body: Body): Response =>
  new Response(body.body, { status: 200, headers: { "content-type": "text/event-stream; charset=utf-8" } })

interface Options {
  readonly cancel?: ((request: Recorded) => Effect.Effect<Reply> | Reply) | undefined
}

const server = (body: Body, options: Options = {}) => (request: Recorded): Effect.Effect<Reply> | Reply => {
  switch (request.path) {
    case "/v2/threads/runs":
      return sse(body)
    case "/v2/threads/runs/cancel":
      return options.cancel?.(request) ?? json(runObject("cancelling", { id: RUN_B, thread_id: THREAD }))
    default:
      return text("not found", 404)
  }
}

const paths = (mock: Mock) => Effect.map(Ref.get(mock.requests), (all) => all.map((r) => r.path))

const withRuns = <A, E>(mock: Mock, f: (runs: Runs.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(Runs.Runs, f).pipe(Effect.provide(layerWith(mock)))

/** Forks a consumer that signals when it saw `ToolCalls`, and waits for that. */
const consumeUntilToolCalls = (mock: Mock) =>
  Effect.gen(function*() {
    const seen = yield* Deferred.make<void>()
    const fiber = yield* withRuns(mock, (runs) =>
      runs.stream(input).pipe(
        Stream.runForEach((event) => RunEvent.isToolCalls(event) ? Deferred.succeed(seen, undefined) : Effect.void)
      )).pipe(Effect.fork)
    yield* Deferred.await(seen)
    return fiber
  })

/** The run was cancelled with exactly one cancel request naming it, and the response body was aborted. */
const assertCancelledOnce = (
  mock: Effect.Effect.Success<ReturnType<typeof makeMock>>,
  body: ReturnType<typeof openBody>
) =>
  Effect.gen(function*() {
    const requests = yield* Ref.get(mock.requests)
    assert.deepStrictEqual(requests.map((r) => r.path), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    assert.deepStrictEqual(requests[1]?.json, { thread_id: THREAD, run_id: RUN_B, sync: false })
    assert.isTrue(body.isCancelled())
  })

describe("Runs.stream", () => {
  it.effect("streams the events of a run to its RunEnd, sending stream: true; no cancel", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(transcriptText("a"))
      const mock = yield* makeMock(server(body))
      const events = yield* withRuns(mock, (runs) => Stream.runCollect(runs.stream(input)))
      assert.strictEqual(Chunk.size(events), 8)
      assert.strictEqual(Chunk.unsafeLast(events)._tag, "RunEnd")
      const [request] = yield* Ref.get(mock.requests)
      assert.strictEqual(request?.path, "/v2/threads/runs")
      assert.deepInclude(request?.json, { stream: true, thread_id: THREAD })
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs"])
    }))

  it.effect("an invalid request fails with ValidationError and sends nothing", () =>
    Effect.gen(function*() {
      const body = openBody()
      const mock = yield* makeMock(server(body))
      const error = yield* withRuns(mock, (runs) => Stream.runDrain(runs.stream({ assistantId: "asst_1" }))).pipe(
        Effect.flip
      )
      assert.strictEqual(error._tag, "ValidationError")
      assert.deepStrictEqual(yield* paths(mock), [])
    }))

  it.effect("interrupting the consumer after RunBegin cancels the run once and closes the body", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body))
      const fiber = yield* consumeUntilToolCalls(mock)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      yield* assertCancelledOnce(mock, body)
    }))

  it.effect("Stream.take stops the stream early: the run is cancelled", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body))
      const events = yield* withRuns(mock, (runs) => Stream.runCollect(Stream.take(runs.stream(input), 2)))
      assert.deepStrictEqual(Chunk.toArray(events).map((e) => e._tag), ["RunBegin", "ToolStepBegin"])
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("a handler that fails stops the stream: the run is cancelled, the handler's error surfaces", () =>
    Effect.gen(function*() {
      class ToolBroke extends Data.TaggedError("ToolBroke") {}
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body))
      const error = yield* withRuns(
        mock,
        (runs) => runs.stream(input).pipe(RunEvent.handle({ onToolCalls: () => Effect.fail(new ToolBroke()) }))
      ).pipe(
        Effect.flip
      )
      assert.strictEqual(error._tag, "ToolBroke")
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("a timeout around the consumer cancels the run", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body))
      const fiber = yield* withRuns(mock, (runs) => Stream.runDrain(runs.stream(input))).pipe(
        Effect.timeout("30 seconds"),
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("30 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TimeoutException")
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("the idle timeout fails the stream with HttpError Timeout, and the run is cancelled", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body))
      const fiber = yield* withRuns(
        mock,
        (runs) => Stream.runDrain(runs.stream(input, { idleTimeout: "20 seconds", resume: false }))
      )
        .pipe(Effect.flip, Effect.fork)
      yield* TestClock.adjust("20 seconds")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(error._tag === "HttpError" && error.reason === "Timeout")
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("the cancel call has its own timeout: a hanging cancel delays the interruption by 5 s at most", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body, { cancel: () => Effect.never }))
      const fiber = yield* consumeUntilToolCalls(mock)
      const interrupter = yield* Fiber.interrupt(fiber).pipe(Effect.fork)
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(interrupter)))
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.join(interrupter)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("cancel errors are ignored", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body, { cancel: () => text("bad request", 400) }))
      const fiber = yield* consumeUntilToolCalls(mock)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("a retryable cancel failure is retried within the 5 s budget, then given up", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body, { cancel: () => text("unavailable", 503) }))
      const fiber = yield* consumeUntilToolCalls(mock)
      const interrupter = yield* Fiber.interrupt(fiber).pipe(Effect.fork)
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.join(interrupter)
      assert.isTrue(Exit.isInterrupted(exit))
      const cancels = (yield* paths(mock)).filter((path) => path.endsWith("/cancel"))
      assert.isAtLeast(cancels.length, 1)
    }))

  it.effect("a run cancelled by someone else fails with RunFailed after its RunEnd; no cancel from us", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(transcriptText("c"))
      const mock = yield* makeMock(server(body))
      const result = yield* withRuns(
        mock,
        (runs) => runs.stream(input).pipe(Stream.either, Stream.runCollect, Effect.map(Chunk.toArray))
      )
      const last = result[result.length - 1]
      assert.isTrue(last?._tag === "Left" && last.left._tag === "RunFailed" && last.left.status === "cancelled")
      assert.strictEqual(result.filter((e) => e._tag === "Right").length, 5)
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs"])
    }))

  it.effect("interrupted before RunBegin: reads ahead within cancelTimeout, nothing named, nothing cancelled", () =>
    Effect.gen(function*() {
      const body = openBody()
      const mock = yield* makeMock(server(body))
      const fiber = yield* withRuns(mock, (runs) => Stream.runDrain(runs.stream(input))).pipe(Effect.fork)
      // wait until the request was sent (the body stays empty)
      yield* Effect.repeat(Effect.zipRight(Effect.yieldNow(), paths(mock)), { until: (all) => all.length > 0 })
      const interrupter = yield* Fiber.interrupt(fiber).pipe(Effect.fork)
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(interrupter)), "still reading ahead")
      yield* TestClock.adjust("1 millis")
      assert.isTrue(Exit.isInterrupted(yield* Fiber.join(interrupter)))
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs"])
      assert.isTrue(body.isCancelled(), "the response is released")
    }))

  it.effect("interrupted after the headers but before RunBegin: reads ahead to RunBegin and cancels that run once", () =>
    Effect.gen(function*() {
      const body = openBody()
      const mock = yield* makeMock(server(body))
      const fiber = yield* withRuns(mock, (runs) => Stream.runDrain(runs.stream(input))).pipe(Effect.fork)
      yield* Effect.repeat(Effect.zipRight(Effect.yieldNow(), paths(mock)), { until: (all) => all.length > 0 })
      const interrupter = yield* Fiber.interrupt(fiber).pipe(Effect.fork)
      yield* TestClock.adjust("1 second")
      // the run_begin comes only now, after the consumer was interrupted
      body.push(partOne)
      const exit = yield* Fiber.join(interrupter)
      assert.isTrue(Exit.isInterrupted(exit))
      yield* assertCancelledOnce(mock, body)
    }))

  it.effect("Stream.take(1): the run named by RunBegin is cancelled once", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const mock = yield* makeMock(server(body))
      const events = yield* withRuns(mock, (runs) => Stream.runCollect(Stream.take(runs.stream(input), 1)))
      assert.deepStrictEqual(Chunk.toArray(events).map((e) => e._tag), ["RunBegin"])
      assert.deepStrictEqual(yield* paths(mock), ["/v2/threads/runs", "/v2/threads/runs/cancel"])
    }))

  it.effect("the same stream continues after submitToolOutputs (transcript b)", () =>
    Effect.gen(function*() {
      const body = openBody()
      body.push(partOne)
      const full = transcriptText("b")
      const mock = yield* makeMock((request) => {
        if (request.path === "/v2/threads/runs/submit_tool_outputs") {
          body.push(full.slice(partOne.length))
          body.close()
          return json(runObject("in_progress", { id: RUN_B, thread_id: THREAD }))
        }
        return server(body)(request)
      })
      const answer = yield* Ref.make("")
      const result = yield* withRuns(mock, (runs) =>
        runs.stream(input).pipe(
          RunEvent.handle({
            onToolCalls: (event, context) =>
              runs.submitToolOutputs({
                threadId: context.currentThreadId ?? "",
                runId: context.currentRunId ?? "",
                toolOutputs: event.toolCalls.map((call) => ({
                  toolCallId: call.id,
                  output: "北京 的当前温度是30 摄氏度"
                }))
              }),
            onMessage: (delta) => Ref.update(answer, (a) => a + delta.text)
          })
        ))
      assert.strictEqual(Option.getOrThrow(result.runEnd).status, "completed")
      assert.strictEqual(yield* Ref.get(answer), "北京今天的气温是30摄氏度，出门记得防晒哦！")
      const requests = yield* Ref.get(mock.requests)
      assert.deepStrictEqual(requests.map((r) => r.path), ["/v2/threads/runs", "/v2/threads/runs/submit_tool_outputs"])
      assert.deepStrictEqual(requests[1]?.json, {
        thread_id: THREAD,
        run_id: RUN_B,
        tool_outputs: [{
          tool_call_id: "call-thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4-run_7c2d9e4f1a3b45c6d7e8f90a1b2c3d4e-step-1",
          output: "北京 的当前温度是30 摄氏度",
          run_id: ""
        }]
      })
    }))
})
