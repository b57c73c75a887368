/**
 * The Node server frames an event stream's text itself (see `internal/directBody.ts`): a batch made only
 * of ASCII is counted and written as one byte per character, any other batch is encoded as UTF-8. Whatever
 * the text of the message chunks (Chinese, an emoji, characters JSON escapes, plain ASCII), every HTTP chunk
 * must hold exactly one event, its size in bytes, and the event must be the JSON the service sends.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Emulator from "../src/Emulator.js"
import * as ScriptedModel from "../src/ScriptedModel.js"
import * as Server from "../src/Server.js"
import { postJsonTo } from "./utils/http.js"
import { runBody } from "./utils/runs.js"
import { chunksOf, exchange, rawRequest } from "./utils/socket.js"

// plain ASCII chunks, then chunks that need escaping or more than one byte per character, then ASCII again
const CHUNKS = [
  "plain ",
  "ASCII ",
  "我是秦始皇，",
  "quote \" and \\ backslash",
  "line\nfeed\ttab",
  "emoji 😀 ",
  "del \u007f ",
  "ascii again",
  "最后。"
]

const setup = Effect.gen(function*() {
  const server = yield* Server.EmulatorServer
  const json = (path: string, body: unknown) => postJsonTo(server.url, path, body)
  // ASCII instructions: the status events (whose run object shows them) leave the message events to decide
  const assistant = yield* json("/v2/assistants", { model: "ERNIE-4.0T-8K", name: "text", instructions: "be brief" })
  const thread = yield* json("/v2/threads", { messages: [{ content: "hello" }] })
  return { url: server.url, body: runBody(String(assistant["id"]), String(thread["id"]), { stream: true }) }
})

/** The message events of a stream, as their data's JSON texts. */
const messageData = (events: ReadonlyArray<string>): ReadonlyArray<string> =>
  events.filter((event) => event.startsWith("event: message\n")).map((event) =>
    event.slice("event: message\ndata: ".length, -2)
  )

/** What the service sends for the chunks (keys in its order), given the first chunk's `send_id` and the message id. */
const expected = (firstSendId: number, messageId: string): ReadonlyArray<string> =>
  CHUNKS.map((text, i) => {
    const final = i === CHUNKS.length - 1
    const base = {
      status: final ? "completed" : "in_progress",
      send_id: firstSendId + i,
      is_end: final ? 1 : 0,
      message_id: messageId,
      message_index: "",
      content: [{ type: "text", text: { value: text, annotations: null } }]
    }
    return JSON.stringify(final ? { ...base, metadata: { finish_reason: "normal" } } : base)
  })

const server = Layer.merge(
  Emulator.layerServer({ script: ScriptedModel.Script.fromTurns([{ reply: CHUNKS }]) }),
  FetchHttpClient.layer
)

describe("event text written by the Node server", () => {
  it.live("HTTP/1.1: one chunk per event, sized in bytes, whatever the characters", () =>
    Effect.gen(function*() {
      const { body, url } = yield* setup
      const text = yield* exchange(
        url,
        [rawRequest("POST", "1.1", "/v2/threads/runs", JSON.stringify(body))],
        (t) => t.endsWith("\r\n0\r\n\r\n")
      )
      const bytes = Buffer.from(text)
      const head = bytes.indexOf("\r\n\r\n")
      assert.match(bytes.subarray(0, head).toString("latin1"), /\r\ntransfer-encoding: chunked/i)
      const events = chunksOf(bytes.subarray(head + 4)).chunks
      for (const event of events) assert.match(event, /^event: (status|message)\ndata: \{[^\n]*\}\n\n$/)
      const messages = messageData(events)
      assert.strictEqual(messages.length, CHUNKS.length)
      const first = JSON.parse(messages[0]!)
      assert.deepStrictEqual(messages, expected(first.send_id, first.message_id))
    }).pipe(Effect.scoped, Effect.timeout("20 seconds"), Effect.provide(server)))

  it.live("HTTP/1.0: the events unframed, as UTF-8", () =>
    Effect.gen(function*() {
      const { body, url } = yield* setup
      const text = yield* exchange(
        url,
        [rawRequest("POST", "1.0", "/v2/threads/runs", JSON.stringify(body))],
        () => false
      )
      const events = text.slice(text.indexOf("\r\n\r\n") + 4).split(/(?<=\n\n)/)
      const messages = messageData(events)
      assert.strictEqual(messages.length, CHUNKS.length)
      const first = JSON.parse(messages[0]!)
      assert.deepStrictEqual(messages, expected(first.send_id, first.message_id))
    }).pipe(Effect.scoped, Effect.timeout("20 seconds"), Effect.provide(server)))
})
