/**
 * `AppBuilderClient.withResponseMeta`: the request id (status, operation) of the last response of an
 * effect, checked against the emulator's request log.
 */
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

const TestLayer = Emulated.layer()

/** The emulator's log entries for `path`, oldest first. */
const logged = (path: string) =>
  Effect.map(EmulatorState.EmulatorState, (state) => state.requests).pipe(
    Effect.flatten,
    Effect.map((requests) => requests.filter((request) => request.path === path))
  )

const getMeta = <A>(meta: Option.Option<A>): A => Option.getOrThrowWith(meta, () => new Error("no response meta"))

describe("AppBuilderClient.withResponseMeta", () => {
  it.effect("returns the request id the emulator logged for a successful call, with status and operation", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const [assistant, meta] = yield* AppBuilderClient.withResponseMeta(assistants.create({ name: "meta" }))
      assert.match(assistant.id, /^asst_/)
      const [entry] = yield* logged("/v2/assistants")
      const m = getMeta(meta)
      assert.isDefined(entry)
      assert.strictEqual(m.requestId, entry?.requestId)
      assert.strictEqual(m.status, 200)
      assert.strictEqual(m.operation, "Assistants.create")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("is the last response of the effect (here the second of two calls)", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const [, meta] = yield* Effect.gen(function*() {
        yield* assistants.create({ name: "first" })
        return yield* threads.create()
      }).pipe(AppBuilderClient.withResponseMeta)
      const [entry] = yield* logged("/v2/threads")
      assert.strictEqual(getMeta(meta).requestId, entry?.requestId)
      assert.strictEqual(getMeta(meta).operation, "Threads.create")
    }).pipe(Effect.provide(TestLayer)))

  it.effect("after a retried 503, it is the request id of the attempt that succeeded", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const threads = yield* Threads.Threads
      yield* state.injectFault("/v2/threads", Faults.status(503, { retryAfter: 2, times: 1 }))
      const fiber = yield* Effect.fork(AppBuilderClient.withResponseMeta(threads.create()))
      yield* TestClock.adjust("2 seconds")
      const [, meta] = yield* Fiber.join(fiber)
      const entries = yield* logged("/v2/threads")
      assert.strictEqual(entries.length, 2)
      assert.strictEqual(entries[0]?.status, 503)
      assert.notStrictEqual(entries[0]?.requestId, entries[1]?.requestId)
      assert.strictEqual(getMeta(meta).requestId, entries[1]?.requestId)
      assert.strictEqual(getMeta(meta).status, 200)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("sees the request of a run stream consumed inside", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const runs = yield* Runs.Runs
      const assistant = yield* assistants.create({ name: "streamer" })
      const thread = yield* threads.create({ messages: [{ content: "你好" }] })
      const [, meta] = yield* AppBuilderClient.withResponseMeta(
        Stream.runDrain(runs.stream({ assistantId: assistant.id, threadId: thread.id }))
      )
      const entries = yield* logged("/v2/threads/runs")
      assert.strictEqual(entries.length, 1)
      assert.strictEqual(getMeta(meta).requestId, entries[0]?.requestId)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("nested uses each see their own effect's last response; none without a request", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const [[, inner], outer] = yield* Effect.gen(function*() {
        const result = yield* AppBuilderClient.withResponseMeta(assistants.create({ name: "inner" }))
        yield* threads.create()
        return result
      }).pipe(AppBuilderClient.withResponseMeta)
      assert.strictEqual(getMeta(inner).operation, "Assistants.create")
      assert.strictEqual(getMeta(outer).operation, "Threads.create")
      const [, none] = yield* AppBuilderClient.withResponseMeta(Effect.succeed(1))
      assert.isTrue(Option.isNone(none))
    }).pipe(Effect.provide(TestLayer)))
})
