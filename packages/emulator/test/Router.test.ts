import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { AUTH, envelope, post, postText } from "./utils/http.js"

describe("Router", () => {
  it.effect("unknown path answers a 404 envelope with a request id", () =>
    Effect.gen(function*() {
      const response = yield* post("/v2/nope", {})
      assert.strictEqual(response.status, 404)
      assert.deepStrictEqual(envelope(response), {
        code: "not_found",
        message: "no such path: /v2/nope",
        type: "invalid_request_error",
        param: ""
      })
      assert.match(response.headers["x-appbuilder-request-id"] ?? "", /^[0-9a-f-]{36}$/)
      assert.strictEqual(response.headers["content-type"], "application/json; charset=utf-8")
      const state = yield* EmulatorState.EmulatorState
      const log = yield* state.requests
      assert.strictEqual(log.length, 1)
      assert.strictEqual(log[0]!.headers["authorization"], "<redacted>")
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("echoes the request id", () =>
    Effect.gen(function*() {
      const response = yield* postText("/v2/nope", "{}", { ...AUTH, "x-appbuilder-request-id": "abc-123" })
      assert.strictEqual(response.headers["x-appbuilder-request-id"], "abc-123")
    }).pipe(Effect.provide(Emulator.layer())))
})
