/**
 * The token never appears in the loopback server's spans, logs or request log, whichever of the two
 * auth headers carries it.
 */
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as Server from "../src/Server.js"

const TOKEN = "bce-v3/ALTAK-secret-0123456789/abcdef"

/** JSON with Maps, bigints and typed arrays spelled out, so that nothing is hidden from the search. */
const serialise = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Map) return [...v.entries()]
    if (typeof v === "bigint") return v.toString()
    if (v instanceof Uint8Array) return new TextDecoder().decode(v)
    return v
  })

const post = (url: string, path: string, headers: Record<string, string>, body: string) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })
      .then(async (response) => ({ status: response.status, text: await response.text() }))
  )

describe("secrets on the loopback server", () => {
  it.live("neither Authorization nor X-Appbuilder-Authorization appears in spans, logs or the request log", () =>
    Effect.gen(function*() {
      const spans: Array<Tracer.Span> = []
      const logs: Array<string> = []
      const tracer = yield* Effect.tracer
      const recording = Tracer.make({
        span: (...args) => {
          const span = tracer.span(...args)
          spans.push(span)
          return span
        },
        context: tracer.context
      })
      const logger = Logger.make((options) => {
        logs.push(Logger.logfmtLogger.log(options))
        logs.push(
          serialise({ message: options.message, cause: String(options.cause), annotations: options.annotations })
        )
      })
      const requests = yield* Effect.gen(function*() {
        const { url } = yield* Server.EmulatorServer
        const bearer = `Bearer ${TOKEN}`
        const both = { authorization: bearer, "x-appbuilder-authorization": bearer }
        const onlyX = { "x-appbuilder-authorization": bearer }
        const created = yield* post(
          url,
          "/v2/assistants",
          both,
          JSON.stringify({ model: "ERNIE-4.0T-8K", name: "s", description: "", instructions: "i" })
        )
        assert.strictEqual(created.status, 200)
        const assistantId = String(JSON.parse(created.text).id)
        const streamed = yield* post(
          url,
          "/v2/threads/runs",
          onlyX,
          JSON.stringify({ assistant_id: assistantId, thread: { messages: [{ content: "hello" }] }, stream: true })
        )
        assert.include(streamed.text, "run_end")
        assert.strictEqual((yield* post(url, "/v2/threads", onlyX, "{not json")).status, 400)
        assert.strictEqual((yield* post(url, "/v2/nowhere", both, "{}")).status, 404)
        assert.strictEqual((yield* post(url, "/v2/threads", { authorization: "Bearer wrong" }, "{}")).status, 401)
        return yield* (yield* EmulatorState.EmulatorState).requests
      }).pipe(
        Effect.provide(Emulator.layerServer({ token: TOKEN, middleware: HttpMiddleware.logger })),
        Effect.withTracer(recording),
        Logger.withMinimumLogLevel(LogLevel.All),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const serverSpans = spans.filter((span) => span.name.startsWith("http.server"))
      assert.isAtLeast(serverSpans.length, 5)
      // the header is there, redacted
      assert.isTrue(
        serverSpans.some((span) => span.attributes.has("http.request.header.x-appbuilder-authorization")),
        "the span records the header (redacted)"
      )
      const recorded = serialise(
        spans.map((span) => ({
          name: span.name,
          attributes: span.attributes,
          events: Reflect.get(span, "events"),
          status: span.status,
          exit: span.status._tag === "Ended" ? String(span.status.exit) : undefined
        }))
      )
      assert.isAbove(logs.length, 0)
      assert.strictEqual(requests.length, 5)
      for (
        const [where, text] of [["spans", recorded], ["logs", logs.join("\n")], ["request log", serialise(requests)]]
      ) {
        assert.notInclude(text, TOKEN, where)
        assert.notInclude(text, "ALTAK-secret", where)
      }
      assert.include(serialise(requests), "<redacted>")
    }))
})
