/**
 * Stored files (`/v2/storage/files*`): upload, list, query, delete, download and content.
 *
 * The storage family reports errors differently from the rest of the API (a 200 body with `code` and
 * `message`, or a 404 for download/content); both become {@link HttpError}s.
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { AppBuilderClient, type Service as ClientService } from "./AppBuilderClient.js"
import type { FileWriteError, HttpError, ValidationError } from "./AppBuilderError.js"
import { DeletionStatus } from "./Common.js"
import * as Endpoint from "./internal/endpoint.js"
import * as Transfer from "./internal/fileTransfer.js"
import { encodeRequest, Id, required, withDefault } from "./internal/requestSchema.js"
import { lenientNumber, lenientString, nullOr } from "./internal/schema.js"

/**
 * A stored file. `createAt` is in **seconds** (the service's `create_at`). `censored` (the audit status:
 * −1 auditing, 0 not audited, 1 approved, 2 rejected, 3 needs further audit, 4/5 audit failed) and
 * `fileType` (`image` / `document`) are given by query and list only.
 *
 * @since 0.1.0
 * @category models
 */
export class File extends Schema.Class<File>("@effect-appbuilder/assistant/File")({
  id: lenientString,
  bytes: lenientNumber,
  object: lenientString,
  purpose: lenientString,
  createAt: lenientNumber.pipe(Schema.fromKey("create_at")),
  filename: lenientString,
  classificationId: lenientString.pipe(Schema.fromKey("classification_id")),
  censored: nullOr(Schema.Number),
  fileType: lenientString.pipe(Schema.fromKey("file_type"))
}) {}

/**
 * The answer of the files list: every file of the caller, no paging.
 *
 * @since 0.1.0
 * @category models
 */
export class FileList extends Schema.Class<FileList>("@effect-appbuilder/assistant/FileList")({
  object: lenientString,
  data: Schema.optionalWith(Schema.Array(File), { default: () => [], nullable: true })
}) {}

/**
 * The bytes of a file and their content type.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileContent {
  readonly contentType: string
  readonly content: Uint8Array
}

/**
 * Upload a local file. The uploaded name is the path's base name unless `filename` is given.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UploadFromPath {
  readonly path: string
  readonly filename?: string | undefined
}

/**
 * Upload bytes held in memory.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UploadFromBytes {
  readonly bytes: Uint8Array
  readonly filename: string
}

/**
 * Upload a byte stream (it is read completely before the request is sent, so that the request has a
 * length and can be retried).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UploadFromStream<E, R> {
  readonly stream: Stream.Stream<Uint8Array, E, R>
  readonly filename: string
}

/**
 * @since 0.1.0
 * @category inputs
 */
export type UploadSource<E = never, R = never> = UploadFromPath | UploadFromBytes | UploadFromStream<E, R>

/**
 * @since 0.1.0
 * @category inputs
 */
export interface UploadOptions {
  /** Sent as the `purpose` query parameter. Default `assistant`. */
  readonly purpose?: string | undefined
}

/**
 * Where {@link Service.download} writes. With `path`, the file is written there; otherwise it is written
 * into `directory` (default: the current directory), named after the response's `Content-Disposition`.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface DownloadOptions {
  readonly directory?: string | undefined
  readonly path?: string | undefined
}

/**
 * The files service.
 *
 * Choices: `download` and `content` do not make the official client's pre-query (the service answers an
 * unknown id with 404, reported as an `HttpError` with `status` 404). Local file-system problems (missing
 * upload source, missing or non-directory download directory, unreadable upload source) are
 * `ValidationError`s on the `path` / `directory` field, found before anything is sent. A downloaded file
 * that cannot be written to disk is a {@link FileWriteError}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Uploads a file (multipart field `file`, `purpose` query parameter). */
  readonly upload: {
    (
      source: UploadFromPath,
      options?: UploadOptions
    ): Effect.Effect<File, HttpError | ValidationError, FileSystem.FileSystem>
    (source: UploadFromBytes, options?: UploadOptions): Effect.Effect<File, HttpError | ValidationError>
    <E, R>(
      source: UploadFromStream<E, R>,
      options?: UploadOptions
    ): Effect.Effect<File, HttpError | ValidationError | E, R>
  }
  /** Every file of the caller (the service does not page this list). */
  readonly list: () => Effect.Effect<ReadonlyArray<File>, HttpError>
  readonly query: (fileId: string) => Effect.Effect<File, HttpError | ValidationError>
  readonly delete: (fileId: string) => Effect.Effect<DeletionStatus, HttpError | ValidationError>
  /** Downloads a file to disk; returns the path written. */
  readonly download: (
    fileId: string,
    options?: DownloadOptions
  ) => Effect.Effect<string, HttpError | ValidationError | FileWriteError, FileSystem.FileSystem>
  /** The file's bytes and content type. */
  readonly content: (fileId: string) => Effect.Effect<FileContent, HttpError | ValidationError>
  /** The file's bytes as a stream (the request is aborted when the stream stops early). */
  readonly contentStream: (fileId: string) => Stream.Stream<Uint8Array, HttpError | ValidationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Files extends Context.Tag("@effect-appbuilder/assistant/Files")<Files, Service>() {}

// -----------------------------------------------------------------------------
// requests
// -----------------------------------------------------------------------------

/**
 * A stored file's id.
 *
 * @since 0.1.0
 * @category requests
 */
export const FileRefRequest = Schema.Struct({ fileId: required(Id, "file_id") })

/**
 * The query parameters of {@link Service.upload}.
 *
 * @since 0.1.0
 * @category requests
 */
export const UploadRequest = Schema.Struct({
  /** Default `assistant`. */
  purpose: withDefault(Schema.String, "assistant")
})

/**
 * The operations of the files service.
 */
const endpoints = {
  upload: Endpoint.make({
    name: "Files.upload",
    path: "/v2/storage/files",
    idempotent: false,
    request: UploadRequest,
    response: File
  }),
  list: Endpoint.make({
    name: "Files.list",
    path: "/v2/storage/files/list",
    idempotent: true,
    request: Schema.Struct({}),
    response: FileList
  }),
  query: Endpoint.make({
    name: "Files.query",
    path: "/v2/storage/files/query",
    idempotent: true,
    request: FileRefRequest,
    response: File,
    spanAttributes: ["file_id"]
  }),
  delete: Endpoint.make({
    name: "Files.delete",
    path: "/v2/storage/files/delete",
    idempotent: false,
    request: FileRefRequest,
    response: DeletionStatus,
    spanAttributes: ["file_id"]
  }),
  download: Endpoint.make({
    name: "Files.download",
    path: "/v2/storage/files/download",
    idempotent: true,
    request: FileRefRequest,
    // the answer is the file's bytes, written to disk as they arrive
    response: Schema.Uint8ArrayFromSelf,
    spanAttributes: ["file_id"]
  }),
  content: Endpoint.make({
    name: "Files.content",
    path: "/v2/storage/files/content",
    idempotent: true,
    request: FileRefRequest,
    // the answer is the file's bytes
    response: Schema.Uint8ArrayFromSelf,
    spanAttributes: ["file_id"]
  })
}

/**
 * The file name of a `Content-Disposition` value: the text after the last `filename=` (quotes removed,
 * directories stripped).
 *
 * @since 0.1.0
 * @category utils
 */
export const filenameFromContentDisposition: (value: string | undefined) => string | undefined =
  Transfer.filenameFromContentDisposition

// -----------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------

/**
 * Checks the upload source and options (one `ValidationError` for both), reads the source and sends it.
 */
const uploadWith = (client: ClientService): Service["upload"] => {
  function upload(
    source: UploadFromPath,
    options?: UploadOptions
  ): Effect.Effect<File, HttpError | ValidationError, FileSystem.FileSystem>
  function upload(source: UploadFromBytes, options?: UploadOptions): Effect.Effect<File, HttpError | ValidationError>
  function upload<E, R>(
    source: UploadFromStream<E, R>,
    options?: UploadOptions
  ): Effect.Effect<File, HttpError | ValidationError | E, R>
  function upload<E, R>(
    source: UploadSource<E, R>,
    options?: UploadOptions
  ): Effect.Effect<File, HttpError | ValidationError | E, R | FileSystem.FileSystem> {
    const endpoint = endpoints.upload
    return Effect.gen(function*() {
      const [query] = yield* Transfer.checkBoth(
        endpoint.name,
        Endpoint.encode(endpoint, options === undefined ? {} : options),
        Transfer.checkSource(endpoint.name, source)
      )
      const file = yield* Transfer.readSource(endpoint.name, source)
      const filename = file.filename === "" ? "file" : file.filename
      const result = yield* Endpoint.upload(client, endpoint, query, { field: "file", filename, bytes: file.bytes })
      yield* Effect.annotateCurrentSpan({ "appbuilder.file_id": result.id })
      return result
    }).pipe(Effect.withSpan(endpoint.name))
  }
  return upload
}

/**
 * Builds the files service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient
  const query = Endpoint.call(client, endpoints.query)
  const delete_ = Endpoint.call(client, endpoints.delete)

  // the service does not page this list: there is nothing to check, the body is always `{}`
  const list = Effect.fn("Files.list")(function*() {
    const result = yield* Endpoint.send(client, endpoints.list, {})
    return result.data
  })

  const download = Effect.fn("Files.download")(function*(fileId: string, options?: DownloadOptions) {
    const endpoint = endpoints.download
    const [body, target] = yield* Transfer.checkBoth(
      endpoint.name,
      Endpoint.encode(endpoint, { fileId }),
      encodeRequest(endpoint.name, Transfer.DownloadTarget, options === undefined ? {} : options)
    )
    yield* Endpoint.annotate(endpoint, body)
    yield* Transfer.checkDirectory(endpoint.name, target)
    return yield* Effect.scoped(
      Effect.flatMap(
        Endpoint.raw(client, endpoint, body),
        (response) => Transfer.writeDownload(endpoint.name, response, target)
      )
    )
  })

  const content = Effect.fn("Files.content")(function*(fileId: string) {
    const endpoint = endpoints.content
    const body = yield* Endpoint.encode(endpoint, { fileId })
    yield* Endpoint.annotate(endpoint, body)
    return yield* Effect.scoped(Effect.gen(function*() {
      const response = yield* Endpoint.raw(client, endpoint, body)
      const buffer = yield* response.arrayBuffer.pipe(Effect.mapError(Transfer.bodyUnreadable(endpoint.name, response)))
      const result: FileContent = {
        contentType: response.headers["content-type"] ?? "application/octet-stream",
        content: new Uint8Array(buffer)
      }
      return result
    }))
  })

  const contentStream = (fileId: string): Stream.Stream<Uint8Array, HttpError | ValidationError> => {
    const name = "Files.contentStream"
    return Stream.unwrapScoped(
      Effect.gen(function*() {
        const body = yield* encodeRequest(name, FileRefRequest, { fileId })
        const response = yield* Endpoint.raw(client, endpoints.content, body, { operation: name })
        return response.stream.pipe(Stream.mapError(Transfer.bodyUnreadable(name, response)))
      })
    ).pipe(Stream.withSpan(name, { attributes: { "appbuilder.file_id": fileId } }))
  }

  return Files.of({
    upload: uploadWith(client),
    list,
    query: (fileId) => query({ fileId }),
    delete: (fileId) => delete_({ fileId }),
    download,
    content,
    contentStream
  })
})

/**
 * The files service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Files, never, AppBuilderClient> = Layer.effect(Files, make)
