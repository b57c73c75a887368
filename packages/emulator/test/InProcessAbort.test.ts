/**
 * A streamed answer that nobody reads must not hold its run back once the request is over: closing
 * the request's scope aborts it, and the in-process client then releases the body, so the run goes on
 * to its end on the "server" like it would after a dropped connection.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { AUTH, BASE } from "./utils/http.js"
import { createAssistant, createThread, runBody } from "./utils/runs.js"

describe("in-process client: aborted streamed answers", () => {
  it.effect("an unread stream of 500 chunks, its request scope closed: the run still completes", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 500 chunks", role: "user", file_ids: [] }])
      const client = HttpClient.withScope(yield* HttpClient.HttpClient) // as the SDK does: the scope owns the request
      const status = yield* client.execute(
        HttpClientRequest.post(`${BASE}/v2/threads/runs`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyText(
            JSON.stringify(runBody(assistantId, threadId, { stream: true })),
            "application/json"
          )
        )
      ).pipe(Effect.map((response) => response.status), Effect.scoped) // the body is never read
      assert.strictEqual(status, 200)
      const state = yield* EmulatorState.EmulatorState
      // without the release, the run stalls with a full reader buffer and stays in_progress
      for (let i = 0; i < 50 && (yield* state.activeRuns).length > 0; i++) yield* Effect.yieldNow()
      assert.deepStrictEqual((yield* state.runs()).map((run) => run.status), ["completed"])
    }).pipe(Effect.provide(Emulator.layer())))
})
