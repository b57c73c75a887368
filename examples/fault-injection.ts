/**
 * Fault injection: the emulator answers the next requests of a route with a fault
 * (`AppBuilderTest.injectFault(path, fault)`, faults built with `AppBuilderTest.Faults`), and the SDK's
 * retry and resume policies deal with it. Three cases, each printed:
 *
 * 1. `503 Service Unavailable` with `Retry-After: 1`, twice, on `POST /v2/threads`: the SDK waits what the
 *    server asks, retries (a 503 was provably not processed, so even a create is resent), and the thread
 *    is created on the third attempt.
 * 2. A run stream cut after 2 events: the stream emits `Resumed`, follows the run by polling it, and ends
 *    with the run's answer and `RunEnd`, as if nothing happened.
 * 3. A `500` on a call that changes something: it may have been processed, so the SDK does not resend it;
 *    the call fails with a typed `HttpError` (`reason`, `status`, `requestId`), handled with `catchTag`.
 *
 * The same faults can be installed in a running emulator from its command line (`pnpm emulator --fault
 * …`), to try any client. This example always runs on the in-process emulator (a fault cannot be injected
 * into the real service), in real time: case 1 takes about 2 seconds.
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/fault-injection.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Runtime from "./Runtime.js"

/** The requests the emulator received on `path`, with the status it answered. */
const answered = (path: string) =>
  Effect.map(
    Effect.flatMap(AppBuilderTest.EmulatorState.EmulatorState, (state) => state.requests),
    (requests) => requests.filter((request) => request.path === path).map((request) => request.status)
  )

/** One event in a few words. */
const describe = (event: RunEvent.RunEvent): string => {
  switch (event._tag) {
    case "Resumed":
      return `Resumed(${event.reason})`
    case "RunEnd":
      return `RunEnd(${event.status})`
    default:
      return event._tag
  }
}

export const program = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const runs = yield* Runs.Runs

  // 1. 503 + Retry-After, twice: retried after the delay the server asked for
  yield* AppBuilderTest.injectFault("/v2/threads", AppBuilderTest.Faults.status(503, { retryAfter: 1, times: 2 }))
  const since = yield* Clock.currentTimeMillis
  const thread = yield* Effect.acquireRelease(
    threads.create({ messages: [{ content: "你好，你是谁？" }] }),
    (created) => Effect.ignore(threads.delete(created.id))
  )
  const waited = ((yield* Clock.currentTimeMillis) - since) / 1000
  yield* Console.log(`1. thread created: ${thread.id}`)
  yield* Console.log(`   answers of POST /v2/threads: ${(yield* answered("/v2/threads")).join(", ")}`)
  yield* Console.log(`   waited at least the 2 x 1 s asked for: ${waited >= 2}`)

  // 2. a run stream cut after 2 events: resumed by polling the run
  const assistant = yield* Effect.acquireRelease(
    assistants.create({ name: "emperor", instructions: "你是秦始皇，请用秦始皇的口吻回答问题" }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  yield* AppBuilderTest.injectFault("/v2/threads/runs", AppBuilderTest.Faults.dropAfter(2))
  const events = yield* runs.stream({ assistantId: assistant.id, threadId: thread.id }).pipe(Stream.runCollect)
  yield* Console.log(`2. events: ${Chunk.toReadonlyArray(events).map(describe).join(", ")}`)
  const status = Chunk.findLast(events, RunEvent.isRunEnd).pipe(
    Option.match({ onNone: () => "without RunEnd", onSome: (end) => end.status })
  )
  const started = (yield* answered("/v2/threads/runs")).length
  yield* Console.log(`   the run ended ${status}; runs started: ${started}`)

  // 3. a 500 on a create: not resent (it may have been processed), a typed error instead
  yield* AppBuilderTest.injectFault("/v2/assistants", AppBuilderTest.Faults.status(500))
  const outcome = yield* assistants.create({ name: "not_created", instructions: "…" }).pipe(
    Effect.as("created"),
    Effect.catchTag(
      "HttpError",
      (error) =>
        Effect.succeed(`HttpError ${error.reason} ${error.status}, request id given: ${error.requestId !== undefined}`)
    )
  )
  yield* Console.log(`3. ${outcome}`)
  yield* Console.log(`   answers of POST /v2/assistants: ${(yield* answered("/v2/assistants")).join(", ")}`)
}).pipe(Effect.scoped)

/**
 * The services this example runs on: always the in-process emulator (`AppBuilderTest.layer`, which also
 * provides the `EmulatorState` the faults are injected through), whatever `APPBUILDER_TOKEN` says.
 */
export const layer = AppBuilderTest.layer()

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
