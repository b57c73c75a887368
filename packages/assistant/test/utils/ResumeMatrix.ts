/**
 * The k-matrix of resumable runs, shared by the in-process tests (TestClock) and the loopback tests (real
 * sockets): a run stream cut after k events by the emulator's `dropAfter(k)`, for every k from 0 to the
 * length of the undisturbed stream, must end as the undisturbed one does.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/** The tags of the events, `Resumed` left out and consecutive deltas merged into one. */
export const shape = (events: ReadonlyArray<RunEvent.RunEvent>): Array<string> => {
  const out: Array<string> = []
  for (const event of events) {
    if (event._tag === "Resumed") continue
    if (event._tag === "MessageDelta" && out[out.length - 1] === "MessageDelta") continue
    out.push(
      event._tag === "ToolStepBegin" || event._tag === "ToolStepEnd" ? `${event._tag}:${event.stepId}` : event._tag
    )
  }
  return out
}

/** The answer text of the events. */
export const textOf = (events: ReadonlyArray<RunEvent.RunEvent>): string =>
  events.map((event) => (event._tag === "MessageDelta" ? event.text : "")).join("")

/** An assistant with `tools`, and an effect creating a new thread whose last message is `question`. */
export const setup = (question: string, tools?: ReadonlyArray<Assistants.AssistantToolInput>) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({ name: "resume", instructions: "", tools: tools ?? [] })
    const newThread = Effect.map(threads.create({ messages: [{ content: question }] }), (thread) => thread.id)
    return { assistantId: assistant.id, newThread }
  })

/** The number of requests the emulator received on `path`. */
export const posts = (path: string) =>
  Effect.flatMap(
    EmulatorState.EmulatorState,
    (state) => Effect.map(state.requests, (requests) => requests.filter((r) => r.path === path).length)
  )

const runPosts = posts("/v2/threads/runs")
const submitPosts = posts("/v2/threads/runs/submit_tool_outputs")

/** The runs not ended yet, as `id:status`. */
const activeRuns = Effect.flatMap(
  EmulatorState.EmulatorState,
  (state) => Effect.map(state.activeRuns, (runs) => runs.map((run) => `${run.id}:${run.status}`))
)

/** How an effect is driven to its end: moving the TestClock in-process, as it is on real sockets. */
export type Driver = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * A plain streamed run cut after every k events: the same shape and text as the undisturbed one, one
 * `Resumed` exactly when something was cut, every event after it rebuilt (`sendId` 0), one run POST,
 * nothing left active. Returns the length of the undisturbed stream.
 */
export const plainRun = (drive: Driver) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const state = yield* EmulatorState.EmulatorState
    const { assistantId, newThread } = yield* setup("你好，请介绍一下你自己")
    const collect = (threadId: string) =>
      drive(Stream.runCollect(runs.stream({ assistantId, threadId }))).pipe(Effect.map(Chunk.toReadonlyArray))
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
      assert.strictEqual(events.filter(RunEvent.isResumed).length, k < reference.length ? 1 : 0, label)
      const at = events.findIndex(RunEvent.isResumed)
      if (at >= 0) {
        const sendIds = events.slice(at + 1).flatMap((e) => ("sendId" in e ? [e.sendId] : []))
        assert.deepStrictEqual(sendIds.filter((id) => id !== 0), [], label)
      }
      assert.strictEqual((yield* runPosts) - before, 1, label)
      assert.deepStrictEqual(yield* activeRuns, [], label)
    }
    return reference.length
  })

const Weather = Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) })

/**
 * A streamed tool loop cut after every k events: the same shape and text as the undisturbed one, the tool
 * executed once, one run POST, one submit, nothing left active. Returns the length of the undisturbed
 * stream.
 */
export const toolLoop = (drive: Driver) =>
  Effect.gen(function*() {
    const state = yield* EmulatorState.EmulatorState
    const executed = yield* Ref.make(0)
    const weather = ToolLoop.tool("get_cur_whether", {
      description: "这是一个获得指定地点天气的工具",
      parameters: Weather,
      handler: ({ location }) => Effect.as(Ref.update(executed, (n) => n + 1), `${location} 的当前温度是30 摄氏度`)
    })
    const toolkit = ToolLoop.toolkit(weather)
    const { assistantId, newThread } = yield* setup("北京今天天气怎么样？", toolkit.definitions)
    const loop = (threadId: string) =>
      drive(Stream.runCollect(ToolLoop.stream({ assistantId, threadId }, { toolkit }))).pipe(
        Effect.map(Chunk.toReadonlyArray)
      )
    const reference = yield* loop(yield* newThread)
    assert.strictEqual(yield* Ref.get(executed), 1)
    assert.include(reference.map((e) => e._tag), "ToolCalls")
    for (let k = 0; k <= reference.length; k++) {
      const threadId = yield* newThread
      yield* Ref.set(executed, 0)
      const before = { runs: yield* runPosts, submits: yield* submitPosts }
      yield* state.injectFault("/v2/threads/runs", Faults.dropAfter(k))
      const events = yield* loop(threadId)
      const label = `k=${k}`
      assert.deepStrictEqual(shape(events), shape(reference), label)
      assert.strictEqual(textOf(events), textOf(reference), label)
      assert.strictEqual(events.filter(RunEvent.isResumed).length, k < reference.length ? 1 : 0, label)
      assert.strictEqual(yield* Ref.get(executed), 1, label)
      assert.strictEqual((yield* runPosts) - before.runs, 1, label)
      assert.strictEqual((yield* submitPosts) - before.submits, 1, label)
      assert.deepStrictEqual(yield* activeRuns, [], label)
    }
    return reference.length
  })
