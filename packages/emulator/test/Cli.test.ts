import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Cli from "../src/Cli.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

interface Running {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exit: Promise<number | null>
}

/**
 * The compiled command, the package's `bin` (`tsc -b`, which `pnpm test` runs first, emits it from
 * `src/bin.ts`). Starting it costs a plain `node` start; going through tsx (as `pnpm emulator` does)
 * would compile the sources in every process the tests start.
 */
const bin = path.join(root, "packages/emulator/dist/bin.js")

/** Starts the `appbuilder-emulator` command with `args`. */
const start = (args: ReadonlyArray<string>): Running => {
  if (!fs.existsSync(bin)) {
    throw new Error(`${bin} is missing: run \`pnpm check\` (tsc -b) first, as \`pnpm test\` does`)
  }
  const child = spawn(
    process.execPath,
    [bin, ...args],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } }
  )
  let stdout = ""
  let stderr = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8")
  })
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, stdout: () => stdout, stderr: () => stderr, exit }
}

const waitFor = (running: Running, pattern: RegExp) =>
  Effect.async<RegExpExecArray, Error>((resume) => {
    const timer = setInterval(() => {
      const match = pattern.exec(running.stdout())
      if (match !== null) {
        clearInterval(timer)
        resume(Effect.succeed(match))
      }
    }, 20)
    return Effect.sync(() => clearInterval(timer))
  }).pipe(
    Effect.timeoutFail({
      duration: "20 seconds",
      onTimeout: () => new Error(`timed out; stdout: ${running.stdout()} stderr: ${running.stderr()}`)
    })
  )

const cleanup = (running: Running) => Effect.sync(() => running.child.kill("SIGKILL"))

const TOKEN = "cli-secret-token"

const postJson = (url: string, path: string, body: unknown) =>
  Effect.promise(() =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then((response) => response.json() as Promise<Record<string, unknown>>)
  )

interface OpenStream {
  /** Everything read so far. */
  readonly text: () => string
  /** Settles when the body ends: "ended" (clean end) or "error: …". */
  readonly end: Promise<string>
}

/** Opens a streamed run and reads its body in the background. */
const openStream = (url: string, body: unknown) =>
  Effect.promise(async (): Promise<OpenStream> => {
    const response = await fetch(`${url}/v2/threads/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    let text = ""
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    const end = (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read()
          if (done) return "ended"
          text += decoder.decode(value, { stream: true })
        }
      } catch (error) {
        return `error: ${String(error)}`
      }
    })()
    return { text: () => text, end }
  })

const until = (what: string, check: () => boolean) =>
  Effect.async<void, Error>((resume) => {
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer)
        resume(Effect.void)
      }
    }, 10)
    return Effect.sync(() => clearInterval(timer))
  }).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error(`timed out waiting for ${what}`) }))

/**
 * Serves a few requests and checks the log lines: a success, an error answered with HTTP 200 whose
 * unknown id happens to be the token (printed redacted), a 401; the token is never printed.
 */
const logsRequests = (running: Running, base: string) =>
  Effect.gen(function*() {
    const response = yield* Effect.promise(() =>
      fetch(`${base}/v2/threads`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "x-appbuilder-request-id": "cli-rid-1" },
        body: "{\"messages\": []}"
      })
    )
    assert.strictEqual(response.status, 200)
    const denied = yield* Effect.promise(() =>
      fetch(`${base}/v2/threads`, { method: "POST", headers: { authorization: "Bearer wrong" }, body: "{}" })
    )
    assert.strictEqual(denied.status, 401)
    // an error answered with HTTP 200; the unknown id the client sent happens to be its token
    const missing = yield* Effect.promise(() =>
      fetch(`${base}/v2/threads/query`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "x-appbuilder-request-id": "cli-rid-2" },
        body: JSON.stringify({ thread_id: TOKEN })
      }).then((r) => r.json() as Promise<{ readonly error?: { readonly code?: string } }>)
    )
    assert.strictEqual(missing.error?.code, "not_found")
    yield* waitFor(running, /POST \/v2\/threads 200 \d+ms cli-rid-1\n/)
    yield* waitFor(
      running,
      /POST \/v2\/threads\/query 200 error=not_found "thread <redacted> not found" \d+ms cli-rid-2\n/
    )
    yield* waitFor(
      running,
      /POST \/v2\/threads 401 error=unauthorized "missing or invalid Authorization header" \d+ms [0-9a-f-]{36}\n/
    )
    assert.notInclude(running.stdout(), TOKEN)
  })

/**
 * A second command started on the port `running` listens on ends with exit code 1 and a message naming
 * EADDRINUSE (the first one goes on serving).
 */
const portInUse = (port: string) =>
  Effect.gen(function*() {
    const second = start(["--port", port])
    const code = yield* Effect.promise(() => second.exit)
    assert.strictEqual(code, 1)
    assert.include(second.stderr(), "cannot start the emulator: ")
    assert.include(second.stderr(), "EADDRINUSE")
  })

/**
 * Opens a run waiting at `requires_action` (the weather tool) and a long answer (1 s between chunks),
 * sends `signal` and checks that the process exits within 2 seconds with code 0 and both streams end.
 * With `logsFirst`, it first checks the request log ({@link logsRequests}) on the same server; with
 * `portInUse`, that a second command on the same port fails ({@link portInUse}). One server serves these
 * checks: each start of the command costs a node process loading the server.
 */
const stopsWithOpenStreams = (
  signal: NodeJS.Signals,
  options: { readonly logsFirst: boolean; readonly portInUse: boolean }
) =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      start(["--", "--port", "0", "--token", TOKEN, "--chunk-delay", "1 seconds", "--ping-interval", "200"])
    ),
    (running) =>
      Effect.gen(function*() {
        const [, url, port] = yield* waitFor(running, /listening on (http:\/\/127\.0\.0\.1:(\d+))\n/)
        assert.match(running.stdout(), /^listening on http:\/\/127\.0\.0\.1:\d+\n/)
        const base = url!
        if (options.portInUse) yield* portInUse(port!)
        if (options.logsFirst) yield* logsRequests(running, base)
        const assistant = yield* postJson(base, "/v2/assistants", {
          model: "ERNIE-4.0T-8K",
          name: "weather",
          description: "",
          instructions: "请用友善的语气回答问题",
          tools: [{
            type: "function",
            function: {
              name: "get_cur_whether",
              description: "这是一个获得指定地点天气的工具",
              parameters: {
                type: "object",
                properties: { location: { type: "string", description: "省，市名，例如：河北省" } },
                required: ["location"]
              }
            }
          }]
        })
        const assistantId = String(assistant["id"])
        const waiting = yield* openStream(base, {
          assistant_id: assistantId,
          thread: { messages: [{ role: "user", content: "今天北京的天气怎么样？" }] },
          stream: true
        })
        const talking = yield* openStream(base, {
          assistant_id: assistantId,
          thread: { messages: [{ role: "user", content: "给我讲一个很长的故事" }] },
          stream: true
        })
        yield* until("requires_action", () => waiting.text().includes("\"requires_action\""))
        yield* until("the first message chunk", () => talking.text().includes("event: message"))
        // pings keep flowing while the first run waits
        yield* until("a ping", () => waiting.text().includes("event: ping"))
        const sentAt = Date.now()
        running.child.kill(signal)
        const code = yield* Effect.promise(() => running.exit)
        const elapsed = Date.now() - sentAt
        assert.strictEqual(code, 0)
        assert.isBelow(elapsed, 2000)
        assert.strictEqual(yield* Effect.promise(() => waiting.end), "ended")
        assert.strictEqual(yield* Effect.promise(() => talking.end), "ended")
        assert.notInclude(talking.text(), "run_end")
      }),
    cleanup
  )

/**
 * The package's modules that `file` (under `src/`) loads when it starts: its static imports (not
 * `import type`, not `import()`), followed within the package.
 */
const staticallyLoaded = (file: string): ReadonlySet<string> => {
  const seen = new Set<string>()
  const visit = (relative: string) => {
    if (seen.has(relative)) return
    seen.add(relative)
    const text = fs.readFileSync(path.join(root, "packages/emulator/src", relative), "utf8")
    for (const match of text.matchAll(/^(?:import|export) (?!type )[^"]*? from "(\.{1,2}\/[^"]+)\.js"/gm)) {
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(relative), `${match[1]!}.ts`)))
    }
  }
  visit(file)
  return seen
}

describe("cli", () => {
  it.effect("parses flags (ignoring pnpm's literal --)", () =>
    Effect.gen(function*() {
      const o = yield* Cli.parseArgs([
        "--",
        "--port",
        "8090",
        "--host=0.0.0.0",
        "--token",
        "T",
        "--chunk-delay",
        "5 millis",
        "--ping-interval",
        "2 seconds",
        "--requires-action-timeout",
        "1500",
        "--max-upload-bytes",
        "1024"
      ])
      assert.strictEqual(o.port, 8090)
      assert.strictEqual(o.host, "0.0.0.0")
      assert.strictEqual(o.token === undefined ? undefined : Redacted.value(o.token), "T")
      assert.isTrue(o.chunkDelay !== undefined && Duration.toMillis(o.chunkDelay) === 5)
      assert.isTrue(o.pingInterval !== undefined && Duration.toMillis(o.pingInterval) === 2000)
      assert.isTrue(o.requiresActionTimeout !== undefined && Duration.toMillis(o.requiresActionTimeout) === 1500)
      assert.strictEqual(o.maxUploadBytes, 1024)
      const more = yield* Cli.parseArgs(["--request-log", "50", "--chunk-delay", "0"])
      assert.strictEqual(more.requestLog, 50)
      assert.strictEqual(more.chunkDelay === undefined ? undefined : Duration.toMillis(more.chunkDelay), 0)
      const defaults = yield* Cli.parseArgs([])
      assert.isUndefined(defaults.chunkDelay, "the command applies DEFAULT_CHUNK_DELAY")
      assert.include(Cli.usage, "--request-log integer")
      assert.deepStrictEqual([defaults.port, defaults.host], [8089, "127.0.0.1"])
      for (
        const bad of [
          ["--port"],
          ["--port", "x"],
          ["--port", "70000"],
          ["--nope"],
          ["--chunk-delay", "soon"],
          ["--max-upload-bytes", "-1"],
          ["--request-log", "many"],
          ["positional"]
        ]
      ) {
        assert.isTrue(Either.isLeft(yield* Effect.either(Cli.parseArgs(bad))), bad.join(" "))
      }
    }).pipe(Effect.provide(Cli.environment)))

  it("the command loads the server only to serve: --help, --version and bad flags load @effect/cli alone", () => {
    const loaded = staticallyLoaded("bin.ts")
    assert.isTrue(loaded.has("internal/cli.ts"), [...loaded].join(", "))
    for (const module of ["Server.ts", "Emulator.ts", "internal/cliServe.ts", "internal/Router.ts"]) {
      assert.isFalse(loaded.has(module), `bin.ts loads ${module}: ${[...loaded].join(", ")}`)
    }
    // the public module still gathers both halves
    assert.isTrue(staticallyLoaded("Cli.ts").has("Server.ts"))
  })
})

// The tests that start the command run at the same time: most of their time is a node process starting
// or a server waiting for its chunk delays, not CPU of this process.
describe.concurrent("cli process", () => {
  it.live(
    "SIGINT stops within 2 s while streams are open or wait at requires_action; a second command on its port " +
      "ends with exit code 1 and a message",
    () => stopsWithOpenStreams("SIGINT", { logsFirst: false, portInUse: true }),
    30_000
  )

  it.live(
    "starts, serves and logs requests; SIGTERM stops within 2 s while streams are open or wait at requires_action",
    () => stopsWithOpenStreams("SIGTERM", { logsFirst: true, portInUse: false }),
    30_000
  )

  it.live(
    "--help lists every flag (no colour under NO_COLOR) and --version prints the version",
    () =>
      Effect.gen(function*() {
        // both commands at once
        const help = start(["--help"])
        const version = start(["--version"])
        assert.strictEqual(yield* Effect.promise(() => help.exit), 0)
        const text = help.stdout()
        for (
          const flag of [
            "--port integer",
            "--host text",
            "--token redacted",
            "--chunk-delay duration",
            "--ping-interval duration",
            "--requires-action-timeout duration",
            "--max-upload-bytes integer",
            "--request-log integer",
            "--completions",
            "--version",
            "-h, --help"
          ]
        ) {
          assert.include(text, flag)
        }
        assert.include(text, "error=CODE")
        assert.notInclude(text, "\u001b[", "NO_COLOR: no ANSI styles")
        assert.strictEqual(yield* Effect.promise(() => version.exit), 0)
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "packages/emulator/package.json"), "utf8")) as {
          readonly version: string
        }
        assert.strictEqual(version.stdout().trim(), pkg.version)
      }),
    60_000
  )

  it.live("bad flags print the usage and exit with code 2", () =>
    Effect.acquireUseRelease(
      Effect.sync(() => start(["--port", "nope"])),
      (running) =>
        Effect.gen(function*() {
          const code = yield* Effect.promise(() => running.exit)
          assert.strictEqual(code, 2)
          assert.include(running.stderr(), "'nope' is not a integer")
          assert.include(running.stderr(), "usage: appbuilder-emulator [--port integer] [--host text]")
          assert.notInclude(running.stderr(), "pnpm")
        }),
      cleanup
    ), 30_000)
})
