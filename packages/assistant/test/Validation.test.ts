import { ValidationError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import { NodeFileSystem } from "@effect/platform-node"
import type * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { encodeRequest } from "../src/internal/requestSchema.js"
import { text, withMock } from "./utils/MockHttp.js"

/** Runs `effect` against a mock that must never be called; returns the ValidationError. */
const rejected = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const { exit, requests } = yield* withMock(() => text("must not be called", 500), effect)
    assert.strictEqual(requests.length, 0, "no request may be sent")
    assert.isTrue(Exit.isFailure(exit), "expected a failure")
    if (Exit.isSuccess(exit)) throw new Error("unreachable")
    const error = Cause.failureOption(exit.cause)
    assert.isTrue(Option.isSome(error))
    const value = Option.getOrThrow(error)
    assert.instanceOf(value, ValidationError)
    if (!(value instanceof ValidationError)) throw new Error("unreachable")
    return value
  })

/** Values of the wrong type, as a JavaScript caller could pass them. */
const untyped = <T>(value: string): T => JSON.parse(value)

const fields = (error: ValidationError) => error.issues.map((issue) => issue.field)

describe("client-side validation (spec §2.5, §7)", () => {
  it.effect("#2 create with 7 problems → one ValidationError listing exactly 7", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        return yield* assistants.create({
          name: "Abc-_123@",
          description: "x".repeat(2048),
          responseFormat: untyped<"text">("\"other\""),
          instructions: "i".repeat(16384),
          thoughtInstructions: "t".repeat(16384),
          chatInstructions: "c".repeat(16384),
          fileIds: Array.from({ length: 11 }, (_, i) => `file-${i}`)
        })
      }))
      assert.strictEqual(error.issues.length, 7)
      assert.deepStrictEqual(fields(error).sort(), [
        "chatInstructions",
        "description",
        "fileIds",
        "instructions",
        "name",
        "responseFormat",
        "thoughtInstructions"
      ])
      assert.strictEqual(error.operation, "Assistants.create")
      assert.include(error.message, "7 invalid fields")
    }))

  it.effect("create: name length, tools count and tool function fields, metadata limits", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        return yield* assistants.create({
          name: "",
          tools: [
            ...Array.from({ length: 10 }, (_, i) => ({ function: { name: `f${i}`, description: "d" } })),
            { function: untyped<{ name: string; description: string }>("{\"name\":\"\"}") }
          ],
          metadata: { ["key".repeat(64)]: "value".repeat(512) }
        })
      }))
      assert.deepStrictEqual(fields(error), [
        "name",
        "tools",
        "tools.10.function.name",
        "tools.10.function.description",
        `metadata.${"key".repeat(64)}`,
        `metadata.${"key".repeat(64)}`
      ])
    }))

  it.effect("#3 metadata key 192 chars / value 2560 chars: rejected, mentioning metadata", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        return yield* assistants.create({ name: "n", metadata: { ["key".repeat(64)]: "value".repeat(512) } })
      }))
      assert.include(error.message, "metadata")
    }))

  it.effect("metadata with more than 16 entries", () =>
    Effect.gen(function*() {
      const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]))
      const error = yield* rejected(Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        return yield* assistants.create({ name: "n", metadata })
      }))
      assert.deepStrictEqual(fields(error), ["metadata"])
    }))

  it.effect("update requires assistantId, model, description", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        return yield* assistants.update(untyped<Assistants.UpdateInput>("{\"assistantId\":\"\",\"name\":\"ok\"}"))
      }))
      assert.deepStrictEqual(fields(error), ["assistantId", "model", "description"])
    }))

  it.effect("list: order must be asc or desc", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        return yield* assistants.list({ order: untyped<"asc">("\"up\"") })
      }))
      assert.deepStrictEqual(fields(error), ["order"])
    }))

  it.effect("#6 mount/unmount with a non-string or an empty id", () =>
    Effect.gen(function*() {
      for (const fileId of [untyped<string>("123"), ""]) {
        const mount = yield* rejected(Effect.gen(function*() {
          const assistants = yield* Assistants.Assistants
          return yield* assistants.mountFile({ assistantId: "asst_1", fileId })
        }))
        assert.deepStrictEqual(fields(mount), ["fileId"])
        const unmount = yield* rejected(Effect.gen(function*() {
          const assistants = yield* Assistants.Assistants
          return yield* assistants.unmountFile({ assistantId: fileId, fileId: "file-1" })
        }))
        assert.deepStrictEqual(fields(unmount), ["assistantId"])
      }
    }))

  it.effect("#8 upload of a non-existent local path", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const files = yield* Files.Files
        return yield* files.upload({ path: "/definitely/not/here.png" })
      }))
      assert.deepStrictEqual(fields(error), ["path"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("#9 files: query/content/download type errors, empty id, bad directories", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sdk-validation-"))
      const regular = nodePath.join(dir, "regular.txt")
      fs.writeFileSync(regular, "x")
      const cases: ReadonlyArray<
        [Effect.Effect<unknown, unknown, Files.Files | FileSystem.FileSystem>, string]
      > = [
        [Effect.flatMap(Files.Files, (f) => f.query(untyped<string>("123"))), "fileId"],
        [Effect.flatMap(Files.Files, (f) => f.content(untyped<string>("123"))), "fileId"],
        [Effect.flatMap(Files.Files, (f) => f.download(untyped<string>("123"))), "fileId"],
        [Effect.flatMap(Files.Files, (f) => f.download("file-1", { directory: untyped<string>("1") })), "directory"],
        [Effect.flatMap(Files.Files, (f) => f.download("")), "fileId"],
        [
          Effect.flatMap(Files.Files, (f) => f.download("file-1", { directory: nodePath.join(dir, "missing") })),
          "directory"
        ],
        [Effect.flatMap(Files.Files, (f) => f.download("file-1", { directory: regular })), "directory"]
      ]
      for (const [effect, field] of cases) {
        const error = yield* rejected(effect)
        assert.deepStrictEqual(fields(error), [field])
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("#11 message with role custom and 11 file ids → exactly 2 problems", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const messages = yield* Messages.Messages
        return yield* messages.create({
          threadId: "thread_1",
          content: "hi",
          role: untyped<"user">("\"custom\""),
          fileIds: Array.from({ length: 11 }, (_, i) => `file-${i}`)
        })
      }))
      assert.strictEqual(error.issues.length, 2)
      assert.deepStrictEqual(fields(error), ["role", "fileIds"])
    }))

  it.effect("#14 run with neither thread id nor thread; empty assistant id", () =>
    Effect.gen(function*() {
      const first = yield* rejected(Effect.gen(function*() {
        const runs = yield* Runs.Runs
        return yield* runs.run({ assistantId: "asst_1" })
      }))
      assert.deepStrictEqual(fields(first), ["threadId"])
      const second = yield* rejected(encodeRequest("Runs.stream", Runs.StreamRunRequest, { assistantId: "" }))
      assert.deepStrictEqual(fields(second), ["assistantId", "threadId"])
      assert.strictEqual(second.operation, "Runs.stream")
    }))

  it.effect("#15 model parameters out of range, for run and stream", () =>
    Effect.gen(function*() {
      const bad = [
        { chatParameters: { temperature: 10 } },
        { chatParameters: { topP: 10 } },
        { chatParameters: { penaltyScore: 10 } },
        { thoughtParameters: { temperature: -1, penaltyScore: 0.5 } }
      ]
      const expected = [
        ["modelParameters.chatParameters.temperature"],
        ["modelParameters.chatParameters.topP"],
        ["modelParameters.chatParameters.penaltyScore"],
        ["modelParameters.thoughtParameters.temperature", "modelParameters.thoughtParameters.penaltyScore"]
      ]
      for (const [i, modelParameters] of bad.entries()) {
        const error = yield* rejected(Effect.gen(function*() {
          const runs = yield* Runs.Runs
          return yield* runs.run({ assistantId: "asst_1", threadId: "thread_1", modelParameters })
        }))
        assert.deepStrictEqual(fields(error), expected[i])
        const streamed = yield* rejected(
          encodeRequest("Runs.stream", Runs.StreamRunRequest, {
            assistantId: "asst_1",
            threadId: "thread_1",
            modelParameters
          })
        )
        assert.deepStrictEqual(fields(streamed), expected[i])
      }
    }))

  it.effect("run: empty model, response format, instructions, last message, tool output, unknown fields", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const runs = yield* Runs.Runs
        return yield* runs.run(untyped<Runs.RunInput>(JSON.stringify({
          assistantId: "asst_1",
          model: "",
          responseFormat: "json",
          instructions: "x".repeat(4097),
          thread: {
            messages: [{ content: "hi" }, { content: "answer", role: "assistant", fileIds: new Array(11).fill("f") }]
          },
          threadID: "oops"
        })))
      }))
      assert.deepStrictEqual(fields(error).sort(), [
        "instructions",
        "model",
        "responseFormat",
        "thread.messages.1.fileIds",
        "thread.messages.1.role",
        "threadID"
      ])
      const toolOutput = yield* rejected(Effect.gen(function*() {
        const runs = yield* Runs.Runs
        return yield* runs.run({ assistantId: "asst_1", threadId: "t", toolOutput: { toolCallId: "", output: "x" } })
      }))
      assert.deepStrictEqual(fields(toolOutput), ["toolOutput.toolCallId", "toolOutput.runId"])
      const empty = yield* rejected(Effect.gen(function*() {
        const runs = yield* Runs.Runs
        return yield* runs.run({ assistantId: "asst_1", thread: { messages: [] } })
      }))
      assert.deepStrictEqual(fields(empty), ["thread.messages"])
    }))

  it.effect("submitToolOutputs needs ids and at least one output; cancel/list/query need ids", () =>
    Effect.gen(function*() {
      const submit = yield* rejected(Effect.gen(function*() {
        const runs = yield* Runs.Runs
        return yield* runs.submitToolOutputs({ threadId: "", runId: "", toolOutputs: [] })
      }))
      assert.deepStrictEqual(fields(submit), ["threadId", "runId", "toolOutputs"])
      const cancel = yield* rejected(Effect.flatMap(Runs.Runs, (r) => r.cancel({ threadId: "t", runId: "" })))
      assert.deepStrictEqual(fields(cancel), ["runId"])
      const list = yield* rejected(
        Effect.flatMap(Runs.Runs, (r) => r.list({ threadId: "t", order: untyped<"asc">("\"sideways\"") }))
      )
      assert.deepStrictEqual(fields(list), ["order"])
      const steps = yield* rejected(
        Effect.flatMap(RunSteps.RunSteps, (r) => r.query({ threadId: "t", runId: "r", stepId: "" }))
      )
      assert.deepStrictEqual(fields(steps), ["stepId"])
    }))

  it.effect("#20 threads.create with a single object instead of a list", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.gen(function*() {
        const threads = yield* Threads.Threads
        return yield* threads.create(untyped<Threads.CreateInput>("{\"messages\":{\"content\":\"hello\"}}"))
      }))
      assert.deepStrictEqual(fields(error), ["messages"])
    }))

  it.effect("#21 threads.update metadata: not an object, key of 130 chars, value of 513 chars", () =>
    Effect.gen(function*() {
      const notObject = yield* rejected(Effect.gen(function*() {
        const threads = yield* Threads.Threads
        return yield* threads.update({ threadId: "thread_1", metadata: untyped<Record<string, string>>("123") })
      }))
      assert.deepStrictEqual(fields(notObject), ["metadata"])
      const longKey = yield* rejected(Effect.gen(function*() {
        const threads = yield* Threads.Threads
        return yield* threads.update({ threadId: "thread_1", metadata: { ["k".repeat(130)]: "v" } })
      }))
      assert.deepStrictEqual(fields(longKey), [`metadata.${"k".repeat(130)}`])
      const longValue = yield* rejected(Effect.gen(function*() {
        const threads = yield* Threads.Threads
        return yield* threads.update({ threadId: "thread_1", metadata: { k: "v".repeat(513) } })
      }))
      assert.deepStrictEqual(fields(longValue), ["metadata.k"])
    }))
})

describe("run and file requests are Schemas: every problem at once, nothing sent", () => {
  it.effect("a run request: unknown keys (stream included, set by the operation) are reported by name", () =>
    Effect.gen(function*() {
      for (const key of ["threadID", "stream"]) {
        const error = yield* rejected(
          Effect.flatMap(
            Runs.Runs,
            (runs) =>
              runs.run(untyped<Runs.RunInput>(JSON.stringify({ assistantId: "asst_1", threadId: "t", [key]: true })))
          )
        )
        assert.deepStrictEqual(fields(error), [key])
        assert.strictEqual(error.operation, "Runs.run")
      }
      const unknown = yield* rejected(
        encodeRequest("Runs.stream", Runs.StreamRunRequest, { assistantId: "asst_1", threadId: "t", threadID: "t" })
      )
      assert.include(unknown.message, "threadID")
      assert.include(unknown.message, "is unexpected")
    }))

  it.effect("a continuation needs a non-empty runId; a last message by the assistant is allowed with it", () =>
    Effect.gen(function*() {
      const empty = yield* rejected(
        Effect.flatMap(
          Runs.Runs,
          (runs) =>
            runs.run({ assistantId: "asst_1", threadId: "t", toolOutput: { toolCallId: "c", output: "x", runId: " " } })
        )
      )
      assert.deepStrictEqual(fields(empty), ["toolOutput.runId"])
      const body = yield* encodeRequest("Runs.run", Runs.RunRequest, {
        assistantId: "asst_1",
        threadId: "t",
        thread: { messages: [{ content: "answer", role: "assistant" }] },
        toolOutput: { toolCallId: "c", output: "x", runId: "r" }
      })
      assert.deepStrictEqual(body.tool_output, { tool_call_id: "c", output: "x", run_id: "r" })
      assert.deepStrictEqual(body.thread, { messages: [{ content: "answer", role: "assistant", file_ids: [] }] })
    }))

  it.effect("blocking and streamed run bodies differ only in stream", () =>
    Effect.gen(function*() {
      const input = { assistantId: "asst_1", threadId: "t", metadata: { k: "v" } }
      const blocking = yield* encodeRequest("Runs.run", Runs.RunRequest, input)
      const streamed = yield* encodeRequest("Runs.stream", Runs.StreamRunRequest, input)
      assert.strictEqual(blocking.stream, false)
      assert.strictEqual(streamed.stream, true)
      assert.deepStrictEqual({ ...blocking, stream: true }, streamed)
      assert.deepStrictEqual(Object.keys(blocking), Object.keys(streamed))
    }))

  it.effect("submitToolOutputs: outputs that are not a list, and every output's own problems", () =>
    Effect.gen(function*() {
      const notList = yield* rejected(
        Effect.flatMap(Runs.Runs, (runs) =>
          runs.submitToolOutputs(untyped<Runs.SubmitToolOutputsInput>(
            "{\"threadId\":\"t\",\"runId\":\"r\",\"toolOutputs\":{\"toolCallId\":\"c\"}}"
          )))
      )
      assert.deepStrictEqual(fields(notList), ["toolOutputs"])
      const items = yield* rejected(Effect.flatMap(Runs.Runs, (runs) =>
        runs.submitToolOutputs({
          threadId: "t",
          runId: "r",
          toolOutputs: [{ toolCallId: "", output: "x" }, { toolCallId: "c", output: untyped<string>("1") }]
        })))
      assert.deepStrictEqual(fields(items), ["toolOutputs.0.toolCallId", "toolOutputs.1.output"])
    }))

  it.effect("run options and stream options are checked too: options.<key>", () =>
    Effect.gen(function*() {
      const error = yield* rejected(Effect.flatMap(Runs.Runs, (runs) =>
        runs.run({ assistantId: "asst_1", threadId: "t" }, {
          timeout: "10 seconds",
          cancelTimeout: untyped<number>("\"soon\"")
        })))
      assert.deepStrictEqual(fields(error), ["options.cancelTimeout"])
      assert.include(error.message, "duration")
    }))

  it.effect("upload and download: problems of both arguments in one ValidationError", () =>
    Effect.gen(function*() {
      const upload = yield* rejected(Effect.flatMap(Files.Files, (files) =>
        files.upload(
          { stream: untyped<Stream.Stream<Uint8Array>>("\"bytes\""), filename: untyped<string>("1") },
          { purpose: untyped<string>("5") }
        )))
      assert.deepStrictEqual(fields(upload), ["purpose", "stream", "filename"])
      const download = yield* rejected(Effect.flatMap(Files.Files, (files) =>
        files.download(untyped<string>("123"), { directory: untyped<string>("1") })))
      assert.deepStrictEqual(fields(download), ["fileId", "directory"])
      const emptyPath = yield* rejected(Effect.flatMap(Files.Files, (files) =>
        files.upload({ path: "" })))
      assert.deepStrictEqual(fields(emptyPath), ["path"])
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
