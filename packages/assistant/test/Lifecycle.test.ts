/**
 * Every resource's lifecycle, through the SDK, against the emulator (in process, TestClock-driven).
 */
import { HttpError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import * as Emulated from "./utils/Emulated.js"

const TestLayer = Emulated.layer()

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52])

const weather = Emulated.weatherTool

const httpError = <A, E>(exit: Exit.Exit<A, E>): HttpError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const error = Option.getOrThrow(Cause.failureOption(exit.cause))
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`)
  return error
}

const pathsSince = (from: number) =>
  Effect.gen(function*() {
    const state = yield* EmulatorState.EmulatorState
    const requests = yield* state.requests
    return requests.slice(from).map((r) => r.path)
  })

const requestCount = Effect.flatMap(EmulatorState.EmulatorState, (s) => Effect.map(s.requests, (r) => r.length))

describe("lifecycle against the emulator", () => {
  it.effect("#1 #4 #5 assistants: create, update, list, query, mount, unmount, delete", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const files = yield* Files.Files
      const created = yield* assistants.create({ model: "ERNIE-4.0T-8K", name: "Abc-_123", description: "test" })
      assert.strictEqual(created.name, "Abc-_123")
      assert.strictEqual(created.description, "test")
      assert.strictEqual(created.object, "assistant")
      assert.match(created.id, /^asst_[0-9a-f]{32}$/)
      const chinese = yield* assistants.create({ name: "测试", description: "", metadata: { key: "value" } })
      assert.deepStrictEqual(chinese.metadata, { key: "value" })

      const updated = yield* assistants.update({
        assistantId: created.id,
        model: "ERNIE-4.0T-8K",
        name: "Test_Name",
        description: "test"
      })
      assert.strictEqual(updated.name, "Test_Name")
      assert.strictEqual(updated.instructions, "")
      const page = yield* assistants.list()
      assert.isAtLeast(page.data.length, 2)
      const queried = yield* assistants.query(created.id)
      assert.strictEqual(queried.id, created.id)

      const file = yield* files.upload({ bytes: PNG, filename: "test01.png" })
      const before = yield* requestCount
      const mountMissing = yield* Effect.exit(
        assistants.mountFile({ assistantId: created.id, fileId: "test_not_exist" })
      )
      assert.strictEqual(httpError(mountMissing).reason, "Api")
      assert.deepStrictEqual(yield* pathsSince(before), ["/v2/storage/files/query"])

      const mounted = yield* assistants.mountFile({ assistantId: created.id, fileId: file.id })
      assert.strictEqual(mounted.id, file.id)
      assert.strictEqual(mounted.assistantId, created.id)
      const mountedList = yield* assistants.listMountedFiles({ assistantId: created.id })
      assert.strictEqual(mountedList.data.length, 1)

      const before2 = yield* requestCount
      const unmountMissing = yield* Effect.exit(
        assistants.unmountFile({ assistantId: created.id, fileId: "test_not_exist" })
      )
      assert.isTrue(Exit.isFailure(unmountMissing))
      if (Exit.isFailure(unmountMissing)) {
        const failure = Option.getOrThrow(Cause.failureOption(unmountMissing.cause))
        assert.strictEqual(failure._tag, "FileNotMounted")
        assert.deepStrictEqual(
          failure._tag === "FileNotMounted" ? [failure.assistantId, failure.fileId] : [],
          [created.id, "test_not_exist"]
        )
      }
      assert.deepStrictEqual(yield* pathsSince(before2), ["/v2/assistants/files/list"])
      const unmounted = yield* assistants.unmountFile({ assistantId: created.id, fileId: file.id })
      assert.isTrue(unmounted.deleted)

      const deleted = yield* assistants.delete(created.id)
      assert.strictEqual(deleted.object, "assistant.deleted")
      assert.isTrue(deleted.deleted)
      const gone = httpError(yield* Effect.exit(assistants.query(created.id)))
      assert.strictEqual(gone.reason, "Api")
      assert.strictEqual(gone.code, "not_found")
      assert.isString(gone.requestId)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("listAll pages through every assistant", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      for (let i = 0; i < 5; i++) yield* assistants.create({ name: `a${i}`, description: "" })
      const all = yield* Stream.runCollect(assistants.listAll({ limit: 2, order: "asc" }))
      assert.deepStrictEqual(Chunk.toArray(all).map((a) => a.name), ["a0", "a1", "a2", "a3", "a4"])
    }).pipe(Effect.provide(TestLayer)))

  it.effect("#7 #9 files: upload, list, query, content, download, delete", () =>
    Effect.gen(function*() {
      const files = yield* Files.Files
      const file = yield* files.upload({ bytes: PNG, filename: "test01.png" })
      assert.match(file.id, /^file-\d{15}$/)
      assert.strictEqual(file.object, "file")
      assert.strictEqual(file.bytes, PNG.length)
      assert.strictEqual(file.filename, "test01.png")
      assert.isBelow(file.createAt, 1e11) // seconds

      const listed = (yield* files.list()).find((f) => f.id === file.id)
      assert.isDefined(listed)
      assert.isNotNull(listed!.censored)
      assert.strictEqual(listed!.fileType, "image")

      const unknown = httpError(yield* Effect.exit(files.query("test")))
      assert.strictEqual(unknown.reason, "Api")
      const queried = yield* files.query(file.id)
      assert.strictEqual(queried.id, file.id)

      const content = yield* files.content(file.id)
      assert.deepStrictEqual([...content.content], [...PNG])
      assert.include(content.contentType, "image/png")
      const missingContent = httpError(yield* Effect.exit(files.content("test_not_exist")))
      assert.strictEqual(missingContent.status, 404)

      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sdk-lifecycle-"))
      const missingDownload = httpError(yield* Effect.exit(files.download("test_not_exist", { directory: dir })))
      assert.strictEqual(missingDownload.status, 404)
      const written = yield* files.download(file.id, { directory: dir })
      assert.strictEqual(nodePath.basename(written), "test01.png")
      assert.deepStrictEqual([...fs.readFileSync(written)], [...PNG])

      const deleted = yield* files.delete(file.id)
      assert.isTrue(deleted.deleted)
    }).pipe(Effect.provide(TestLayer), Effect.provide(NodeFileSystem.layer)))

  it.effect("#10 #12 messages: create, list, query, update, files", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      const messages = yield* Messages.Messages
      const thread = yield* threads.create()
      const hello = yield* messages.create({ threadId: thread.id, content: "hello world" })
      assert.strictEqual(hello.threadId, thread.id)
      assert.strictEqual(hello.role, "user")
      assert.strictEqual(hello.object, "thread.message")
      assert.strictEqual(hello.text, "hello world")

      const message = yield* messages.create({ threadId: thread.id, content: "hello world?" })
      const page = yield* messages.list({ threadId: thread.id, limit: 1 })
      assert.strictEqual(page.data.length, 1)
      const all = yield* Stream.runCollect(messages.listAll({ threadId: thread.id, limit: 1 }))
      assert.strictEqual(Chunk.size(all), 2)
      const queried = yield* messages.query({ threadId: thread.id, messageId: message.id })
      assert.strictEqual(queried.id, message.id)
      const updated = yield* messages.update({ threadId: thread.id, messageId: message.id, content: "你好" })
      assert.strictEqual(updated.text, "你好")
      const filesPage = yield* messages.listFiles({ threadId: thread.id, messageId: message.id, limit: 1 })
      assert.strictEqual(filesPage.data.length, 0)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("#18 #19 #21 threads: create, query, update (metadata sent), delete", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      const empty = yield* threads.create()
      assert.strictEqual(empty.object, "thread")
      assert.deepStrictEqual(empty.metadata, {})
      const thread = yield* threads.create({ messages: [{ content: "hello world", role: "assistant" }] })
      const queried = yield* threads.query(thread.id)
      assert.strictEqual(queried.id, thread.id)
      const updated = yield* threads.update({ threadId: thread.id, metadata: { topic: "weather" } })
      assert.deepStrictEqual(updated.metadata, { topic: "weather" })
      yield* threads.update({ threadId: thread.id })
      const deleted = yield* threads.delete(thread.id)
      assert.isTrue(deleted.deleted)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("#13 #16 runs: a blocking run, then list / query runs and steps", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const files = yield* Files.Files
      const threads = yield* Threads.Threads
      const messages = yield* Messages.Messages
      const runs = yield* Runs.Runs
      const steps = yield* RunSteps.RunSteps
      const assistant = yield* assistants.create({
        name: "qin",
        description: "",
        instructions: "每句话回复前都加上我是秦始皇"
      })
      const file = yield* files.upload({ bytes: PNG, filename: "test01.png" })
      const thread = yield* threads.create()
      yield* messages.create({ threadId: thread.id, content: "hello world", fileIds: [file.id] })
      const fiber = yield* Effect.fork(runs.run({
        assistantId: assistant.id,
        threadId: thread.id,
        modelParameters: {
          chatParameters: { temperature: 0.8, topP: 0.8, penaltyScore: 1.0 },
          thoughtParameters: { temperature: 0.01, topP: 0.0, penaltyScore: 1.0 }
        }
      }))
      yield* TestClock.adjust("1 minute")
      const run = yield* Fiber.join(fiber)
      assert.strictEqual(run.object, "run.result")
      assert.strictEqual(run.status, "completed")
      assert.strictEqual(run.assistantId, assistant.id)
      assert.strictEqual(run.threadId, thread.id)
      assert.include(run.finalAnswer?.text ?? "", "我是秦始皇")

      const list = yield* runs.list({ threadId: thread.id, limit: 5 })
      assert.strictEqual(list.data.length, 1)
      const queried = yield* runs.query({ threadId: thread.id, runId: run.id })
      assert.strictEqual(queried.status, "completed")
      const stepList = yield* steps.list({ threadId: thread.id, runId: run.id })
      assert.strictEqual(stepList.data.length, 1)
      const step = yield* steps.query({ threadId: thread.id, runId: run.id, stepId: stepList.data[0]!.id })
      assert.strictEqual(step.id, stepList.data[0]!.id)
      const allSteps = yield* Stream.runCollect(steps.listAll({ threadId: thread.id, runId: run.id }))
      assert.strictEqual(Chunk.size(allSteps), 1)

      // cancelling a finished run is not an error
      const cancelled = yield* runs.cancel({ threadId: thread.id, runId: run.id })
      assert.strictEqual(cancelled.id, run.id)
      const allRuns = yield* Stream.runCollect(runs.listAll({ threadId: thread.id }))
      assert.strictEqual(Chunk.size(allRuns), 1)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("#17 a run on a new thread given inline", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const runs = yield* Runs.Runs
      const assistant = yield* assistants.create({ name: "inline", description: "" })
      const fiber = yield* Effect.fork(
        runs.run({ assistantId: assistant.id, thread: { messages: [{ content: "hello world" }] } })
      )
      yield* TestClock.adjust("1 minute")
      const run = yield* Fiber.join(fiber)
      assert.strictEqual(run.status, "completed")
      assert.strictEqual(run.assistantId, assistant.id)
      assert.match(run.threadId, /^thread_/)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("#22 function calling, blocking: requires_action, then the toolOutput continuation", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const messages = yield* Messages.Messages
      const runs = yield* Runs.Runs
      const assistant = yield* assistants.create({
        name: "test_function",
        description: "你是一个热心的朋友",
        instructions: "请用友善的语气回答问题",
        tools: [weather]
      })
      const thread = yield* threads.create()
      yield* messages.create({ threadId: thread.id, content: "今天北京的天气怎么样？" })
      const first = yield* Effect.fork(runs.run({ assistantId: assistant.id, threadId: thread.id }))
      yield* TestClock.adjust("1 minute")
      const waiting = yield* Fiber.join(first)
      assert.strictEqual(waiting.status, "requires_action")
      assert.strictEqual(waiting.requiredAction?.type, "submit_tool_outputs")
      assert.strictEqual(waiting.toolCalls.length, 1)
      const call = waiting.toolCalls[0]!
      assert.strictEqual(call.type, "function")
      assert.strictEqual(call.function?.name, "get_cur_whether")
      assert.strictEqual(call.function?.arguments, "{\"location\":\"北京\",\"unit\":\"摄氏度\"}")

      const second = yield* Effect.fork(runs.run({
        assistantId: assistant.id,
        threadId: thread.id,
        toolOutput: { toolCallId: call.id, output: "北京 的当前温度是30 摄氏度", runId: waiting.id }
      }))
      yield* TestClock.adjust("1 minute")
      const done = yield* Fiber.join(second)
      assert.strictEqual(done.id, waiting.id)
      assert.strictEqual(done.status, "completed")
      assert.isNull(done.requiredAction)
      assert.strictEqual(done.threadId, thread.id)
      assert.strictEqual(done.assistantId, assistant.id)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("injected 503 + Retry-After: the SDK waits and retries", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const threads = yield* Threads.Threads
      yield* state.injectFault("/v2/threads", Faults.status(503, { retryAfter: 2, times: 1 }))
      const fiber = yield* Effect.fork(threads.create())
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual((yield* state.requests).filter((r) => r.path === "/v2/threads").length, 1)
      yield* TestClock.adjust("1 millis")
      const thread = yield* Fiber.join(fiber)
      assert.match(thread.id, /^thread_/)
    }).pipe(Effect.provide(TestLayer)))
})
