/**
 * The Node server writes the emulator's event streams itself, a batch of events per socket write (see
 * `internal/directBody.ts`). What a client sees on the wire must not change: chunked transfer encoding
 * with one HTTP chunk per event (spec §5.2) and the chunked terminator, a connection still usable for the
 * next request, and for an HTTP/1.0 client the events unframed until the connection closes.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Emulator from "../src/Emulator.js"
import * as Server from "../src/Server.js"
import { postJsonTo } from "./utils/http.js"
import { runBody } from "./utils/runs.js"
import { chunksOf, exchange, rawRequest } from "./utils/socket.js"

const request = (version: "1.0" | "1.1", path: string, body: unknown) =>
  rawRequest("POST", version, path, JSON.stringify(body))

const setup = Effect.gen(function*() {
  const server = yield* Server.EmulatorServer
  const json = (path: string, body: unknown) => postJsonTo(server.url, path, body)
  const assistant = yield* json("/v2/assistants", { model: "ERNIE-4.0T-8K", name: "direct" })
  const thread = (chunks: number) => json("/v2/threads", { messages: [{ content: `please stream ${chunks} chunks` }] })
  return { url: server.url, assistantId: String(assistant["id"]), thread }
})

const END = "\"event_type\":\"run_end\""

describe("event streams written by the Node server", () => {
  it.live("one HTTP chunk per event, the chunked terminator, and the connection stays usable", () =>
    Effect.gen(function*() {
      const { assistantId, thread, url } = yield* setup
      const threadId = String((yield* thread(300))["id"])
      const stream = request("1.1", "/v2/threads/runs", runBody(assistantId, threadId, { stream: true }))
      const next = request("1.1", "/v2/threads/query", { thread_id: threadId })
      const text = yield* exchange(url, [stream, next], (t) => t.includes("\"object\":\"thread\""))
      const head = text.indexOf("\r\n\r\n")
      assert.match(text.slice(0, head), /^HTTP\/1\.1 200 OK\r\n/)
      assert.match(text.slice(0, head), /\r\ntransfer-encoding: chunked/i)
      const { chunks, rest } = chunksOf(Buffer.from(text.slice(head + 4)))
      // run_begin, tool_step_begin, message_creation, 300 messages, tool_step_end, run_end
      assert.strictEqual(chunks.length, 305)
      for (const chunk of chunks) assert.match(chunk, /^event: (status|message)\ndata: \{[^\n]*\}\n\n$/)
      assert.include(chunks[304], END)
      assert.deepStrictEqual(
        chunks.filter((c) => c.startsWith("event: message")).map((c) => JSON.parse(c.split("data: ")[1]!).send_id),
        Array.from({ length: 300 }, (_, i) => i + 4)
      )
      // the next request on the same connection is answered
      assert.match(rest, /^HTTP\/1\.1 200 OK\r\n/)
    }).pipe(
      Effect.scoped,
      Effect.timeout("20 seconds"),
      Effect.provide(Layer.merge(Emulator.layerServer(), FetchHttpClient.layer))
    ))

  it.live("an HTTP/1.0 client gets the events unframed, then the connection closes", () =>
    Effect.gen(function*() {
      const { assistantId, thread, url } = yield* setup
      const threadId = String((yield* thread(5))["id"])
      const text = yield* exchange(
        url,
        [request("1.0", "/v2/threads/runs", runBody(assistantId, threadId, { stream: true }))],
        () => false
      )
      const head = text.indexOf("\r\n\r\n")
      assert.notMatch(text.slice(0, head), /transfer-encoding/i)
      const events = text.slice(head + 4).split("\n\n")
      assert.strictEqual(events.pop(), "")
      assert.strictEqual(events.length, 10)
      assert.include(events[9], END)
    }).pipe(
      Effect.scoped,
      Effect.timeout("20 seconds"),
      Effect.provide(Layer.merge(Emulator.layerServer(), FetchHttpClient.layer))
    ))
})
