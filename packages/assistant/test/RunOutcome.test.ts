/**
 * One outcome for a run, whatever the mode: a run that ends `failed`, `expired` or cancelled by someone
 * else fails `ToolLoop.run` / `ToolLoop.stream` with `RunFailed` in stream mode as in blocking mode; and
 * arguments a JavaScript caller got wrong give a `ValidationError`, never a thrown `TypeError`.
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

const weather = ToolLoop.tool("get_cur_whether", {
  description: "weather",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location }) => Effect.succeed(`${location} 的当前温度是30 摄氏度`)
})
const toolkit = ToolLoop.toolkit(weather)

const setup = (question: string) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({ name: "outcome", instructions: "x", tools: toolkit.definitions })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    return { assistantId: assistant.id, threadId: thread.id }
  })

/** Cancels the one active run of the emulator, as another client would. */
const cancelFromElsewhere = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  const runs = yield* Runs.Runs
  const [run] = yield* state.activeRuns
  assert.isDefined(run)
  yield* runs.cancel({ threadId: run!.threadId, runId: run!.id })
})

describe("a run that fails", () => {
  for (const mode of ["stream", "blocking"] as const) {
    it.effect(`${mode} mode: ToolLoop.run fails with RunFailed (status failed, the run's last_error)`, () =>
      Effect.gen(function*() {
        const ids = yield* setup("please fail")
        const error = yield* Effect.flip(ToolLoop.run(ids, { toolkit, mode }))
        assert.isTrue(AppBuilderError.isRunFailed(error))
        if (AppBuilderError.isRunFailed(error)) {
          assert.strictEqual(error.status, "failed")
          assert.strictEqual(error.lastError?.message, "the scripted model was asked to fail")
        }
      }).pipe(Effect.provide(Emulated.layer())))
  }

  it.effect("ToolLoop.stream emits the RunEnd, then fails with RunFailed", () =>
    Effect.gen(function*() {
      const ids = yield* setup("please fail")
      const results = yield* ToolLoop.stream(ids, { toolkit }).pipe(Stream.either, Stream.runCollect)
      const list = Chunk.toArray(results)
      const last = list[list.length - 1]
      const beforeLast = list[list.length - 2]
      assert.isTrue(beforeLast !== undefined && Either.isRight(beforeLast) && beforeLast.right._tag === "RunEnd")
      assert.isTrue(last !== undefined && Either.isLeft(last) && AppBuilderError.isRunFailed(last.left))
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("a completed loop returns a run whose status is completed", () =>
    Effect.gen(function*() {
      const ids = yield* setup("今天北京的天气怎么样？")
      const result = yield* ToolLoop.run(ids, { toolkit })
      assert.strictEqual(result.run.status, "completed")
    }).pipe(Effect.provide(Emulated.layer())))
})

describe("a run cancelled by someone else", () => {
  const slow = ScriptedModel.fromTurns([{ reply: "一个慢的回答", delay: "10 seconds" }])

  it.effect("stream mode: ToolLoop.run fails with RunFailed (cancelled)", () =>
    Effect.gen(function*() {
      const ids = yield* setup("你好")
      const loop = yield* Effect.fork(Effect.flip(ToolLoop.run(ids, { toolkit })))
      yield* TestClock.adjust("1 second")
      yield* cancelFromElsewhere
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(loop)
      assert.isTrue(AppBuilderError.isRunFailed(error) && error.status === "cancelled")
    }).pipe(Effect.provide(Emulated.layer({ script: slow }))))

  it.effect("ToolLoop.stream fails with RunFailed (cancelled) after the RunEnd", () =>
    Effect.gen(function*() {
      const ids = yield* setup("你好")
      const loop = yield* Effect.fork(ToolLoop.stream(ids, { toolkit }).pipe(Stream.either, Stream.runCollect))
      yield* TestClock.adjust("1 second")
      yield* cancelFromElsewhere
      yield* TestClock.adjust("1 second")
      const list = Chunk.toArray(yield* Fiber.join(loop))
      const last = list[list.length - 1]
      assert.isTrue(last !== undefined && Either.isLeft(last) && AppBuilderError.isRunFailed(last.left))
    }).pipe(Effect.provide(Emulated.layer({ script: slow }))))

  it.effect("blocking mode: ToolLoop.run fails with RunFailed (cancelled)", () =>
    Effect.gen(function*() {
      const ids = yield* setup("你好")
      const loop = yield* Effect.fork(Effect.flip(ToolLoop.run(ids, { toolkit, mode: "blocking" })))
      yield* TestClock.adjust("1 second")
      yield* cancelFromElsewhere
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(loop)
      assert.isTrue(AppBuilderError.isRunFailed(error) && error.status === "cancelled")
    }).pipe(Effect.provide(Emulated.layer({ script: slow }))))
})

describe("bad arguments from JavaScript", () => {
  // values a JavaScript caller may pass, typed as the API expects without a cast
  const bad = <A>(text: string): A => JSON.parse(text)
  const ids = { assistantId: "asst_1", threadId: "thread_1" }
  const inputs = ["null", "42", "\"text\"", "[]"]

  const noRequest = Effect.gen(function*() {
    const state = yield* EmulatorState.EmulatorState
    assert.deepStrictEqual((yield* state.requests).map((r) => r.path), [])
  })

  for (const text of inputs) {
    it.effect(`ToolLoop.run / ToolLoop.stream with input ${text}: ValidationError, nothing sent`, () =>
      Effect.gen(function*() {
        const input = bad<ToolLoop.Input>(text)
        for (const mode of ["stream", "blocking"] as const) {
          const error = yield* Effect.flip(ToolLoop.run(input, { toolkit, mode }))
          assert.isTrue(AppBuilderError.isValidationError(error), `${mode}: ${String(error)}`)
        }
        const streamed = yield* Effect.flip(Stream.runDrain(ToolLoop.stream(input, { toolkit })))
        assert.isTrue(AppBuilderError.isValidationError(streamed))
        yield* noRequest
      }).pipe(Effect.provide(Emulated.layer())))
  }

  it.effect("undefined input and options, a missing toolkit, mistyped options: ValidationError naming them", () =>
    Effect.gen(function*() {
      const options = bad<ToolLoop.Options<typeof weather>>("null")
      const a = yield* Effect.flip(ToolLoop.run(bad<ToolLoop.Input>("null"), options))
      assert.isTrue(AppBuilderError.isValidationError(a))
      if (AppBuilderError.isValidationError(a)) {
        assert.deepStrictEqual(a.issues.map((i) => i.path.join(".")), ["input", "options"])
      }
      const undef: ToolLoop.Input | undefined = undefined
      const b = yield* Effect.flip(ToolLoop.run(undef!, { toolkit }))
      assert.isTrue(AppBuilderError.isValidationError(b))
      const c = yield* Effect.flip(ToolLoop.run(ids, bad<ToolLoop.Options<typeof weather>>("{\"mode\":\"blocking\"}")))
      assert.isTrue(AppBuilderError.isValidationError(c) && c.issues[0]?.path.join(".") === "options.toolkit")
      const mistyped = bad<ToolLoop.Options<typeof weather>>(
        "{\"mode\":\"fast\",\"concurrency\":0,\"maxSteps\":\"many\",\"toolTimeout\":\"soon\",\"stream\":{\"idleTimeout\":true}}"
      )
      const d = yield* Effect.flip(ToolLoop.run(ids, { ...mistyped, toolkit }))
      assert.isTrue(AppBuilderError.isValidationError(d))
      if (AppBuilderError.isValidationError(d)) {
        assert.deepStrictEqual(d.issues.map((i) => i.path.join(".")), [
          "options.mode",
          "options.concurrency",
          "options.maxSteps",
          "options.toolTimeout",
          "options.stream.idleTimeout"
        ])
      }
      yield* noRequest
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("one option sets the loop's cancel timeout: stream.cancelTimeout is refused, naming cancelTimeout", () =>
    Effect.gen(function*() {
      const options = bad<ToolLoop.Options<typeof weather>>("{\"stream\":{\"cancelTimeout\":\"1 second\"}}")
      for (const mode of ["stream", "blocking"] as const) {
        const error = yield* Effect.flip(ToolLoop.run(ids, { ...options, toolkit, mode }))
        assert.isTrue(AppBuilderError.isValidationError(error))
        if (AppBuilderError.isValidationError(error)) {
          assert.deepStrictEqual(error.issues.map((i) => i.path.join(".")), ["options.stream.cancelTimeout"])
          assert.include(error.message, "options.cancelTimeout")
        }
      }
      yield* noRequest
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("Runs.run / Runs.stream with mistyped options: ValidationError, nothing sent", () =>
    Effect.gen(function*() {
      const runs = yield* Runs.Runs
      const runOptions = bad<Runs.RunOptions>("{\"timeout\":\"soon\",\"cancelTimeout\":[]}")
      const a = yield* Effect.flip(runs.run(ids, runOptions))
      assert.isTrue(AppBuilderError.isValidationError(a))
      const streamOptions = bad<Runs.StreamOptions>("{\"idleTimeout\":\"soon\",\"cancelTimeout\":{}}")
      const b = yield* Effect.flip(Stream.runDrain(runs.stream(ids, streamOptions)))
      assert.isTrue(AppBuilderError.isValidationError(b))
      if (AppBuilderError.isValidationError(b)) {
        assert.deepStrictEqual(b.issues.map((i) => i.path.join(".")), ["options.idleTimeout", "options.cancelTimeout"])
      }
      const c = yield* Effect.flip(Stream.runDrain(runs.stream(bad<Runs.RunInput>("null"))))
      assert.isTrue(AppBuilderError.isValidationError(c))
      yield* noRequest
    }).pipe(Effect.provide(Emulated.layer())))
})
