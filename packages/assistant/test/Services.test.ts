import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as os from "node:os"
import * as nodePath from "node:path"
import { runFailedOf } from "../src/internal/runFailed.js"
import { json, text, withMock } from "./utils/MockHttp.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Option.getOrThrow(Cause.failureOption(exit.cause))
}

const successOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
  return exit.value
}

describe("listAll", () => {
  it.effect("follows after/has_more until the last page", () =>
    Effect.gen(function*() {
      const pages: Record<string, unknown> = {
        "": { object: "list", data: [{ id: "a1" }, { id: "a2" }], first_id: "a1", last_id: "a2", has_more: true },
        a2: { object: "list", data: [{ id: "a3" }, { id: "a4" }], first_id: "a3", last_id: "a4", has_more: true },
        a4: { object: "list", data: [{ id: "a5" }], first_id: "a5", last_id: "a5", has_more: false }
      }
      const { exit, requests } = yield* withMock(
        (request) => json(pages[String((request.json as { after: string }).after)]),
        Effect.flatMap(Assistants.Assistants, (a) => Stream.runCollect(a.listAll({ limit: 2, order: "asc" })))
      )
      assert.deepStrictEqual(Chunk.toArray(successOf(exit)).map((a) => a.id), ["a1", "a2", "a3", "a4", "a5"])
      assert.deepStrictEqual(requests.map((r) => r.json), [
        { limit: 2, order: "asc", after: "", before: "" },
        { limit: 2, order: "asc", after: "a2", before: "" },
        { limit: 2, order: "asc", after: "a4", before: "" }
      ])
    }))

  it.effect("stops when the service gives no cursor", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withMock(
        () => json({ object: "list", data: [{ id: "m1" }], last_id: "", has_more: true }),
        Effect.flatMap(Messages.Messages, (m) => Stream.runCollect(m.listAll({ threadId: "thread_1" })))
      )
      assert.strictEqual(Chunk.size(successOf(exit)), 1)
      assert.strictEqual(requests.length, 1)
    }))
})

describe("Runs", () => {
  const runAnswer = (status: string, extra: Record<string, unknown> = {}) =>
    json({ id: "run_1", object: "run.result", status, assistant_id: "asst_1", thread_id: "thread_1", ...extra })

  it.effect("run returns a completed or requires_action run", () =>
    Effect.gen(function*() {
      for (const status of ["completed", "requires_action"]) {
        const { exit } = yield* withMock(
          () => runAnswer(status),
          Effect.flatMap(Runs.Runs, (r) => r.run({ assistantId: "asst_1", threadId: "thread_1" }))
        )
        assert.strictEqual(successOf(exit).status, status)
      }
    }))

  it.effect("run fails with RunFailed when the run ended failed / expired / cancelled", () =>
    Effect.gen(function*() {
      for (const status of ["failed", "expired", "cancelled"] as const) {
        const { exit } = yield* withMock(
          () =>
            runAnswer(status, {
              last_error: status === "failed" ? { type: "server_error", message: "model crashed" } : null
            }),
          Effect.flatMap(Runs.Runs, (r) => r.run({ assistantId: "asst_1", threadId: "thread_1" }))
        )
        const error = failureOf(exit)
        assert.strictEqual(error._tag, "RunFailed")
        if (error._tag !== "RunFailed") continue
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.runId, "run_1")
        assert.strictEqual(error.threadId, "thread_1")
        if (status === "failed") {
          assert.deepStrictEqual(error.lastError, { type: "server_error", message: "model crashed" })
        }
      }
    }))

  it.effect("the shared end-of-run check finds no failure in a completed run", () =>
    Effect.gen(function*() {
      const { exit } = yield* withMock(
        () => runAnswer("completed"),
        Effect.flatMap(Runs.Runs, (r) => r.query({ threadId: "thread_1", runId: "run_1" }))
      )
      assert.isTrue(Option.isNone(runFailedOf("Runs.stream", successOf(exit))))
    }))
})

describe("Assistants: mount / unmount pre-checks", () => {
  it.effect("mounting an unknown file fails on the file query; nothing is mounted", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withMock(
        () => json({ request_id: "r", code: "FileNotFound", message: "file_id test_not_exist is not exist" }),
        Effect.flatMap(Assistants.Assistants, (a) => a.mountFile({ assistantId: "asst_1", fileId: "test_not_exist" }))
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "HttpError")
      if (error._tag === "HttpError") {
        assert.strictEqual(error.code, "FileNotFound")
        assert.strictEqual(error.operation, "Assistants.mountFile")
      }
      assert.deepStrictEqual(requests.map((r) => r.path), ["/v2/storage/files/query"])
    }))

  it.effect("unmounting a file that is not mounted: FileNotMounted, no delete request", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withMock(
        () => json({ object: "list", data: [{ id: "file-1" }], has_more: false }),
        Effect.flatMap(Assistants.Assistants, (a) => a.unmountFile({ assistantId: "asst_1", fileId: "test_not_exist" }))
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "FileNotMounted")
      if (error._tag === "FileNotMounted") {
        assert.isTrue(AppBuilderError.isFileNotMounted(error))
        assert.isTrue(AppBuilderError.isAppBuilderError(error))
        assert.strictEqual(error.assistantId, "asst_1")
        assert.strictEqual(error.fileId, "test_not_exist")
        assert.include(error.message, "test_not_exist")
      }
      assert.deepStrictEqual(requests.map((r) => r.path), ["/v2/assistants/files/list"])
    }))
})

describe("Threads.update sends the caller's metadata (spec §8 #10)", () => {
  it.effect("metadata is in the body", () =>
    Effect.gen(function*() {
      const { requests } = yield* withMock(
        () => json({ id: "thread_1", object: "thread", metadata: null }),
        Effect.flatMap(Threads.Threads, (t) => t.update({ threadId: "thread_1", metadata: { k: "v" } }))
      )
      assert.deepStrictEqual(requests[0]!.json, { thread_id: "thread_1", metadata: { k: "v" } })
    }))
})

describe("Files", () => {
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3])
  const raw = (
    status = 200,
    headers: Record<string, string> = {
      "content-type": "image/png",
      "content-disposition": "attachment; filename=test01.png"
    }
  ) =>
  () => new Response(bytes, { status, headers })

  it.effect("content returns the bytes and the content type", () =>
    Effect.gen(function*() {
      const { exit, requests } = yield* withMock(raw(), Effect.flatMap(Files.Files, (f) => f.content("file-1")))
      const content = successOf(exit)
      assert.strictEqual(content.contentType, "image/png")
      assert.deepStrictEqual([...content.content], [...bytes])
      assert.deepStrictEqual(requests[0]!.json, { file_id: "file-1" })
    }))

  it.effect("contentStream streams the bytes", () =>
    Effect.gen(function*() {
      const { exit } = yield* withMock(
        raw(),
        Effect.flatMap(Files.Files, (f) => Stream.runCollect(f.contentStream("file-1")))
      )
      const chunks = Chunk.toArray(successOf(exit))
      assert.deepStrictEqual(chunks.flatMap((c) => [...c]), [...bytes])
    }))

  it.effect("content/download of an unknown id: the service's 404 is a Status error", () =>
    Effect.gen(function*() {
      const { exit } = yield* withMock(
        () => text(JSON.stringify({ request_id: "r", code: "FileNotFound", message: "file_id x is not exist" }), 404),
        Effect.flatMap(Files.Files, (f) => f.content("x")),
        { retry: false }
      )
      const error = failureOf(exit)
      assert.strictEqual(error._tag, "HttpError")
      if (error._tag === "HttpError") {
        assert.strictEqual(error.status, 404)
        assert.strictEqual(error.code, "FileNotFound")
      }
    }))

  it.effect("#32 download into a directory uses the Content-Disposition name; to a path writes there", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sdk-download-"))
      const intoDir = yield* withMock(
        raw(),
        Effect.flatMap(Files.Files, (f) => f.download("file-1", { directory: dir }))
      )
      const written = successOf(intoDir.exit)
      assert.strictEqual(written, nodePath.join(dir, "test01.png"))
      assert.deepStrictEqual([...fs.readFileSync(written)], [...bytes])
      const target = nodePath.join(dir, "explicit.bin")
      const toPath = yield* withMock(raw(), Effect.flatMap(Files.Files, (f) => f.download("file-1", { path: target })))
      assert.strictEqual(successOf(toPath.exit), target)
      assert.deepStrictEqual([...fs.readFileSync(target)], [...bytes])
      const noName = yield* withMock(
        raw(200, { "content-type": "image/png" }),
        Effect.flatMap(Files.Files, (f) => f.download("file-1", { directory: dir }))
      )
      const error = failureOf(noName.exit)
      assert.strictEqual(error._tag === "HttpError" ? error.reason : error._tag, "Decode")
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("upload from a path and from a stream", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), "sdk-upload-"))
      const path = nodePath.join(dir, "测试 file.txt")
      fs.writeFileSync(path, "hello")
      const answer = () => json({ id: "file-1", object: "file", bytes: 5, create_at: 1 })
      const fromPath = yield* withMock(answer, Effect.flatMap(Files.Files, (f) => f.upload({ path })))
      assert.strictEqual(successOf(fromPath.exit).id, "file-1")
      assert.include(fromPath.requests[0]!.text, `filename="测试 file.txt"\r\n\r\nhello\r\n`)
      assert.strictEqual(fromPath.requests[0]!.query.get("purpose"), "assistant")
      const fromStream = yield* withMock(
        answer,
        Effect.flatMap(Files.Files, (f) =>
          f.upload({
            stream: Stream.make(new TextEncoder().encode("he"), new TextEncoder().encode("llo")),
            filename: "s.txt"
          }, { purpose: "test" }))
      )
      assert.isTrue(Exit.isSuccess(fromStream.exit))
      assert.include(fromStream.requests[0]!.text, `filename="s.txt"\r\n\r\nhello\r\n`)
      assert.strictEqual(fromStream.requests[0]!.query.get("purpose"), "test")
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
