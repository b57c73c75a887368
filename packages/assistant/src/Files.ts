/**
 * Stored files (`/v2/storage/files*`): upload, list, query, delete, download and content.
 *
 * The storage family reports errors differently from the rest of the API (a 200 body with `code` and
 * `message`, or a 404 for download/content); both become {@link HttpError}s.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { HttpError, Issue, ValidationError } from "./AppBuilderError.js"
import { AppBuilderClient, type Operation } from "./AppBuilderClient.js"
import { DeletionStatus } from "./Common.js"
import { nullOr, num, str } from "./internal/schema.js"
import * as V from "./internal/validation.js"

/**
 * A stored file. `createAt` is in **seconds** (the service's `create_at`). `censored` (the audit status:
 * −1 auditing, 0 not audited, 1 approved, 2 rejected, 3 needs further audit, 4/5 audit failed) and
 * `fileType` (`image` / `document`) are given by query and list only.
 *
 * @since 0.1.0
 * @category models
 */
export class File extends Schema.Class<File>("@effect-appbuilder/assistant/File")({
  id: str,
  bytes: num,
  object: str,
  purpose: str,
  createAt: num.pipe(Schema.fromKey("create_at")),
  filename: str,
  classificationId: str.pipe(Schema.fromKey("classification_id")),
  censored: nullOr(Schema.Number),
  fileType: str.pipe(Schema.fromKey("file_type"))
}) {}

/**
 * The answer of the files list: every file of the caller, no paging.
 *
 * @since 0.1.0
 * @category models
 */
export class FileList extends Schema.Class<FileList>("@effect-appbuilder/assistant/FileList")({
  object: str,
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
 * upload source, missing or non-directory download directory, unreadable / unwritable files) are
 * `ValidationError`s on the `path` / `directory` field.
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
  ) => Effect.Effect<string, HttpError | ValidationError, FileSystem.FileSystem>
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

const op = (name: string, idempotent: boolean): Operation => ({ name, idempotent })

const baseName = (path: string): string => {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] ?? ""
}

/**
 * The file name of a `Content-Disposition` value: the text after the last `filename=` (quotes removed,
 * directories stripped).
 *
 * @since 0.1.0
 * @category utils
 */
export const filenameFromContentDisposition = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined
  const index = value.lastIndexOf("filename=")
  if (index < 0) return undefined
  let name = value.slice(index + "filename=".length).trim()
  const semicolon = name.indexOf(";")
  if (semicolon >= 0 && !name.startsWith("\"")) name = name.slice(0, semicolon).trim()
  if (name.startsWith("\"") && name.endsWith("\"") && name.length >= 2) name = name.slice(1, -1)
  name = baseName(name)
  return name === "" || name === "." || name === ".." ? undefined : name
}

const joinPath = (directory: string, name: string): string =>
  directory === "" ? name : `${directory.replace(/[\\/]+$/, "")}/${name}`

const fsIssue = (operation: string, field: string, message: string) =>
  new ValidationError({ operation, issues: [new Issue({ path: [field], message })] })

const transportError = (operation: string, response: HttpClientResponse.HttpClientResponse) => (error: unknown) =>
  new HttpError({
    reason: "Transport",
    operation,
    description: "the response body could not be read",
    status: response.status,
    requestId: response.headers["x-appbuilder-request-id"],
    cause: Predicate.hasProperty(error, "cause") ? error.cause : undefined
  })

/**
 * Builds the files service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const fileIdBody = (operation: string, fileId: string) =>
    V.validate(operation, (c) => ({ file_id: V.id(c, ["fileId"], fileId) }))

  const readSource = <E, R>(
    operation: string,
    source: UploadSource<E, R>
  ): Effect.Effect<
    { readonly bytes: Uint8Array; readonly filename: string },
    ValidationError | E,
    R | FileSystem.FileSystem
  > => {
    if ("path" in source) {
      return Effect.gen(function*() {
        if (!Predicate.isString(source.path) || source.path === "") {
          return yield* fsIssue(operation, "path", "must be a non-empty string")
        }
        const fs = yield* FileSystem.FileSystem
        const info = yield* fs.stat(source.path).pipe(
          Effect.mapError(() => fsIssue(operation, "path", `no such file: ${source.path}`))
        )
        if (info.type !== "File") return yield* fsIssue(operation, "path", `not a regular file: ${source.path}`)
        const bytes = yield* fs.readFile(source.path).pipe(
          Effect.mapError((error) => fsIssue(operation, "path", `cannot read ${source.path}: ${error.message}`))
        )
        return { bytes, filename: source.filename ?? baseName(source.path) }
      })
    }
    if ("bytes" in source) {
      return source.bytes instanceof Uint8Array
        ? Effect.succeed({ bytes: source.bytes, filename: source.filename })
        : Effect.fail(fsIssue(operation, "bytes", "expected a Uint8Array"))
    }
    return Stream.runFold(source.stream, new Uint8Array(0), (acc, chunk) => {
      const next = new Uint8Array(acc.length + chunk.length)
      next.set(acc, 0)
      next.set(chunk, acc.length)
      return next
    }).pipe(Effect.map((bytes) => ({ bytes, filename: source.filename })))
  }

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
    const name = "Files.upload"
    return Effect.gen(function*() {
      const purpose = yield* V.validate(name, (c) => {
        const purpose = V.optionalString(c, ["purpose"], V.options(c, options).purpose, "assistant")
        if (!Predicate.isRecord(source)) {
          c.add([], "expected an upload source: { path }, { bytes, filename } or { stream, filename }")
        } else if ("path" in source) {
          V.optionalString(c, ["filename"], source.filename, "")
        } else {
          V.string(c, ["filename"], source.filename)
          // `bytes` is checked when it is read; a stream source must hold an Effect Stream
          if (!("bytes" in source) && !Predicate.hasProperty(Reflect.get(source, "stream"), Stream.StreamTypeId)) {
            c.add(["stream"], "expected a Stream")
          }
        }
        return purpose
      })
      const file = yield* readSource(name, source)
      const filename = file.filename === "" ? "file" : file.filename
      const result = yield* client.upload(
        op(name, false),
        "/v2/storage/files",
        { purpose },
        { field: "file", filename, bytes: file.bytes },
        File
      )
      yield* Effect.annotateCurrentSpan({ "appbuilder.file_id": result.id })
      return result
    }).pipe(Effect.withSpan(name))
  }

  const list = Effect.fn("Files.list")(function*() {
    const result = yield* client.post(op("Files.list", true), "/v2/storage/files/list", {}, FileList)
    return result.data
  })

  const query = Effect.fn("Files.query")(function*(fileId: string) {
    yield* Effect.annotateCurrentSpan({ "appbuilder.file_id": fileId })
    const body = yield* fileIdBody("Files.query", fileId)
    return yield* client.post(op("Files.query", true), "/v2/storage/files/query", body, File)
  })

  const delete_ = Effect.fn("Files.delete")(function*(fileId: string) {
    yield* Effect.annotateCurrentSpan({ "appbuilder.file_id": fileId })
    const body = yield* fileIdBody("Files.delete", fileId)
    return yield* client.post(op("Files.delete", false), "/v2/storage/files/delete", body, DeletionStatus)
  })

  const download = Effect.fn("Files.download")(function*(fileId: string, options?: DownloadOptions) {
    const name = "Files.download"
    yield* Effect.annotateCurrentSpan({ "appbuilder.file_id": fileId })
    const { body, target } = yield* V.validate(name, (c) => {
      const o = V.options(c, options)
      return {
        body: { file_id: V.id(c, ["fileId"], fileId) },
        target: {
          path: o.path === undefined ? undefined : V.string(c, ["path"], o.path),
          directory: o.directory === undefined ? undefined : V.string(c, ["directory"], o.directory)
        }
      }
    })
    const fs = yield* FileSystem.FileSystem
    if (target.path === undefined && target.directory !== undefined && target.directory !== "") {
      const directory = target.directory
      const info = yield* fs.stat(directory).pipe(
        Effect.mapError(() => fsIssue(name, "directory", `no such directory: ${directory}`))
      )
      if (info.type !== "Directory") return yield* fsIssue(name, "directory", `not a directory: ${directory}`)
    }
    return yield* Effect.scoped(Effect.gen(function*() {
      const response = yield* client.postRaw(op(name, true), "/v2/storage/files/download", body)
      let destination: string
      if (target.path !== undefined && target.path !== "") {
        destination = target.path
      } else {
        const filename = filenameFromContentDisposition(response.headers["content-disposition"])
        if (filename === undefined) {
          return yield* new HttpError({
            reason: "Decode",
            operation: name,
            description: "the response has no usable Content-Disposition file name",
            status: response.status,
            requestId: response.headers["x-appbuilder-request-id"]
          })
        }
        destination = joinPath(target.directory ?? "", filename)
      }
      yield* response.stream.pipe(
        Stream.mapError(transportError(name, response)),
        Stream.run(fs.sink(destination)),
        // a sink error is a local file-system problem
        Effect.catchIf(
          (error): error is Exclude<typeof error, HttpError> => !(error instanceof HttpError),
          (error) => Effect.fail(fsIssue(name, "path", `cannot write ${destination}: ${error.message}`))
        )
      )
      return destination
    }))
  })

  const content = Effect.fn("Files.content")(function*(fileId: string) {
    const name = "Files.content"
    yield* Effect.annotateCurrentSpan({ "appbuilder.file_id": fileId })
    const body = yield* fileIdBody(name, fileId)
    return yield* Effect.scoped(Effect.gen(function*() {
      const response = yield* client.postRaw(op(name, true), "/v2/storage/files/content", body)
      const buffer = yield* response.arrayBuffer.pipe(Effect.mapError(transportError(name, response)))
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
        const body = yield* fileIdBody(name, fileId)
        const response = yield* client.postRaw(op(name, true), "/v2/storage/files/content", body)
        return response.stream.pipe(Stream.mapError(transportError(name, response)))
      })
    ).pipe(Stream.withSpan(name, { attributes: { "appbuilder.file_id": fileId } }))
  }

  return Files.of({ upload, list, query, delete: delete_, download, content, contentStream })
})

/**
 * The files service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Files, never, AppBuilderClient> = Layer.effect(Files, make)
