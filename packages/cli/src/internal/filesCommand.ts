/**
 * `appbuilder files upload|list|download|delete`. Uploads and downloads stream the bytes (no whole-file
 * buffer on our side) and draw a progress bar on stderr when it is a terminal.
 *
 * @since 0.1.0
 * @internal
 */
import * as Common from "@effect-appbuilder/assistant/Common"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { CliSettings } from "../Connection.js"
import * as Ansi from "./ansi.js"
import * as Output from "./output.js"
import * as Progress from "./progress.js"

const view = (file: Files.File): string =>
  Output.record([
    ["id", Ansi.cyan(file.id)],
    ["filename", file.filename],
    ["bytes", String(file.bytes)],
    ["purpose", file.purpose],
    ["type", file.fileType],
    ["created", Output.time(file.createAt)]
  ])

const fileId = Args.text({ name: "file-id" }).pipe(Args.withDescription("The file's id."))

const upload = Command.make("upload", {
  path: Args.file({ name: "path", exists: "yes" }).pipe(Args.withDescription("The local file to upload.")),
  purpose: Options.text("purpose").pipe(Options.withDescription("Default assistant."), Options.optional),
  filename: Options.text("filename").pipe(
    Options.withDescription("The name the service records (default: the file's base name)."),
    Options.optional
  )
}, (input) =>
  Effect.gen(function*() {
    const files = yield* Files.Files
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const settings = yield* CliSettings
    const info = yield* fs.stat(input.path)
    const progress = yield* Progress.make(settings.stderr, "uploading", Number(info.size))
    const file = yield* files.upload({
      stream: fs.stream(input.path).pipe(Stream.tap((chunk) => progress.advance(chunk.length))),
      filename: Option.getOrElse(input.filename, () => path.basename(input.path))
    }, { purpose: Option.getOrUndefined(input.purpose) }).pipe(Effect.ensuring(progress.finish))
    yield* Output.emit(Files.File, file, view)
  })).pipe(Command.withDescription("Upload a file."))

const list = Command.make("list", {}, () =>
  Effect.gen(function*() {
    const files = yield* Files.Files
    const all = yield* files.list()
    yield* Output.emit(Schema.Array(Files.File), all, (all) =>
      Output.table(
        ["ID", "FILENAME", "BYTES", "PURPOSE", "CREATED"],
        all.map((file) => [
          Ansi.cyan(file.id),
          file.filename,
          String(file.bytes),
          file.purpose,
          Output.time(file.createAt)
        ])
      ))
  })).pipe(Command.withDescription("List the uploaded files."))

/** What `files download --json` prints. */
const Downloaded = Schema.Struct({ id: Schema.String, path: Schema.String, bytes: Schema.Number })

const download = Command.make("download", {
  fileId,
  output: Options.file("output").pipe(
    Options.withAlias("o"),
    Options.withDescription("Where to write the file (default: its filename in the current directory)."),
    Options.optional
  ),
  force: Options.boolean("force").pipe(Options.withDescription("Overwrite an existing file."))
}, (input) =>
  Effect.gen(function*() {
    const files = yield* Files.Files
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const settings = yield* CliSettings
    const file = yield* files.query(input.fileId)
    const target = Option.getOrElse(input.output, () => path.basename(file.filename === "" ? file.id : file.filename))
    if (!input.force && (yield* fs.exists(target))) {
      return yield* Effect.fail(new DownloadRefused({ path: target }))
    }
    const progress = yield* Progress.make(settings.stderr, "downloading", file.bytes)
    let written = 0
    yield* files.contentStream(input.fileId).pipe(
      Stream.tap((chunk) => {
        written += chunk.length
        return progress.advance(chunk.length)
      }),
      Stream.run(fs.sink(target)),
      Effect.ensuring(progress.finish)
    )
    yield* settings.json
      ? Output.emit(Downloaded, { id: file.id, path: target, bytes: written }, () => "")
      : Console.log(`downloaded ${Ansi.cyan(file.id)} to ${target} (${Progress.size(written)})`)
  })).pipe(Command.withDescription("Download a file's content."))

const del = Command.make("delete", { fileId }, ({ fileId }) =>
  Effect.gen(function*() {
    const files = yield* Files.Files
    const status = yield* files.delete(fileId)
    yield* Output.emit(Common.DeletionStatus, status, (status) => `deleted ${Ansi.cyan(status.id)}`)
  })).pipe(Command.withDescription("Delete a file."))

/**
 * `files download` would overwrite an existing file without `--force`.
 *
 * @internal
 */
export class DownloadRefused extends Schema.TaggedError<DownloadRefused>()("DownloadRefused", {
  path: Schema.String
}) {
  override get message(): string {
    return `${this.path} exists (use --force to overwrite, or --output to choose another path)`
  }
}

/** @internal */
export const command = Command.make("files").pipe(
  Command.withDescription("Upload, list, download and delete files."),
  Command.withSubcommands([upload, list, download, del])
)
