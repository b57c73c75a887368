import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { secureFilename } from "../src/internal/fileTypes.js"
import {
  assistantBody,
  AUTH,
  BASE,
  call,
  data,
  execute,
  expectApiError,
  expectStorageError,
  json,
  PNG,
  post,
  str,
  upload
} from "./utils/http.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>, options: Emulator.Options = {}) =>
  Effect.provide(effect, Emulator.layer(options))

const fileCount = Effect.flatMap(EmulatorState.EmulatorState, (state) => Effect.map(state.files, (f) => f.length))

/** The exact multipart body the official client sends (spec §3.9). */
const officialMultipart = (filename: string, content: string, boundary = "e99303b771be3d1d1c0dca6e9b29c4b5") =>
  HttpClientRequest.post(`${BASE}/v2/storage/files?purpose=assistant`).pipe(
    HttpClientRequest.setHeaders(AUTH),
    HttpClientRequest.bodyUint8Array(
      new TextEncoder().encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n\r\n${content}\r\n--${boundary}--\r\n`
      ),
      `multipart/form-data; boundary=${boundary}`
    )
  )

describe("files", () => {
  it.effect("#7 upload answers the File object (create_at in seconds, no censored/file_type)", () =>
    withEmulator(Effect.gen(function*() {
      yield* TestClock.setTime(1717645226789)
      const response = yield* upload("test01.png", PNG)
      assert.strictEqual(response.status, 200)
      const body = json(response)
      const id = str(body, "id")
      assert.match(id, /^file-\d{15}$/)
      assert.strictEqual(
        response.text,
        `{"id":"${id}","bytes":${PNG.length},"object":"file","purpose":"assistant","create_at":1717645226,` +
          `"filename":"test01.png","classification_id":"42685563"}`
      )
    })))

  it.effect("#31 upload wire format: field `file`, purpose from the query, raw UTF-8 file name", () =>
    withEmulator(Effect.gen(function*() {
      const official = json(yield* execute(officialMultipart("测试 file.txt", "hello 你好")))
      assert.strictEqual(official["filename"], "file.txt")
      assert.strictEqual(official["bytes"], new TextEncoder().encode("hello 你好").length)
      assert.strictEqual(official["purpose"], "assistant")
      assert.strictEqual(json(yield* upload("a.txt", "x", "custom_purpose"))["purpose"], "custom_purpose")
      assert.strictEqual(json(yield* upload("a.txt", "x", undefined))["purpose"], "assistant")
      const content = yield* post("/v2/storage/files/content", { file_id: str(official, "id") })
      assert.strictEqual(content.text, "hello 你好")
    })))

  it.effect("#9 lifecycle: list, query, content, download, delete", () =>
    withEmulator(Effect.gen(function*() {
      yield* TestClock.setTime(1717645226000)
      const id = str(json(yield* upload("test01.png", PNG)), "id")
      const list = yield* call("/v2/storage/files/list", {})
      assert.deepStrictEqual(Object.keys(list), ["object", "data"])
      const listed = data(list)[0]!
      assert.strictEqual(listed["id"], id)
      assert.strictEqual(listed["censored"], 1)
      assert.strictEqual(listed["file_type"], "image")
      expectStorageError(yield* post("/v2/storage/files/query", { file_id: "test" }), "FileNotFound")
      const queried = yield* post("/v2/storage/files/query", { file_id: id })
      assert.strictEqual(
        queried.text,
        `{"id":"${id}","bytes":${PNG.length},"object":"file","purpose":"assistant","censored":1,` +
          `"create_at":1717645226,"filename":"test01.png","classification_id":"42685563","file_type":"image"}`
      )
      expectStorageError(yield* post("/v2/storage/files/content", { file_id: "test_not_exist" }), "FileNotFound", 404)
      const content = yield* post("/v2/storage/files/content", { file_id: id })
      assert.strictEqual(content.status, 200)
      assert.deepStrictEqual(content.bytes, PNG)
      assert.strictEqual(content.headers["content-type"], "image/png")
      expectStorageError(yield* post("/v2/storage/files/download", { file_id: "test_not_exist" }), "FileNotFound", 404)
      expectStorageError(yield* post("/v2/storage/files/download", { file_id: "" }), "FileNotFound", 404)
      const download = yield* post("/v2/storage/files/download", { file_id: id })
      assert.strictEqual(download.status, 200)
      assert.deepStrictEqual(download.bytes, PNG)
      assert.strictEqual(download.headers["content-disposition"], "attachment; filename=test01.png")
      assert.strictEqual(download.headers["content-type"], "application/octet-stream")
      const deleted = yield* call("/v2/storage/files/delete", { file_id: id })
      assert.deepStrictEqual(deleted, { id, object: "file", deleted: true })
      expectStorageError(yield* post("/v2/storage/files/delete", { file_id: id }), "FileNotFound")
      expectStorageError(yield* post("/v2/storage/files/query", { file_id: id }), "FileNotFound")
      assert.strictEqual(yield* fileCount, 0)
    })))

  it.effect("#32 download names the file after the last `filename=`, unquoted", () =>
    withEmulator(Effect.gen(function*() {
      const id = str(json(yield* execute(officialMultipart("my report (final).pdf", "%PDF"))), "id")
      const download = yield* post("/v2/storage/files/download", { file_id: id })
      const header = download.headers["content-disposition"] ?? ""
      assert.strictEqual(header, "attachment; filename=my_report_final.pdf")
      assert.strictEqual(header.slice(header.lastIndexOf("filename=") + "filename=".length), "my_report_final.pdf")
      const content = yield* post("/v2/storage/files/content", { file_id: id })
      assert.strictEqual(content.headers["content-type"], "application/pdf")
    })))

  it.effect("an oversized upload is refused and nothing is stored", () =>
    withEmulator(
      Effect.gen(function*() {
        expectStorageError(yield* upload("big.bin", new Uint8Array(11)), "InvalidParameter")
        expectStorageError(yield* upload("huge.bin", new Uint8Array(200_000)), "InvalidParameter")
        assert.strictEqual(yield* fileCount, 0)
        assert.strictEqual(json(yield* upload("ok.bin", new Uint8Array(10)))["bytes"], 10)
        assert.strictEqual(yield* fileCount, 1)
      }),
      { maxUploadBytes: 10 }
    ))

  it.effect("an upload without a `file` part, or not multipart, is refused", () =>
    withEmulator(Effect.gen(function*() {
      const form = new FormData()
      form.append("other", new Blob(["x"]), "a.txt")
      form.append("file", "not a file")
      const noFile = yield* execute(
        HttpClientRequest.post(`${BASE}/v2/storage/files`).pipe(
          HttpClientRequest.setHeaders(AUTH),
          HttpClientRequest.bodyFormData(form)
        )
      )
      expectStorageError(noFile, "InvalidParameter")
      expectStorageError(yield* post("/v2/storage/files", { file: "x" }), "InvalidParameter")
      const two = new FormData()
      two.append("file", new Blob(["a"]), "a.txt")
      two.append("file", new Blob(["b"]), "b.txt")
      expectStorageError(
        yield* execute(
          HttpClientRequest.post(`${BASE}/v2/storage/files`).pipe(
            HttpClientRequest.setHeaders(AUTH),
            HttpClientRequest.bodyFormData(two)
          )
        ),
        "InvalidParameter"
      )
      assert.strictEqual(yield* fileCount, 0)
    })))

  it.effect("storage errors: bad JSON, wrong types", () =>
    withEmulator(Effect.gen(function*() {
      const id = str(json(yield* upload("a.txt", "abc")), "id")
      expectApiError(
        yield* execute(
          HttpClientRequest.post(`${BASE}/v2/storage/files/delete`).pipe(
            HttpClientRequest.setHeaders(AUTH),
            HttpClientRequest.bodyText(`{"file_id": "${id}"`, "application/json")
          )
        ),
        "invalid_json",
        "",
        400
      )
      expectStorageError(yield* post("/v2/storage/files/query", { file_id: 123 }), "InvalidParameter")
      expectStorageError(yield* post("/v2/storage/files/delete", {}), "InvalidParameter")
      expectStorageError(yield* post("/v2/storage/files/content", { file_id: 1 }), "InvalidParameter", 400)
      assert.strictEqual(yield* fileCount, 1)
    })))

  it.effect("file types and content types come from the extension", () =>
    withEmulator(Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [string, string, string]> = [
        ["a.jpg", "image", "image/jpeg"],
        ["b.JPEG", "image", "image/jpeg"],
        ["c.txt", "document", "text/plain"],
        ["d.docx", "document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
        ["e.xyz", "document", "application/octet-stream"],
        ["noext", "document", "application/octet-stream"]
      ]
      for (const [name, type, mime] of cases) {
        const id = str(json(yield* upload(name, "x")), "id")
        assert.strictEqual((yield* call("/v2/storage/files/query", { file_id: id }))["file_type"], type, name)
        assert.strictEqual(
          (yield* post("/v2/storage/files/content", { file_id: id })).headers["content-type"],
          mime,
          name
        )
      }
    })))

  it("the secure-filename pass", () => {
    assert.strictEqual(secureFilename("测试 file.txt"), "file.txt")
    assert.strictEqual(secureFilename("a b  c.txt"), "a_b_c.txt")
    assert.strictEqual(secureFilename("../../etc/passwd"), "etcpasswd")
    assert.strictEqual(secureFilename("C:\\dir\\x.png"), "Cdirx.png")
    assert.strictEqual(secureFilename("中文"), "file")
    assert.strictEqual(secureFilename(""), "file")
    assert.strictEqual(secureFilename("tab\there\u0001.txt"), "tab_here.txt")
    assert.strictEqual(secureFilename("é.txt"), "e.txt")
  })

  it.effect("list: every file, newest first, no paging fields", () =>
    withEmulator(Effect.gen(function*() {
      const ids: Array<string> = []
      for (let i = 0; i < 25; i++) ids.push(str(json(yield* upload(`f${i}.txt`, "x")), "id"))
      const list = yield* call("/v2/storage/files/list", {})
      assert.deepStrictEqual(data(list).map((f) => f["id"]), [...ids].reverse())
      assert.isUndefined(list["has_more"])
    })))

  it.effect("deleting a file removes it from mounts and message attachments", () =>
    withEmulator(Effect.gen(function*() {
      const file = str(json(yield* upload("a.txt", "x")), "id")
      const keep = str(json(yield* upload("b.txt", "y")), "id")
      const assistant = str(yield* call("/v2/assistants", assistantBody({ file_ids: [file, keep] })), "id")
      const thread = str(yield* call("/v2/threads", { messages: [{ content: "hi", file_ids: [file, keep] }] }), "id")
      yield* call("/v2/storage/files/delete", { file_id: file })
      assert.deepStrictEqual((yield* call("/v2/assistants/query", { assistant_id: assistant }))["file_ids"], [keep])
      const mounts = yield* call("/v2/assistants/files/list", { assistant_id: assistant })
      assert.deepStrictEqual(data(mounts).map((m) => m["id"]), [keep])
      const messages = yield* call("/v2/threads/messages/list", { thread_id: thread })
      const message = data(messages)[0]!
      assert.deepStrictEqual(message["file_ids"], [keep])
      const files = yield* call("/v2/threads/messages/files/list", {
        thread_id: thread,
        message_id: str(message, "id")
      })
      assert.deepStrictEqual(data(files).map((f) => f["id"]), [keep])
    })))
})
