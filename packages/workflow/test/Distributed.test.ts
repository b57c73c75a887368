/**
 * Distribution on PostgreSQL: three runner processes (test/fixtures/runner.ts) form a
 * `DurableEngine.layerPg` cluster on one real PostgreSQL database (`APPBUILDER_TEST_PG_URL`, else a
 * throwaway cluster started by the test: test/fixtures/pgServer.ts) and execute durable loops against
 * the emulator server of this process (loopback). This process is a client-only member of the cluster:
 * it submits `APPBUILDER_TEST_PG_LOOPS` loops (default 200), one thread each, kills one runner with
 * SIGKILL when half of the loops have completed, and checks that every loop completes on the survivors,
 * one run per thread, one submit per loop, nothing left active, and each tool call executed once unless it
 * was in flight on the killed runner: executed there, its result not stored yet (the database is read just
 * before the kill). Such a call runs again on a survivor; that is the documented limit of "exactly once"
 * (an activity is stored when it returns), and the figures count it.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import * as Server from "@effect-appbuilder/emulator/Server"
import * as DurableEngine from "@effect-appbuilder/workflow/DurableEngine"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import * as PgServer from "./fixtures/pgServer.js"
import { Weather } from "./fixtures/weatherPg.js"

const packageDir = Path.resolve(Path.dirname(Url.fileURLToPath(import.meta.url)), "..")
const runnerPath = Path.join(packageDir, "test", "fixtures", "runner.ts")

const LOOPS = Number(process.env.APPBUILDER_TEST_PG_LOOPS ?? "200")
const RUNNERS = 3

class RunnerError extends Data.TaggedError("RunnerError")<{ readonly message: string }> {}

/** The model: one tool call, then the answer, each after a short delay. */
const script = ScriptedModel.make((input) =>
  Effect.succeed(ScriptedModel.fromTurn(
    input.toolResults.length > 0
      ? { reply: `根据工具的结果：${input.toolResults.map((r) => r.output).join("；")}`, delay: "300 millis" }
      : {
        toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京", unit: "摄氏度" } }],
        delay: "300 millis"
      },
    input
  ))
)

interface Runner {
  readonly name: string
  readonly child: ChildProcess.ChildProcess
  readonly output: () => string
  readonly exit: Effect.Effect<number | null>
}

/** Starts a runner; it is killed (SIGKILL) when the scope closes, if still running. */
const spawnRunner = (name: string, env: Record<string, string>): Effect.Effect<Runner, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync((): Runner => {
      const child = ChildProcess.spawn(
        process.execPath,
        ["--conditions=@effect-appbuilder/source", "--import", "tsx", runnerPath],
        { cwd: packageDir, env: { ...process.env, ...env, RUNNER: name }, stdio: ["ignore", "pipe", "pipe"] }
      )
      let output = ""
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
      return { name, child, output: () => output, exit: Effect.promise(() => exited) }
    }),
    (runner) =>
      Effect.gen(function*() {
        if (runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill("SIGKILL")
        yield* runner.exit
      })
  )

/** Checks `condition` every 100 ms until it holds, for `within` at most. */
const waitUntil = <E, R>(what: string, condition: Effect.Effect<boolean, E, R>, within: Duration.DurationInput) =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(within)
    while (!(yield* condition)) {
      if (Date.now() > deadline) return yield* new RunnerError({ message: `timed out waiting until ${what}` })
      yield* Effect.sleep("100 millis")
    }
  })

/** The payload of an activity message. */
const decodeActivity = Schema.decodeUnknownSync(Schema.parseJson(Schema.Struct({ name: Schema.String })))

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10

describe("DurableToolLoop on DurableEngine.layerPg: distribution", { timeout: 600_000 }, () => {
  it.live(`${LOOPS} loops on ${RUNNERS} runners sharing PostgreSQL, one runner killed halfway`, () =>
    Effect.gen(function*() {
      const t0 = Date.now()
      const pg = yield* PgServer.acquire
      if (pg === undefined) {
        return yield* new RunnerError({
          message: "PostgreSQL is needed: set APPBUILDER_TEST_PG_URL, or install the server binaries (initdb, pg_ctl)"
        })
      }
      const pgReady = seconds(t0)

      const emulator = yield* Layer.build(Emulator.layerServer({ script, chunkDelay: "50 millis" }))
      const server = yield* Effect.provide(Server.EmulatorServer, emulator)
      const state = yield* Effect.provide(EmulatorState.EmulatorState, emulator)
      const services = yield* Layer.build(
        AppBuilder.layer({ baseUrl: server.url, token: Redacted.make("bce-v3/ALTAK-emulator/test") }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      )
      const { assistantId, threadIds } = yield* Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        const threads = yield* Threads.Threads
        const assistant = yield* assistants.create({ name: "distributed", instructions: "请用友善的语气回答问题" })
        const threadIds = yield* Effect.forEach(
          Array.from({ length: LOOPS }, (_, i) => i),
          (i) => Effect.map(threads.create({ messages: [{ content: `北京今天的天气怎么样？(${i})` }] }), (t) => t.id),
          { concurrency: 16 }
        )
        return { assistantId: assistant.id, threadIds }
      }).pipe(Effect.provide(services))

      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "durable-pg-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      )
      const toolLog = Path.join(dir, "tool.log")
      Fs.writeFileSync(toolLog, "")
      const toolLines = Effect.sync(() =>
        Fs.readFileSync(toolLog, "utf8").split("\n").filter((l) => l !== "").map((l) => {
          const [callId = "", runner = "", at = "0"] = l.split(" ")
          return { callId, runner, at: Number(at) }
        })
      )

      // the runners, each on its own socket port
      const runners: Array<Runner> = []
      for (let i = 0; i < RUNNERS; i++) {
        const port = yield* PgServer.freePort
        runners.push(
          yield* spawnRunner(`runner-${i}`, {
            PG_URL: pg.url,
            BASE_URL: server.url,
            TOOL_LOG: toolLog,
            RUNNER_PORT: `${port}`
          })
        )
        // the first runner creates the tables: let it finish before the others start
        if (i === 0) {
          yield* waitUntil(
            "runner-0 is ready",
            Effect.sync(() => runners[0]!.output().includes("READY")),
            "90 seconds"
          )
        }
      }
      yield* waitUntil(
        "every runner is ready",
        Effect.sync(() => runners.every((r) => r.output().includes("READY"))),
        "90 seconds"
      ).pipe(Effect.tapError(() => Effect.log(runners.map((r) => `${r.name}: ${r.output().slice(-2000)}`).join("\n"))))
      // let the shards spread over the three runners
      yield* Effect.sleep("3 seconds")
      const runnersReady = seconds(t0)

      // this process: a client of the cluster (it executes nothing)
      const loop = Weather(toolLog, "client")
      const client = yield* Layer.build(DurableEngine.layerPg({ url: pg.url, clientOnly: true, maxConnections: 4 }))
      const sql = yield* Effect.provide(
        SqlClient.SqlClient,
        yield* Layer.build(PgClient.layer({ url: Redacted.make(pg.url), maxConnections: 2 }))
      )
      const submitted = Date.now()
      const executionIds = yield* Effect.forEach(
        threadIds,
        (threadId, i) => loop.start({ id: `loop-${i}`, request: { assistantId, threadId } }),
        { concurrency: 16 }
      ).pipe(Effect.provide(client))
      const submitSeconds = seconds(submitted)

      // halfway: when half of the loops completed, kill the runner that ran the most tools so far
      yield* waitUntil(
        "half of the loops completed",
        Effect.map(state.runs("completed"), (runs) => runs.length >= LOOPS / 2),
        "300 seconds"
      )
      // the tool calls whose result is stored (an activity `tool/<call id>` with a reply)
      const storedAtKill = new Set(
        (yield* sql<{ readonly payload: string }>`
          SELECT m.payload FROM cluster_messages m
          WHERE m.tag = 'activity' AND m.payload LIKE '{"name":"tool/%'
          AND EXISTS (SELECT 1 FROM cluster_replies r WHERE r.request_id = m.id)
        `).map((row) => decodeActivity(row.payload).name.slice("tool/".length))
      )
      const before = yield* toolLines
      const perRunnerBefore = Object.fromEntries(
        runners.map((r) => [r.name, before.filter((l) => l.runner === r.name).length])
      )
      const victim = runners.reduce((a, b) => (perRunnerBefore[b.name]! > perRunnerBefore[a.name]! ? b : a))
      const activeAtKill = (yield* state.activeRuns).length
      const killedAt = Date.now()
      victim.child.kill("SIGKILL")
      assert.strictEqual(yield* victim.exit, null, "the runner was killed")
      const completedAtKill = (yield* state.runs("completed")).length

      // every loop completes on the survivors
      const results = yield* Effect.gen(function*() {
        const done = new Map<string, string>()
        while (done.size < executionIds.length) {
          // past the deadline, the figures below and the assertions tell what is missing
          if (Date.now() - killedAt > 300_000) break
          yield* Effect.forEach(
            executionIds.filter((id) => !done.has(id)),
            (id) =>
              Effect.map(loop.poll(id), (result) => {
                if (result !== undefined && result._tag === "Complete") {
                  done.set(
                    id,
                    result.exit._tag === "Success"
                      ? result.exit.value.run.status
                      : Cause.pretty(result.exit.cause).slice(0, 500)
                  )
                }
              }),
            { concurrency: 8, discard: true }
          )
          if (done.size < executionIds.length) yield* Effect.sleep("500 millis")
        }
        return done
      }).pipe(Effect.provide(client))
      const finished = seconds(killedAt)

      const lines = yield* toolLines
      const callIds = new Set(lines.map((l) => l.callId))
      const allRuns = yield* state.runs()
      const runsPerThread = new Map<string, number>()
      for (const run of allRuns) runsPerThread.set(run.threadId, (runsPerThread.get(run.threadId) ?? 0) + 1)
      const runPosts = (yield* state.requests).filter((r) => r.path === "/v2/threads/runs").length
      const perRunner = Object.fromEntries(
        runners.map((r) => [r.name, lines.filter((l) => l.runner === r.name).length])
      )
      // a tool call executed twice: its first execution, on the killed runner, had not been stored yet
      const firsts = new Map<string, { readonly runner: string; readonly at: number }>()
      const repeated: Array<
        { readonly first: string; readonly msBeforeKill: number; readonly again: string; readonly stored: boolean }
      > = []
      for (const line of lines) {
        const first = firsts.get(line.callId)
        if (first === undefined) firsts.set(line.callId, line)
        else {
          repeated.push({
            first: first.runner,
            msBeforeKill: killedAt - first.at,
            again: line.runner,
            stored: storedAtKill.has(line.callId)
          })
        }
      }
      const cancelPosts = (yield* state.requests).filter((r) => r.path === "/v2/threads/runs/cancel").length
      const submitPosts = (yield* state.requests).filter((r) =>
        r.path === "/v2/threads/runs/submit_tool_outputs"
      ).length
      const figures = {
        loops: LOOPS,
        pg: pg.source,
        completed: [...results.values()].filter((status) => status === "completed").length,
        notCompleted: [...results].filter(([, status]) => status !== "completed"),
        toolExecutions: lines.length,
        toolResultsStoredAtKill: storedAtKill.size,
        repeatedInFlight: repeated.length,
        repeated,
        distinctToolCalls: callIds.size,
        runsStarted: allRuns.length,
        runPosts,
        submitPosts,
        cancelPosts,
        active: (yield* state.activeRuns).length,
        killed: victim.name,
        toolsPerRunnerAtKill: perRunnerBefore,
        toolsPerRunner: perRunner,
        toolsAfterKill: lines.length - before.length,
        activeRunsAtKill: activeAtKill,
        completedRunsAtKill: completedAtKill,
        seconds: { pgReady, runnersReady, submit: submitSeconds, killToAllDone: finished, total: seconds(t0) }
      }
      yield* Effect.log(`distribution: ${JSON.stringify(figures)}`)

      assert.strictEqual(figures.completed, LOOPS, "every loop completed")
      // each tool call executed once, but for those in flight on the killed runner (result not stored)
      for (const r of repeated) {
        assert.strictEqual(r.first, victim.name, "only the killed runner's calls are executed again")
        assert.isFalse(r.stored, "a call whose result was stored is never executed again")
        assert.notStrictEqual(r.again, victim.name)
      }
      assert.strictEqual(lines.length, LOOPS + repeated.length)
      assert.strictEqual(submitPosts, LOOPS, "one submit per loop")
      // a runner that stops (killed, or its shards moved away under load) leaves its runs going
      assert.strictEqual(cancelPosts, 0, "no run cancelled")
      assert.strictEqual(callIds.size, LOOPS, "one tool call per loop")
      assert.strictEqual(allRuns.length, LOOPS, "one run per loop")
      assert.isTrue(threadIds.every((id) => runsPerThread.get(id) === 1), "one run per thread")
      assert.strictEqual(runPosts, LOOPS, "one run POST per loop")
      assert.strictEqual(figures.active, 0, "nothing left active")
      assert.isAbove(perRunnerBefore[victim.name]!, 0, "the killed runner had executed loops")
      const survivors = runners.filter((r) => r !== victim)
      assert.isTrue(survivors.every((r) => perRunner[r.name]! > 0), "the loops were spread across the runners")
    }).pipe(Effect.scoped))
})
