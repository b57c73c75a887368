/**
 * A call that changes something is never sent twice: when the connection breaks after the request was
 * written (the emulator's `dropAfter(0)` fault), the call fails with `OutcomeUnknown` and the service holds
 * exactly one object. Checked on the in-process emulator and on a loopback server with undici and fetch.
 * Read-only calls keep retrying such failures; a connection that could not be opened is retried for every
 * call.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import { HttpError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { NodeHttpClient } from "@effect/platform-node"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as net from "node:net"
import * as Emulated from "./utils/Emulated.js"

const TOKEN = "bce-v3/ALTAK-noduplicates/secret"

const retry: AppBuilderClient.RetryOptions = { baseDelay: "10 millis", maxDelay: "50 millis", maxRetries: 3 }

const inProcess = Emulated.layer({ token: TOKEN, retry })

const overServer = (http: Layer.Layer<HttpClient.HttpClient>) => Emulated.overServer(http, { token: TOKEN, retry })

const asHttpError = (error: unknown): HttpError => {
  assert.instanceOf(error, HttpError)
  if (!(error instanceof HttpError)) throw new Error("unreachable")
  return error
}

const assertOutcomeUnknown = (error: HttpError, requestId: string | undefined) => {
  assert.strictEqual(error.reason, "OutcomeUnknown")
  assert.include(error.message, "outcome unknown")
  assert.include(error.message, "not retried")
  assert.isFalse(error.retryable)
  assert.isDefined(error.requestId)
  assert.strictEqual(error.requestId, requestId)
  assert.include(error.message, `request_id=${error.requestId}`)
}

/**
 * `settle` lets retries happen: on the in-process emulator it moves the TestClock, on real sockets it
 * just runs the effect.
 */
const scenario = (settle: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const state = yield* EmulatorState.EmulatorState
    const assistants = yield* Assistants.Assistants
    const runs = yield* Runs.Runs
    const posts = (path: string) =>
      Effect.map(state.requests, (requests) => requests.filter((r) => r.method === "POST" && r.path === path))

    // a create whose answer is cut
    yield* state.injectFault("/v2/assistants", Faults.dropAfter(0))
    const createError = asHttpError(yield* Effect.flip(settle(assistants.create({ name: "once" }))))
    const creates = yield* posts("/v2/assistants")
    assert.strictEqual(creates.length, 1)
    assertOutcomeUnknown(createError, creates[0]!.requestId)
    const stored = yield* state.assistants
    assert.strictEqual(stored.length, 1)

    // a blocking run whose answer is cut
    yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(0))
    const runError = asHttpError(
      yield* Effect.flip(
        settle(runs.run({ assistantId: stored[0]!.id, thread: { messages: [{ content: "hello" }] } }))
      )
    )
    const runPosts = yield* posts("/v2/threads/runs")
    assert.strictEqual(runPosts.length, 1)
    assertOutcomeUnknown(runError, runPosts[0]!.requestId)
    assert.strictEqual((yield* state.runs()).length, 1)
    assert.strictEqual((yield* state.threads).length, 1)

    // a streamed run whose event stream breaks after two events ends early (resume off; Resume.test.ts
    // shows the same break followed by polling): never sent again
    yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(2))
    const streamError = asHttpError(
      yield* Effect.flip(
        settle(
          Stream.runDrain(
            runs.stream({ assistantId: stored[0]!.id, thread: { messages: [{ content: "hi" }] } }, { resume: false })
          )
        )
      )
    )
    assert.strictEqual(streamError.reason, "StreamEnded")
    assert.isFalse(streamError.retryable)
    assert.strictEqual((yield* posts("/v2/threads/runs")).length, 2)
    assert.strictEqual((yield* state.runs()).length, 2)

    // a read-only query whose answer is cut is retried and succeeds
    yield* state.injectFault("/v2/assistants/query", Faults.dropAfter(0))
    const found = yield* settle(assistants.query(stored[0]!.id))
    assert.strictEqual(found.id, stored[0]!.id)
    assert.strictEqual((yield* posts("/v2/assistants/query")).length, 2)
  })

const withTestClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    yield* TestClock.adjust("1 second")
    return yield* Fiber.join(fiber)
  })

describe("no duplicated side effect: dropAfter(0) on create and on a blocking run", () => {
  it.effect("in-process emulator", () => scenario(withTestClock).pipe(Effect.provide(inProcess)))
  it.live("loopback, NodeHttpClient.layerUndici", () =>
    scenario((effect) => effect).pipe(Effect.provide(overServer(NodeHttpClient.layerUndici))))
  it.live("loopback, FetchHttpClient.layer", () =>
    scenario((effect) => effect).pipe(Effect.provide(overServer(FetchHttpClient.layer))))

  it.effect("a create that times out on the in-process emulator is not resent", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      yield* state.injectFault("/v2/assistants", Faults.latency("5 minutes"))
      const fiber = yield* Effect.fork(
        Effect.flip(Effect.flatMap(Assistants.Assistants, (a) => a.create({ name: "slow" })))
      )
      yield* TestClock.adjust("60 seconds")
      const error = asHttpError(yield* Fiber.join(fiber))
      yield* TestClock.adjust("10 minutes")
      const creates = (yield* state.requests).filter((r) => r.path === "/v2/assistants")
      assert.strictEqual(creates.length, 1)
      assertOutcomeUnknown(error, creates[0]!.requestId)
      assert.include(error.description, "no answer within 1m")
    }).pipe(Effect.provide(inProcess)))
})

/** A port on which nothing listens. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = address !== null && typeof address === "object" ? address.port : 0
      server.close(() => resolve(port))
    })
  })
)

const refusedCreate = (http: Layer.Layer<HttpClient.HttpClient>) =>
  Effect.gen(function*() {
    const port = yield* closedPort
    const attempts = yield* Ref.make(0)
    const layer = AppBuilder.layer({
      token: Redacted.make(TOKEN),
      baseUrl: `http://127.0.0.1:${port}`,
      retry: { baseDelay: "5 millis", maxDelay: "10 millis", maxRetries: 2 },
      transformClient: HttpClient.tapRequest(() => Ref.update(attempts, (n) => n + 1))
    }).pipe(Layer.provide(http), Layer.orDie)
    const error = asHttpError(
      yield* Effect.flip(Effect.flatMap(Assistants.Assistants, (a) => a.create({ name: "refused" }))).pipe(
        Effect.provide(layer)
      )
    )
    assert.strictEqual(error.reason, "Transport")
    assert.include(error.description, "could not be reached")
    assert.isTrue(error.retryable)
    assert.strictEqual(yield* Ref.get(attempts), 3)
  })

describe("a connection refused on a create is retried", () => {
  it.live("NodeHttpClient.layerUndici", () => refusedCreate(NodeHttpClient.layerUndici))
  it.live("FetchHttpClient.layer", () => refusedCreate(FetchHttpClient.layer))
  it.live("NodeHttpClient.layer (node:http)", () => refusedCreate(NodeHttpClient.layer))
})
