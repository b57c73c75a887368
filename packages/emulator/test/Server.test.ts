import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as Faults from "../src/Faults.js"
import * as App from "../src/internal/app.js"
import * as Route from "../src/internal/Route.js"
import * as Router from "../src/internal/Router.js"
import * as Server from "../src/Server.js"
import { AUTH, isRecord } from "./utils/http.js"
import { runBody, WEATHER_TOOL } from "./utils/runs.js"

describe("Server", () => {
  it.live("serves the emulator on a loopback port", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.isAbove(server.port, 0)
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(
        HttpClientRequest.post(`${server.url}/v2/threads`).pipe(
          HttpClientRequest.setHeaders({ ...AUTH, "x-appbuilder-request-id": "rid-1" }),
          HttpClientRequest.bodyText("{\"messages\": []}", "application/json")
        )
      )
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["x-appbuilder-request-id"], "rid-1")
      assert.strictEqual(response.headers["content-type"], "application/json; charset=utf-8")
      // idle connections are kept well beyond a client pool's idle timeout (Node's default is 5 s)
      assert.strictEqual(response.headers["keep-alive"], `timeout=${Server.KEEP_ALIVE_TIMEOUT_MILLIS / 1000}`)
      assert.strictEqual(Server.KEEP_ALIVE_TIMEOUT_MILLIS, 65_000)
      const body: unknown = yield* response.json
      assert.deepInclude(body, { object: "thread", metadata: {} })
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual((yield* state.threads).length, 1)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(Emulator.layerServer({ port: 0 }), FetchHttpClient.layer))
    ))

  it.live("streams chunked, one chunk per event, and drops the connection after M events", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const faults = yield* Faults.Faults
      const client = yield* HttpClient.HttpClient
      const request = HttpClientRequest.post(`${server.url}/v2/stream`).pipe(
        HttpClientRequest.setHeaders(AUTH),
        HttpClientRequest.bodyText("{}", "application/json")
      )
      const read = (received: Array<string>) =>
        client.execute(request).pipe(
          Effect.tap((response) => {
            assert.strictEqual(response.headers["transfer-encoding"], "chunked")
            assert.strictEqual(response.headers["content-type"], "text/event-stream; charset=utf-8")
          }),
          Effect.flatMap((response) =>
            Stream.runForEach(Stream.decodeText(response.stream), (text) => Effect.sync(() => received.push(text)))
          ),
          Effect.scoped,
          Effect.either
        )
      const whole: Array<string> = []
      assert.isTrue(Either.isRight(yield* read(whole)))
      assert.strictEqual(whole.join(""), [1, 2, 3].map((n) => `event: ping\ndata: {"n":${n}}\n\n`).join(""))
      yield* faults.inject("/v2/stream", Faults.dropAfter(2))
      const cut: Array<string> = []
      assert.isTrue(Either.isLeft(yield* read(cut)))
      assert.strictEqual(cut.join(""), [1, 2].map((n) => `event: ping\ndata: {"n":${n}}\n\n`).join(""))
      // the server keeps serving
      assert.isTrue(Either.isRight(yield* read([])))
    }).pipe(
      Effect.scoped,
      Effect.provide(
        Layer.mergeAll(
          Server.layer({ port: 0 }).pipe(
            Layer.provideMerge(Router.layer([
              Route.make("/v2/stream", () =>
                Effect.succeed(HttpServerResponse.stream(
                  Stream.make(1, 2, 3).pipe(
                    Stream.map((n) => new TextEncoder().encode(`event: ping\ndata: {"n":${n}}\n\n`))
                  ),
                  { contentType: "text/event-stream; charset=utf-8" }
                )))
            ]))
          ),
          FetchHttpClient.layer
        ).pipe(Layer.provideMerge(App.layerServices()))
      )
    ))

  it.live("#30 a streamed tool call reaches the client over a socket while the server waits", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const client = yield* HttpClient.HttpClient
      const post = (path: string, body: unknown) =>
        HttpClientRequest.post(`${server.url}${path}`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
        )
      const json = (path: string, body: unknown) =>
        client.execute(post(path, body)).pipe(
          Effect.flatMap((r) => r.json),
          Effect.map((v) => (isRecord(v) ? v : {})),
          Effect.scoped
        )
      const assistant = yield* json("/v2/assistants", { model: "ERNIE-4.0T-8K", name: "w", tools: [WEATHER_TOOL] })
      const thread = yield* json("/v2/threads", { messages: [{ content: "今天北京的天气怎么样？" }] })
      const response = yield* client.execute(
        post("/v2/threads/runs", runBody(String(assistant["id"]), String(thread["id"]), { stream: true }))
      )
      assert.strictEqual(response.headers["transfer-encoding"], "chunked")
      const pull = yield* Stream.toPull(Stream.decodeText(response.stream))
      let text = ""
      while (!text.includes("\"event_type\":\"tool_calls\"")) {
        text += (yield* pull).pipe((chunk) => [...chunk].join(""))
      }
      const runId = /"run_object":\{"id":"(run_[0-9a-f]{32})"/.exec(text)?.[1] ?? ""
      const callId = /"tool_calls":\[\{"id":"([^"]+)"/.exec(text)?.[1] ?? ""
      const submitted = yield* json("/v2/threads/runs/submit_tool_outputs", {
        thread_id: thread["id"],
        run_id: runId,
        tool_outputs: [{ tool_call_id: callId, output: "北京 的当前温度是30 摄氏度", run_id: "" }]
      })
      assert.strictEqual(submitted["status"], "in_progress")
      const rest = yield* Stream.runCollect(Stream.fromPull(Effect.succeed(pull))).pipe(
        Effect.map((chunks) => [...chunks].join(""))
      )
      assert.match(rest, /"status":"completed","send_id":\d+,"message":"run end[^"]*","event_type":"run_end"/)
    }).pipe(
      Effect.scoped,
      Effect.timeout("20 seconds"),
      Effect.provide(Layer.merge(Emulator.layerServer(), FetchHttpClient.layer))
    ))

  it.live("an oversized upload on a socket still gets its storage error answer", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const client = yield* HttpClient.HttpClient
      const form = new FormData()
      form.append("file", new Blob([new Uint8Array(300_000)]), "big.bin")
      const response = yield* client.execute(
        HttpClientRequest.post(`${server.url}/v2/storage/files`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyFormData(form)
        )
      )
      assert.strictEqual(response.status, 200)
      const body: unknown = yield* response.json
      assert.deepInclude(body, { code: "InvalidParameter", message: "file is larger than 10 bytes" })
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual((yield* state.files).length, 0)
      assert.match((yield* state.requests)[0]!.body, /^<multipart 3\d{5} bytes>$/)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(Emulator.layerServer({ maxUploadBytes: 10 }), FetchHttpClient.layer))
    ))
})
