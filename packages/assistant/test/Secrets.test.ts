/**
 * The token never leaks:
 * - a token that cannot go in an HTTP header is rejected when the layer is built, without echoing it;
 * - no span (attributes, events, how it ended, including the exit's value and cause) and no log line, at
 *   the lowest level, contains the token, on the in-process emulator, undici and fetch.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import { ValidationError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { NodeHttpClient } from "@effect/platform-node"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Emulated from "./utils/Emulated.js"
import { recordSpans } from "./utils/RecordSpans.js"

const TOKEN = "bce-v3/ALTAK-secrets-test/0123456789abcdef"

/**
 * Turns anything into JSON text, walking every own property (symbols and non-enumerable ones included,
 * `toJSON` results too), so that a secret held anywhere in an object graph shows up in the text.
 */
const serialise = (root: unknown): string => {
  const seen = new WeakSet<object>()
  let budget = 200_000
  const walk = (value: unknown, depth: number): unknown => {
    if (--budget < 0) return "[budget]"
    switch (typeof value) {
      case "string":
      case "number":
      case "boolean":
        return value
      case "bigint":
      case "symbol":
        return String(value)
      case "undefined":
        return "[undefined]"
      case "function":
        return `[function ${value.name}]`
    }
    if (value === null) return null
    if (typeof value !== "object") return String(value)
    if (seen.has(value)) return "[seen]"
    if (depth > 30) return "[deep]"
    seen.add(value)
    const out: Record<string, unknown> = {}
    if (value instanceof Map) out["[entries]"] = walk([...value.entries()], depth + 1)
    if (value instanceof Set) out["[values]"] = walk([...value.values()], depth + 1)
    if (Array.isArray(value)) out["[items]"] = value.map((item) => walk(item, depth + 1))
    for (const key of Reflect.ownKeys(value)) {
      try {
        out[String(key)] = walk(Reflect.get(value, key), depth + 1)
      } catch (error) {
        out[String(key)] = `[throws ${String(error)}]`
      }
    }
    if ("toJSON" in value && typeof value.toJSON === "function") {
      try {
        out["[toJSON]"] = walk(value.toJSON(), depth + 1)
      } catch (error) {
        out["[toJSON]"] = `[throws ${String(error)}]`
      }
    }
    return out
  }
  return JSON.stringify(walk(root, 0))
}

const assertNoToken = (text: string, where: string) => {
  assert.notInclude(text, TOKEN, where)
  assert.notInclude(text, `Bearer ${TOKEN}`, where)
  assert.notInclude(text, "secrets-test", where)
}

describe("a token that cannot go in an HTTP header", () => {
  const bad = [
    `${TOKEN}\r\nX-Injected: yes`,
    `${TOKEN}\n`,
    `${TOKEN}\u0000`,
    `${TOKEN}\u007f`,
    `${TOKEN}-令牌`,
    `${TOKEN}-café`
  ]
  const mock = HttpClient.make((request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 })))
  )

  it.effect("is rejected when the layer is built, with a ValidationError on `token` that does not echo it", () =>
    Effect.gen(function*() {
      for (const token of bad) {
        for (
          const layer of [
            AppBuilderClient.layer({ token: Redacted.make(token) }),
            AppBuilder.layer({ token: Redacted.make(token) })
          ]
        ) {
          const exit = yield* Layer.build(layer).pipe(
            Effect.provideService(HttpClient.HttpClient, mock),
            Effect.scoped,
            Effect.exit
          )
          assert.isTrue(Exit.isFailure(exit), JSON.stringify(token))
          if (Exit.isSuccess(exit)) continue
          const error = Option.getOrThrow(Cause.failureOption(exit.cause))
          assert.instanceOf(error, ValidationError)
          if (!(error instanceof ValidationError)) continue
          assert.deepStrictEqual(error.issues.map((issue) => issue.field), ["token"])
          assert.include(error.message, "cannot be sent in an HTTP header")
          for (
            const text of [
              error.message,
              String(error),
              JSON.stringify(error),
              Cause.pretty(exit.cause),
              JSON.stringify(exit),
              serialise(exit)
            ]
          ) {
            assertNoToken(text, JSON.stringify(token))
          }
        }
      }
    }))

  it.effect("visible ASCII with spaces and tabs is accepted; a bad prefix or platform is rejected", () =>
    Effect.gen(function*() {
      const build = (options: AppBuilderClient.Options) =>
        AppBuilderClient.make(options).pipe(Effect.provideService(HttpClient.HttpClient, mock), Effect.exit)
      assert.isTrue(Exit.isSuccess(yield* build({ token: Redacted.make("Bearer a\tb ~!") })))
      const prefix = yield* build({ token: Redacted.make("t"), secretKeyPrefix: "Bearer\n" })
      const platform = yield* build({ token: Redacted.make("t"), platform: "平台" })
      for (const [exit, field] of [[prefix, "secretKeyPrefix"], [platform, "platform"]] as const) {
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
        assert.instanceOf(error, ValidationError)
        if (error instanceof ValidationError) assert.deepStrictEqual(error.issues.map((i) => i.field), [field])
      }
    }))
})

/** A tracer recording every span it makes (they keep their attributes, events and end status). */
const recorder = Effect.gen(function*() {
  const { spans, recording } = yield* recordSpans
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(
      serialise({
        level: options.logLevel.label,
        message: options.message,
        cause: Cause.pretty(options.cause),
        causeValue: options.cause,
        annotations: options.annotations,
        spans: options.spans
      })
    )
  })
  const logging = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  return { spans, lines, recording, logging }
})

const weather = ToolLoop.tool("get_cur_whether", {
  description: "weather",
  parameters: Schema.Struct({ location: Schema.String }),
  handler: ({ location }) => Effect.succeed(`${location} 的当前温度是30 摄氏度`)
})
const toolkit = ToolLoop.toolkit(weather)

/** A create, a 401, a streamed run, a tool loop in both modes, and a create whose answer is cut. */
const calls = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const runs = yield* Runs.Runs
  const assistant = yield* assistants.create({ name: "secrets", instructions: "hello" })
  yield* state.injectFault("/v2/assistants/query", Faults.status(401))
  const unauthorized = yield* Effect.flip(assistants.query(assistant.id))
  assert.strictEqual(unauthorized._tag, "HttpError")
  yield* Effect.logError("query failed", unauthorized)
  const thread = yield* threads.create({ messages: [{ content: "hello" }] })
  yield* Stream.runDrain(runs.stream({ assistantId: assistant.id, threadId: thread.id }))
  const toolThread = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })
  const tags = yield* ToolLoop.stream(
    { assistantId: assistant.id, threadId: toolThread.id, tools: toolkit.definitions },
    { toolkit }
  ).pipe(Stream.map((event) => event._tag), Stream.runCollect)
  assert.include([...tags], "ToolSubmittedOutput")
  const blockingThread = yield* threads.create({ messages: [{ content: "今天上海的天气怎么样？" }] })
  yield* ToolLoop.run(
    { assistantId: assistant.id, threadId: blockingThread.id, tools: toolkit.definitions },
    { toolkit, mode: "blocking" }
  )
  yield* state.injectFault("/v2/assistants", Faults.dropAfter(0))
  const cut = yield* Effect.either(assistants.create({ name: "cut" }))
  yield* Effect.logWarning("create cut", cut)
})

// no retries: every failure above is seen once, and no backoff waits on the TestClock
const inProcess = Emulated.layer({ token: TOKEN, retry: false })

const overServer = (http: Layer.Layer<HttpClient.HttpClient>) =>
  Emulated.overServer(http, { token: TOKEN, retry: false })

/** Runs the calls with the recorder on the client side only (the emulator's own spans are not ours). */
const check = (layer: Layer.Layer<Assistants.Assistants | Threads.Threads | Runs.Runs | EmulatorState.EmulatorState>) =>
  Effect.gen(function*() {
    const { lines, logging, recording, spans } = yield* recorder
    yield* calls.pipe(Effect.withTracer(recording), Effect.provide(logging), Effect.provide(layer))
    const clientSpans = spans.filter((span) => span.name.startsWith("http.client"))
    assert.isAtLeast(clientSpans.length, 8)
    assert.isAtLeast(lines.length, 5)
    for (const span of spans) {
      if (span._tag !== "Span") continue
      const text = serialise({
        name: span.name,
        attributes: span.attributes,
        status: span.status,
        links: span.links,
        span
      })
      assertNoToken(text, span.name)
    }
    for (const line of lines) assertNoToken(line, line.slice(0, 200))
    // the client spans are still there, with the secret headers redacted and the request id
    const first = clientSpans[0]!
    assert.strictEqual(first.attributes.get("http.request.header.authorization"), "<redacted>")
    assert.strictEqual(first.attributes.get("http.request.header.x-appbuilder-authorization"), "<redacted>")
    assert.strictEqual(first.attributes.get("http.request.method"), "POST")
    assert.strictEqual(first.attributes.get("http.response.status_code"), 200)
    assert.match(String(first.attributes.get("http.request.header.x-appbuilder-request-id")), /^[0-9a-f-]{36}$/)
    assert.isTrue(clientSpans.some((span) => span.attributes.get("http.response.status_code") === 401))
  })

describe("the token appears in no span and no log line", () => {
  it.effect("in-process emulator", () => check(inProcess))
  it.live("loopback, NodeHttpClient.layerUndici", () => check(overServer(NodeHttpClient.layerUndici)))
  it.live("loopback, FetchHttpClient.layer", () => check(overServer(FetchHttpClient.layer)))

  it.effect("the http.client span is a child of the operation span and its trace context is sent", () =>
    Effect.gen(function*() {
      const { recording, spans } = yield* recorder
      const state = yield* EmulatorState.EmulatorState
      yield* Effect.flatMap(Assistants.Assistants, (a) => a.create({ name: "traced" })).pipe(
        Effect.withTracer(recording)
      )
      const operation = spans.find((span) => span.name === "Assistants.create")
      const client = spans.find((span) => span.name === "http.client POST")
      assert.isDefined(operation)
      assert.isDefined(client)
      assert.strictEqual(Option.getOrUndefined(client!.parent)?.spanId, operation!.spanId)
      assert.strictEqual(client!.kind, "client")
      assert.include(String(client!.attributes.get("url.full")), "/v2/assistants")
      const [request] = yield* state.requests
      assert.strictEqual(request!.headers["traceparent"], `00-${client!.traceId}-${client!.spanId}-01`)
    }).pipe(Effect.provide(inProcess)))
})
