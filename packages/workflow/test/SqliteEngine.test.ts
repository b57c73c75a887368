/**
 * DurableToolLoop on `DurableEngine.layerSqlite` (`@effect/cluster` on a SQLite file in a temporary
 * directory), in this process, against the in-process emulator, on the live clock: a loop completes and a
 * second engine on the same file returns its stored result without starting anything; interrupting a loop
 * cancels its run once.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as DurableEngine from "@effect-appbuilder/workflow/DurableEngine"
import * as DurableToolLoop from "@effect-appbuilder/workflow/DurableToolLoop"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

class Executions extends Context.Tag("test/Executions")<Executions, Ref.Ref<number>>() {}

class Timeout extends Data.TaggedError("Timeout")<{ readonly what: string }> {}

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location }) =>
    Effect.flatMap(Executions, (count) => Ref.update(count, (n) => n + 1)).pipe(Effect.as(`${location} 30 度`))
})
const toolkit = ToolLoop.toolkit(weather)
const Weather = DurableToolLoop.make({ name: "weather-sqlite", toolkit })

const tempFile = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "durable-sqlite-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => Path.join(dir, "workflow.db")))

/** The loop on a SQLite engine over `filename`, given the emulator's services and the tool counter. */
const engineLayer = (filename: string) =>
  Weather.layer.pipe(Layer.provideMerge(DurableEngine.layerSqlite({ filename })))

const setup = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const assistant = yield* assistants.create({
    name: "loop",
    instructions: "请用友善的语气回答问题",
    tools: toolkit.definitions
  })
  const thread = yield* threads.create({ messages: [{ content: "北京今天的天气怎么样？" }] })
  return { assistantId: assistant.id, threadId: thread.id }
})

const posts = (path: string) =>
  Effect.flatMap(
    EmulatorState.EmulatorState,
    (state) => Effect.map(state.requests, (requests) => requests.filter((r) => r.path === path).length)
  )

const waitUntil = <R>(what: string, condition: Effect.Effect<boolean, never, R>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 400; i++) {
      if (yield* condition) return
      yield* Effect.sleep("50 millis")
    }
    return yield* new Timeout({ what })
  })

const base = (options: AppBuilderTest.Options = {}) =>
  Layer.merge(AppBuilderTest.layer(options), Layer.effect(Executions, Ref.make(0)))

// The two tests run at the same time (each has its own emulator and database file): they mostly wait for
// the engine's polling beat.
describe("DurableToolLoop on DurableEngine.layerSqlite", { timeout: 60_000, concurrent: true }, () => {
  it.scopedLive("completes, and a new engine on the same file returns the stored result without a new run", () =>
    Effect.gen(function*() {
      const filename = yield* tempFile
      const { assistantId, threadId } = yield* setup
      const payload = { id: "stored", request: { assistantId, threadId } }
      const first = yield* Weather.run(payload).pipe(Effect.provide(engineLayer(filename)))
      assert.strictEqual(first.run.status, "completed")
      assert.strictEqual(first.steps, 1)
      // the first engine is closed: a second one, on the same file, answers from the database
      const second = yield* Weather.run(payload).pipe(Effect.provide(engineLayer(filename)))
      assert.deepStrictEqual(second, first)
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
      assert.strictEqual(yield* posts("/v2/threads/runs/submit_tool_outputs"), 1)
      assert.strictEqual(yield* Effect.flatMap(Executions, Ref.get), 1)
    }).pipe(Effect.provide(base())))

  it.scopedLive("interrupting the workflow cancels its run once", () =>
    Effect.gen(function*() {
      const filename = yield* tempFile
      const { assistantId, threadId } = yield* setup
      const state = yield* EmulatorState.EmulatorState
      const exit = yield* Effect.gen(function*() {
        const executionId = yield* Weather.start({ id: "interrupted", request: { assistantId, threadId } })
        yield* waitUntil(
          "the outputs were submitted",
          Effect.map(posts("/v2/threads/runs/submit_tool_outputs"), (n) => n === 1)
        )
        assert.strictEqual((yield* state.activeRuns).length, 1)
        yield* Weather.interrupt(executionId)
        yield* waitUntil("the run was cancelled", Effect.map(state.activeRuns, (active) => active.length === 0))
        const result = yield* Weather.poll(executionId)
        yield* Effect.sleep("500 millis")
        return result
      }).pipe(Effect.provide(engineLayer(filename)))
      assert.strictEqual(exit?._tag, "Complete")
      if (exit?._tag === "Complete") assert.isTrue(Exit.isInterrupted(exit.exit))
      assert.strictEqual(yield* posts("/v2/threads/runs/cancel"), 1)
      const run = (yield* state.runs()).find((r) => r.threadId === threadId)
      assert.strictEqual(run?.status, "cancelled")
      assert.strictEqual(yield* posts("/v2/threads/runs"), 1)
    }).pipe(Effect.provide(base({
      script: AppBuilderTest.turns(
        { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
        { reply: "slow", delay: "10 minutes" }
      )
    }))))
})
