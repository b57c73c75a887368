/**
 * `listAll` for every paged list: `Assistants.listAllMountedFiles` and `Messages.listAllFiles` follow the
 * pages of the in-process emulator until the last one.
 */
import * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Emulated from "./utils/Emulated.js"

const uploadFiles = (n: number) =>
  Effect.flatMap(Files.Files, (files) =>
    Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      (i) =>
        Effect.map(files.upload({ bytes: new TextEncoder().encode(`file ${i}`), filename: `f${i}.txt` }), (f) => f.id)
    ))

/** How many requests the emulator received on `path`. */
const hits = (path: string) =>
  Effect.map(EmulatorState.EmulatorState, (state) => state.requests).pipe(
    Effect.flatten,
    Effect.map((requests) => requests.filter((request) => request.path === path).length)
  )

/** A value of any type, as a JavaScript caller could pass it (no cast: parsed from JSON text). */
const untyped = <T>(json: string): T => JSON.parse(json)

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

describe("listAll over several pages", () => {
  it.effect("Assistants.listAllMountedFiles: every mounted file, two per page", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const fileIds = yield* uploadFiles(5)
      const assistant = yield* assistants.create({ name: "paged", fileIds })
      const all = yield* Stream.runCollect(
        assistants.listAllMountedFiles({ assistantId: assistant.id, limit: 2 })
      )
      const ids = Chunk.toArray(all).map((file) => file.id)
      assert.deepStrictEqual(sorted(ids), sorted(fileIds))
      assert.strictEqual(new Set(ids).size, 5)
      assert.isAtLeast(yield* hits("/v2/assistants/files/list"), 3, "three pages at least")
      // one page only: `listMountedFiles` itself
      const page = yield* assistants.listMountedFiles({ assistantId: assistant.id, limit: 2 })
      assert.strictEqual(page.data.length, 2)
      assert.isTrue(page.hasMore)
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("Messages.listAllFiles: every file of a message, three per page", () =>
    Effect.gen(function*() {
      const threads = yield* Threads.Threads
      const messages = yield* Messages.Messages
      const fileIds = yield* uploadFiles(7)
      const thread = yield* threads.create({ messages: [] })
      const message = yield* messages.create({ threadId: thread.id, content: "see the files", fileIds })
      const all = yield* Stream.runCollect(
        messages.listAllFiles({ threadId: thread.id, messageId: message.id, limit: 3 })
      )
      const ids = Chunk.toArray(all).map((file) => file.id)
      assert.deepStrictEqual(sorted(ids), sorted(fileIds))
      assert.strictEqual(new Set(ids).size, 7)
      assert.isAtLeast(yield* hits("/v2/threads/messages/files/list"), 3, "three pages at least")
    }).pipe(Effect.provide(Emulated.layer())))

  it.effect("both validate their input like the one-page calls (a ValidationError, nothing sent)", () =>
    Effect.gen(function*() {
      const messages = yield* Messages.Messages
      const assistants = yield* Assistants.Assistants
      const streams: ReadonlyArray<Stream.Stream<unknown, unknown>> = [
        messages.listAllFiles({ threadId: "", messageId: "" }),
        messages.listAllFiles(untyped<Messages.ListFilesInput>("null")),
        assistants.listAllMountedFiles(untyped<Assistants.ListMountedFilesInput>("null")),
        assistants.listAllMountedFiles({ limit: untyped<number>("\"ten\"") })
      ]
      for (const stream of streams) {
        const error = yield* Effect.flip(Stream.runDrain(stream))
        assert.isTrue(AppBuilderError.isValidationError(error), String(error))
      }
      assert.strictEqual(yield* hits("/v2/threads/messages/files/list"), 0)
      assert.strictEqual(yield* hits("/v2/assistants/files/list"), 0)
    }).pipe(Effect.provide(Emulated.layer())))
})
