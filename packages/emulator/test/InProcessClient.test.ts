import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as InProcessClient from "../src/internal/InProcessClient.js"

const encoder = new TextEncoder()

/** An echo app: method, path, content type and body length; `/tick` streams one chunk per second. */
const app = (closed: Deferred.Deferred<void>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (request.url === "/tick") {
      return HttpServerResponse.stream(
        Stream.fromSchedule(Schedule.spaced("1 second")).pipe(
          Stream.map((n) => encoder.encode(`tick ${n}\n`)),
          Stream.ensuring(Deferred.succeed(closed, undefined))
        )
      )
    }
    const body = yield* Effect.orDie(request.arrayBuffer)
    return HttpServerResponse.text(
      `${request.method} ${request.url} ${request.headers["content-type"] ?? "-"} ${body.byteLength} ${
        request.headers["x-test"] ?? "-"
      }`
    )
  })

const withClient = <A, E, R>(
  f: (client: HttpClient.HttpClient, closed: Deferred.Deferred<void>) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    const closed = yield* Deferred.make<void>()
    return yield* f(InProcessClient.make(app(closed)), closed)
  })

const text = (client: HttpClient.HttpClient, request: HttpClientRequest.HttpClientRequest) =>
  client.execute(request).pipe(Effect.flatMap((r) => r.text), Effect.scoped)

describe("in-process client", () => {
  it.effect("passes method, path (any host), headers and JSON, bytes, form and stream bodies", () =>
    withClient((client) =>
      Effect.gen(function*() {
        assert.strictEqual(
          yield* text(
            client,
            HttpClientRequest.post("https://appbuilder.baidu.com/v2/x?y=1").pipe(
              HttpClientRequest.setHeader("x-test", "yes"),
              HttpClientRequest.bodyText("{\"a\": 1}", "application/json")
            )
          ),
          "POST /v2/x?y=1 application/json 8 yes"
        )
        assert.strictEqual(
          yield* text(
            client,
            HttpClientRequest.post("http://h/b").pipe(HttpClientRequest.bodyUint8Array(new Uint8Array(5)))
          ),
          "POST /b application/octet-stream 5 -"
        )
        const form = new FormData()
        form.append("file", new Blob(["hello"]), "a.txt")
        const multipart = yield* text(
          client,
          HttpClientRequest.post("http://h/f").pipe(HttpClientRequest.bodyFormData(form))
        )
        assert.match(multipart, /^POST \/f multipart\/form-data; boundary=\S+ \d+ -$/)
        const streamed = yield* text(
          client,
          HttpClientRequest.post("http://h/s").pipe(
            HttpClientRequest.bodyStream(Stream.make(encoder.encode("ab"), encoder.encode("cde")), {
              contentType: "text/plain"
            })
          )
        )
        assert.strictEqual(streamed, "POST /s text/plain 5 -")
        assert.strictEqual(yield* text(client, HttpClientRequest.get("http://h/g")), "GET /g - 0 -")
      })
    ))

  it.effect("streamed answers run on the caller's clock, and interrupting the reader stops the app's stream", () =>
    withClient((client, closed) =>
      Effect.gen(function*() {
        const response = yield* client.execute(HttpClientRequest.post("http://h/tick"))
        const pull = yield* Stream.toPull(Stream.decodeText(response.stream))
        const first = yield* Effect.fork(pull)
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(first)), ["tick 0\n"])
        const reader = yield* Effect.fork(Effect.forever(pull))
        yield* TestClock.adjust("1 second")
        yield* Fiber.interrupt(reader)
        assert.isTrue(Option.isNone(yield* Deferred.poll(closed)))
      }).pipe(
        Effect.scoped,
        Effect.zipRight(Effect.gen(function*() {
          // leaving the scope cancels the web stream, which interrupts the app's stream
          yield* Deferred.await(closed)
        }))
      )
    ))
})
