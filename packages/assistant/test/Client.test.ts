import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import { HttpError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as RequestHeaders from "../src/internal/headers.js"
import * as ClientOptions from "../src/internal/options.js"
import * as Retry from "../src/internal/retry.js"
import { json, layerWith, makeMock, type Recorded, text, TOKEN, withMock } from "./utils/MockHttp.js"
import { recordSpans } from "./utils/RecordSpans.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  return Option.getOrThrowWith(Cause.failureOption(exit.cause), () => new Error(Cause.pretty(exit.cause)))
}

const httpErrorOf = <A, E>(exit: Exit.Exit<A, E>): HttpError => {
  const error = failureOf(exit)
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`)
  return error
}

const query = Effect.flatMap(Assistants.Assistants, (a) => a.query("asst_1"))
const create = Effect.flatMap(Assistants.Assistants, (a) => a.create({ name: "n" }))
const assistantJson = { id: "asst_1", object: "assistant", name: "n", instructions: "" }

describe("AppBuilderClient: headers and URL", () => {
  it.effect("sends both auth headers, the SDK headers and a fresh request id", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withMock(() => json(assistantJson), Effect.zip(query, query))
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(requests.length, 2)
      const [first, second] = requests as [Recorded, Recorded]
      assert.strictEqual(first.url, "http://mock.test/v2/assistants/query")
      assert.strictEqual(first.headers["authorization"], `Bearer ${TOKEN}`)
      assert.strictEqual(first.headers["x-appbuilder-authorization"], `Bearer ${TOKEN}`)
      assert.strictEqual(first.headers["x-appbuilder-origin"], "appbuilder_sdk")
      assert.deepStrictEqual(JSON.parse(first.headers["x-appbuilder-sdk-config"] ?? ""), {
        appbuilder_sdk_version: "0.1.0",
        appbuilder_sdk_language: "typescript",
        appbuilder_sdk_platform: "unknown"
      })
      assert.strictEqual(first.headers["content-type"], "application/json")
      assert.match(first.headers["x-appbuilder-request-id"] ?? "", UUID)
      assert.strictEqual(first.headers["x-bce-request-id"], first.headers["x-appbuilder-request-id"])
      assert.notStrictEqual(first.headers["x-appbuilder-request-id"], second.headers["x-appbuilder-request-id"])
    }))

  it.effect("does not double the Bearer prefix; honours a custom prefix", () =>
    Effect.gen(function*() {
      const withPrefix = yield* withMock(() => json(assistantJson), query, { token: Redacted.make(`Bearer ${TOKEN}`) })
      assert.strictEqual(withPrefix.requests[0]!.headers["authorization"], `Bearer ${TOKEN}`)
      const custom = yield* withMock(() => json(assistantJson), query, { secretKeyPrefix: "Token" })
      assert.strictEqual(custom.requests[0]!.headers["x-appbuilder-authorization"], `Token ${TOKEN}`)
      assert.strictEqual(
        Redacted.value(RequestHeaders.authorizationValue(Redacted.make("Bearerxyz"))),
        "Bearerxyz"
      )
    }))

  it.effect("normalises the base URL (spec §1.1) without a double slash", () =>
    Effect.gen(function*() {
      assert.strictEqual(ClientOptions.normalizeBaseUrl(undefined), "https://appbuilder.baidu.com")
      assert.strictEqual(ClientOptions.normalizeBaseUrl(""), "https://appbuilder.baidu.com")
      assert.strictEqual(ClientOptions.normalizeBaseUrl("gateway.example/"), "https://gateway.example")
      assert.strictEqual(ClientOptions.normalizeBaseUrl("http://host//"), "http://host")
      const { requests } = yield* withMock(() => json(assistantJson), query, { baseUrl: "http://host:8080/" })
      assert.strictEqual(requests[0]!.url, "http://host:8080/v2/assistants/query")
    }))

  it.effect("an empty token is rejected when the client is built", () =>
    Effect.gen(function*() {
      const mock = yield* makeMock(() => json({}))
      const exit = yield* AppBuilderClient.make({ token: Redacted.make("") }).pipe(
        Effect.provideService(HttpClient.HttpClient, mock.client),
        Effect.exit
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "ValidationError")
    }))

  it.effect("layerConfig reads APPBUILDER_TOKEN and GATEWAY_URL", () =>
    Effect.gen(function*() {
      const mock = yield* makeMock(() => json(assistantJson))
      const layer = Assistants.layer.pipe(
        Layer.provide(AppBuilderClient.layerConfig()),
        Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client))
      )
      yield* query.pipe(
        Effect.provide(layer),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["APPBUILDER_TOKEN", "tok"], ["GATEWAY_URL", "emulator.local/"]]))
        )
      )
      const [request] = yield* Ref.get(mock.requests)
      assert.strictEqual(request!.url, "https://emulator.local/v2/assistants/query")
      assert.strictEqual(request!.headers["authorization"], "Bearer tok")
    }))
})

describe("AppBuilderClient: error mapping", () => {
  it.effect("#28 a 200 error envelope becomes an Api error with the envelope fields and request id", () =>
    Effect.gen(function*() {
      const { exit } = yield* withMock(
        () =>
          json(
            {
              error: {
                code: "not_found",
                message: "assistant asst_x not found",
                type: "invalid_request_error",
                param: "assistant_id"
              }
            },
            { headers: { "x-appbuilder-request-id": "req-123" } }
          ),
        query,
        { retry: false }
      )
      const error = httpErrorOf(exit)
      assert.strictEqual(error.reason, "Api")
      assert.strictEqual(error.status, 200)
      assert.strictEqual(error.code, "not_found")
      assert.strictEqual(error.type, "invalid_request_error")
      assert.strictEqual(error.param, "assistant_id")
      assert.strictEqual(error.requestId, "req-123")
      assert.strictEqual(error.operation, "Assistants.query")
      assert.include(error.message, "assistant asst_x not found")
      assert.isFalse(error.retryable)
    }))

  it.effect("envelope: `params` alias, numeric code, missing keys", () =>
    Effect.gen(function*() {
      const a = httpErrorOf(
        (yield* withMock(() => json({ error: { code: 400, message: "m", type: "t", params: "p" } }), query)).exit
      )
      assert.strictEqual(a.code, "400")
      assert.strictEqual(a.param, "p")
      const b = httpErrorOf((yield* withMock(() => json({ error: {} }), query)).exit)
      assert.strictEqual(b.reason, "Api")
      assert.isUndefined(b.code)
      const c = httpErrorOf((yield* withMock(() => json({ error: "boom" }), query)).exit)
      assert.strictEqual(c.reason, "Api")
      assert.include(c.description, "boom")
    }))

  const statuses = [400, 401, 403, 404, 405, 409, 411, 422, 424, 428, 429, 500, 507, 503, 502, 201]
  it.effect("#29 every non-200 status is a Status error with the body text and request id", () =>
    Effect.gen(function*() {
      for (const status of statuses) {
        const body = `{"error":{"code":"c${status}","message":"status ${status}","type":"t","param":""}}`
        const { exit, requests } = yield* withMock(
          () => text(body, status, { "x-appbuilder-request-id": `rid-${status}`, "content-type": "application/json" }),
          query,
          { retry: false }
        )
        const error = httpErrorOf(exit)
        assert.strictEqual(requests.length, 1)
        assert.strictEqual(error.reason, "Status")
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.body, body)
        assert.strictEqual(error.code, `c${status}`)
        assert.strictEqual(error.requestId, `rid-${status}`)
        assert.include(error.message, `status=${status}`)
      }
    }))

  it.effect("a Status error keeps a non-JSON body (trimmed to about 2 KB)", () =>
    Effect.gen(function*() {
      const long = "x".repeat(5000)
      const error = httpErrorOf((yield* withMock(() => text(long, 500), query, { retry: false })).exit)
      assert.strictEqual(error.reason, "Status")
      assert.isAtMost(error.body!.length, 2100)
      assert.isUndefined(error.code)
    }))

  it.effect("storage endpoints: a 200 {code, message} without id is an Api error", () =>
    Effect.gen(function*() {
      const { exit } = yield* withMock(
        () => json({ request_id: "r", code: "FileNotFound", message: "file_id test is not exist" }),
        Effect.flatMap(Files.Files, (f) => f.query("test"))
      )
      const error = httpErrorOf(exit)
      assert.strictEqual(error.reason, "Api")
      assert.strictEqual(error.code, "FileNotFound")
      assert.include(error.description, "is not exist")
      // a file object is not an error even though it has no `code`
      const ok = yield* withMock(
        () => json({ id: "file-1", object: "file", censored: 1, create_at: 1, bytes: 3, code: "x", message: "y" }),
        Effect.flatMap(Files.Files, (f) => f.query("file-1"))
      )
      assert.isTrue(Exit.isSuccess(ok.exit))
    }))

  it.effect("malformed or mistyped bodies are Decode errors", () =>
    Effect.gen(function*() {
      const bad = httpErrorOf((yield* withMock(() => text("{not json", 200), query)).exit)
      assert.strictEqual(bad.reason, "Decode")
      assert.strictEqual(bad.body, "{not json")
      const empty = httpErrorOf((yield* withMock(() => text("", 200), query)).exit)
      assert.strictEqual(empty.reason, "Decode")
      const mistyped = httpErrorOf((yield* withMock(() => json({ id: 42 }), query)).exit)
      assert.strictEqual(mistyped.reason, "Decode")
      assert.include(mistyped.description, "unexpected response")
    }))

  it.effect("a transport failure is a Transport error with the request id of the attempt", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withMock(() => "transport-error", query, { retry: false })
      const error = httpErrorOf(exit)
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.requestId, requests[0]!.headers["x-appbuilder-request-id"])
      assert.isTrue(error.retryable)
    }))
})

/** Forks `effect` over a mock; returns the mock and the fiber. */
const forkWith = <A, E, R>(
  handler: Parameters<typeof makeMock>[0],
  effect: Effect.Effect<A, E, R>,
  options: Partial<AppBuilderClient.Options> = {}
) =>
  Effect.gen(function*() {
    const mock = yield* makeMock(handler)
    const fiber = yield* effect.pipe(Effect.provide(layerWith(mock, options)), Effect.exit, Effect.fork)
    const count = Effect.map(Ref.get(mock.requests), (list) => list.length)
    return { mock, fiber, count }
  })

describe("AppBuilderClient: retries and timeouts (TestClock)", () => {
  it.effect("429 with Retry-After seconds: retried exactly after that delay, with a new request id", () =>
    Effect.gen(function*() {
      const { count, fiber, mock } = yield* forkWith(
        (_, i) => (i === 0 ? text("slow down", 429, { "retry-after": "3" }) : json(assistantJson)),
        create
      )
      yield* TestClock.adjust("2999 millis")
      assert.strictEqual(yield* count, 1)
      yield* TestClock.adjust("1 millis")
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isSuccess(exit))
      const requests = yield* Ref.get(mock.requests)
      assert.strictEqual(requests.length, 2)
      assert.notStrictEqual(
        requests[0]!.headers["x-appbuilder-request-id"],
        requests[1]!.headers["x-appbuilder-request-id"]
      )
      assert.strictEqual(requests[1]!.headers["x-bce-request-id"], requests[1]!.headers["x-appbuilder-request-id"])
    }))

  it.effect("429 with Retry-After as an HTTP date, measured on the Clock", () =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const date = new Date(now + 5000).toUTCString()
      const { count, fiber } = yield* forkWith(
        (_, i) => (i === 0 ? text("slow down", 429, { "retry-after": date }) : json(assistantJson)),
        create
      )
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual(yield* count, 1)
      yield* TestClock.adjust("1 millis")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(fiber)))
      assert.strictEqual(Retry.parseRetryAfter("2", 0), 2000)
      assert.strictEqual(Retry.parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000)
      assert.strictEqual(Retry.parseRetryAfter("soon", 0), undefined)
    }))

  it.effect("503: exponential backoff with jitter (500 ms, 1 s, 2 s ±20 %), then the error", () =>
    Effect.gen(function*() {
      const times = yield* Ref.make<ReadonlyArray<number>>([])
      const { fiber } = yield* forkWith(
        () =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            yield* Ref.update(times, (list) => [...list, now])
            return text("unavailable", 503)
          }),
        create
      )
      for (let i = 0; i < 100; i++) yield* TestClock.adjust("50 millis")
      const error = httpErrorOf(yield* Fiber.join(fiber))
      assert.strictEqual(error.status, 503)
      const at = yield* Ref.get(times)
      assert.strictEqual(at.length, 4)
      const gaps = at.slice(1).map((t, i) => t - at[i]!)
      for (const [i, base] of [500, 1000, 2000].entries()) {
        assert.isAtLeast(gaps[i]!, base * 0.8 - 1)
        assert.isAtMost(gaps[i]!, base * 1.2 + 50)
      }
    }))

  it.effect("the computed delay is capped", () =>
    Effect.gen(function*() {
      const times = yield* Ref.make<ReadonlyArray<number>>([])
      const { fiber } = yield* forkWith(
        () =>
          Effect.zipRight(
            Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(times, (l) => [...l, now])),
            Effect.succeed(text("", 502))
          ),
        create,
        { retry: { baseDelay: "1 second", maxDelay: "1500 millis", maxRetries: 3 } }
      )
      for (let i = 0; i < 100; i++) yield* TestClock.adjust("100 millis")
      yield* Fiber.join(fiber)
      const at = yield* Ref.get(times)
      const gaps = at.slice(1).map((t, i) => t - at[i]!)
      assert.strictEqual(gaps.length, 3)
      for (const gap of gaps.slice(1)) assert.isAtMost(gap, 1600)
    }))

  it.effect("a create is not retried after a timeout: its outcome is unknown", () =>
    Effect.gen(function*() {
      const { count, fiber } = yield* forkWith(() => Effect.never, create, { timeout: "1 second" })
      yield* TestClock.adjust("1 second")
      const error = httpErrorOf(yield* Fiber.join(fiber))
      assert.strictEqual(error.reason, "OutcomeUnknown")
      assert.include(error.message, "outcome unknown")
      assert.include(error.message, "no answer within 1s")
      assert.isFalse(error.retryable)
      assert.match(error.requestId ?? "", UUID)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* count, 1)
    }))

  it.effect("a query is retried after a timeout, with a fresh timeout for the next attempt", () =>
    Effect.gen(function*() {
      const { count, fiber } = yield* forkWith(
        (_, i) => (i === 0 ? Effect.never : Effect.as(Effect.sleep("900 millis"), json(assistantJson))),
        query,
        { timeout: "1 second" }
      )
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* count, 1)
      yield* TestClock.adjust("700 millis") // backoff ≤ 600 ms
      assert.strictEqual(yield* count, 2)
      yield* TestClock.adjust("900 millis") // the second attempt's own timeout (1 s) is not reached
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isSuccess(exit))
    }))

  it.effect("a connection that could not be opened is retried, even for a create", () =>
    Effect.gen(function*() {
      // undici's fetch reports a refused connection as TypeError("fetch failed") with the code in its cause
      const refused = new TypeError("fetch failed", {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
      })
      const { attempts, fiber } = yield* forkFlaky(refused, 1, create)
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(fiber)))
      assert.strictEqual(yield* attempts, 2)
    }))

  it.effect("a create is not retried after a 500; a query is", () =>
    Effect.gen(function*() {
      const a = yield* forkWith((_, i) => (i === 0 ? text("oops", 500) : json(assistantJson)), create)
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(httpErrorOf(yield* Fiber.join(a.fiber)).status, 500)
      assert.strictEqual(yield* a.count, 1)
      const b = yield* forkWith((_, i) => (i === 0 ? text("oops", 500) : json(assistantJson)), query)
      yield* TestClock.adjust("5 seconds")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(b.fiber)))
      assert.strictEqual(yield* b.count, 2)
    }))

  it.effect("a quota error is never retried", () =>
    Effect.gen(function*() {
      const { count, fiber } = yield* forkWith(
        () =>
          text(
            JSON.stringify({ error: { code: 17, message: "Open api daily request limit reached", type: "quota" } }),
            429
          ),
        query
      )
      yield* TestClock.adjust("1 minute")
      const error = httpErrorOf(yield* Fiber.join(fiber))
      assert.isTrue(error.isQuotaExhausted)
      assert.strictEqual(yield* count, 1)
    }))

  it.effect("retry: false disables retries; a too long Retry-After is not waited for", () =>
    Effect.gen(function*() {
      const a = yield* forkWith(() => text("", 503), query, { retry: false })
      assert.strictEqual(httpErrorOf(yield* Fiber.join(a.fiber)).status, 503)
      assert.strictEqual(yield* a.count, 1)
      const b = yield* forkWith(() => text("", 429, { "retry-after": "3600" }), query)
      const error = httpErrorOf(yield* Fiber.join(b.fiber))
      assert.strictEqual(error.retryAfterMillis, 3_600_000)
      assert.strictEqual(yield* b.count, 1)
    }))

  it.effect("interrupting a call aborts the request", () =>
    Effect.gen(function*() {
      const aborted = yield* Ref.make(false)
      const { fiber } = yield* forkWith(
        () => Effect.never.pipe(Effect.onInterrupt(() => Ref.set(aborted, true))),
        query
      )
      yield* TestClock.adjust("10 millis")
      yield* Fiber.interrupt(fiber)
      assert.isTrue(yield* Ref.get(aborted))
    }))
})

/** A client whose first `failures` attempts fail with a transport error caused by `cause`. */
const flakyClient = (cause: unknown, failures: number, reply: () => Response = () => json(assistantJson)) =>
  Effect.gen(function*() {
    const attempts = yield* Ref.make(0)
    const client = HttpClient.make((request) =>
      Effect.flatMap(Ref.getAndUpdate(attempts, (n) => n + 1), (n) =>
        n < failures
          ? Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
          : Effect.succeed(HttpClientResponse.fromWeb(request, reply())))
    )
    return { attempts: Ref.get(attempts), client }
  })

const layerOver = (client: HttpClient.HttpClient, options: Partial<AppBuilderClient.Options> = {}) =>
  AppBuilder.layer({ token: Redacted.make(TOKEN), baseUrl: "http://mock.test", ...options }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, client)),
    Layer.orDie
  )

const forkFlaky = <A, E, R>(
  cause: unknown,
  failures: number,
  effect: Effect.Effect<A, E, R>,
  reply?: () => Response
) =>
  Effect.gen(function*() {
    const flaky = yield* flakyClient(cause, failures, reply)
    const fiber = yield* effect.pipe(Effect.provide(layerOver(flaky.client)), Effect.exit, Effect.fork)
    return { attempts: flaky.attempts, fiber }
  })

/** A 200 JSON answer whose body breaks after its first bytes. */
const cutBody = () =>
  new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{\"id\": \"asst"))
        controller.error(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }))
      }
    }),
    { status: 200, headers: { "content-type": "application/json" } }
  )

describe("AppBuilderClient: no duplicated side effect (TestClock)", () => {
  const closed = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })

  it.effect("a create whose connection broke after sending is OutcomeUnknown and is not resent", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* forkFlaky(closed, 10, create)
      yield* TestClock.adjust("1 minute")
      const error = httpErrorOf(yield* Fiber.join(fiber))
      assert.strictEqual(error.reason, "OutcomeUnknown")
      assert.include(error.message, "outcome unknown")
      assert.include(error.message, "connection closed by the other side")
      assert.include(error.message, "not retried")
      assert.match(error.requestId ?? "", UUID)
      assert.isFalse(error.retryable)
      assert.strictEqual(yield* attempts, 1)
    }))

  it.effect("an unclassified transport failure is OutcomeUnknown for a create", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* forkFlaky(new Error("something odd"), 10, create)
      yield* TestClock.adjust("1 minute")
      const error = httpErrorOf(yield* Fiber.join(fiber))
      assert.strictEqual(error.reason, "OutcomeUnknown")
      assert.include(error.description, "something odd")
      assert.strictEqual(yield* attempts, 1)
    }))

  it.effect("the same failure on a read-only query is a Transport error and is retried", () =>
    Effect.gen(function*() {
      const { attempts, fiber } = yield* forkFlaky(closed, 1, query)
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(fiber)))
      assert.strictEqual(yield* attempts, 2)
    }))

  it.effect("refused connections of every address (AggregateError, happy eyeballs) count as never sent", () =>
    Effect.gen(function*() {
      const refused = Object.assign(
        new AggregateError([
          Object.assign(new Error("connect ECONNREFUSED ::1:80"), { code: "ECONNREFUSED" }),
          Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:80"), { code: "ECONNREFUSED" })
        ]),
        { code: "ECONNREFUSED" }
      )
      const { attempts, fiber } = yield* forkFlaky({ message: "wrapped", cause: refused }, 2, create)
      yield* TestClock.adjust("5 seconds")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(fiber)))
      assert.strictEqual(yield* attempts, 3)
      const error = new HttpError({ reason: "Transport", operation: "x", description: "d" })
      assert.isTrue(error.retryable)
    }))

  it.effect("a response body cut after a 200: OutcomeUnknown for a create (one attempt), retried for a query", () =>
    Effect.gen(function*() {
      const a = yield* forkFlaky(closed, 0, create, cutBody)
      yield* TestClock.adjust("1 minute")
      const error = httpErrorOf(yield* Fiber.join(a.fiber))
      assert.strictEqual(error.reason, "OutcomeUnknown")
      assert.include(error.description, "response body cut")
      assert.strictEqual(error.status, 200)
      assert.strictEqual(yield* a.attempts, 1)
      let calls = 0
      const b = yield* forkFlaky(closed, 0, query, () => (calls++ === 0 ? cutBody() : json(assistantJson)))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(b.fiber)))
      assert.strictEqual(yield* b.attempts, 2)
    }))

  it.effect("a stream request (non-idempotent) that fails before its headers is not resent", () =>
    Effect.gen(function*() {
      const streamed = Effect.flatMap(
        AppBuilderClient.AppBuilderClient,
        (client) =>
          client.stream({ name: "Runs.stream", idempotent: false }, "/v2/threads/runs", { stream: true }).pipe(
            Stream.runDrain
          )
      )
      const broken = yield* forkFlaky(closed, 10, streamed)
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(httpErrorOf(yield* Fiber.join(broken.fiber)).reason, "OutcomeUnknown")
      assert.strictEqual(yield* broken.attempts, 1)
      const refused = yield* forkFlaky(
        Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
        1,
        streamed,
        () => new Response("", { headers: { "content-type": "text/event-stream" } })
      )
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isSuccess(yield* Fiber.join(refused.fiber)))
      assert.strictEqual(yield* refused.attempts, 2)
      // no response headers within the timeout: unknown outcome, not resent
      const { count, fiber } = yield* forkWith(() => Effect.never, streamed, { timeout: "2 seconds" })
      yield* TestClock.adjust("2 seconds")
      const timedOut = httpErrorOf(yield* Fiber.join(fiber))
      assert.strictEqual(timedOut.reason, "OutcomeUnknown")
      assert.include(timedOut.description, "no answer within 2s")
      yield* TestClock.adjust("1 minute")
      assert.strictEqual(yield* count, 1)
    }))
})

describe("AppBuilderClient: stream", () => {
  const streamOp = { name: "Runs.stream", idempotent: false }
  const collect = (handler: Parameters<typeof makeMock>[0]) =>
    withMock(
      handler,
      Effect.flatMap(AppBuilderClient.AppBuilderClient, (client) =>
        client.stream(streamOp, "/v2/threads/runs", { stream: true }).pipe(
          Stream.decodeText(),
          Stream.mkString
        ))
    )

  it.effect("a text/event-stream answer is streamed as bytes", () =>
    Effect.gen(function*() {
      const { exit } = yield* collect(() =>
        new Response("event: ping\ndata: {}\n\n", { headers: { "content-type": "text/event-stream; charset=utf-8" } })
      )
      assert.deepStrictEqual(exit, Exit.succeed("event: ping\ndata: {}\n\n"))
    }))

  it.effect("#33 a JSON error envelope on a stream request is an Api error", () =>
    Effect.gen(function*() {
      const { exit } = yield* collect(() =>
        json({ error: { code: "thread_busy", message: "busy", type: "invalid_request_error", param: "thread_id" } })
      )
      const error = httpErrorOf(exit)
      assert.strictEqual(error.reason, "Api")
      assert.strictEqual(error.code, "thread_busy")
    }))

  it.effect("a non-SSE non-envelope body is a Decode error; a non-200 a Status error", () =>
    Effect.gen(function*() {
      assert.strictEqual(httpErrorOf((yield* collect(() => json({ ok: true }))).exit).reason, "Decode")
      const status = httpErrorOf((yield* collect(() => text("nope", 401))).exit)
      assert.strictEqual(status.reason, "Status")
      assert.strictEqual(status.status, 401)
    }))

  it.effect("exposes the idle timeout", () =>
    Effect.gen(function*() {
      const mock = yield* makeMock(() => json({}))
      const client = yield* AppBuilderClient.make({ token: Redacted.make("t"), streamIdleTimeout: "5 seconds" }).pipe(
        Effect.provideService(HttpClient.HttpClient, mock.client)
      )
      assert.strictEqual(Duration.toMillis(client.streamIdleTimeout), 5000)
      assert.strictEqual(client.baseUrl, "https://appbuilder.baidu.com")
    }))
})

describe("secrets", () => {
  it.effect("the token never appears in an error message, its JSON, a log line or a span", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const logger = Logger.make(({ message, annotations, cause }) => {
        lines.push(JSON.stringify({ message, annotations: HashMap.toEntries(annotations), cause: Cause.pretty(cause) }))
      })
      const { spans, recording } = yield* recordSpans
      const errors: Array<HttpError> = []
      for (
        const handler of [
          () => text(`{"error":"bad token"}`, 401),
          () => "transport-error" as const,
          () => text("{", 200)
        ]
      ) {
        const { exit } = yield* withMock(
          handler,
          query.pipe(Effect.tapErrorCause((cause) => Effect.logError("failed", cause))),
          { retry: false }
        ).pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
          Effect.withTracer(recording)
        )
        errors.push(httpErrorOf(exit))
      }
      for (const error of errors) {
        assert.notInclude(error.message, TOKEN)
        assert.notInclude(JSON.stringify(error), TOKEN)
        assert.notInclude(String(error), TOKEN)
        assert.notInclude(Cause.pretty(Cause.fail(error)), TOKEN)
      }
      assert.isAbove(lines.length, 0)
      for (const line of lines) assert.notInclude(line, TOKEN)
      assert.isAbove(spans.length, 0)
      const attributes = spans.flatMap((span) => [...span.attributes.entries()].map(([k, v]) => `${k}=${String(v)}`))
      assert.isTrue(attributes.some((a) => a.startsWith("appbuilder.request_id=")))
      for (const attribute of attributes) assert.notInclude(attribute, TOKEN)
      assert.isTrue(attributes.includes("http.request.header.x-appbuilder-authorization=<redacted>"))
      assert.isTrue(attributes.includes("http.request.header.authorization=<redacted>"))
      assert.isTrue(spans.some((span) => span.name === "Assistants.query"))
    }))
})
