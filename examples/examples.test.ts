/**
 * Runs every example's `program` against a fresh in-process emulator (whatever the environment says:
 * `APPBUILDER_TOKEN` is ignored here), captures what it prints through the `Console` service, and checks
 * both the output and the emulator's state. This is how CI "runs every example".
 *
 * The examples use real time (timeouts, polling), so the tests are `it.live`.
 */
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { readdirSync } from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { bundle } from "../packages/workflow/test/fixtures/bundle.js"
import * as BlockingRun from "./blocking-run.js"
import * as CancelOnTimeout from "./cancel-on-timeout.js"
import * as Demo from "./demo.js"
import * as DurableLoop from "./durable-loop.js"
import * as FaultInjection from "./fault-injection.js"
import * as FilesExample from "./files.js"
import * as LoopbackServer from "./loopback-server.js"
import * as MessagesPagination from "./messages-pagination.js"
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

const examplesDir = fileURLToPath(new URL(".", import.meta.url))

/**
 * The node arguments that start a worker of the durable-loop example: the example bundled into one file with
 * everything it imports, from the sources (`packages/workflow/test/fixtures/bundle.ts`), run with plain node.
 * On tsx (the example's own way) a worker spends about 4 s of CPU loading the sources; the bundle starts in
 * about 0.6 s. It is deleted when the scope closes.
 */
const durableWorkerArgs = Effect.map(
  bundle(Path.join(examplesDir, "durable-loop.ts"), ["better-sqlite3"]),
  (file) => [file]
)

/**
 * The durable-loop example, started with the file and run in the background while the other examples run:
 * most of its time is waiting (two worker processes starting, the model's 3-second answer). Its test (the
 * last one) checks what it printed; the fiber is interrupted at the end if it is still going.
 */
const startDurableLoop = () =>
  Effect.runFork(captureLines(Effect.scoped(Effect.flatMap(durableWorkerArgs, DurableLoop.programWith))))
let durableLoop: ReturnType<typeof startDurableLoop> | undefined
const durableLoopFiber = () => (durableLoop ??= startDurableLoop())
beforeAll(() => {
  durableLoopFiber()
})
afterAll(() => Effect.runPromise(Fiber.interrupt(durableLoopFiber())))

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

  it.live("demo: no escape codes when stdout is not a terminal (as here)", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(Demo.program)
      assert.strictEqual(lines[1], `talking to ${Demo.describeTarget(process.env)}`)
      assert.notMatch(lines.join("\n"), /\u001b\[/)
    }).pipe(Effect.provide(emulator)))

  it("demo: says which service it talks to, and never calls a local emulator the AppBuilder service", () => {
    const token = "bce-v3/ALTAK-x/y"
    assert.match(Demo.describeTarget({}), /^the in-process emulator /)
    assert.match(Demo.describeTarget({ GATEWAY_URL: "http://127.0.0.1:8089" }), /^the in-process emulator /)
    assert.strictEqual(
      Demo.describeTarget({ APPBUILDER_TOKEN: token }),
      "the AppBuilder service (https://appbuilder.baidu.com)"
    )
    for (const local of ["http://127.0.0.1:8089", "http://localhost:8089/", "http://[::1]:8089", "127.0.0.2:9000"]) {
      const said = Demo.describeTarget({ APPBUILDER_TOKEN: token, GATEWAY_URL: local })
      assert.strictEqual(said, `a local emulator at ${local} (GATEWAY_URL)`)
      assert.notInclude(said, "AppBuilder service")
    }
    assert.strictEqual(
      Demo.describeTarget({ APPBUILDER_TOKEN: token, GATEWAY_URL: "https://gateway.example.com" }),
      "the gateway at https://gateway.example.com (GATEWAY_URL)"
    )
  })

  it("demo: colour only on a terminal, and not with a non-empty NO_COLOR (no-color.org)", () => {
    assert.isTrue(Demo.colorEnabled(true, {}))
    assert.isTrue(Demo.colorEnabled(true, { NO_COLOR: "" }))
    assert.isFalse(Demo.colorEnabled(true, { NO_COLOR: "1" }))
    assert.isFalse(Demo.colorEnabled(true, { NO_COLOR: "0" }))
    assert.isFalse(Demo.colorEnabled(false, {}))
  })

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
      assert.deepStrictEqual(
        lines.filter((line) => line.startsWith("deleted")).map((line) => line.endsWith(": true")),
        [
          true,
          true
        ]
      )
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.files, [])
      yield* assertClean
    }).pipe(Effect.provide(emulator)))
})

describe("messages-pagination", () => {
  it.live("pages of 5 follow the cursors to the end; listAll streams every message, lazily", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(MessagesPagination.program)
      const messages = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, i) => `message ${from + i}`).join(", ")
      assert.deepStrictEqual(lines, [
        "thread with 12 messages",
        "pages of 5 (messages.list, oldest first):",
        `  page 1: ${messages(1, 5)} (hasMore: true)`,
        `  page 2: ${messages(6, 10)} (hasMore: true)`,
        `  page 3: ${messages(11, 12)} (hasMore: false)`,
        "listAll: 12 messages, from \"message 1\" to \"message 12\"",
        "the newest 3: message 12, message 11, message 10"
      ])
      // 3 pages by hand, 3 pages by listAll, 1 page for the first three: the stream stops early
      assert.strictEqual(yield* requestCount("/v2/threads/messages/list"), 7)
      const state = yield* AppBuilderTest.EmulatorState.EmulatorState
      assert.deepStrictEqual(yield* state.threads, [])
      yield* assertClean
    }).pipe(Effect.provide(emulator)))
})

describe("fault-injection", () => {
  it.live(
    "503 + Retry-After is retried after the delay, a dropped stream is resumed, a 500 is a typed error",
    () =>
      Effect.gen(function*() {
        const lines = yield* captureLines(FaultInjection.program)
        assert.match(lineStarting(lines, "1."), /^1\. thread created: thread_\S+$/)
        assert.strictEqual(
          lineStarting(lines, "   answers of POST /v2/threads:"),
          "   answers of POST /v2/threads: 503, 503, 200"
        )
        assert.strictEqual(lineStarting(lines, "   waited"), "   waited at least the 2 x 1 s asked for: true")
        const events = lineStarting(lines, "2.")
        assert.match(events, /^2\. events: RunBegin, .*Resumed\(StreamEnded\), .*MessageDelta.*, RunEnd\(completed\)$/)
        assert.strictEqual(lineStarting(lines, "   the run ended"), "   the run ended completed; runs started: 1")
        assert.strictEqual(lineStarting(lines, "3."), "3. HttpError Status 500, request id given: true")
        assert.strictEqual(
          lineStarting(lines, "   answers of POST /v2/assistants:"),
          "   answers of POST /v2/assistants: 200, 500"
        )
        // the assistant that got a 500 was never created, nor was a second one
        const state = yield* AppBuilderTest.EmulatorState.EmulatorState
        assert.deepStrictEqual(yield* state.faults, [])
        assert.deepStrictEqual(yield* state.threads, [])
        yield* assertClean
      }).pipe(Effect.provide(emulator)),
    { timeout: 30_000 }
  )
})

describe("loopback-server", () => {
  it.live("the SDK talks to the emulator served on 127.0.0.1 over real HTTP, with the token redacted in its log", () =>
    Effect.gen(function*() {
      const lines = yield* captureLines(LoopbackServer.program.pipe(Effect.provide(LoopbackServer.layer)))
      const [, url, port] = lineStarting(lines, "emulator listening on").match(
        /^emulator listening on (http:\/\/127\.0\.0\.1:(\d+)) \(host 127\.0\.0\.1, port (?:\d+)\)$/
      ) ?? []
      assert.isDefined(url)
      assert.isAbove(Number(port), 0)
      assert.strictEqual(
        lineStarting(lines, "blocking run"),
        "blocking run completed: 你好！我收到了你的消息：你好，你是谁？"
      )
      assert.match(
        lineStarting(lines, "streamed run"),
        /^streamed run completed after \d+ events: 你好！我收到了你的消息：你的功绩是什么？$/
      )
      assert.strictEqual(
        lineStarting(lines, "the server answered"),
        "the server answered 5 requests: POST /v2/assistants 200, POST /v2/threads 200, POST /v2/threads/runs 200, " +
          "POST /v2/threads/messages 200, POST /v2/threads/runs 200"
      )
      assert.strictEqual(lineStarting(lines, "authorization as logged:"), "authorization as logged: <redacted>")
      // the layer is released: the server no longer accepts connections
      const refused = yield* Effect.tryPromise(() => fetch(`${url}/v2/assistants/list`, { method: "POST" })).pipe(
        Effect.match({ onFailure: () => true, onSuccess: () => false })
      )
      assert.isTrue(refused)
    }))
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
  it.live(
    "the worker killed while the run answers: a new worker resumes the loop, the tool ran once, one run",
    () =>
      Effect.gen(function*() {
        const lines = yield* Fiber.join(durableLoopFiber())
        assert.isTrue(lines.some((line) => /^\[\d+\.\ds\] worker 1 started/.test(line)), lines.join("\n"))
        assert.match(lineStarting(lines, "answer:"), /^answer: 好的，已发送 北京 的天气预报。$/)
        assert.match(
          lines.find((line) => line.includes("worker 1 killed")) ?? "",
          /the run on the server: in_progress$/
        )
        assert.match(
          lines.find((line) => line.includes("worker 2 resumed the loop")) ?? "",
          /run completed, 1 tool round\(s\)$/
        )
        // worker 2 neither started a run nor submitted again: it only followed the stored loop
        const resumed = lines.find((line) => line.includes("worker 2 resumed from the stored activities")) ?? ""
        assert.include(resumed, "POST /v2/threads/runs/query")
        assert.notMatch(resumed, /POST \/v2\/threads\/runs(,|$)/)
        assert.notInclude(resumed, "submit_tool_outputs")
        assert.strictEqual(lineStarting(lines, "tool executions:"), "tool executions: 1")
        assert.strictEqual(lineStarting(lines, "runs started:"), "runs started: 1")
        assert.strictEqual(lineStarting(lines, "outputs submitted:"), "outputs submitted: 1")
        assert.strictEqual(lineStarting(lines, "runs still active:"), "runs still active: 0")
      }),
    { timeout: 120_000 }
  )
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
