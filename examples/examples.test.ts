/**
 * Runs every example's `program` against a fresh in-process emulator (whatever the environment says:
 * `APPBUILDER_TOKEN` is ignored here), captures what it prints through the `Console` service, and checks
 * both the output and the emulator's state. This is how CI "runs every example".
 *
 * The examples use real time (timeouts, polling), so the tests are `it.live`.
 */
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, describe, it } from "@effect/vitest"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as BlockingRun from "./blocking-run.js"
import * as Demo from "./demo.js"
import * as CancelOnTimeout from "./cancel-on-timeout.js"
import * as DurableLoop from "./durable-loop.js"
import * as FilesExample from "./files.js"
import * as ResumeAfterDrop from "./resume-after-drop.js"
import * as RunAll from "./run-all.js"
import * as StreamWithHandlers from "./stream-with-handlers.js"
import * as ToolLoopExample from "./tool-loop.js"

/** Every SDK service over a fresh in-process emulator, `EmulatorState`, and Node's file system. */
const emulator = Layer.merge(AppBuilderTest.layer(), NodeContext.layer)

/** Runs `self` with a `Console` whose `log` records the lines instead of printing them. */
const captureLines = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const base = yield* Effect.console
    const capturing: Console.Console = {
      ...base,
      log: (...args) => Effect.sync(() => lines.push(args.map(String).join(" ")))
    }
    yield* Effect.withConsole(self, capturing)
    return lines
  })

/** The one line starting with `prefix`. */
const lineStarting = (lines: ReadonlyArray<string>, prefix: string): string => {
  const found = lines.filter((line) => line.startsWith(prefix))
  assert.strictEqual(found.length, 1, `one line starting with ${JSON.stringify(prefix)} in\n${lines.join("\n")}`)
  return found[0] ?? ""
}

/** What every example must leave behind: no run in progress, no assistant (they are scoped). */
const assertClean = Effect.gen(function*() {
  const state = yield* AppBuilderTest.EmulatorState.EmulatorState
  assert.deepStrictEqual((yield* state.activeRuns).map((run) => `${run.id}:${run.status}`), [])
  assert.deepStrictEqual((yield* state.assistants).map((assistant) => assistant.id), [])
})

const requestCount = (path: string) =>
  Effect.map(
    Effect.flatMap(AppBuilderTest.EmulatorState.EmulatorState, (state) => state.requests),
    (requests) => requests.filter((request) => request.path === path).length
  )

describe("examples", () => {
  it.live("demo (pnpm demo): the tool call, the local tool, the submitted output, the answer and the steps", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(Demo.program)
      const text = lines.join("\n")
      assert.match(text, /the model calls get_cur_whether\(\{"location":"北京","unit":"摄氏度"\}\)/)
      assert.match(text, /running local tool get_cur_whether → 北京 的当前温度是30 摄氏度/)
      assert.match(text, /output submitted, the same stream continues/)
      assert.match(text, /run completed/)
      assert.match(text, /step-1 +completed +tool calls: get_cur_whether/)
      assert.match(text, /step-2 +completed +message chatmsg_/)
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.activeRuns, [])
      const [reply] = (yield* state.threads).flatMap((thread) => thread.messages).filter((m) => m.role === "assistant")
      assert.include(reply?.content ?? "", "北京 的当前温度是30 摄氏度")
    }).pipe(Effect.provide(emulator)))

  it.live("blocking-run: the answer carries the instructed prefix, and the run's steps are listed", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(BlockingRun.program)
      assert.match(lineStarting(lines, "run:"), /^run: +run_\S+ \(completed\)$/)
      assert.match(lineStarting(lines, "answer:"), /^answer: +我是秦始皇，/)
      assert.match(lineStarting(lines, "step:"), /^step: +step-1 message_creation completed$/)
      yield* assertClean
    }).pipe(Effect.provide(emulator)))

  it.live("stream-with-handlers: handlers see every event in order, the tool call is answered on the stream", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(StreamWithHandlers.program)
      const expected = [
        /^run begin: run_\S+ on thread_\S+$/,
        /^step begin: step-1$/,
        /^tool call: get_cur_whether\(\{"location":"北京","unit":"摄氏度"\}\)$/,
        /^tool outputs accepted$/,
        /^step end: step-1 \(completed\)$/,
        /^step begin: step-2$/,
        /^message: chatmsg_\S+$/
      ]
      expected.forEach((pattern, i) => assert.match(lines[i] ?? "", pattern))
      const deltas = lines.filter((line) => line.startsWith("  … ")).map((line) => line.slice("  … ".length))
      assert.isAbove(deltas.length, 1, "the answer arrives in several deltas")
      assert.strictEqual(deltas.join(""), "根据工具的结果：北京今天晴，30摄氏度")
      assert.deepStrictEqual(lines.slice(-4), [
        "step end: step-2 (completed)",
        "run end: completed",
        "answer: 根据工具的结果：北京今天晴，30摄氏度",
        "final status: completed, pending tool calls: 0"
      ])
      assert.strictEqual(yield* requestCount("/v2/threads/runs/submit_tool_outputs"), 1)
      yield* assertClean
    }).pipe(Effect.provide(emulator)))

  it.live("tool-loop: both modes call the tool once and answer with its output", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(ToolLoopExample.program)
      assert.deepStrictEqual(lines.map((line) => line.replace(/run_\S+/, "run_<id>")), [
        "stream mode:",
        "  (tool) weather of 北京 in 摄氏度",
        "  answer: 根据工具的结果：北京今天晴，30摄氏度",
        "  run run_<id> completed after 1 tool round(s)",
        "blocking mode:",
        "  (tool) weather of 北京 in 摄氏度",
        "  answer: 根据工具的结果：北京今天晴，30摄氏度",
        "  run run_<id> completed after 1 tool round(s)"
      ])
      // stream mode submits on the open stream; blocking mode continues with a second run request
      assert.strictEqual(yield* requestCount("/v2/threads/runs/submit_tool_outputs"), 1)
      assert.strictEqual(yield* requestCount("/v2/threads/runs"), 3)
      yield* assertClean
    }).pipe(Effect.provide(emulator)))

  it.live("cancel-on-timeout: both runs stopped early end cancelled on the server, cancelled once each", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(CancelOnTimeout.program)
      assert.strictEqual(lineStarting(lines, "1. loop"), "1. loop timed out")
      assert.match(lineStarting(lines, "1. run"), /^1\. run run_\S+ is cancelled$/)
      assert.strictEqual(lineStarting(lines, "2. stopping"), "2. stopping at 1 tool call(s)")
      assert.strictEqual(lineStarting(lines, "2. unanswered"), "2. unanswered tool calls: 1")
      assert.match(lineStarting(lines, "2. run"), /^2\. run run_\S+ is cancelled$/)
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      assert.strictEqual((yield* state.runs("cancelled")).length, 2)
      assert.strictEqual(yield* requestCount("/v2/threads/runs/cancel"), 2)
      yield* assertClean
    }).pipe(Effect.provide(emulator)))

  it.live("files: every file operation succeeds and nothing is left stored", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(FilesExample.program)
      assert.match(lineStarting(lines, "uploaded bytes:"), /^uploaded bytes: file-\S+ notes\.txt \(28 bytes\)$/)
      assert.match(lineStarting(lines, "uploaded path:"), /^uploaded path: +file-\S+ report\.md \(30 bytes\)$/)
      assert.strictEqual(lineStarting(lines, "listed:"), "listed: 2 file(s), ours included: true")
      assert.strictEqual(lineStarting(lines, "queried:"), "queried: notes.txt, type document, censored 1")
      assert.strictEqual(lineStarting(lines, "content"), "content (text/plain): 秦始皇统一了六国。")
      assert.strictEqual(lineStarting(lines, "downloaded"), "downloaded to downloads/report.md: # Report")
      assert.match(lineStarting(lines, "mounted on"), /^mounted on asst_\S+: file-\S+$/)
      assert.strictEqual(lineStarting(lines, "unmounted:"), "unmounted: true")
      assert.deepStrictEqual(lines.filter((line) => line.startsWith("deleted")).map((line) => line.endsWith(": true")), [
        true,
        true
      ])
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.files, [])
      yield* assertClean
    }).pipe(Effect.provide(emulator)))
})

describe("resume-after-drop", () => {
  it.live("the stream cut after 3 events is resumed: the tool runs once, the rebuilt events end the run", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(ResumeAfterDrop.program)
      assert.deepStrictEqual(lines.slice(0, 4), [
        "RunBegin (sendId 1)",
        "ToolStepBegin step-1 (sendId 2)",
        "ToolCalls get_cur_whether (sendId 3)",
        "  (tool) weather of 北京, run once"
      ])
      assert.strictEqual(
        lineStarting(lines, ">>> Resumed"),
        ">>> Resumed: the stream broke (StreamEnded) after send_id 3; following run by polling"
      )
      // everything after `Resumed` is rebuilt from the run, its steps and its message: sendId 0
      const after = lines.slice(lines.findIndex((line) => line.startsWith(">>> Resumed")) + 1, -1)
      assert.deepStrictEqual(after.map((line) => line.replace(/ \(sendId 0\)$/, "")), [
        "ToolSubmittedOutput",
        "ToolStepEnd step-1",
        "ToolStepBegin step-2",
        "MessageCreation",
        "MessageDelta \"根据工具的结果：北京今天晴，30摄氏度\"",
        "ToolStepEnd step-2",
        "RunEnd completed"
      ])
      assert.strictEqual(lines[lines.length - 1], "answer: 根据工具的结果：北京今天晴，30摄氏度")
      assert.strictEqual(lines.filter((line) => line.includes("(tool)")).length, 1)
      // one run started, its output submitted once, nothing left running
      assert.strictEqual(yield* requestCount("/v2/threads/runs"), 1)
      assert.strictEqual(yield* requestCount("/v2/threads/runs/submit_tool_outputs"), 1)
      yield* assertClean
    }).pipe(Effect.provide(emulator)))
})

describe("durable-loop", () => {
  it.live("the worker killed while the run answers: a new worker resumes the loop, the tool ran once, one run", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(DurableLoop.program)
      assert.isTrue(lines.some((line) => /^\[\d+\.\ds\] worker 1 started/.test(line)), lines.join("\n"))
      assert.match(lineStarting(lines, "answer:"), /^answer: 好的，已发送 北京 的天气预报。$/)
      assert.match(lines.find((line) => line.includes("worker 1 killed")) ?? "", /the run on the server: in_progress$/)
      assert.match(lines.find((line) => line.includes("worker 2 resumed the loop")) ?? "", /run completed, 1 tool round\(s\)$/)
      // worker 2 neither started a run nor submitted again: it only followed the stored loop
      const resumed = lines.find((line) => line.includes("worker 2 resumed from the stored activities")) ?? ""
      assert.include(resumed, "POST /v2/threads/runs/query")
      assert.notMatch(resumed, /POST \/v2\/threads\/runs(,|$)/)
      assert.notInclude(resumed, "submit_tool_outputs")
      assert.strictEqual(lineStarting(lines, "tool executions:"), "tool executions: 1")
      assert.strictEqual(lineStarting(lines, "runs started:"), "runs started: 1")
      assert.strictEqual(lineStarting(lines, "outputs submitted:"), "outputs submitted: 1")
      assert.strictEqual(lineStarting(lines, "runs still active:"), "runs still active: 0")
    }), { timeout: 120_000 })
})

describe("run-all", () => {
  it("lists every example of the directory", () => {
    // Not examples: the shared runtime, the runner itself, the lead's demo (`pnpm demo`), tests, config.
    const notExamples = new Set(["Runtime.ts", "run-all.ts", "demo.ts", "vitest.config.ts"])
    const directory = fileURLToPath(new URL(".", import.meta.url))
    const files = readdirSync(directory)
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !notExamples.has(file))
      .map((file) => file.slice(0, -".ts".length))
      .sort()
    assert.deepStrictEqual(RunAll.examples.map(([name]) => name).sort(), files)
  })
})
