/**
 * While the SDK sends a request, what the client's `transformClient` logs shows neither authorization
 * header in clear, and no platform `http.client` span is made beside the SDK's own; once the call is over,
 * the caller's settings (redacted names, tracer switch) are its own again, whether the call succeeded or
 * failed.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Logger from "effect/Logger"
import * as Emulated from "./utils/Emulated.js"
import { recordSpans } from "./utils/RecordSpans.js"

const TOKEN = "bce-v3/ALTAK-send-refs/0123456789abcdef"

describe("the refs of a send", () => {
  it.effect("a request logged by transformClient has both authorization headers redacted", () => {
    const lines: Array<string> = []
    const logger = Logger.map(Logger.stringLogger, (line) => {
      lines.push(line)
    })
    const layer = Emulated.layer({
      token: TOKEN,
      retry: false,
      transformClient: HttpClient.tapRequest((request) => Effect.logInfo("sending", request.headers))
    })
    return Effect.gen(function*() {
      const { spans, recording } = yield* recordSpans
      const names = yield* FiberRef.get(Headers.currentRedactedNames)
      const disabledWhen = yield* FiberRef.get(HttpClient.currentTracerDisabledWhen)
      const assistants = yield* Assistants.Assistants
      const state = yield* EmulatorState.EmulatorState
      yield* assistants.create({ name: "refs" }).pipe(Effect.withTracer(recording))
      yield* state.injectFault("/v2/assistants", Faults.status(500))
      yield* Effect.flip(assistants.create({ name: "refs" }))
      yield* state.injectFault("/v2/assistants", Faults.status(500))
      yield* Effect.flip(assistants.create({ name: "refs" }).pipe(Effect.withTracer(recording)))

      const sent = lines.filter((line) => line.includes("sending"))
      assert.strictEqual(sent.length, 3)
      for (const line of sent) {
        assert.notInclude(line, TOKEN)
        assert.include(line, "x-appbuilder-authorization")
      }
      // one client span per traced request: the SDK's (the platform makes none)
      assert.strictEqual(spans.filter((span) => span.name.startsWith("http.client")).length, 2)
      // the caller's own settings, after a success and after a failure
      assert.strictEqual(yield* FiberRef.get(Headers.currentRedactedNames), names)
      assert.strictEqual(yield* FiberRef.get(HttpClient.currentTracerDisabledWhen), disabledWhen)
    }).pipe(Effect.provide(layer), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  })
})
