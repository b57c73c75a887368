import * as Headers from "@effect/platform/Headers"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Cli from "../src/Cli.js"
import * as Emulator from "../src/Emulator.js"
import * as RequestLog from "../src/internal/requestLog.js"
import * as Server from "../src/Server.js"

/** Runs `self` with a console that records what it prints, line by line. */
const capture = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Console.consoleWith((base) => {
    const out: Array<string> = []
    const err: Array<string> = []
    return Console.withConsole(self, {
      ...base,
      log: (...args: ReadonlyArray<unknown>) => Effect.sync(() => void out.push(args.map(String).join(" "))),
      error: (...args: ReadonlyArray<unknown>) => Effect.sync(() => void err.push(args.map(String).join(" ")))
    }).pipe(Effect.map((value) => ({ value, out, err })))
  })

const json = (body: unknown, status = 200) =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json; charset=utf-8" })

const mark = (response: HttpServerResponse.HttpServerResponse, headers: Record<string, string> = {}) =>
  RequestLog.formatMark(RequestLog.errorMark(response), Headers.fromInput(headers))

describe("cli: the command line", () => {
  it.effect("each bad flag ends with exit code 2, what is wrong and the usage on stderr", () =>
    Effect.gen(function*() {
      for (
        const [args, problem] of [
          [["--port", "x"], "'x' is not a integer"],
          [["--port", "70000"], "invalid value for --port: 70000"],
          [["--port"], "--port"],
          [["--host", ""], "invalid value for --host: empty"],
          [["--nope"], "'--nope'"],
          [["positional"], "'positional'"],
          [["--chunk-delay", "soon"], "invalid value for --chunk-delay: invalid duration: soon"],
          [["--ping-interval", "5 parsecs"], "invalid value for --ping-interval"],
          [["--requires-action-timeout", "-"], "--requires-action-timeout"],
          [["--max-upload-bytes", "-1"], "invalid value for --max-upload-bytes: -1"],
          [["--request-log", "many"], "'many' is not a integer"]
        ] as const
      ) {
        const { err, out, value } = yield* capture(Cli.main(args))
        assert.strictEqual(value, 2, args.join(" "))
        const stderr = err.join("\n")
        assert.include(stderr, problem, args.join(" "))
        assert.include(stderr, "usage: appbuilder-emulator [--port integer]", args.join(" "))
        assert.deepStrictEqual(out, [], args.join(" "))
      }
    }))

  it.effect("--help lists the flags, their defaults and the log format, and exits with 0", () =>
    Effect.gen(function*() {
      const { out, value } = yield* capture(Cli.main(["--", "--help"]))
      assert.strictEqual(value, 0)
      const text = out.join("\n")
      for (
        const name of [
          "--port",
          "--host",
          "--token",
          "--chunk-delay",
          "--ping-interval",
          "--requires-action-timeout",
          "--max-upload-bytes",
          "--request-log",
          "--version",
          "--completions"
        ]
      ) {
        assert.include(text, name)
      }
      for (const words of ["default 8089", "default 127.0.0.1", "default \"30 millis\"", "5 millis", "error=CODE"]) {
        assert.include(text, words)
      }
    }))

  it.effect("--completions prints a shell completion script", () =>
    Effect.gen(function*() {
      const { out, value } = yield* capture(Cli.main(["--completions", "bash"]))
      assert.strictEqual(value, 0)
      assert.include(out.join("\n"), "--chunk-delay")
    }))
})

describe("cli: the request log marks error answers", () => {
  it("the assistant family's envelope, with HTTP 200", () => {
    assert.strictEqual(
      mark(json({ error: { code: "not_found", message: "thread t1 not found", type: "x", param: "thread_id" } })),
      " error=not_found \"thread t1 not found\""
    )
    // a numeric code, spaces before the first key
    const spaced = HttpServerResponse.text(" { \"error\" : {\"code\": 17, \"message\": \"x\"}}", {
      contentType: "application/json"
    })
    assert.strictEqual(mark(spaced), " error=17 \"x\"")
  })

  it("the storage family's shape, with HTTP 200 or 404", () => {
    const body = { request_id: "r1", code: "FileNotFound", message: "file_id f1 is not exist" }
    assert.strictEqual(mark(json(body)), " error=FileNotFound \"file_id f1 is not exist\"")
    assert.strictEqual(mark(json(body, 404)), " error=FileNotFound \"file_id f1 is not exist\"")
  })

  it("successes are not marked (even a file object that has a code key)", () => {
    assert.strictEqual(mark(json({ id: "thread_1", object: "thread", metadata: {} })), "")
    assert.strictEqual(mark(json({ request_id: "r", id: "file_1", code: "x", message: "y" })), "")
    assert.strictEqual(mark(HttpServerResponse.text("{\"error\"", { contentType: "text/plain" })), "")
    assert.strictEqual(mark(HttpServerResponse.empty()), "")
  })

  it("streams are never read: a 200 stream is not marked, a non-2xx one is by its status", () => {
    const events = Stream.make(new TextEncoder().encode("event: message\ndata: {\"error\": 1}\n\n"))
    assert.strictEqual(mark(HttpServerResponse.stream(events, { contentType: "text/event-stream" })), "")
    assert.strictEqual(
      mark(HttpServerResponse.stream(events, { status: 503, contentType: "text/event-stream" })),
      " error=http_503"
    )
    assert.strictEqual(mark(HttpServerResponse.text("bad gateway", { status: 502 })), " error=http_502")
  })

  it("never prints a token, keeps the line on one line and cuts long messages", () => {
    const leaky = json({ error: { code: "x", message: "got Bearer abc.def and tok-12345\nnext" } })
    const line = mark(leaky, { authorization: "Bearer tok-12345" })
    assert.strictEqual(line, " error=x \"got Bearer <redacted> and <redacted>\\nnext\"")
    assert.notInclude(line, "tok-12345")
    assert.notInclude(line, "abc.def")
    const sentOther = mark(json({ error: { code: "x", message: "id tok-999" } }), {
      "x-appbuilder-authorization": "Bearer tok-999"
    })
    assert.notInclude(sentOther, "tok-999")
    const long = mark(json({ error: { code: "x", message: "a".repeat(1000) } }))
    assert.strictEqual(long, ` error=x "${"a".repeat(RequestLog.MAX_MESSAGE)}…"`)
    assert.strictEqual(mark(json({ error: { code: "two words", message: "m" } })), " error=\"two words\" \"m\"")
  })

  it.live(
    "the server's log line: success, error with HTTP 200, 401, streamed run (token never printed)",
    () =>
      Effect.gen(function*() {
        const token = "cli-log-secret"
        const { out } = yield* capture(Effect.scoped(
          Effect.gen(function*() {
            const { url } = yield* Server.EmulatorServer
            const post = (path: string, body: string, auth = token) =>
              Effect.promise(() =>
                fetch(`${url}${path}`, { method: "POST", headers: { authorization: `Bearer ${auth}` }, body }).then((
                  r
                ) => r.text())
              )
            yield* post("/v2/threads", "{}")
            yield* post("/v2/assistants/query", "{\"assistant_id\": \"asst_missing\"}")
            yield* post("/v2/threads", "{}", "wrong-token")
            const assistant = JSON.parse(
              yield* post("/v2/assistants", "{\"model\": \"ERNIE-4.0T-8K\", \"name\": \"a\", \"instructions\": \"i\"}")
            ) as { readonly id: string }
            const streamed = yield* post(
              "/v2/threads/runs",
              JSON.stringify({
                assistant_id: assistant.id,
                thread: { messages: [{ role: "user", content: "hi" }] },
                stream: true
              })
            )
            assert.include(streamed, "event: ")
          }).pipe(Effect.provide(Emulator.layerServer({ token, middleware: Cli.requestLogger })))
        ))
        const lines = out.join("\n")
        assert.match(lines, /^POST \/v2\/threads 200 \d+ms [0-9a-f-]{36}$/m)
        assert.match(
          lines,
          /^POST \/v2\/assistants\/query 200 error=not_found "[^"]*asst_missing[^"]*" \d+ms [0-9a-f-]{36}$/m
        )
        assert.match(lines, /^POST \/v2\/threads 401 error=unauthorized "[^"]+" \d+ms [0-9a-f-]{36}$/m)
        assert.match(lines, /^POST \/v2\/threads\/runs 200 \d+ms [0-9a-f-]{36}$/m)
        assert.notInclude(lines, token)
        assert.notInclude(lines, "wrong-token")
      }),
    30_000
  )
})
