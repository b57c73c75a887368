import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as App from "../src/internal/app.js"
import * as InProcessClient from "../src/internal/InProcessClient.js"
import * as Route from "../src/internal/Route.js"
import * as Router from "../src/internal/Router.js"
import {
  assistantBody,
  AUTH,
  BASE,
  call,
  envelope,
  execute,
  expectApiError,
  json,
  post,
  postText,
  TOKEN,
  upload
} from "./utils/http.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>, options: Emulator.Options = {}) =>
  Effect.provide(effect, Emulator.layer(options))

const state = EmulatorState.EmulatorState
const assistantCount = Effect.flatMap(state, (s) => Effect.map(s.assistants, (a) => a.length))

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe("router", () => {
  it.effect("unknown paths and other methods answer a 404 envelope", () =>
    withEmulator(Effect.gen(function*() {
      const unknown = yield* post("/v2/nope", {})
      assert.strictEqual(unknown.status, 404)
      assert.deepStrictEqual(envelope(unknown), {
        code: "not_found",
        message: "no such path: /v2/nope",
        type: "invalid_request_error",
        param: ""
      })
      assert.strictEqual(unknown.headers["content-type"], "application/json; charset=utf-8")
      assert.match(unknown.headers["x-appbuilder-request-id"] ?? "", UUID)
      const get = yield* execute(
        HttpClientRequest.get(`${BASE}/v2/assistants/list`).pipe(HttpClientRequest.setHeaders(AUTH))
      )
      expectApiError(get, "not_found", "", 404)
      // no auth needed to learn that a path does not exist
      expectApiError(yield* post("/v2/nope", {}, {}), "not_found", "", 404)
      expectApiError(yield* post("/v2/assistants/", assistantBody()), "not_found", "", 404)
    })))

  it.effect("duplicate slashes are collapsed and the query string is ignored", () =>
    withEmulator(Effect.gen(function*() {
      assert.strictEqual((yield* post("//v2//threads", { messages: [] })).status, 200)
      assert.strictEqual(json(yield* post("/v2/threads?x=1", { messages: [] }))["object"], "thread")
      const log = yield* Effect.flatMap(state, (s) => s.requests)
      assert.deepStrictEqual(log.map((e) => [e.path, e.query]), [["/v2/threads", ""], ["/v2/threads", "x=1"]])
    })))

  it.effect("auth: a non-empty bearer token in Authorization, else X-Appbuilder-Authorization", () =>
    withEmulator(Effect.gen(function*() {
      const body = { messages: [] }
      const missing = yield* post("/v2/threads", body, {})
      assert.deepStrictEqual(expectApiError(missing, "unauthorized", "", 401)["type"], "authentication_error")
      assert.match(missing.headers["x-appbuilder-request-id"] ?? "", UUID)
      expectApiError(yield* post("/v2/threads", body, { authorization: "Bearer " }), "unauthorized", "", 401)
      expectApiError(yield* post("/v2/threads", body, { authorization: "Basic abc" }), "unauthorized", "", 401)
      expectApiError(yield* post("/v2/threads", body, { authorization: TOKEN }), "unauthorized", "", 401)
      assert.strictEqual((yield* post("/v2/threads", body, { authorization: "Bearer anything" })).status, 200)
      assert.strictEqual((yield* post("/v2/threads", body, { "x-appbuilder-authorization": "Bearer x" })).status, 200)
      assert.strictEqual(
        (yield* post("/v2/threads", body, { authorization: "Basic a", "x-appbuilder-authorization": "Bearer x" }))
          .status,
        200
      )
      // storage routes too, including uploads
      expectApiError(yield* upload("a.txt", "x", "assistant", {}), "unauthorized", "", 401)
      expectApiError(yield* post("/v2/storage/files/list", {}, {}), "unauthorized", "", 401)
      const threads = yield* Effect.flatMap(state, (s) => s.threads)
      assert.strictEqual(threads.length, 3)
    })))

  it.effect("auth: with a configured token only that token passes", () =>
    withEmulator(
      Effect.gen(function*() {
        const body = { messages: [] }
        assert.strictEqual((yield* post("/v2/threads", body, { authorization: `Bearer ${TOKEN}` })).status, 200)
        assert.strictEqual(
          (yield* post("/v2/threads", body, { "x-appbuilder-authorization": `Bearer ${TOKEN}` })).status,
          200
        )
        expectApiError(yield* post("/v2/threads", body, { authorization: "Bearer other" }), "unauthorized", "", 401)
        expectApiError(
          yield* post("/v2/threads", body, {
            authorization: "Bearer other",
            "x-appbuilder-authorization": `Bearer ${TOKEN}`
          }),
          "unauthorized",
          "",
          401
        )
        const log = yield* Effect.flatMap(state, (s) => s.requests)
        // tokens never appear in the log
        assert.notInclude(JSON.stringify(log), TOKEN)
        assert.deepStrictEqual(log.map((e) => e.status), [200, 200, 401, 401])
        assert.deepStrictEqual(log.map((e) => e.errorCode), [undefined, undefined, "unauthorized", "unauthorized"])
      }),
      { token: TOKEN }
    ))

  it.effect("echoes X-Appbuilder-Request-Id, or generates one", () =>
    withEmulator(Effect.gen(function*() {
      const echoed = yield* postText("/v2/threads", "{}", { ...AUTH, "x-appbuilder-request-id": "21ab2f6c-9435" })
      assert.strictEqual(echoed.headers["x-appbuilder-request-id"], "21ab2f6c-9435")
      const generated = yield* postText("/v2/threads", "{}")
      assert.match(generated.headers["x-appbuilder-request-id"] ?? "", UUID)
      const empty = yield* postText("/v2/threads", "{}", { ...AUTH, "x-appbuilder-request-id": "" })
      assert.match(empty.headers["x-appbuilder-request-id"] ?? "", UUID)
      const error = yield* postText("/v2/threads", "{", { ...AUTH, "x-appbuilder-request-id": "rid-error" })
      assert.strictEqual(error.headers["x-appbuilder-request-id"], "rid-error")
    })))

  it.effect("bodies that are not a JSON object answer 400 invalid_json and change nothing", () =>
    withEmulator(Effect.gen(function*() {
      for (const text of ["{", "", "[]", "\"text\"", "42", "null", "{\"name\": \"x\",}", "{\"a\":1} trailing"]) {
        expectApiError(yield* postText("/v2/assistants", text), "invalid_json", "", 400)
      }
      // any content type is accepted as long as the body is JSON
      assert.strictEqual((yield* postText("/v2/threads", "{}", AUTH, "text/plain")).status, 200)
      // wrong types and unknown ids change nothing either
      expectApiError(yield* post("/v2/assistants", assistantBody({ name: 1 })), "invalid_argument", "name")
      expectApiError(yield* post("/v2/assistants/delete", { assistant_id: "asst_nope" }), "not_found", "assistant_id")
      assert.strictEqual(yield* assistantCount, 0)
      // unknown keys are ignored
      assert.strictEqual((yield* call("/v2/assistants", assistantBody({ surprise: [1, 2] })))["object"], "assistant")
    })))

  it.effect("the request log records method, path, redacted headers, body, status and error code", () =>
    withEmulator(Effect.gen(function*() {
      yield* postText("/v2/threads", "{\"messages\": []}", {
        ...AUTH,
        "x-appbuilder-authorization": `Bearer ${TOKEN}`,
        "x-appbuilder-request-id": "rid-1"
      })
      yield* upload("a.txt", "hello")
      yield* post("/v2/threads/query", { thread_id: "thread_x" })
      const s = yield* state
      const log = yield* s.requests
      assert.strictEqual(log.length, 3)
      const first = log[0]!
      assert.strictEqual(first.method, "POST")
      assert.strictEqual(first.requestId, "rid-1")
      assert.strictEqual(first.body, "{\"messages\": []}")
      assert.strictEqual(first.headers["authorization"], "<redacted>")
      assert.strictEqual(first.headers["x-appbuilder-authorization"], "<redacted>")
      assert.strictEqual(first.status, 200)
      assert.match(log[1]!.body, /^<multipart \d+ bytes>$/)
      assert.strictEqual(log[1]!.query, "purpose=assistant")
      assert.strictEqual(log[2]!.errorCode, "not_found")
      yield* s.clearRequests
      assert.strictEqual((yield* s.requests).length, 0)
    })))

  it.effect("a defect in a handler answers a 500 internal_error envelope", () =>
    Effect.gen(function*() {
      const app = Router.make([
        Route.make("/v2/boom", () => Effect.die(new Error("boom"))),
        Route.make("/v2/throw", () => Effect.sync(() => JSON.parse("{")))
      ])
      const client = yield* Effect.map(Effect.context<Router.Requirements>(), (context) =>
        InProcessClient.make(Effect.provide(app, context)))
      for (const path of ["/v2/boom", "/v2/throw"]) {
        const response = yield* execute(
          HttpClientRequest.post(`${BASE}${path}`).pipe(
            HttpClientRequest.setHeaders(AUTH),
            HttpClientRequest.bodyText("{}", "application/json")
          )
        ).pipe(Effect.provideService(HttpClient.HttpClient, client))
        const error = expectApiError(response, "internal_error", "", 500)
        assert.strictEqual(error["type"], "server_error")
        assert.strictEqual(response.headers["content-type"], "application/json; charset=utf-8")
      }
    }).pipe(Effect.provide(Layer.fresh(App.layerServices()))))
})
