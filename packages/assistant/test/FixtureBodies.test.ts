/**
 * Every request the official client sent (`fixtures/official-client-requests.jsonl`) is replayed through
 * the SDK's services over a recording mock `HttpClient`, and the request the SDK sends is compared with
 * the official one:
 *
 * - JSON bodies: the same keys in the same order at every depth, and the same values. Both bodies are
 *   parsed before the comparison, so numbers compare as numbers (Python writes `1.0` where JavaScript
 *   writes `1`).
 * - Multipart uploads: the query string, and each part's headers (in order) and content.
 *
 * A last test checks that the tables below cover every label of the fixture file.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import { NodeFileSystem } from "@effect/platform-node"
import type * as FileSystem from "@effect/platform/FileSystem"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { A1, A2, F1, M3, R1, R2, R5, R6, R7, S1, T2, T4, T6, T7, T8, weather } from "./utils/FixtureIds.js"
import { json, type Recorded, withMock } from "./utils/MockHttp.js"

interface FixtureRequest {
  readonly label: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body_text: string
}

const fixtureDirectory = nodePath.join(import.meta.dirname, "fixtures")

const fixtures: ReadonlyArray<FixtureRequest> = fs
  .readFileSync(nodePath.join(fixtureDirectory, "official-client-requests.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line))

const fixturesLabelled = (label: string) => fixtures.filter((fixture) => fixture.label === label)

const contentTypeOf = (fixture: FixtureRequest) =>
  fixture.headers.find(([name]) => name.toLowerCase() === "content-type")?.[1] ?? ""

const isJsonFixture = (fixture: FixtureRequest) => contentTypeOf(fixture) === "application/json"

// ---------------------------------------------------------------------------------------------------
// Comparing parsed JSON: key order at every depth, then values
// ---------------------------------------------------------------------------------------------------

const isList = (value: unknown): value is ReadonlyArray<unknown> => Array.isArray(value)

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const show = (value: unknown) => JSON.stringify(value) ?? String(value)

/**
 * Every difference between the body the SDK sent (`actual`) and the official one (`expected`), each
 * named by its path (`$.tools[0].function`): a different key list or key order, a different array
 * length, a different type or value. Empty when the two are the same JSON, key order included.
 */
const differences = (actual: unknown, expected: unknown, at = "$"): ReadonlyArray<string> => {
  if (isList(expected)) {
    if (!isList(actual)) return [`${at}: sent ${show(actual)}, expected an array`]
    if (actual.length !== expected.length) return [`${at}: sent ${actual.length} items, expected ${expected.length}`]
    return expected.flatMap((item, index) => differences(actual[index], item, `${at}[${index}]`))
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return [`${at}: sent ${show(actual)}, expected an object`]
    const sentKeys = Object.keys(actual)
    const expectedKeys = Object.keys(expected)
    const keyProblem = show(sentKeys) === show(expectedKeys)
      ? []
      : [`${at}: sent keys ${show(sentKeys)}, expected ${show(expectedKeys)}`]
    const shared = expectedKeys.filter((key) => Object.hasOwn(actual, key))
    return [...keyProblem, ...shared.flatMap((key) => differences(actual[key], expected[key], `${at}.${key}`))]
  }
  return actual === expected ? [] : [`${at}: sent ${show(actual)}, expected ${show(expected)}`]
}

/** Every object key of a parsed JSON value, at every depth. */
const allKeys = (value: unknown): ReadonlyArray<string> => {
  if (isList(value)) return value.flatMap(allKeys)
  if (isRecord(value)) return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)])
  return []
}

/** JavaScript objects list keys such as "0" or "12" first, whatever order the text gave them in. */
const isArrayIndexKey = (key: string) => /^(0|[1-9][0-9]*)$/.test(key)

// ---------------------------------------------------------------------------------------------------
// The calls that produce each fixture
// ---------------------------------------------------------------------------------------------------

const WEATHER_QUESTION = "今天北京的天气怎么样？"
const WEATHER_ANSWER = "北京 的当前温度是30 摄氏度"

/** A complete plain-answer run as server-sent events, ending with `run_end`. */
const plainRunEvents = fs.readFileSync(nodePath.join(fixtureDirectory, "transcript-a.sse"))

const asksForStream = (request: Recorded) => isRecord(request.json) && request.json["stream"] === true

/** A canned reply good enough for every lenient response schema. */
const reply = (request: Recorded) => {
  if (request.path === "/v2/threads/runs" && asksForStream(request)) {
    return new Response(plainRunEvents, { headers: { "content-type": "text/event-stream; charset=utf-8" } })
  }
  if (request.path === "/v2/assistants/files/list") {
    return json({ object: "list", data: [{ id: F1, object: "assistant.file" }], has_more: false })
  }
  if (request.path === "/v2/storage/files/download" || request.path === "/v2/storage/files/content") {
    return new Response("bytes", {
      headers: { "content-type": "text/plain", "content-disposition": "attachment; filename=out.txt" }
    })
  }
  if (request.path.endsWith("/list")) return json({ object: "list", data: [], has_more: false })
  return json({ id: "x", object: "x" })
}

type Services =
  | Assistants.Assistants
  | Files.Files
  | Threads.Threads
  | Messages.Messages
  | Runs.Runs
  | RunSteps.RunSteps

interface Scenario {
  readonly label: string
  /** Leading fixture requests that the SDK does not send (the official pre-queries of content/download). */
  readonly skip?: number | undefined
  readonly run: Effect.Effect<unknown, unknown, Services | FileSystem.FileSystem>
}

const withAssistants = <A, E>(f: (service: Assistants.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(Assistants.Assistants, f)
const withFiles = <A, E, R>(f: (service: Files.Service) => Effect.Effect<A, E, R>) => Effect.flatMap(Files.Files, f)
const withThreads = <A, E>(f: (service: Threads.Service) => Effect.Effect<A, E>) => Effect.flatMap(Threads.Threads, f)
const withMessages = <A, E>(f: (service: Messages.Service) => Effect.Effect<A, E>) =>
  Effect.flatMap(Messages.Messages, f)
const withRuns = <A, E>(f: (service: Runs.Service) => Effect.Effect<A, E>) => Effect.flatMap(Runs.Runs, f)
const withSteps = <A, E>(f: (service: RunSteps.Service) => Effect.Effect<A, E>) => Effect.flatMap(RunSteps.RunSteps, f)

/** The official example's set-up: an empty thread, then the user's question posted to it. */
const setUp = (run: string, threadId: string, question: string): Scenario => ({
  label: `(setup for ${run}: threads.create + messages.create)`,
  run: Effect.zip(
    withThreads((s) => s.create()),
    withMessages((s) => s.create({ threadId, content: question }))
  )
})

const streamed = (label: string, input: Runs.RunInput): Scenario => ({
  label,
  run: withRuns((s) => Stream.runDrain(s.stream(input)))
})

const downloadDirectory = fs.mkdtempSync(nodePath.join(os.tmpdir(), "fixture-bodies-"))
afterAll(() => fs.rmSync(downloadDirectory, { recursive: true, force: true }))

const assistantScenarios: ReadonlyArray<Scenario> = [
  {
    label: "assistants.create[minimal]",
    run: withAssistants((s) => s.create({ name: "test_assistant", description: "test assistant" }))
  },
  {
    label: "assistants.create[function_tool]",
    run: withAssistants((s) =>
      s.create({
        name: "test_function",
        description: "你是一个热心的朋友",
        instructions: "请用友善的语气回答问题",
        tools: [weather]
      })
    )
  },
  {
    label: "assistants.create[all_fields]",
    run: withAssistants((s) =>
      s.create({
        model: "DeepSeek-V3.1",
        name: "全部_fields-1",
        description: "d",
        responseFormat: "json_object",
        instructions: "i",
        thoughtInstructions: "t",
        chatInstructions: "c",
        fileIds: ["file_x"],
        metadata: { k: "v" }
      })
    )
  },
  {
    label: "assistants.update[required_args_only]",
    run: withAssistants((s) =>
      s.update({ assistantId: A1, model: "ERNIE-4.0T-8K", name: "Test_Name", description: "test" })
    )
  },
  { label: "assistants.list[defaults]", run: withAssistants((s) => s.list()) },
  { label: "assistants.list[paging]", run: withAssistants((s) => s.list({ limit: 5, order: "asc", after: A1 })) },
  { label: "assistants.query", run: withAssistants((s) => s.query(A1)) },
  { label: "assistants.mount_files", run: withAssistants((s) => s.mountFile({ assistantId: A1, fileId: F1 })) },
  {
    label: "assistants.mounted_files_list[defaults]",
    run: withAssistants((s) => s.listMountedFiles({ assistantId: A1 }))
  },
  { label: "assistants.unmount_files", run: withAssistants((s) => s.unmountFile({ assistantId: A1, fileId: F1 })) },
  { label: "assistants.delete", run: withAssistants((s) => s.delete(A1)) }
]

const fileScenarios: ReadonlyArray<Scenario> = [
  { label: "files.list", run: withFiles((s) => s.list()) },
  { label: "files.query", run: withFiles((s) => s.query(F1)) },
  { label: "files.content", skip: 1, run: withFiles((s) => s.content(F1)) },
  {
    label: "files.download",
    skip: 1,
    run: withFiles((s) => s.download(F1, { path: nodePath.join(downloadDirectory, "out.txt") }))
  },
  { label: "files.delete", run: withFiles((s) => s.delete(F1)) }
]

const threadAndMessageScenarios: ReadonlyArray<Scenario> = [
  { label: "threads.create[empty]", run: withThreads((s) => s.create()) },
  {
    label: "threads.create[with_messages]",
    run: withThreads((s) => s.create({ messages: [{ content: "hello world" }] }))
  },
  {
    label: "threads.create[message_objects]",
    run: withThreads((s) => s.create({ messages: [{ content: "看看这个文件", role: "user", fileIds: [F1] }] }))
  },
  { label: "threads.query", run: withThreads((s) => s.query(T2)) },
  { label: "threads.update[metadata]", run: withThreads((s) => s.update({ threadId: T2 })) },
  { label: "threads.delete", run: withThreads((s) => s.delete(T2)) },
  { label: "messages.create[defaults]", run: withMessages((s) => s.create({ threadId: T2, content: "hello world?" })) },
  {
    label: "messages.create[role_and_file_ids]",
    run: withMessages((s) => s.create({ threadId: T2, content: "with file", role: "user", fileIds: [F1] }))
  },
  { label: "messages.list[defaults]", run: withMessages((s) => s.list({ threadId: T2 })) },
  {
    label: "messages.list[paging]",
    run: withMessages((s) => s.list({ threadId: T2, limit: 1, order: "asc", after: M3 }))
  },
  { label: "messages.query", run: withMessages((s) => s.query({ threadId: T2, messageId: M3 })) },
  { label: "messages.update", run: withMessages((s) => s.update({ threadId: T2, messageId: M3, content: "你好" })) },
  { label: "messages.files[defaults]", run: withMessages((s) => s.listFiles({ threadId: T2, messageId: M3 })) }
]

const runScenarios: ReadonlyArray<Scenario> = [
  { label: "runs.run[defaults]", run: withRuns((s) => s.run({ assistantId: A1, threadId: T2 })) },
  setUp("runs.run[funccall_first]", T4, WEATHER_QUESTION),
  { label: "runs.run[funccall_first]", run: withRuns((s) => s.run({ assistantId: A2, threadId: T4 })) },
  {
    label: "runs.run[tool_output]",
    run: withRuns((s) =>
      s.run({
        assistantId: A2,
        threadId: T4,
        toolOutput: { toolCallId: `call-${T4}-${R2}-step-1`, output: WEATHER_ANSWER, runId: R2 }
      })
    )
  },
  {
    label: "runs.run[all_options]",
    run: withRuns((s) =>
      s.run({
        assistantId: A1,
        model: "DeepSeek-V3.1",
        metadata: { k: "v" },
        instructions: "i",
        thoughtInstructions: "t",
        chatInstructions: "c",
        modelParameters: { chatParameters: {}, thoughtParameters: {} },
        thread: { messages: [{ content: "hi" }] },
        tools: [weather],
        userInfo: { id: "u1", name: "n" },
        userLoc: { loc: "{\"city\":\"北京\"}", uip: "1.2.3.4" }
      })
    )
  },
  streamed("runs.stream_run[text]", { assistantId: A1, threadId: T2 }),
  setUp("runs.stream_run[funccall]", T6, WEATHER_QUESTION),
  streamed("runs.stream_run[funccall]", { assistantId: A2, threadId: T6 }),
  {
    label: "runs.submit_tool_outputs",
    run: withRuns((s) =>
      s.submitToolOutputs({
        threadId: T6,
        runId: R5,
        toolOutputs: [{ toolCallId: `call-${T6}-${R5}-step-1`, output: WEATHER_ANSWER }]
      })
    )
  },
  setUp("runs.stream_run_with_handler[funccall]", T7, WEATHER_QUESTION),
  streamed("runs.stream_run_with_handler[funccall]", { assistantId: A2, threadId: T7 }),
  {
    label: "runs.submit_tool_outputs[from_event_handler]",
    run: withRuns((s) =>
      s.submitToolOutputs({
        threadId: T7,
        runId: R6,
        toolOutputs: [{ toolCallId: `call-${T7}-${R6}-step-1`, output: WEATHER_ANSWER }]
      })
    )
  },
  setUp("runs.stream_run[cancelled]", T8, "please write a long story"),
  streamed("runs.stream_run[cancelled]", { assistantId: A1, threadId: T8 }),
  { label: "runs.cancel", run: withRuns((s) => s.cancel({ threadId: T8, runId: R7 })) },
  { label: "runs.cancel[sync=True]", run: withRuns((s) => s.cancel({ threadId: T2, runId: R1, sync: true })) },
  { label: "runs.list[defaults]", run: withRuns((s) => s.list({ threadId: T2 })) },
  {
    label: "runs.list[paging]",
    run: withRuns((s) => s.list({ threadId: T2, limit: 5, order: "asc", after: R1 }))
  },
  { label: "runs.query", run: withRuns((s) => s.query({ threadId: T2, runId: R1 })) },
  { label: "steps.list[defaults]", run: withSteps((s) => s.list({ threadId: T2, runId: R1 })) },
  { label: "steps.query", run: withSteps((s) => s.query({ threadId: T2, runId: R1, stepId: S1 })) }
]

const scenarios: ReadonlyArray<Scenario> = [
  ...assistantScenarios,
  ...fileScenarios,
  ...threadAndMessageScenarios,
  ...runScenarios
]

/** The upload fixtures: label and the `purpose` option the official call passed. */
const uploads: ReadonlyArray<readonly [label: string, purpose: string | undefined]> = [
  ["files.create[multipart]", undefined],
  ["files.create[purpose]", "custom_purpose"]
]

// ---------------------------------------------------------------------------------------------------
// Multipart
// ---------------------------------------------------------------------------------------------------

const boundaryOf = (contentType: string) => /boundary=([^;]+)$/.exec(contentType)?.[1]

interface Part {
  readonly headers: ReadonlyArray<string>
  readonly content: string
}

/** The parts of a multipart body: the header lines of each part, in order, and its content. */
const multipartParts = (body: string, boundary: string): ReadonlyArray<Part> =>
  body.split(`--${boundary}`).slice(1, -1).map((segment) => {
    const part = segment.replace(/^\r\n/, "").replace(/\r\n$/, "")
    const headerEnd = part.indexOf("\r\n\r\n")
    return headerEnd < 0
      ? { headers: [], content: part }
      : { headers: part.slice(0, headerEnd).split("\r\n"), content: part.slice(headerEnd + 4) }
  })

const queryStringOf = (query: FixtureRequest["query"]) =>
  new URLSearchParams(Object.entries(query).flatMap(([name, values]) => values.map((value) => [name, value])))
    .toString()

// ---------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------

describe("the SDK sends the official client's JSON bodies: same keys, same order, same values", () => {
  it("the comparison sees a key order difference at any depth, and compares numbers as numbers", () => {
    assert.deepStrictEqual(differences(JSON.parse("{\"a\":1,\"b\":2}"), JSON.parse("{\"a\": 1.0, \"b\": 2}")), [])
    assert.deepStrictEqual(differences({ b: 2, a: 1 }, { a: 1, b: 2 }), [
      "$: sent keys [\"b\",\"a\"], expected [\"a\",\"b\"]"
    ])
    assert.deepStrictEqual(differences({ x: [{ b: 1, a: 1 }] }, { x: [{ a: 1, b: 1 }] }), [
      "$.x[0]: sent keys [\"b\",\"a\"], expected [\"a\",\"b\"]"
    ])
    assert.deepStrictEqual(differences({ a: "1" }, { a: 1 }), ["$.a: sent \"1\", expected 1"])
    assert.deepStrictEqual(differences({ a: null }, { a: {} }), ["$.a: sent null, expected an object"])
  })

  it("no fixture body has a key that JavaScript would move to the front (such as \"0\")", () => {
    const moved = fixtures.filter(isJsonFixture).flatMap((fixture) =>
      allKeys(JSON.parse(fixture.body_text)).filter(isArrayIndexKey).map((key) => `${fixture.label}: ${key}`)
    )
    assert.deepStrictEqual(moved, [])
  })

  for (const scenario of scenarios) {
    it.effect(scenario.label, () =>
      Effect.gen(function*() {
        const expected = fixturesLabelled(scenario.label).slice(scenario.skip ?? 0)
        assert.isAbove(expected.length, 0, `no fixture labelled ${scenario.label}`)
        const { exit, requests } = yield* withMock(reply, scenario.run).pipe(Effect.provide(NodeFileSystem.layer))
        assert.isTrue(Exit.isSuccess(exit), `the call failed: ${String(exit)}`)
        assert.strictEqual(requests.length, expected.length)
        for (const [index, request] of requests.entries()) {
          const fixture = expected[index]!
          assert.strictEqual(request.method, fixture.method)
          assert.strictEqual(request.path, fixture.path)
          assert.strictEqual(request.url.includes("?"), false, `unexpected query string: ${request.url}`)
          assert.strictEqual(request.headers["content-type"], contentTypeOf(fixture))
          assert.deepStrictEqual(differences(request.json, JSON.parse(fixture.body_text)), [])
        }
      }))
  }

  it("every fixture label has a scenario here", () => {
    const covered = new Set([...scenarios.map((scenario) => scenario.label), ...uploads.map(([label]) => label)])
    assert.deepStrictEqual(fixtures.filter((fixture) => !covered.has(fixture.label)).map((f) => f.label), [])
  })
})

describe("the SDK uploads as the official client: query string, part headers and content", () => {
  for (const [label, purpose] of uploads) {
    it.effect(label, () =>
      Effect.gen(function*() {
        const fixture = fixturesLabelled(label)[0]!
        const bytes = new TextEncoder().encode("hello conformance 你好\n")
        const { exit, requests } = yield* withMock(
          () => json({ id: "file-1", bytes: bytes.length, object: "file", purpose: "assistant", filename: "x" }),
          Effect.flatMap(Files.Files, (s) => s.upload({ bytes, filename: "capture_upload.txt" }, { purpose }))
        )
        assert.isTrue(Exit.isSuccess(exit), `the call failed: ${String(exit)}`)
        assert.strictEqual(requests.length, 1)
        const request = requests[0]!
        assert.strictEqual(request.method, fixture.method)
        assert.strictEqual(request.path, fixture.path)
        assert.strictEqual(new URL(request.url).search, `?${queryStringOf(fixture.query)}`)

        const sentType = request.headers["content-type"] ?? ""
        const officialType = contentTypeOf(fixture)
        const sentBoundary = boundaryOf(sentType)
        const officialBoundary = boundaryOf(officialType)
        assert.isDefined(sentBoundary, sentType)
        assert.isDefined(officialBoundary, officialType)
        assert.strictEqual(sentType.replace(sentBoundary!, "B"), officialType.replace(officialBoundary!, "B"))

        const sentParts = multipartParts(request.text, sentBoundary!)
        const officialParts = multipartParts(fixture.body_text, officialBoundary!)
        assert.strictEqual(officialParts.length, 1)
        assert.deepStrictEqual(sentParts, officialParts)
      }))
  }
})
