/**
 * Messages and pagination. A thread gets 12 messages; `messages.list` reads them one page at a time
 * (`limit`, `order`, and `after` = the `lastId` of the previous page, until `hasMore` is false), and
 * `messages.listAll` does the same as a `Stream` of messages: it fetches the next page only when the
 * consumer gets there, so `Stream.take(3)` reads one page, not all of them. Every `list` of the SDK has
 * its `listAll` (assistants, files, runs, run steps, a message's files).
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/messages-pagination.ts
 */
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Runtime from "./Runtime.js"

/** How many messages the thread holds, and the page size used to read them. */
const total = 12
const pageSize = 5

export const program = Effect.gen(function*() {
  const threads = yield* Threads.Threads
  const messages = yield* Messages.Messages

  // a thread (deleted at the end) with its first message, then the others added one by one
  const thread = yield* Effect.acquireRelease(
    threads.create({ messages: [{ content: "message 1" }] }),
    (created) => Effect.ignore(threads.delete(created.id))
  )
  for (let i = 2; i <= total; i++) {
    yield* messages.create({ threadId: thread.id, content: `message ${i}` })
  }
  yield* Console.log(`thread with ${total} messages`)

  // 1. page by page: `after` is the last id of the previous page, `hasMore` says whether to go on
  yield* Console.log(`pages of ${pageSize} (messages.list, oldest first):`)
  let after = ""
  let page = 0
  let hasMore = true
  while (hasMore) {
    const current = yield* messages.list({ threadId: thread.id, limit: pageSize, order: "asc", after })
    page += 1
    yield* Console.log(
      `  page ${page}: ${current.data.map((message) => message.text).join(", ")} (hasMore: ${current.hasMore})`
    )
    hasMore = current.hasMore
    after = current.lastId
  }

  // 2. the same as a stream: `listAll` follows the cursors itself
  const all = yield* messages.listAll({ threadId: thread.id, limit: pageSize, order: "asc" }).pipe(Stream.runCollect)
  const texts = Chunk.toReadonlyArray(all).map((message) => message.text)
  yield* Console.log(`listAll: ${texts.length} messages, from "${texts[0]}" to "${texts[texts.length - 1]}"`)

  // 3. a stream is lazy: the three newest messages take one request (the default order is newest first)
  const newest = yield* messages.listAll({ threadId: thread.id, limit: pageSize }).pipe(
    Stream.take(3),
    Stream.map((message) => message.text),
    Stream.runCollect
  )
  yield* Console.log(`the newest 3: ${Chunk.join(newest, ", ")}`)
}).pipe(Effect.scoped)

/** The services this example runs on (see Runtime.ts). */
export const layer = Runtime.layer()

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
