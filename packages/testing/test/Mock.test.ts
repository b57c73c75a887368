/**
 * Every SDK service can be replaced with `Layer.mock(Tag, { …only the methods used… })`: no emulator, no
 * HTTP, hand-made `RunEvent`s, and `TestClock` for the user's timeout.
 */
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

// The user's code: asks a question on a thread and returns the answer text, giving up after 10 seconds.
const answer = (threadId: string) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    return yield* runs.stream({ assistantId: "asst_1", threadId }).pipe(
      Stream.filter(RunEvent.isMessageDelta),
      Stream.map((delta) => delta.text),
      Stream.mkString,
      Effect.timeout("10 seconds")
    )
  })

describe("Layer.mock", () => {
  it.effect("Runs.stream mocked with hand-made events", () =>
    Effect.gen(function*() {
      const text = yield* answer("thread_1")
      assert.strictEqual(text, "Hello, world")
    }).pipe(Effect.provide(Layer.mock(Runs.Runs, {
      stream: () => Stream.make(RunEvent.textDelta("Hello"), RunEvent.textDelta(", world"), RunEvent.runEnd())
    }))))

  it.effect("the user's timeout fires on TestClock when the stream stalls", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(answer("thread_1"))
      yield* TestClock.adjust("9999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.isTimeoutException(Cause.squash(exit.cause)))
    }).pipe(Effect.provide(Layer.mock(Runs.Runs, {
      stream: () => Stream.concat(Stream.make(RunEvent.textDelta("Hel")), Stream.never)
    }))))

  it.effect("an unmocked method is a defect (UnimplementedError)", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const exit = yield* Effect.exit(runs.cancel({ threadId: "thread_1", runId: "run_1" }))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
    }).pipe(Effect.provide(Layer.mock(Runs.Runs, {}))))

  it.effect("every service tag accepts Layer.mock", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      const thread = yield* threads.query("thread_1")
      assert.strictEqual(thread.id, "thread_1")
      const client = yield* AppBuilderClient.AppBuilderClient
      assert.strictEqual(client.baseUrl, "http://mock")
    }).pipe(Effect.provide(Layer.mergeAll(
      Layer.mock(AppBuilderClient.AppBuilderClient, {
        baseUrl: "http://mock",
        timeout: Duration.seconds(1),
        streamIdleTimeout: Duration.seconds(1)
      }),
      Layer.mock(Assistants.Assistants, {}),
      Layer.mock(Files.Files, {}),
      Layer.mock(Threads.Threads, {
        query: (threadId) => Effect.succeed(new Threads.Thread({ id: threadId, object: "thread", createdAt: 0 }))
      }),
      Layer.mock(Messages.Messages, {}),
      Layer.mock(Runs.Runs, {}),
      Layer.mock(RunSteps.RunSteps, {})
    ))))
})

describe("RunEvent constructors", () => {
  it("textDelta and runEnd fill every field", () => {
    const delta = RunEvent.textDelta("hi", { isEnd: true, messageId: "msg_9", sendId: 4 })
    assert.strictEqual(delta.text, "hi")
    assert.strictEqual(delta.status, "completed")
    assert.strictEqual(delta.messageId, "msg_9")
    assert.strictEqual(delta.sendId, 4)
    assert.strictEqual(delta.content[0]?.text?.value, "hi")
    const end = RunEvent.runEnd({ status: "failed", runId: "run_7" })
    assert.isTrue(RunEvent.isRunEnd(end))
    assert.strictEqual(end.status, "failed")
    assert.strictEqual(end.run.status, "failed")
    assert.strictEqual(end.run.id, "run_7")
    assert.strictEqual(end.threadId, "thread_1")
  })
})
