/**
 * The Node server answers the emulator's own app outside the platform's request pipeline (see
 * `internal/nodeServe.ts`). What a client sees must not change: `HEAD` answers without a body on a
 * connection that stays usable, an HTTP/1.0 client gets its answer and the connection closes, a user's
 * middleware still wraps every answer, and a user who traces still gets an `http.server` span per request
 * with the bearer tokens redacted.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import * as Emulator from "../src/Emulator.js"
import * as Server from "../src/Server.js"
import { AUTH, TOKEN } from "./utils/http.js"
import { exchange, rawRequest } from "./utils/socket.js"

const post = (url: string) =>
  HttpClientRequest.post(`${url}/v2/threads`).pipe(
    HttpClientRequest.setHeaders({ ...AUTH, "x-appbuilder-authorization": AUTH.authorization }),
    HttpClientRequest.bodyText("{}", "application/json")
  )

/** Effect's own tracer, keeping every span it makes in `spans`: a tracer of the user's. */
const recording = (spans: Array<Tracer.Span>): Tracer.Tracer => {
  const native = Effect.runSync(Effect.tracer)
  return Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: native.context
  })
}

describe("NodeServe: the emulator served outside the platform's pipeline", () => {
  it.live("HEAD answers headers only, and the connection serves the next request", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const text = yield* exchange(
        server.url,
        [rawRequest("HEAD", "1.1", "/v2/threads", ""), rawRequest("POST", "1.1", "/v2/threads", "{}")],
        (text) => text.includes("\"object\":\"thread\"")
      )
      const [head, second] = text.split(/(?=HTTP\/1\.1 )/)
      assert.match(head!, /^HTTP\/1\.1 404 Not Found\r\n/)
      assert.match(head!, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i)
      assert.match(head!, /\r\nx-appbuilder-request-id: \S+\r\n/i)
      // the headers describe the error body, which is not sent
      assert.isTrue(head!.endsWith("\r\n\r\n"))
      assert.notInclude(head!, "not_found")
      assert.match(second!, /^HTTP\/1\.1 200 OK\r\n/)
      assert.include(second!, "\"object\":\"thread\"")
    }).pipe(Effect.scoped, Effect.provide(Emulator.layerServer())))

  it.live("an HTTP/1.0 client gets its answer, then the connection closes", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const text = yield* exchange(server.url, [rawRequest("POST", "1.0", "/v2/threads", "{}")], () => false)
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
      assert.match(text, /\r\nconnection: close\r\n/i)
      assert.include(text, "\"object\":\"thread\"")
    }).pipe(Effect.scoped, Effect.provide(Emulator.layerServer())))

  it.live("a user's middleware still sees every answer", () => {
    const seen: Array<string> = []
    return Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(post(server.url))
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(seen, [`200 ${response.headers["x-appbuilder-request-id"]}`])
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(
        Emulator.layerServer({
          middleware: HttpMiddleware.make((app) =>
            Effect.tap(
              app,
              (response) =>
                Effect.sync(() => seen.push(`${response.status} ${response.headers["x-appbuilder-request-id"]}`))
            )
          )
        }),
        FetchHttpClient.layer
      ))
    )
  })

  it.live("with a tracer of the user's, each request has an http.server span, tokens redacted", () => {
    const spans: Array<Tracer.Span> = []
    return Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(post(server.url))
      assert.strictEqual(response.status, 200)
      const served = spans.filter((span) => span.kind === "server")
      assert.strictEqual(served.length, 1)
      const attributes = served[0]!.attributes
      assert.strictEqual(attributes.get("http.request.method"), "POST")
      assert.strictEqual(attributes.get("url.path"), "/v2/threads")
      assert.strictEqual(attributes.get("http.response.status_code"), 200)
      for (const name of ["authorization", "x-appbuilder-authorization"]) {
        const value = String(attributes.get(`http.request.header.${name}`))
        assert.notInclude(value, TOKEN)
        assert.include(value, "redacted")
      }
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(Emulator.layerServer(), FetchHttpClient.layer)),
      Effect.withTracer(recording(spans))
    )
  })
})
