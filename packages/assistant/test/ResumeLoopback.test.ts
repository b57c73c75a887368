/**
 * Resumable runs over real sockets: the k-matrix of Resume.test.ts (a run stream cut after k events by the
 * emulator's `dropAfter(k)`, for every k) on a loopback server, with undici and with fetch, in real time.
 * A streamed run and a streamed tool loop end as undisturbed ones do, each tool is executed once, one run
 * POST per run, at most one submit per round, and no run is left going. The resume runs on its default
 * schedule (`Runs.defaultResumeSchedule`): with the emulator streaming as fast as it can, the run has
 * settled by the first query, so the whole matrix takes a few seconds per transport.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as Server from "@effect-appbuilder/emulator/Server"
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"

const TOKEN = "bce-v3/ALTAK-resumeloopback/secret"

const retry: AppBuilderClient.RetryOptions = { baseDelay: "10 millis", maxDelay: "50 millis", maxRetries: 3 }

const overServer = (http: Layer.Layer<HttpClient.HttpClient>) =>
  Layer.unwrapEffect(
    Effect.map(Server.EmulatorServer, (server) =>
      AppBuilder.layer({ token: Redacted.make(TOKEN), baseUrl: server.url, retry }).pipe(Layer.provide(http)))
  ).pipe(Layer.provideMerge(Emulator.layerServer({ port: 0, token: TOKEN })), Layer.orDie)

const transports = [
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
  ["FetchHttpClient.layer", FetchHttpClient.layer]
] as const

/** The tags of the events, `Resumed` left out and consecutive deltas merged into one. */
const shape = (events: ReadonlyArray<RunEvent.RunEvent>): Array<string> => {
  const out: Array<string> = []
  for (const event of events) {
    if (event._tag === "Resumed") continue
    if (event._tag === "MessageDelta" && out[out.length - 1] === "MessageDelta") continue
    out.push(event._tag === "ToolStepBegin" || event._tag === "ToolStepEnd" ? `${event._tag}:${event.stepId}` : event._tag)
  }
  return out
}

const textOf = (events: ReadonlyArray<RunEvent.RunEvent>): string =>
  events.map((event) => (event._tag === "MessageDelta" ? event.text : "")).join("")

const setup = (question: string, tools?: ReadonlyArray<Assistants.AssistantToolInput>) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({ name: "resume", instructions: "", tools: tools ?? [] })
    const newThread = Effect.map(threads.create({ messages: [{ content: question }] }), (thread) => thread.id)
    return { assistantId: assistant.id, newThread }
  })

const countPosts = (path: string) =>
  Effect.flatMap(EmulatorState.EmulatorState, (state) =>
    Effect.map(state.requests, (requests) => requests.filter((r) => r.method === "POST" && r.path === path).length))

const runPosts = countPosts("/v2/threads/runs")
const submits = countPosts("/v2/threads/runs/submit_tool_outputs")

/** The runs not ended yet, as `id:status`. */
const activeRuns = Effect.flatMap(EmulatorState.EmulatorState, (state) =>
  Effect.map(state.activeRuns, (runs) => runs.map((run) => `${run.id}:${run.status}`)))

const plainRun = Effect.gen(function*() {
  const runs = yield* Runs.Runs
  const state = yield* EmulatorState.EmulatorState
  const { assistantId, newThread } = yield* setup("你好，请介绍一下你自己")
  const collect = (threadId: string) =>
    Stream.runCollect(runs.stream({ assistantId, threadId })).pipe(Effect.map(Chunk.toReadonlyArray))
  const reference = yield* collect(yield* newThread)
  assert.notInclude(reference.map((e) => e._tag), "Resumed")
  assert.isAbove(reference.length, 3)
  for (let k = 0; k <= reference.length; k++) {
    const threadId = yield* newThread
    const before = yield* runPosts
    yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(k))
    const events = yield* collect(threadId)
    const label = `k=${k}`
    assert.deepStrictEqual(shape(events), shape(reference), label)
    assert.strictEqual(textOf(events), textOf(reference), label)
    const resumed = events.filter(RunEvent.isResumed)
    assert.strictEqual(resumed.length, k < reference.length ? 1 : 0, label)
    // every event after `Resumed` is rebuilt: it carries sendId 0
    const at = events.findIndex(RunEvent.isResumed)
    if (at >= 0) {
      assert.deepStrictEqual(
        events.slice(at + 1).flatMap((e) => ("sendId" in e ? [e.sendId] : [])).filter((id) => id !== 0),
        [],
        label
      )
    }
    assert.strictEqual((yield* runPosts) - before, 1, label)
    assert.deepStrictEqual(yield* activeRuns, [], label)
  }
  return reference.length
})

const Weather = Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) })

const toolLoop = Effect.gen(function*() {
  const executed = yield* Ref.make(0)
  const state = yield* EmulatorState.EmulatorState
  const weather = ToolLoop.tool("get_cur_whether", {
    description: "这是一个获得指定地点天气的工具",
    parameters: Weather,
    handler: ({ location }) => Effect.as(Ref.update(executed, (n) => n + 1), `${location} 的当前温度是30 摄氏度`)
  })
  const toolkit = ToolLoop.toolkit(weather)
  const { assistantId, newThread } = yield* setup("北京今天天气怎么样？", toolkit.definitions)
  const loop = (threadId: string) =>
    Stream.runCollect(ToolLoop.stream({ assistantId, threadId }, { toolkit })).pipe(
      Effect.map(Chunk.toReadonlyArray)
    )
  const reference = yield* loop(yield* newThread)
  assert.strictEqual(yield* Ref.get(executed), 1)
  assert.include(reference.map((e) => e._tag), "ToolCalls")
  for (let k = 0; k <= reference.length; k++) {
    const threadId = yield* newThread
    yield* Ref.set(executed, 0)
    const before = { runs: yield* runPosts, submits: yield* submits }
    yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(k))
    const events = yield* loop(threadId)
    const label = `k=${k}`
    assert.deepStrictEqual(shape(events), shape(reference), label)
    assert.strictEqual(textOf(events), textOf(reference), label)
    assert.strictEqual(events.filter(RunEvent.isResumed).length, k < reference.length ? 1 : 0, label)
    assert.strictEqual(yield* Ref.get(executed), 1, label)
    assert.strictEqual((yield* runPosts) - before.runs, 1, label)
    assert.strictEqual((yield* submits) - before.submits, 1, label)
    assert.deepStrictEqual(yield* activeRuns, [], label)
  }
  return reference.length
})

describe("resume after a drop, on a loopback server", () => {
  for (const [name, http] of transports) {
    it.live(`${name}: a plain streamed run, cut after every k events, ends as an undisturbed one`, () =>
      plainRun.pipe(Effect.provide(overServer(http))))
    it.live(`${name}: a streamed tool loop, cut after every k events, executes each tool once and ends the same`, () =>
      toolLoop.pipe(Effect.provide(overServer(http))))
  }
})
