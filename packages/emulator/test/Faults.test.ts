import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as Faults from "../src/Faults.js"
import * as App from "../src/internal/app.js"
import * as InProcessClient from "../src/internal/InProcessClient.js"
import * as Route from "../src/internal/Route.js"
import * as Router from "../src/internal/Router.js"
import { AUTH, BASE, call, expectApiError, post } from "./utils/http.js"
import { plainSetup, runBody, setClock } from "./utils/runs.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>, options: Emulator.Options = {}) =>
  Effect.provide(effect, Emulator.layer(options))

const state = EmulatorState.EmulatorState
const threadCount = Effect.flatMap(state, (s) => Effect.map(s.threads, (t) => t.length))

const encoder = new TextEncoder()

/** A client for an app with one streaming route emitting `event: n` chunks. */
const streamingClient = Effect.gen(function*() {
  const app = Router.make([
    Route.make("/v2/stream", () =>
      Effect.succeed(
        HttpServerResponse.stream(
          Stream.make(1, 2, 3, 4).pipe(Stream.map((n) => encoder.encode(`event: ping\ndata: {"n":${n}}\n\n`))),
          { contentType: "text/event-stream; charset=utf-8" }
        )
      ))
  ])
  const context = yield* Effect.context<Router.Requirements>()
  return InProcessClient.make(Effect.provide(app, context))
})

const streamChunks = (client: HttpClient.HttpClient) =>
  client.execute(
    HttpClientRequest.post(`${BASE}/v2/stream`).pipe(
      HttpClientRequest.setHeaders(AUTH),
      HttpClientRequest.bodyText("{}", "application/json")
    )
  ).pipe(
    Effect.flatMap((response) => Stream.runCollect(Stream.decodeText(response.stream))),
    Effect.map(Chunk.toReadonlyArray),
    Effect.scoped,
    Effect.either
  )

describe("faults", () => {
  it.effect("status K times, with Retry-After, without processing the request", () =>
    withEmulator(Effect.gen(function*() {
      const s = yield* state
      yield* s.injectFault("/v2/threads", Faults.status(503, { times: 2, retryAfter: 3 }))
      for (let i = 0; i < 2; i++) {
        const response = yield* post("/v2/threads", { messages: [] })
        assert.strictEqual(response.status, 503)
        assert.strictEqual(response.headers["retry-after"], "3")
        assert.isString(response.headers["x-appbuilder-request-id"])
        expectApiError(response, "injected_fault", "", 503)
      }
      assert.strictEqual(yield* threadCount, 0)
      assert.strictEqual((yield* post("/v2/threads", { messages: [] })).status, 200)
      assert.strictEqual(yield* threadCount, 1)
      assert.deepStrictEqual(yield* s.faults, [])
      // other paths are not affected
      yield* s.injectFault(
        "/v2/threads/query",
        Faults.status(429, { body: "slow down", retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT" })
      )
      assert.strictEqual((yield* post("/v2/threads", { messages: [] })).status, 200)
      const limited = yield* post("/v2/threads/query", { thread_id: "x" })
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.text, "slow down")
      assert.strictEqual(limited.headers["retry-after"], "Wed, 21 Oct 2015 07:28:00 GMT")
    })))

  it.effect("faults given at start apply, and can be listed and cleared", () =>
    withEmulator(
      Effect.gen(function*() {
        const s = yield* state
        assert.strictEqual((yield* s.faults).length, 2)
        assert.strictEqual((yield* post("/v2/threads", { messages: [] })).status, 500)
        assert.deepStrictEqual((yield* s.faults).map((f) => [f.path, f.remaining]), [["/v2/threads", 1], [
          "/v2/assistants",
          3
        ]])
        yield* s.clearFaults("/v2/threads")
        assert.strictEqual((yield* post("/v2/threads", { messages: [] })).status, 200)
        yield* s.clearFaults()
        assert.deepStrictEqual(yield* s.faults, [])
      }),
      {
        faults: {
          "//v2/threads": Faults.status(500, { times: 2 }),
          "/v2/assistants": [Faults.status(502, { times: 3 })]
        }
      }
    ))

  it.effect("latency delays the answer on the TestClock", () =>
    withEmulator(Effect.gen(function*() {
      const s = yield* state
      yield* s.injectFault("/v2/threads", Faults.latency("1 second", { times: Infinity }))
      const fiber = yield* Effect.fork(post("/v2/threads", { messages: [] }))
      yield* TestClock.adjust("999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
      // still installed
      const second = yield* Effect.fork(call("/v2/threads", {}))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(second))["object"], "thread")
      assert.strictEqual((yield* s.faults)[0]?.remaining, Infinity)
    })))

  it.effect("latency and status combine", () =>
    withEmulator(Effect.gen(function*() {
      const s = yield* state
      yield* s.injectFault("/v2/threads", Faults.latency("2 seconds"))
      yield* s.injectFault("/v2/threads", Faults.status(504))
      const fiber = yield* Effect.fork(post("/v2/threads", { messages: [] }))
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 504)
    })))

  it.effect("a malformed body: truncated JSON with status 200", () =>
    withEmulator(Effect.gen(function*() {
      const s = yield* state
      yield* s.injectFault("/v2/threads", Faults.malformed())
      const response = yield* post("/v2/threads", { messages: [] })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.text, Faults.truncatedJson)
      assert.isTrue(Either.isLeft(Either.try(() => JSON.parse(response.text))))
      assert.strictEqual(yield* threadCount, 0)
      yield* s.injectFault("/v2/threads", Faults.malformed({ body: "<html>bad gateway</html>", status: 502 }))
      const html = yield* post("/v2/threads", { messages: [] })
      assert.strictEqual(html.status, 502)
      assert.strictEqual(html.text, "<html>bad gateway</html>")
    })))

  it.effect("drop after M chunks breaks a streamed body after exactly M events", () =>
    Effect.gen(function*() {
      const client = yield* streamingClient
      const faults = yield* Faults.Faults
      const complete = yield* streamChunks(client)
      assert.deepStrictEqual(Either.map(complete, (chunks) => chunks.length), Either.right(4))
      yield* faults.inject("/v2/stream", Faults.dropAfter(2))
      const dropped = yield* streamChunks(client)
      assert.isTrue(Either.isLeft(dropped))
      yield* faults.inject("/v2/stream", Faults.dropAfter(2))
      const received: Array<string> = []
      const partial = yield* client.execute(
        HttpClientRequest.post(`${BASE}/v2/stream`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyText("{}", "application/json")
        )
      ).pipe(
        Effect.flatMap((response) =>
          Stream.runForEach(Stream.decodeText(response.stream), (text) => Effect.sync(() => received.push(text)))
        ),
        Effect.scoped,
        Effect.either
      )
      assert.isTrue(Either.isLeft(partial))
      assert.deepStrictEqual(received.join(""), "event: ping\ndata: {\"n\":1}\n\nevent: ping\ndata: {\"n\":2}\n\n")
      // consumed: the next request is whole again
      assert.deepStrictEqual(Either.map(yield* streamChunks(client), (chunks) => chunks.length), Either.right(4))
    }).pipe(Effect.provide(Layer.fresh(App.layerServices()))))

  it.effect("drop after M chunks also cuts a plain JSON answer", () =>
    withEmulator(Effect.gen(function*() {
      const s = yield* state
      yield* s.injectFault("/v2/threads", Faults.dropAfter(0))
      const client = yield* HttpClient.HttpClient
      const result = yield* client.execute(
        HttpClientRequest.post(`${BASE}/v2/threads`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyText("{}", "application/json")
        )
      ).pipe(Effect.flatMap((r) => r.text), Effect.scoped, Effect.either)
      assert.isTrue(Either.isLeft(result))
      // the request itself was processed
      assert.strictEqual(yield* threadCount, 1)
    })))

  it.effect("drop after M events on a streamed run: the client gets exactly M events, then an error", () =>
    withEmulator(Effect.gen(function*() {
      yield* setClock
      const s = yield* state
      const { assistantId, threadId } = yield* plainSetup()
      yield* s.injectFault("/v2/threads/runs", Faults.dropAfter(3))
      const client = yield* HttpClient.HttpClient
      const received: Array<string> = []
      const result = yield* client.execute(
        HttpClientRequest.post(`${BASE}/v2/threads/runs`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyText(
            JSON.stringify(runBody(assistantId, threadId, { stream: true })),
            "application/json"
          )
        )
      ).pipe(
        Effect.tap((response) => assert.strictEqual(response.status, 200)),
        Effect.flatMap((response) =>
          Stream.runForEach(
            response.stream,
            (chunk) => Effect.sync(() => received.push(new TextDecoder().decode(chunk)))
          )
        ),
        Effect.scoped,
        Effect.either
      )
      assert.isTrue(Either.isLeft(result))
      const events = received.join("").split("\n\n").filter((block) => block !== "")
      assert.strictEqual(events.length, 3)
      assert.match(events[0]!, /^event: status\ndata: \{"status":"queued"/)
      // the fault was consumed and the thread is usable again
      yield* call("/v2/threads/messages", { thread_id: threadId, content: "again" })
      const log = yield* s.requests
      assert.strictEqual(log.filter((e) => e.path === "/v2/threads/runs").length, 1)
    })))
})
