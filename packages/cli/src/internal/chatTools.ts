/**
 * Loading the toolkit of `appbuilder chat --tools <module>`: a `.js`/`.mjs` module, or a `.ts`/`.mts`
 * one (after registering tsx's loader), whose default export or `toolkit` export is a
 * `ToolLoop.toolkit(...)`. Every problem is a `ChatError` with one readable line.
 *
 * @internal
 */
import type { ToolCall } from "@effect-appbuilder/assistant/Runs"
import type * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"

/**
 * A failure of `appbuilder chat` before the conversation starts (a bad `--tools` module, …): `message`
 * is the one line the command prints.
 *
 * @internal
 */
export class ChatError extends Data.TaggedError("ChatError")<{ readonly message: string }> {}

/** A tool of the loaded module: its handler may fail with anything, and needs no service. @internal */
export type LoadedTool = ToolLoop.Tool<string, unknown, never>

/** A tool that crashed (threw, or died) instead of failing: its output tells the model so. */
class ToolCrashed extends Data.TaggedError("ToolCrashed")<{ readonly message: string }> {}

const isLoadedTool = (u: unknown): u is LoadedTool =>
  Predicate.isRecord(u) && u["_tag"] === "Tool" && typeof u["name"] === "string" &&
  typeof u["execute"] === "function" && Predicate.isRecord(u["definition"])

const describe = (u: unknown): string =>
  u instanceof Error ? u.message : Predicate.hasProperty(u, "message") ? String(u.message) : String(u)

/**
 * The tool as loaded, except that a defect of its handler (a thrown exception) becomes a failure, which
 * the tool loop turns into an `error: …` output instead of stopping the chat.
 */
const guarded = (tool: LoadedTool): LoadedTool => ({
  ...tool,
  execute: (call: ToolCall) =>
    Effect.catchAllDefect(
      Effect.suspend(() => tool.execute(call)),
      (defect) => Effect.fail(new ToolCrashed({ message: `the tool crashed: ${describe(defect)}` }))
    )
})

const TS_EXTENSIONS = [".ts", ".mts", ".cts", ".tsx"]

/**
 * Registers tsx's ESM loader so that `import()` of a TypeScript module works (a no-op cost when the
 * process already runs under tsx: the hooks chain).
 */
const registerTsx = Effect.tryPromise({
  try: () => import("tsx/esm/api").then((tsx) => tsx.register()),
  catch: (cause) => new ChatError({ message: `cannot load TypeScript tools modules: ${describe(cause)}` })
})

/**
 * The tools of a module exporting a toolkit (default export, or `export const toolkit`).
 *
 * @internal
 */
export const loadToolkit = (
  spec: string
): Effect.Effect<ReadonlyArray<LoadedTool>, ChatError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const fail = (reason: string) => new ChatError({ message: `cannot load tools from ${spec}: ${reason}` })
    const file = path.resolve(spec)
    const exists = yield* fs.exists(file).pipe(Effect.orElseSucceed(() => false))
    if (!exists) return yield* fail("no such file")
    if (TS_EXTENSIONS.includes(path.extname(file))) yield* registerTsx
    const url = yield* path.toFileUrl(file).pipe(Effect.mapError((error) => fail(error.message)))
    const module: unknown = yield* Effect.tryPromise({
      try: () => import(url.href),
      catch: (cause) => fail(describe(cause).split("\n")[0] ?? "")
    })
    const exported = Predicate.isRecord(module)
      ? Predicate.isRecord(module["toolkit"]) ? module["toolkit"] : module["default"]
      : undefined
    if (!Predicate.isRecord(exported) || !(exported["tools"] instanceof Map)) {
      return yield* fail("expected a default export or `export const toolkit` made with ToolLoop.toolkit(...)")
    }
    const tools: Array<LoadedTool> = []
    for (const [name, tool] of exported["tools"]) {
      if (!isLoadedTool(tool)) return yield* fail(`the toolkit entry ${String(name)} is not a ToolLoop.tool(...)`)
      tools.push(guarded(tool))
    }
    if (tools.length === 0) return yield* fail("the toolkit has no tools")
    return tools
  })
