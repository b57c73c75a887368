/**
 * A durable tool loop that survives the death of its process. The loop (`DurableToolLoop` of
 * `@effect-appbuilder/workflow`) runs in a worker process on `DurableEngine.layerSqlite`, a SQLite file in
 * a temporary directory, against an emulator server of this process on 127.0.0.1. Its tool ("send the
 * weather report") records each execution in a file. The example kills the worker with SIGKILL after the
 * tool ran, while the run waits for the answer, starts a new worker on the same database, and prints how
 * the loop resumed and finished: the tool executed once, one run started, nothing left active.
 *
 * It needs no setup (no account, no database server) and always runs on the emulator:
 *
 *   pnpm demo:durable
 *   node --conditions=@effect-appbuilder/source --import tsx examples/durable-loop.ts
 *
 * The same file is the worker: started with `DURABLE_LOOP_WORKER=1`, it runs the loop and prints its result.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import * as Server from "@effect-appbuilder/emulator/Server"
import * as DurableEngine from "@effect-appbuilder/workflow/DurableEngine"
import * as DurableToolLoop from "@effect-appbuilder/workflow/DurableToolLoop"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Runtime from "./Runtime.js"

/** A failure of the example itself (a worker that did not behave). */
export class DemoError extends Data.TaggedError("DemoError")<{ readonly message: string }> {}

// -----------------------------------------------------------------------------
// the loop (run by the worker)
// -----------------------------------------------------------------------------

const Report = (toolLog: string) =>
  DurableToolLoop.make({
    name: "weather-report",
    toolkit: ToolLoop.toolkit(ToolLoop.tool("send_weather_report", {
      description: "把天气预报发送给订阅者",
      parameters: Schema.Struct({ city: Schema.String }),
      // the side effect: one line per execution
      handler: ({ city }, call) =>
        Effect.sync(() => Fs.appendFileSync(toolLog, `${call.id}\n`)).pipe(Effect.as(`已发送 ${city} 的天气预报`))
    }))
  })

/** The worker: runs the loop `EXECUTION` to its end on the SQLite file `DB`, prints `RESULT <text>`. */
const worker = Effect.gen(function*() {
  const env = yield* Config.all({
    db: Config.string("DB"),
    baseUrl: Config.string("BASE_URL"),
    toolLog: Config.string("TOOL_LOG"),
    execution: Config.string("EXECUTION"),
    assistantId: Config.string("ASSISTANT_ID"),
    threadId: Config.string("THREAD_ID")
  })
  const loop = Report(env.toolLog)
  const services = AppBuilder.layer({ baseUrl: env.baseUrl, token: Redacted.make("bce-v3/ALTAK-emulator/demo") }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const result = yield* loop.run({
    id: env.execution,
    request: { assistantId: env.assistantId, threadId: env.threadId }
  }).pipe(
    Effect.provide(
      loop.layer.pipe(Layer.provideMerge(DurableEngine.layerSqlite({ filename: env.db })), Layer.provide(services))
    )
  )
  process.stdout.write(`RESULT ${result.run.status} ${result.steps} ${result.text}\n`)
})

// -----------------------------------------------------------------------------
// the demo (this process: the emulator, and the worker's supervisor)
// -----------------------------------------------------------------------------

/** The model: one tool call, then an answer that takes 3 seconds (the worker is killed meanwhile). */
const script = ScriptedModel.make((input) =>
  Effect.succeed(ScriptedModel.fromTurn(
    input.toolResults.length > 0
      ? { reply: `好的，${input.toolResults.map((r) => r.output).join("；")}。`, delay: "3 seconds" }
      : { toolCalls: [{ name: "send_weather_report", arguments: { city: "北京" } }], delay: "200 millis" },
    input
  ))
)

interface Worker {
  readonly child: ChildProcess.ChildProcess
  readonly exit: Effect.Effect<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>
}

const self = fileURLToPath(import.meta.url)

/** The node arguments that start this file as a worker: the sources, on tsx. */
const onTsx: ReadonlyArray<string> = ["--conditions=@effect-appbuilder/source", "--import", "tsx", self]

/**
 * Starts a worker process (`workerArgs`: this file, or a copy of it, with `DURABLE_LOOP_WORKER=1`); killed
 * when the scope closes.
 */
const spawnWorker = (workerArgs: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync((): Worker => {
      const child = ChildProcess.spawn(
        process.execPath,
        workerArgs,
        { env: { ...process.env, ...env, DURABLE_LOOP_WORKER: "1" }, stdio: ["ignore", "pipe", "pipe"] }
      )
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      return { child, exit: Effect.map(Effect.promise(() => exited), (code) => ({ code, stdout, stderr })) }
    }),
    (worker) =>
      Effect.gen(function*() {
        if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL")
        yield* worker.exit
      })
  )

const waitUntil = (what: string, condition: Effect.Effect<boolean>) =>
  Effect.gen(function*() {
    const deadline = Date.now() + 60_000
    while (!(yield* condition)) {
      if (Date.now() > deadline) return yield* new DemoError({ message: `timed out waiting until ${what}` })
      yield* Effect.sleep("50 millis")
    }
  })

/**
 * The demo, its workers started with the node arguments `workerArgs` (this file or a bundle of it: the
 * examples' test runs one bundle of this file and the packages' sources, as a worker on tsx spends seconds
 * loading the sources).
 */
export const programWith = (workerArgs: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const emulator = yield* Layer.build(Emulator.layerServer({ script, chunkDelay: "50 millis" }))
    const server = yield* Effect.provide(Server.EmulatorServer, emulator)
    const state = yield* Effect.provide(EmulatorState.EmulatorState, emulator)
    const services = yield* Layer.build(
      AppBuilder.layer({ baseUrl: server.url, token: Redacted.make("bce-v3/ALTAK-emulator/demo") }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
    const assistants = yield* Effect.provide(Assistants.Assistants, services)
    const threads = yield* Effect.provide(Threads.Threads, services)
    const assistant = yield* Effect.acquireRelease(
      assistants.create({ name: "weather_reporter", instructions: "请用友善的语气回答问题" }),
      (created) => Effect.ignore(assistants.delete(created.id))
    )
    const thread = yield* threads.create({ messages: [{ content: "请把北京的天气预报发给订阅者" }] })

    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "durable-loop-demo-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const toolLog = Path.join(dir, "tool.log")
    Fs.writeFileSync(toolLog, "")
    const toolRuns = Effect.sync(() => Fs.readFileSync(toolLog, "utf8").split("\n").filter((l) => l !== "").length)
    const posts = (path: string) => Effect.map(state.requests, (all) => all.filter((r) => r.path === path).length)
    const env = {
      DB: Path.join(dir, "workflow.db"),
      BASE_URL: server.url,
      TOOL_LOG: toolLog,
      EXECUTION: "weather-report-1",
      ASSISTANT_ID: assistant.id,
      THREAD_ID: thread.id
    }
    yield* Console.log(`emulator on ${server.url}, workflow database ${env.DB}`)

    const t0 = Date.now()
    const at = () => `[${((Date.now() - t0) / 1000).toFixed(1)}s]`
    const first = yield* spawnWorker(workerArgs, env)
    yield* Console.log(`${at()} worker 1 started (pid ${first.child.pid})`)
    yield* waitUntil(
      "the outputs were submitted",
      Effect.map(posts("/v2/threads/runs/submit_tool_outputs"), (n) => n === 1)
    )
    yield* Console.log(
      `${at()} worker 1: tool executed ${yield* toolRuns} time(s), outputs submitted, the run is answering`
    )
    first.child.kill("SIGKILL")
    const killed = yield* first.exit
    if (killed.code !== null) {
      return yield* new DemoError({ message: `worker 1 ended before the kill: ${killed.stderr}` })
    }
    const runs = yield* state.runs()
    yield* Console.log(
      `${at()} worker 1 killed with SIGKILL; the run on the server: ${runs.map((r) => r.status).join(", ")}`
    )

    const before = (yield* state.requests).length
    const second = yield* spawnWorker(workerArgs, env)
    yield* Console.log(`${at()} worker 2 started on the same database (pid ${second.child.pid})`)
    const output = yield* second.exit
    const line = output.stdout.split("\n").find((l) => l.startsWith("RESULT "))
    if (output.code !== 0 || line === undefined) {
      return yield* new DemoError({ message: `worker 2 exited ${output.code}: ${output.stderr.slice(-2000)}` })
    }
    const [status, steps, ...text] = line.slice("RESULT ".length).split(" ")
    const requests = (yield* state.requests).slice(before)
    const byPath = new Map<string, number>()
    for (const r of requests) byPath.set(`${r.method} ${r.path}`, (byPath.get(`${r.method} ${r.path}`) ?? 0) + 1)
    yield* Console.log(
      `${at()} worker 2 resumed from the stored activities; its requests: ${
        [...byPath].map(([path, n]) => `${n} × ${path}`).join(", ")
      }`
    )
    yield* Console.log(`${at()} worker 2 resumed the loop and finished: run ${status}, ${steps} tool round(s)`)
    yield* Console.log(`answer: ${text.join(" ")}`)
    yield* Console.log(`tool executions: ${yield* toolRuns}`)
    yield* Console.log(`runs started: ${yield* posts("/v2/threads/runs")}`)
    yield* Console.log(`outputs submitted: ${yield* posts("/v2/threads/runs/submit_tool_outputs")}`)
    yield* Console.log(`runs still active: ${(yield* state.activeRuns).length}`)
  }).pipe(Effect.scoped)

/** The demo: the emulator, and two workers on tsx (the second resumes the loop the first was killed in). */
export const program = programWith(onTsx)

/** The example runs on its own emulator server (the worker reaches it over loopback): no layer needed. */
export const layer: Layer.Layer<never> = Layer.empty

if (Runtime.isMain(import.meta.url)) {
  if (process.env["DURABLE_LOOP_WORKER"] === "1") NodeRuntime.runMain(worker)
  else NodeRuntime.runMain(program)
}
