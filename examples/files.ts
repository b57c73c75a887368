/**
 * Stored files: upload (from bytes in memory and from a local path), list, query, read the content,
 * download into a directory, mount a file on an assistant, list the mounted files, unmount, delete.
 *
 * Local files go through the `FileSystem` service of `@effect/platform` (provided here by
 * `NodeContext.layer`), so the program itself stays platform-independent and testable.
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/files.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "./Runtime.js"

export const program = Effect.gen(function*() {
  const files = yield* Files.Files
  const assistants = yield* Assistants.Assistants
  const fs = yield* FileSystem.FileSystem

  // A temporary directory, removed with its content when the program's scope closes.
  const tmp = yield* fs.makeTempDirectoryScoped({ prefix: "appbuilder-files-" })

  // Upload bytes held in memory: the file name is required.
  const fromBytes = yield* files.upload({
    bytes: new TextEncoder().encode("秦始皇统一了六国。\n"),
    filename: "notes.txt"
  })
  yield* Console.log(`uploaded bytes: ${fromBytes.id} ${fromBytes.filename} (${fromBytes.bytes} bytes)`)

  // Upload a local file: the name is the path's base name (or `filename` when given).
  const localPath = `${tmp}/report.md`
  yield* fs.writeFileString(localPath, "# Report\n\nEverything is fine.\n")
  const fromPath = yield* files.upload({ path: localPath })
  yield* Console.log(`uploaded path:  ${fromPath.id} ${fromPath.filename} (${fromPath.bytes} bytes)`)

  // List every file, and query one (query and list also give the audit status and file type).
  const all = yield* files.list()
  yield* Console.log(`listed: ${all.length} file(s), ours included: ${all.some((file) => file.id === fromPath.id)}`)
  const queried = yield* files.query(fromBytes.id)
  yield* Console.log(`queried: ${queried.filename}, type ${queried.fileType}, censored ${queried.censored}`)

  // Read the content into memory…
  const content = yield* files.content(fromBytes.id)
  yield* Console.log(`content (${content.contentType}): ${new TextDecoder().decode(content.content).trim()}`)

  // …or download it into a directory (named after the server's file name); the path written is returned.
  const downloads = `${tmp}/downloads`
  yield* fs.makeDirectory(downloads)
  const written = yield* files.download(fromPath.id, { directory: downloads })
  yield* Console.log(
    `downloaded to ${written.slice(tmp.length + 1)}: ${(yield* fs.readFileString(written)).split("\n")[0]}`
  )

  // Mount a file on an assistant, list what is mounted, unmount it.
  const assistant = yield* Effect.acquireRelease(
    assistants.create({ name: "librarian", description: "reads the mounted files" }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  yield* assistants.mountFile({ assistantId: assistant.id, fileId: fromBytes.id })
  const mounted = yield* assistants.listMountedFiles({ assistantId: assistant.id })
  yield* Console.log(`mounted on ${assistant.id}: ${mounted.data.map((file) => file.id).join(", ")}`)
  const unmounted = yield* assistants.unmountFile({ assistantId: assistant.id, fileId: fromBytes.id })
  yield* Console.log(`unmounted: ${unmounted.deleted}`)

  // Delete both files.
  for (const file of [fromBytes, fromPath]) {
    const deleted = yield* files.delete(file.id)
    yield* Console.log(`deleted ${deleted.id}: ${deleted.deleted}`)
  }
}).pipe(Effect.scoped)

/** The services this example runs on (see Runtime.ts), plus Node's file system. */
export const layer = Layer.merge(Runtime.layer(), NodeContext.layer)

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
