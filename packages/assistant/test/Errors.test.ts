/**
 * The error types: `HttpError`'s reason constructors, and `FileWriteError` for a download that arrived
 * but could not be written to disk (not a `ValidationError`: the request was sent and succeeded).
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Files from "@effect-appbuilder/assistant/Files"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { TOKEN, withMock } from "./utils/MockHttp.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Option.getOrThrowWith(Cause.failureOption(exit.cause), () => new Error(Cause.pretty(exit.cause)))
}

const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])
const download = () =>
  new Response(bytes, {
    status: 200,
    headers: { "content-type": "image/png", "content-disposition": "attachment; filename=test01.png" }
  })

describe("HttpError constructors", () => {
  const { HttpError } = AppBuilderError
  const details = { operation: "Op.name", description: "what happened", requestId: "req-1" }

  it("each constructor sets its reason and keeps the details", () => {
    const cases = [
      [HttpError.transport(details), "Transport"],
      [HttpError.timeout(details), "Timeout"],
      [HttpError.status({ ...details, status: 503 }), "Status"],
      [HttpError.api({ ...details, code: "c", param: "p" }), "Api"],
      [HttpError.decode({ ...details, body: "{" }), "Decode"],
      [HttpError.streamEnded(details), "StreamEnded"]
    ] as const
    for (const [error, reason] of cases) {
      assert.strictEqual(error.reason, reason)
      assert.strictEqual(error.operation, "Op.name")
      assert.strictEqual(error.description, "what happened")
      assert.strictEqual(error.requestId, "req-1")
      assert.isTrue(AppBuilderError.isHttpError(error))
    }
  })

  it("outcomeUnknown says the request may have been processed and is not retryable", () => {
    const error = HttpError.outcomeUnknown({
      operation: "Assistants.create",
      problem: "connection reset",
      requestId: "r"
    })
    assert.strictEqual(error.reason, "OutcomeUnknown")
    assert.include(error.description, "connection reset")
    assert.include(error.description, "outcome unknown")
    assert.include(error.description, "may have acted on it")
    assert.isFalse(error.retryable)
    assert.isTrue(error.retryableWhenIdempotent)
  })
})

describe("Files.download: a file that cannot be written is a FileWriteError", () => {
  it.effect("a path whose parent is a regular file", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sdk-write-"))
      const parent = nodePath.join(dir, "a-file")
      fs.writeFileSync(parent, "x")
      const target = nodePath.join(parent, "out.png")
      const { exit, requests } = yield* withMock(
        download,
        Effect.flatMap(Files.Files, (files) => files.download("file-1", { path: target }))
      )
      // the request was sent (and answered): this is not a ValidationError
      assert.strictEqual(requests.length, 1)
      const error = failureOf(exit)
      assert.isTrue(AppBuilderError.isFileWriteError(error), String(error))
      assert.isFalse(AppBuilderError.isValidationError(error))
      assert.isTrue(AppBuilderError.isAppBuilderError(error))
      if (AppBuilderError.isFileWriteError(error)) {
        assert.strictEqual(error.operation, "Files.download")
        assert.strictEqual(error.path, target)
        assert.match(error.description, /ENOTDIR|not a directory/i)
        assert.include(error.message, target)
        assert.notInclude(JSON.stringify(error), TOKEN)
        assert.notInclude(error.message, TOKEN)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("a path that is an existing directory (fails for root too)", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sdk-write-dir-"))
      const { exit } = yield* withMock(
        download,
        Effect.flatMap(Files.Files, (files) => files.download("file-1", { path: dir }))
      )
      const error = failureOf(exit)
      assert.isTrue(AppBuilderError.isFileWriteError(error), String(error))
      if (AppBuilderError.isFileWriteError(error)) {
        assert.strictEqual(error.path, dir)
        assert.match(error.description, /EISDIR|is a directory/i)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})

describe("AppBuilderError: the union of every error the SDK fails with", () => {
  it("the tool loop's errors and FileNotMounted are AppBuilderErrors, other values are not", () => {
    const errors = [
      new AppBuilderError.FileNotMounted({ assistantId: "asst_1", fileId: "file-1" }),
      new AppBuilderError.MaxStepsExceeded({ runId: "run_1", threadId: "thread_1", maxSteps: 3 }),
      new AppBuilderError.UnknownTool({ tool: "t", callId: "call-1" }),
      new AppBuilderError.ToolArgumentsInvalid({ tool: "t", callId: "call-1", issues: [] }),
      new AppBuilderError.ToolOutputUnencodable({ tool: "t", callId: "call-1", description: "BigInt" })
    ]
    for (const error of errors) {
      assert.isTrue(AppBuilderError.isAppBuilderError(error), error._tag)
    }
    assert.isTrue(AppBuilderError.isFileNotMounted(errors[0]))
    assert.include(errors[0]!.message, "file-1")
    assert.isFalse(AppBuilderError.isAppBuilderError(new Error("boom")))
    assert.isFalse(AppBuilderError.isAppBuilderError({ _tag: "FileNotMounted", assistantId: "a", fileId: "f" }))
  })
})
