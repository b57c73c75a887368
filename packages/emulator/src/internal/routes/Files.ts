/**
 * The storage endpoints: upload, list, query, delete, download and content. Errors
 * use the storage family's shape: HTTP 200 `{"request_id","code","message"}`, except for
 * download/content of an unknown file, which answer 404 with the same JSON.
 *
 * @since 0.1.0
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as EmulatorConfig from "../../EmulatorConfig.js"
import * as ApiError from "../ApiError.js"
import * as FileTypes from "../fileTypes.js"
import type { JsonObject } from "../json.js"
import * as Multipart from "../multipart.js"
import * as Route from "../Route.js"
import * as Store from "../Store.js"
import * as Wire from "../Wire.js"

const storage = { family: "storage" } as const

/** Reads `file_id`: not a string → `InvalidParameter`; an unknown id → `FileNotFound` with `status`. */
const findFile = (
  store: Store.Service,
  body: JsonObject,
  status: 200 | 404
): Either.Either<Store.FileRecord, ApiError.StorageError> => {
  const id = body["file_id"]
  if (typeof id !== "string") {
    return Either.left(
      new ApiError.StorageError({
        status: status === 200 ? 200 : 400,
        code: "InvalidParameter",
        message: id === undefined || id === null ? "file_id is required" : "file_id must be a string"
      })
    )
  }
  const file = store.files.get(id)
  return file === undefined ? Either.left(ApiError.fileNotFound(id, status)) : Either.right(file)
}

const purposeOf = (url: string): string => {
  const index = url.indexOf("?")
  const purpose = index < 0 ? null : new URLSearchParams(url.slice(index + 1)).get("purpose")
  return purpose === null || purpose === "" ? "assistant" : purpose
}

const newFileId = (store: Store.Service): string => {
  let id = Store.Ids.file()
  while (store.files.has(id)) id = Store.Ids.file()
  return id
}

const upload = Route.make<Store.Store | EmulatorConfig.EmulatorConfig>(
  "/v2/storage/files",
  ({ bytes, request }) =>
    Effect.gen(function*() {
      const store = yield* Store.Store
      const config = yield* EmulatorConfig.EmulatorConfig
      const parts = yield* Either.mapLeft(
        Multipart.parse(request.headers["content-type"], bytes),
        ApiError.storageInvalid
      )
      const files = parts.filter((part) => part.key === "file" && part.filename !== undefined)
      if (files.length !== 1) {
        return yield* ApiError.storageInvalid(
          files.length === 0 ? "the form must have a file part named `file`" : "only one file per request"
        )
      }
      const part = files[0]!
      if (part.content.length > config.maxUploadBytes) {
        return yield* ApiError.storageInvalid(`file is larger than ${config.maxUploadBytes} bytes`)
      }
      const now = yield* Clock.currentTimeMillis
      const filename = FileTypes.secureFilename(part.filename ?? "")
      const file: Store.FileRecord = {
        id: newFileId(store),
        seq: store.nextSeq(),
        createAt: Math.floor(now / 1000),
        createdAtMillis: now,
        bytes: part.content,
        filename,
        purpose: purposeOf(request.url),
        classificationId: config.classificationId,
        censored: config.censored,
        fileType: FileTypes.fileType(filename),
        contentType: FileTypes.contentType(filename)
      }
      store.files.set(file.id, file)
      return Route.json(Wire.uploadedFile(file))
    }),
  { ...storage, body: "multipart" }
)

const list = Route.make<Store.Store>("/v2/storage/files/list", () =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    // all files, newest first, no paging fields (as the service answers)
    const files = [...store.files.values()].sort((a, b) => b.seq - a.seq)
    return Route.json({ object: "list", data: files.map(Wire.file) })
  }), storage)

const query = Route.make<Store.Store>("/v2/storage/files/query", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const file = yield* findFile(store, body, 200)
    return Route.json(Wire.file(file))
  }), storage)

const remove = Route.make<Store.Store>("/v2/storage/files/delete", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const file = yield* findFile(store, body, 200)
    store.files.delete(file.id)
    // a deleted file silently disappears from mounts and message attachments
    for (const [assistantId, mounts] of store.mounts) {
      store.mounts.set(assistantId, mounts.filter((m) => m.fileId !== file.id))
    }
    for (const assistant of store.assistants.values()) {
      assistant.fileIds = assistant.fileIds.filter((id) => id !== file.id)
    }
    for (const thread of store.threads.values()) {
      for (const message of thread.messages) message.fileIds = message.fileIds.filter((id) => id !== file.id)
    }
    return Route.json(Wire.deleted(file.id, "file"))
  }), storage)

const download = Route.make<Store.Store>("/v2/storage/files/download", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const file = yield* findFile(store, body, 404)
    // the official client takes everything after the last `filename=` literally: unquoted, last
    return HttpServerResponse.uint8Array(file.bytes, {
      contentType: "application/octet-stream",
      headers: { "content-disposition": `attachment; filename=${file.filename}` }
    })
  }), storage)

const content = Route.make<Store.Store>("/v2/storage/files/content", ({ body }) =>
  Effect.gen(function*() {
    const store = yield* Store.Store
    const file = yield* findFile(store, body, 404)
    return HttpServerResponse.uint8Array(file.bytes, { contentType: file.contentType })
  }), storage)

/**
 * Every storage route.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<Route.Route<Store.Store | EmulatorConfig.EmulatorConfig>> = [
  upload,
  list,
  query,
  remove,
  download,
  content
]
