/**
 * The local side of file transfers: checking and reading an upload source, checking a download target
 * and writing a downloaded file. Local file-system problems found before anything is sent are
 * `ValidationError`s on the field that names the file (`path`, `directory`); a downloaded file that
 * cannot be written is a `FileWriteError`.
 *
 * @since 0.1.0
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { FileWriteError, HttpError, Issue, ValidationError } from "../AppBuilderError.js"
import type { UploadSource } from "../Files.js"
import { encodeRequest, orUndefined } from "./requestSchema.js"

// -----------------------------------------------------------------------------
// checks
// -----------------------------------------------------------------------------

/**
 * Checks two arguments of one call together: their values, or one `ValidationError` listing the problems
 * of both.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const checkBoth = <A, B>(
  operation: string,
  first: Effect.Effect<A, ValidationError>,
  second: Effect.Effect<B, ValidationError>
): Effect.Effect<readonly [A, B], ValidationError> =>
  Effect.all([first, second], { mode: "validate" }).pipe(
    Effect.mapError((errors) =>
      new ValidationError({
        operation,
        issues: errors.flatMap((error) => Option.isSome(error) ? error.value.issues : [])
      })
    )
  )

/** A local file-system problem, found before anything is sent. */
const fsIssue = (operation: string, field: string, message: string) =>
  new ValidationError({ operation, issues: [new Issue({ path: [field], message })] })

/** A string that is not empty. */
const NonEmpty = Schema.String.pipe(Schema.filter((value) => value !== "" || "must not be empty"))

/** A field that may be absent or `undefined`. */
const optionalField = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(orUndefined(schema), { exact: true })

const StreamValue = Schema.declare(
  (input): input is Stream.Stream<Uint8Array, unknown, unknown> => Predicate.hasProperty(input, Stream.StreamTypeId),
  { title: "a Stream" }
)

/** The shapes of the three upload sources. */
const sourceShapes = {
  path: Schema.Struct({ path: NonEmpty, filename: optionalField(Schema.String) }),
  bytes: Schema.Struct({ bytes: Schema.Uint8ArrayFromSelf, filename: Schema.String }),
  stream: Schema.Struct({ stream: StreamValue, filename: Schema.String })
}

/**
 * Checks an upload source against the shape its key announces: `path`, `bytes`, otherwise `stream`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const checkSource = (operation: string, source: unknown): Effect.Effect<unknown, ValidationError> =>
  Predicate.hasProperty(source, "path")
    ? encodeRequest(operation, sourceShapes.path, source)
    : Predicate.hasProperty(source, "bytes")
    ? encodeRequest(operation, sourceShapes.bytes, source)
    : encodeRequest(operation, sourceShapes.stream, source)

/**
 * Where a download is written (the options of `Files.download`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const DownloadTarget = Schema.Struct({
  directory: optionalField(Schema.String),
  path: optionalField(Schema.String)
})

/**
 * Makes sure the directory a download is written into exists (when one is given and no `path` is): a
 * `ValidationError` on `directory` otherwise.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const checkDirectory = (
  operation: string,
  target: Schema.Schema.Type<typeof DownloadTarget>
): Effect.Effect<void, ValidationError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const directory = target.directory
    if (target.path !== undefined || directory === undefined || directory === "") return
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(directory).pipe(
      Effect.mapError(() => fsIssue(operation, "directory", `no such directory: ${directory}`))
    )
    if (info.type !== "Directory") return yield* fsIssue(operation, "directory", `not a directory: ${directory}`)
  })

// -----------------------------------------------------------------------------
// reading and writing
// -----------------------------------------------------------------------------

const baseName = (path: string): string => {
  const parts = path.split(/[\\/]/)
  return parts[parts.length - 1] ?? ""
}

/**
 * The bytes and file name of an upload source (already checked): a local file is read here, a stream is
 * read completely (so that the request has a length and can be retried).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const readSource = <E, R>(
  operation: string,
  source: UploadSource<E, R>
): Effect.Effect<
  { readonly bytes: Uint8Array; readonly filename: string },
  ValidationError | E,
  R | FileSystem.FileSystem
> => {
  if ("path" in source) {
    return Effect.gen(function*() {
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
  if ("bytes" in source) return Effect.succeed({ bytes: source.bytes, filename: source.filename })
  return Stream.runFold(source.stream, new Uint8Array(0), (acc, chunk) => {
    const next = new Uint8Array(acc.length + chunk.length)
    next.set(acc, 0)
    next.set(chunk, acc.length)
    return next
  }).pipe(Effect.map((bytes) => ({ bytes, filename: source.filename })))
}

/**
 * The file name of a `Content-Disposition` value: the text after the last `filename=` (quotes removed,
 * directories stripped).
 *
 * @since 0.1.0
 * @category internal
 * @internal
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

/**
 * The `Transport` error of a response body that broke while it was read.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const bodyUnreadable =
  (operation: string, response: HttpClientResponse.HttpClientResponse) => (error: unknown): HttpError =>
    HttpError.transport({
      operation,
      description: "the response body could not be read",
      status: response.status,
      requestId: response.headers["x-appbuilder-request-id"],
      cause: Predicate.hasProperty(error, "cause") ? error.cause : undefined
    })

/**
 * Writes a download's body to disk as it arrives: to `target.path`, or into `target.directory` (default:
 * the current directory) under the response's `Content-Disposition` file name. Returns the path written.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const writeDownload = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  target: Schema.Schema.Type<typeof DownloadTarget>
): Effect.Effect<string, HttpError | FileWriteError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    let destination: string
    if (target.path !== undefined && target.path !== "") {
      destination = target.path
    } else {
      const filename = filenameFromContentDisposition(response.headers["content-disposition"])
      if (filename === undefined) {
        return yield* HttpError.decode({
          operation,
          description: "the response has no usable Content-Disposition file name",
          status: response.status,
          requestId: response.headers["x-appbuilder-request-id"]
        })
      }
      destination = joinPath(target.directory ?? "", filename)
    }
    yield* response.stream.pipe(
      Stream.mapError(bodyUnreadable(operation, response)),
      Stream.run(fs.sink(destination)),
      // a sink error is a local file-system problem, met after the request succeeded
      Effect.catchIf(
        (error): error is Exclude<typeof error, HttpError> => !(error instanceof HttpError),
        (error) =>
          Effect.fail(
            new FileWriteError({ operation, path: destination, description: error.description ?? error.message })
          )
      )
    )
    return destination
  })
