import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as fs from "node:fs"
import * as nodePath from "node:path"
import { encodeRequest } from "../src/internal/requestSchema.js"
import { A1, A2, F1, M3, R1, R2, R5, S1, T2, T4, T6, weather } from "./utils/FixtureIds.js"
import { json, type Recorded, withMock } from "./utils/MockHttp.js"

interface FixtureRequest {
  readonly label: string
  readonly path: string
  readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body_text: string
}

const fixtures: ReadonlyArray<FixtureRequest> = fs
  .readFileSync(nodePath.join(import.meta.dirname, "fixtures", "official-client-requests.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line))

const byLabel = (label: string) => fixtures.filter((f) => f.label === label)

/** A canned answer good enough for every lenient response schema. */
const answer = (request: Recorded) => {
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

interface Case {
  readonly label: string
  /** Leading fixture requests that the SDK does not send (the official pre-queries of content/download). */
  readonly skip?: number
  readonly run: Effect.Effect<
    unknown,
    unknown,
    Assistants.Assistants | Files.Files | Threads.Threads | Messages.Messages | Runs.Runs | RunSteps.RunSteps
  >
}

const cases: ReadonlyArray<Case> = [
  {
    label: "assistants.create[minimal]",
    run: Effect.flatMap(
      Assistants.Assistants,
      (s) => s.create({ name: "test_assistant", description: "test assistant" })
    )
  },
  {
    label: "assistants.create[function_tool]",
    run: Effect.flatMap(Assistants.Assistants, (s) =>
      s.create({
        name: "test_function",
        description: "你是一个热心的朋友",
        instructions: "请用友善的语气回答问题",
        tools: [weather]
      }))
  },
  {
    label: "assistants.create[all_fields]",
    run: Effect.flatMap(Assistants.Assistants, (s) =>
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
      }))
  },
  {
    label: "assistants.update[required_args_only]",
    run: Effect.flatMap(
      Assistants.Assistants,
      (s) => s.update({ assistantId: A1, model: "ERNIE-4.0T-8K", name: "Test_Name", description: "test" })
    )
  },
  { label: "assistants.list[defaults]", run: Effect.flatMap(Assistants.Assistants, (s) => s.list()) },
  {
    label: "assistants.list[paging]",
    run: Effect.flatMap(Assistants.Assistants, (s) => s.list({ limit: 5, order: "asc", after: A1 }))
  },
  { label: "assistants.query", run: Effect.flatMap(Assistants.Assistants, (s) => s.query(A1)) },
  {
    label: "assistants.mount_files",
    run: Effect.flatMap(Assistants.Assistants, (s) => s.mountFile({ assistantId: A1, fileId: F1 }))
  },
  {
    label: "assistants.mounted_files_list[defaults]",
    run: Effect.flatMap(Assistants.Assistants, (s) => s.listMountedFiles({ assistantId: A1 }))
  },
  {
    label: "assistants.unmount_files",
    run: Effect.flatMap(Assistants.Assistants, (s) => s.unmountFile({ assistantId: A1, fileId: F1 }))
  },
  { label: "assistants.delete", run: Effect.flatMap(Assistants.Assistants, (s) => s.delete(A1)) },
  { label: "files.list", run: Effect.flatMap(Files.Files, (s) => s.list()) },
  { label: "files.query", run: Effect.flatMap(Files.Files, (s) => s.query(F1)) },
  { label: "files.content", skip: 1, run: Effect.flatMap(Files.Files, (s) => s.content(F1)) },
  { label: "files.delete", run: Effect.flatMap(Files.Files, (s) => s.delete(F1)) },
  { label: "threads.create[empty]", run: Effect.flatMap(Threads.Threads, (s) => s.create()) },
  {
    label: "threads.create[with_messages]",
    run: Effect.flatMap(Threads.Threads, (s) => s.create({ messages: [{ content: "hello world" }] }))
  },
  {
    label: "threads.create[message_objects]",
    run: Effect.flatMap(
      Threads.Threads,
      (s) => s.create({ messages: [{ content: "看看这个文件", role: "user", fileIds: [F1] }] })
    )
  },
  { label: "threads.query", run: Effect.flatMap(Threads.Threads, (s) => s.query(T2)) },
  { label: "threads.update[metadata]", run: Effect.flatMap(Threads.Threads, (s) => s.update({ threadId: T2 })) },
  { label: "threads.delete", run: Effect.flatMap(Threads.Threads, (s) => s.delete(T2)) },
  {
    label: "messages.create[defaults]",
    run: Effect.flatMap(Messages.Messages, (s) => s.create({ threadId: T2, content: "hello world?" }))
  },
  {
    label: "messages.create[role_and_file_ids]",
    run: Effect.flatMap(
      Messages.Messages,
      (s) => s.create({ threadId: T2, content: "with file", role: "user", fileIds: [F1] })
    )
  },
  { label: "messages.list[defaults]", run: Effect.flatMap(Messages.Messages, (s) => s.list({ threadId: T2 })) },
  {
    label: "messages.list[paging]",
    run: Effect.flatMap(Messages.Messages, (s) => s.list({ threadId: T2, limit: 1, order: "asc", after: M3 }))
  },
  { label: "messages.query", run: Effect.flatMap(Messages.Messages, (s) => s.query({ threadId: T2, messageId: M3 })) },
  {
    label: "messages.update",
    run: Effect.flatMap(Messages.Messages, (s) => s.update({ threadId: T2, messageId: M3, content: "你好" }))
  },
  {
    label: "messages.files[defaults]",
    run: Effect.flatMap(Messages.Messages, (s) => s.listFiles({ threadId: T2, messageId: M3 }))
  },
  { label: "runs.run[defaults]", run: Effect.flatMap(Runs.Runs, (s) => s.run({ assistantId: A1, threadId: T2 })) },
  {
    label: "runs.run[funccall_first]",
    run: Effect.flatMap(Runs.Runs, (s) => s.run({ assistantId: A2, threadId: T4 }))
  },
  {
    label: "runs.run[tool_output]",
    run: Effect.flatMap(Runs.Runs, (s) =>
      s.run({
        assistantId: A2,
        threadId: T4,
        toolOutput: { toolCallId: `call-${T4}-${R2}-step-1`, output: "北京 的当前温度是30 摄氏度", runId: R2 }
      }))
  },
  {
    label: "runs.run[all_options]",
    run: Effect.flatMap(Runs.Runs, (s) =>
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
      }))
  },
  {
    label: "runs.submit_tool_outputs",
    run: Effect.flatMap(Runs.Runs, (s) =>
      s.submitToolOutputs({
        threadId: T6,
        runId: R5,
        toolOutputs: [{ toolCallId: `call-${T6}-${R5}-step-1`, output: "北京 的当前温度是30 摄氏度" }]
      }))
  },
  {
    label: "runs.cancel",
    run: Effect.flatMap(
      Runs.Runs,
      (s) =>
        s.cancel({ threadId: "thread_00000000000000000000000000000008", runId: "run_00000000000000000000000000000007" })
    )
  },
  {
    label: "runs.cancel[sync=True]",
    run: Effect.flatMap(Runs.Runs, (s) => s.cancel({ threadId: T2, runId: R1, sync: true }))
  },
  { label: "runs.list[defaults]", run: Effect.flatMap(Runs.Runs, (s) => s.list({ threadId: T2 })) },
  {
    label: "runs.list[paging]",
    run: Effect.flatMap(Runs.Runs, (s) => s.list({ threadId: T2, limit: 5, order: "asc", after: R1 }))
  },
  { label: "runs.query", run: Effect.flatMap(Runs.Runs, (s) => s.query({ threadId: T2, runId: R1 })) },
  { label: "steps.list[defaults]", run: Effect.flatMap(RunSteps.RunSteps, (s) => s.list({ threadId: T2, runId: R1 })) },
  {
    label: "steps.query",
    run: Effect.flatMap(RunSteps.RunSteps, (s) => s.query({ threadId: T2, runId: R1, stepId: S1 }))
  }
]

describe("request bodies match the official client's (fixtures)", () => {
  for (const c of cases) {
    it.effect(c.label, () =>
      Effect.gen(function*() {
        const expected = byLabel(c.label).slice(c.skip ?? 0)
        assert.isAbove(expected.length, 0, `no fixture for ${c.label}`)
        const { exit, requests } = yield* withMock(answer, c.run)
        assert.isTrue(Exit.isSuccess(exit), `call failed: ${String(exit)}`)
        assert.strictEqual(requests.length, expected.length)
        for (const [i, request] of requests.entries()) {
          const fixture = expected[i]!
          assert.strictEqual(request.method, "POST")
          assert.strictEqual(request.path, fixture.path)
          assert.deepStrictEqual(request.json, JSON.parse(fixture.body_text))
          assert.strictEqual(request.headers["content-type"], "application/json")
        }
      }))
  }

  it.effect("streamed run bodies: the StreamRunRequest Schema", () =>
    Effect.gen(function*() {
      for (
        const [label, input] of [
          ["runs.stream_run[text]", { assistantId: A1, threadId: T2 }],
          ["runs.stream_run[funccall]", { assistantId: A2, threadId: T6 }]
        ] as const
      ) {
        const body = yield* encodeRequest("Runs.stream", Runs.StreamRunRequest, input)
        const fixture = byLabel(label)[0]!
        assert.deepStrictEqual(body, JSON.parse(fixture.body_text))
        assert.deepStrictEqual(Object.keys(body), Object.keys(JSON.parse(fixture.body_text)))
      }
    }))

  it.effect("run body keys are in the official order", () =>
    Effect.gen(function*() {
      const body = yield* encodeRequest("Runs.run", Runs.RunRequest, { assistantId: A1, threadId: T2 })
      assert.deepStrictEqual(Object.keys(body), Object.keys(JSON.parse(byLabel("runs.run[defaults]")[0]!.body_text)))
    }))

  it.effect("upload: multipart exactly as the official client (one part `file`, purpose query)", () =>
    Effect.gen(function*() {
      for (
        const [label, purpose] of [["files.create[multipart]", undefined], [
          "files.create[purpose]",
          "custom_purpose"
        ]] as const
      ) {
        const fixture = byLabel(label)[0]!
        const bytes = new TextEncoder().encode("hello conformance 你好\n")
        const { exit, requests } = yield* withMock(
          () =>
            json({
              id: "file-555044143673413",
              bytes: bytes.length,
              object: "file",
              purpose: "assistant",
              create_at: 1717645226,
              filename: "capture_upload.txt",
              classification_id: "42685563"
            }),
          Effect.flatMap(Files.Files, (s) => s.upload({ bytes, filename: "capture_upload.txt" }, { purpose }))
        )
        assert.isTrue(Exit.isSuccess(exit))
        const request = requests[0]!
        assert.strictEqual(request.path, "/v2/storage/files")
        assert.deepStrictEqual(request.query.getAll("purpose"), fixture.query["purpose"])
        const contentType = request.headers["content-type"] ?? ""
        const boundary = /^multipart\/form-data; boundary=([0-9a-f]{32})$/.exec(contentType)?.[1]
        assert.isDefined(boundary, contentType)
        const fixtureType = fixture.headers.find(([name]) => name === "Content-Type")?.[1] ?? ""
        const fixtureBoundary = /boundary=([0-9a-f]{32})/.exec(fixtureType)?.[1] ?? "?"
        assert.strictEqual(request.text, fixture.body_text.replaceAll(fixtureBoundary, boundary!))
        if (Exit.isSuccess(exit)) {
          assert.strictEqual(exit.value.id, "file-555044143673413")
          assert.strictEqual(exit.value.createAt, 1717645226)
          assert.strictEqual(exit.value.censored, null)
        }
      }
    }))
})
