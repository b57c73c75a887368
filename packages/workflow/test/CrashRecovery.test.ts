/**
 * Crash recovery on SQLite: a worker process (test/fixtures/worker.ts) runs a durable tool loop on
 * `DurableEngine.layerSqlite` against the emulator server of this process (loopback). The test kills it
 * with SIGKILL at chosen points, starts it again on the same database, and checks that the loop completes
 * with the result of an undisturbed loop, each tool call executed once, one run on the thread, nothing
 * left active.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import * as Server from "@effect-appbuilder/emulator/Server"
import * as DurableToolLoop from "@effect-appbuilder/workflow/DurableToolLoop"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import { bundle } from "./fixtures/bundle.js"

const packageDir = Path.resolve(Path.dirname(Url.fileURLToPath(import.meta.url)), "..")
const workerPath = Path.join(packageDir, "test", "fixtures", "worker.ts")

/**
 * The worker runs as one bundled file (fixtures/bundle.ts) with plain node: about 0.6 s of CPU to start,
 * where loading the same program module by module costs 2–4 s, and the tests start eleven workers. It is
 * bundled once for the file (`beforeAll`) and deleted at the end.
 */
const bundleScope = Effect.runSync(Scope.make())
let workerBundle = ""
beforeAll(() =>
  Effect.runPromise(
    Effect.map(Scope.extend(bundle(workerPath, ["better-sqlite3"]), bundleScope), (path) => {
      workerBundle = path
    })
  ), 60_000)
afterAll(() => Effect.runPromise(Scope.close(bundleScope, Exit.void)))

class WorkerError extends Data.TaggedError("WorkerError")<{ readonly message: string }> {}

/** The model: one tool call (after `startDelay`), then the answer (after `answerDelay`). */
const script = (startDelay: Duration.DurationInput, answerDelay: Duration.DurationInput) =>
  ScriptedModel.make((input) =>
    Effect.succeed(ScriptedModel.fromTurn(
      input.toolResults.length > 0
        ? { reply: `根据工具的结果：${input.toolResults.map((r) => r.output).join("；")}`, delay: answerDelay }
        : {
          toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京", unit: "摄氏度" } }],
          delay: startDelay
        },
      input
    ))
  )

interface Worker {
  readonly child: ChildProcess.ChildProcess
  /** The worker's exit: its code (null when killed) and what it printed. */
  readonly exit: Effect.Effect<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>
  /** Lets a worker spawned with `waitForStart` begin its loop (it has loaded its modules meanwhile). */
  readonly start: Effect.Effect<void>
}

/**
 * Starts a worker; it is killed (SIGKILL) when the scope closes, if still running. With `waitForStart` it loads
 * its modules and waits for `start` before it touches the database or the server.
 */
const spawnWorker = (
  worker: string,
  env: Record<string, string>,
  waitForStart = false
): Effect.Effect<Worker, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync((): Worker => {
      const child = ChildProcess.spawn(process.execPath, [worker], {
        env: { ...process.env, ...env, ...(waitForStart ? { WAIT_FOR_START: "1" } : {}) },
        stdio: ["pipe", "pipe", "pipe"]
      })
      if (!waitForStart) child.stdin.end()
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      return {
        child,
        exit: Effect.promise(() => exited).pipe(Effect.map((code) => ({ code, stdout, stderr }))),
        start: Effect.sync(() => child.stdin.end())
      }
    }),
    (worker) =>
      Effect.gen(function*() {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL")
        yield* worker.exit
      })
  )

/** Checks `condition` every 25 ms until it holds, for `within` at most. */
const waitUntil = (what: string, condition: Effect.Effect<boolean>, within: Duration.DurationInput = "30 seconds") =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(within)
    while (!(yield* condition)) {
      if (Date.now() > deadline) return yield* new WorkerError({ message: `timed out waiting until ${what}` })
      yield* Effect.sleep("25 millis")
    }
  })

const killWorker = (worker: Worker) =>
  Effect.gen(function*() {
    worker.child.kill("SIGKILL")
    const { code } = yield* worker.exit
    assert.strictEqual(code, null, "the worker was killed, not finished")
  })

const resultOf = (output: { readonly code: number | null; readonly stdout: string; readonly stderr: string }) =>
  Effect.gen(function*() {
    const line = output.stdout.split("\n").find((l) => l.startsWith("RESULT "))
    if (output.code !== 0 || line === undefined) {
      return yield* new WorkerError({ message: `worker exited ${output.code}: ${output.stderr.slice(-2000)}` })
    }
    return yield* Schema.decodeUnknown(Schema.parseJson(DurableToolLoop.Result))(line.slice("RESULT ".length))
  })

type KillPoint =
  | "none"
  | "while starting"
  | "after the tool, before the submit"
  | "during the submit"
  | "after the submit"
  | "while answering"

/**
 * One loop: an emulator server, an assistant and a thread, a worker that is killed at `kill` and started
 * again on the same database. Returns what the test checks.
 */
const scenario = (kill: KillPoint) =>
  Effect.gen(function*() {
    const startDelay = kill === "while starting" ? "1500 millis" : "0 millis"
    const answerDelay = kill === "after the submit" || kill === "while answering" ? "2 seconds" : "200 millis"
    const emulator = yield* Layer.build(
      Emulator.layerServer({ script: script(startDelay, answerDelay), chunkDelay: "100 millis" })
    )
    const server = yield* Effect.provide(Server.EmulatorServer, emulator)
    const state = yield* Effect.provide(EmulatorState.EmulatorState, emulator)
    const services = yield* Layer.build(
      AppBuilder.layer({ baseUrl: server.url, token: Redacted.make("bce-v3/ALTAK-emulator/test") }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    const { assistantId, threadId } = yield* Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const assistant = yield* assistants.create({ name: "durable", instructions: "请用友善的语气回答问题" })
      const thread = yield* threads.create({ messages: [{ content: "北京今天的天气怎么样？" }] })
      return { assistantId: assistant.id, threadId: thread.id }
    }).pipe(Effect.provide(services))

    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "durable-loop-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
    const toolLog = Path.join(dir, "tool.log")
    Fs.writeFileSync(toolLog, "")
    const env = {
      DB: Path.join(dir, "workflow.db"),
      BASE_URL: server.url,
      TOOL_LOG: toolLog,
      EXECUTION: `crash-${kill}`,
      ASSISTANT_ID: assistantId,
      THREAD_ID: threadId
    }
    const t0 = Date.now()
    const stamps: Array<string> = []
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(state.requests, (all) =>
      Effect.sync(() => {
        if (all.length > stamps.length) {
          for (const r of all.slice(stamps.length)) stamps.push(`${Date.now() - t0}:${r.path}`)
        }
      }).pipe(Effect.zipRight(Effect.sleep("20 millis"))))))
    const toolLines = Effect.sync(() => Fs.readFileSync(toolLog, "utf8").split("\n").filter((l) => l !== ""))
    const requests = (path: string) => Effect.map(state.requests, (all) => all.filter((r) => r.path === path).length)

    if (kill === "after the tool, before the submit") {
      // the submit activity first queries the run: that query is held for 3 s, the submit is not sent yet
      yield* state.injectFault("/v2/threads/runs/query", Faults.latency("3 seconds"))
    }
    if (kill === "during the submit") {
      // the submit is held by the server for 3 s: the tool's output is persisted, its submit not answered
      yield* state.injectFault("/v2/threads/runs/submit_tool_outputs", Faults.latency("3 seconds"))
    }
    let second: Worker | undefined
    if (kill !== "none") {
      const before = (yield* state.requests).length
      const first = yield* spawnWorker(workerBundle, env)
      // the worker that restarts the loop loads its modules while the first one runs (once the first one has
      // loaded: its first request), and starts its loop only once the first one is dead
      yield* waitUntil("the worker sent its first request", Effect.map(state.requests, (all) => all.length > before))
      second = yield* spawnWorker(workerBundle, env, true)
      switch (kill) {
        case "while starting":
          yield* waitUntil("the run was posted", Effect.map(requests("/v2/threads/runs"), (n) => n === 1))
          yield* Effect.sleep("300 millis")
          break
        case "after the tool, before the submit":
          yield* waitUntil("the tool ran", Effect.map(toolLines, (lines) => lines.length === 1))
          yield* waitUntil(
            "the submit activity queried the run",
            Effect.map(requests("/v2/threads/runs/query"), (n) => n === 1)
          )
          assert.strictEqual(yield* requests("/v2/threads/runs/submit_tool_outputs"), 0)
          break
        case "during the submit":
          yield* waitUntil("the tool ran", Effect.map(toolLines, (lines) => lines.length === 1))
          yield* waitUntil(
            "the submit was sent",
            Effect.map(requests("/v2/threads/runs/submit_tool_outputs"), (n) => n === 1)
          )
          break
        case "after the submit":
          yield* waitUntil(
            "the submit was sent",
            Effect.map(requests("/v2/threads/runs/submit_tool_outputs"), (n) => n === 1)
          )
          yield* Effect.sleep("300 millis")
          break
        case "while answering":
          yield* waitUntil(
            "the submit was sent",
            Effect.map(requests("/v2/threads/runs/submit_tool_outputs"), (n) => n === 1)
          )
          yield* waitUntil(
            "the worker polled the answering run",
            Effect.map(requests("/v2/threads/runs/query"), (n) => n >= 3)
          )
          break
      }
      const active = yield* state.activeRuns
      yield* killWorker(first)
      if (kill === "during the submit") {
        // the server answers the held submit after the kill: the restart must find the run past it. (A submit
        // still unprocessed when the restart checks the run cannot be seen and would be sent again; the
        // service accepts only one of the two.)
        yield* waitUntil(
          "the held submit was processed",
          Effect.map(state.runs(), (runs) =>
            runs.some((run) => run.threadId === threadId && run.status !== "requires_action"))
        )
      }
      // the kill happened while the loop was going (a run on its way or not yet started)
      assert.isAtMost(active.length, 1)
    }
    const started = Date.now()
    const restarted = second === undefined ? yield* spawnWorker(workerBundle, env) : second
    // (a no-op for a worker that does not wait: its stdin is closed already)
    yield* restarted.start
    const result = yield* resultOf(yield* restarted.exit)
    const runsOnThread = (yield* state.runs()).filter((run) =>
      run.threadId === threadId
    )
    return {
      result,
      toolLines: yield* toolLines,
      runsOnThread: runsOnThread.length,
      runPosts: yield* requests("/v2/threads/runs"),
      submitPosts: yield* requests("/v2/threads/runs/submit_tool_outputs"),
      seconds: (Date.now() - started) / 1000,
      stamps,
      active: (yield* state.activeRuns).length
    }
  }).pipe(Effect.scoped)

/** What an undisturbed loop returns (ids and times aside). */
const expected = {
  steps: 1,
  text: "根据工具的结果：北京 的当前温度是30 摄氏度",
  status: "completed",
  answer: "根据工具的结果：北京 的当前温度是30 摄氏度"
}

const comparable = (result: typeof DurableToolLoop.Result.Type) => ({
  steps: result.steps,
  text: result.text,
  status: result.run.status,
  answer: result.run.finalAnswer?.text
})

const points: ReadonlyArray<Exclude<KillPoint, "none">> = [
  "while starting",
  "after the tool, before the submit",
  "during the submit",
  "after the submit",
  "while answering"
]

// The scenarios run at the same time (each has its own emulator server, database and workers): most of a
// scenario's time is waiting (for the model's delays, the held requests, a worker's start), not CPU.
describe("DurableToolLoop on SQLite: crash recovery", { timeout: 150_000, concurrent: true }, () => {
  it.live("an undisturbed loop completes: one tool execution, one run", () =>
    Effect.gen(function*() {
      const outcome = yield* scenario("none")
      assert.strictEqual(outcome.result.run.status, "completed")
      assert.strictEqual(outcome.result.steps, 1)
      assert.strictEqual(outcome.toolLines.length, 1)
      assert.strictEqual(outcome.runsOnThread, 1)
      assert.strictEqual(outcome.active, 0)
      yield* Effect.log(`undisturbed: ${JSON.stringify({ ...outcome, result: comparable(outcome.result) })}`)
    }))

  for (const point of points) {
    it.live(`SIGKILL ${point}: the restarted loop completes with the same result, each tool once, one run`, () =>
      Effect.gen(function*() {
        const outcome = yield* scenario(point)
        assert.deepStrictEqual(comparable(outcome.result), expected, point)
        assert.strictEqual(outcome.toolLines.length, 1, "each tool call executed once")
        assert.strictEqual(outcome.runsOnThread, 1, "one run on the thread")
        assert.strictEqual(outcome.runPosts, 1, "one run POST")
        assert.strictEqual(outcome.submitPosts, 1, "one submit")
        assert.strictEqual(outcome.active, 0, "nothing left active")
        yield* Effect.log(`${point}: ${JSON.stringify({ ...outcome, result: comparable(outcome.result) })}`)
      }))
  }
})
