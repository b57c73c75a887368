import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Match from "effect/Match"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { HttpError, RunFailed } from "../src/AppBuilderError.js"
import { runStream } from "../src/internal/runStream.js"
import * as RunEvent from "../src/RunEvent.js"
import { defaultOptions, transcript } from "./fixtures/transcripts.js"

const streamOf = (name: "a" | "b" | "c"): Stream.Stream<RunEvent.RunEvent, HttpError | RunFailed> =>
  runStream(Stream.make(transcript(name)), defaultOptions)

const RUN_B = "run_7c2d9e4f1a3b45c6d7e8f90a1b2c3d4e"
const THREAD = "thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4"
const ASSISTANT = "asst_3f6b2a1c9d8e4f70a1b2c3d4e5f60718"
const CALL_B = "call-thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4-run_7c2d9e4f1a3b45c6d7e8f90a1b2c3d4e-step-1"

interface Seen {
  readonly callback: string
  readonly tag: string | undefined
  readonly toolCalls: ReadonlyArray<string> | undefined
  readonly stepId: string | undefined
  readonly runId: string | undefined
  readonly threadId: string | undefined
  readonly assistantId: string | undefined
}

const recorder = Effect.gen(function*() {
  const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
  const record = (callback: string) => (event: RunEvent.RunEvent, context: RunEvent.StreamRunContext) =>
    Effect.gen(function*() {
      // the context's current event is the event given to the callback
      assert.strictEqual(context.currentEvent, event)
      yield* Ref.update(seen, (all) => [...all, {
        callback,
        tag: context.currentEvent?._tag,
        toolCalls: context.currentToolCalls?.map((call) => call.id),
        stepId: context.currentRunStepId,
        runId: context.currentRunId,
        threadId: context.currentThreadId,
        assistantId: context.currentAssistantId
      }])
    })
  const handlers = {
    onRunBegin: record("onRunBegin"),
    onRunEnd: record("onRunEnd"),
    onToolCalls: record("onToolCalls"),
    onToolStepBegin: record("onToolStepBegin"),
    onToolStepEnd: record("onToolStepEnd"),
    onToolSubmittedOutput: record("onToolSubmittedOutput"),
    onMessageCreation: record("onMessageCreation"),
    onMessage: record("onMessage"),
    onRunCancelling: record("onRunCancelling"),
    onUnknown: record("onUnknown")
  }
  return { seen, handlers }
})

const ids = { runId: RUN_B, threadId: THREAD, assistantId: ASSISTANT }
const none = { toolCalls: undefined, stepId: undefined }

describe("RunEvent.handle", () => {
  it.effect("calls one callback per event with the official context (transcript b)", () =>
    Effect.gen(function*() {
      const { handlers, seen } = yield* recorder
      const result = yield* RunEvent.handle(streamOf("b"), handlers)
      assert.deepStrictEqual(yield* Ref.get(seen), [
        { callback: "onRunBegin", tag: "RunBegin", ...none, ...ids },
        { callback: "onToolStepBegin", tag: "ToolStepBegin", toolCalls: undefined, stepId: "step-1", ...ids },
        { callback: "onToolCalls", tag: "ToolCalls", toolCalls: [CALL_B], stepId: undefined, ...ids },
        { callback: "onToolSubmittedOutput", tag: "ToolSubmittedOutput", ...none, ...ids },
        { callback: "onToolStepEnd", tag: "ToolStepEnd", toolCalls: undefined, stepId: "step-1", ...ids },
        { callback: "onToolStepBegin", tag: "ToolStepBegin", toolCalls: undefined, stepId: "step-2", ...ids },
        { callback: "onMessageCreation", tag: "MessageCreation", ...none, ...ids },
        { callback: "onMessage", tag: "MessageDelta", ...none, ...ids },
        { callback: "onMessage", tag: "MessageDelta", ...none, ...ids },
        { callback: "onToolStepEnd", tag: "ToolStepEnd", toolCalls: undefined, stepId: "step-2", ...ids },
        { callback: "onRunEnd", tag: "RunEnd", ...none, ...ids }
      ])
      assert.isTrue(Option.isSome(result.runEnd))
      assert.strictEqual(Option.getOrThrow(result.runEnd).status, "completed")
      assert.strictEqual(Option.getOrThrow(result.run).completedAt, 1717646006040)
      assert.deepStrictEqual(result.pendingToolCalls, [])
      assert.strictEqual(result.context.currentRunId, RUN_B)
      assert.strictEqual(result.context.currentEvent?._tag, "RunEnd")
    }))

  it.effect("data-last form, run cancelling, and the RunFailed of a cancelled run (transcript c)", () =>
    Effect.gen(function*() {
      const { handlers, seen } = yield* recorder
      const error = yield* streamOf("c").pipe(RunEvent.handle(handlers), Effect.flip)
      assert.strictEqual(error._tag, "RunFailed")
      assert.deepStrictEqual((yield* Ref.get(seen)).map((s) => s.callback), [
        "onRunBegin",
        "onToolStepBegin",
        "onRunCancelling",
        "onToolStepEnd",
        "onRunEnd"
      ])
    }))

  it.effect("a partial handler: only the given callbacks run; deltas concatenate to the answer", () =>
    Effect.gen(function*() {
      const answer = yield* Ref.make("")
      const result = yield* streamOf("a").pipe(
        RunEvent.handle({ onMessage: (delta) => Ref.update(answer, (text) => text + delta.text) })
      )
      assert.strictEqual(yield* Ref.get(answer), "我是秦始皇，你好！\n很高兴见到你。")
      assert.strictEqual(Option.getOrThrow(result.runEnd).runId, "run_0d1e2f3a4b5c46d7e8f9a0b1c2d3e4f5")
      const empty = yield* RunEvent.handle(streamOf("a"), {})
      assert.isTrue(Option.isSome(empty.runEnd))
    }))

  it.effect("a stream stopped at tool_calls returns the pending tool calls", () =>
    Effect.gen(function*() {
      const result = yield* streamOf("b").pipe(Stream.takeUntil(RunEvent.isToolCalls), RunEvent.handle({}))
      assert.isTrue(Option.isNone(result.runEnd))
      assert.deepStrictEqual(result.pendingToolCalls.map((call) => call.id), [CALL_B])
      assert.strictEqual(result.context.currentRunId, RUN_B)
      assert.strictEqual(result.context.currentToolCalls?.length, 1)
      assert.strictEqual(Option.getOrThrow(result.run).status, "queued")
    }))

  it.effect("unknown events reach onUnknown", () =>
    Effect.gen(function*() {
      const unknown = new RunEvent.Unknown({ event: "x", eventType: "", sendId: 0, status: "", data: "1", raw: 1 })
      const seen = yield* Ref.make<ReadonlyArray<string>>([])
      yield* RunEvent.handle(Stream.make(unknown), {
        onUnknown: (event, context) =>
          Ref.update(seen, (all) => [...all, event.event, String(context.currentEvent === event)])
      })
      assert.deepStrictEqual(yield* Ref.get(seen), ["x", "true"])
    }))

  it.effect("callback errors and requirements flow into the result type; a failure stops the stream", () =>
    Effect.gen(function*() {
      class ToolBroke extends Data.TaggedError("ToolBroke")<{ readonly callId: string }> {}
      class Budget extends Context.Tag("test/Budget")<Budget, { readonly left: number }>() {}
      const after = yield* Ref.make(0)
      const program = RunEvent.handle(streamOf("b"), {
        onToolCalls: (event) => Effect.fail(new ToolBroke({ callId: event.toolCalls[0]?.id ?? "" })),
        onRunBegin: () => Effect.flatMap(Budget, (budget) => Effect.log(budget.left)),
        onMessage: () => Ref.update(after, (n) => n + 1)
      })
      // the exact type: stream errors + ToolBroke, requirement Budget
      const typed: Effect.Effect<RunEvent.HandleResult, HttpError | RunFailed | ToolBroke, Budget> = program
      // @ts-expect-error Budget is required
      const missing: Effect.Effect<RunEvent.HandleResult, HttpError | RunFailed | ToolBroke> = program
      // @ts-expect-error ToolBroke is a possible error
      const narrow: Effect.Effect<RunEvent.HandleResult, HttpError | RunFailed, Budget> = program
      assert.isTrue(Effect.isEffect(missing) && Effect.isEffect(narrow))
      const result = yield* typed.pipe(Effect.provideService(Budget, { left: 3 }), Effect.either)
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "ToolBroke")
        if (result.left._tag === "ToolBroke") assert.strictEqual(result.left.callId, CALL_B)
      }
      assert.strictEqual(yield* Ref.get(after), 0)
    }))

  it("rejects misspelled callbacks at compile time", () => {
    // @ts-expect-error onMessages is not a callback
    const typo = RunEvent.handle({ onMessages: () => Effect.void })
    const ok = RunEvent.handle({ onMessage: (delta) => Effect.succeed(delta.text) })
    assert.isFunction(typo)
    assert.isFunction(ok)
  })
})

describe("RunEvent.nextContext", () => {
  it.effect("follows spec §5.7 on transcript (b)", () =>
    Effect.gen(function*() {
      const events = Chunk.toArray(yield* Stream.runCollect(streamOf("b")))
      const contexts = events.reduce<Array<RunEvent.StreamRunContext>>(
        (acc, event) => [...acc, RunEvent.nextContext(acc[acc.length - 1] ?? RunEvent.initialContext, event)],
        []
      )
      assert.strictEqual(contexts[0]?.currentRunId, RUN_B)
      assert.strictEqual(contexts[1]?.currentRunStepId, "step-1")
      assert.strictEqual(contexts[2]?.currentRunStepId, undefined)
      assert.strictEqual(contexts[2]?.currentToolCalls?.[0]?.id, CALL_B)
      assert.strictEqual(contexts[3]?.currentToolCalls, undefined)
      assert.isTrue(contexts.every((c) => c.currentThreadId === THREAD && c.currentAssistantId === ASSISTANT))
      // data-last form
      const first = events[0]!
      assert.deepStrictEqual(RunEvent.nextContext(first)(RunEvent.initialContext), contexts[0])
    }))

  it("stores only non-empty ids and non-empty tool call lists", () => {
    const noCalls = new RunEvent.ToolCalls({ sendId: 1, status: "requires_action", message: "", toolCalls: [] })
    assert.strictEqual(RunEvent.nextContext(RunEvent.initialContext, noCalls).currentToolCalls, undefined)
  })
})

describe("guards, matching and the union schema", () => {
  it.effect("guards and Match.valueTags", () =>
    Effect.gen(function*() {
      const events = Chunk.toArray(yield* Stream.runCollect(streamOf("a")))
      assert.isTrue(events.every(RunEvent.isRunEvent))
      assert.isFalse(RunEvent.isRunEvent({ _tag: "RunEnd" }))
      assert.strictEqual(events.filter(RunEvent.isMessageDelta).length, 3)
      assert.isTrue(RunEvent.isRunBegin(events[0]) && !RunEvent.isRunEnd(events[0]))
      const labels = events.map(Match.valueTags({
        RunBegin: (e) => `begin ${e.runId}`,
        ToolStepBegin: (e) => `step ${e.stepId}`,
        MessageCreation: (e) => `message ${e.messageId}`,
        MessageDelta: (e) => e.text,
        ToolCalls: () => "calls",
        ToolSubmittedOutput: () => "submitted",
        ToolStepEnd: (e) => `end ${e.stepId}`,
        RunCancelling: () => "cancelling",
        RunEnd: (e) => `end ${e.status}`,
        Unknown: () => "?",
        Resumed: (e) => `resumed ${e.runId}`
      }))
      assert.deepStrictEqual(labels.slice(3, 6), ["我是秦始皇，", "你好！\n很高兴", "见到你。"])
      assert.strictEqual(labels[7], "end completed")
    }))

  it.effect("events round-trip through the RunEvent schema", () =>
    Effect.gen(function*() {
      const events = Chunk.toArray(yield* Stream.runCollect(streamOf("b")))
      const encoded = yield* Schema.encode(Schema.Array(RunEvent.RunEvent))(events)
      const decoded = yield* Schema.decode(Schema.Array(RunEvent.RunEvent))(JSON.parse(JSON.stringify(encoded)))
      assert.deepStrictEqual(decoded.map((e) => e._tag), events.map((e) => e._tag))
      const end = decoded[decoded.length - 1]
      assert(RunEvent.isRunEnd(end))
      assert.strictEqual(end.run.completedAt, 1717646006040)
    }))
})
