import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { decodeSse, decodeUtf8 } from "../src/internal/sse.js"

const parse = (...chunks: ReadonlyArray<string>) =>
  Stream.fromIterable(chunks).pipe(
    decodeSse,
    Stream.runCollect,
    Effect.map((events) => Chunk.toReadonlyArray(events).map(({ data, event }) => ({ event, data })))
  )

const parseBytes = (...chunks: ReadonlyArray<Uint8Array>) =>
  Stream.fromChunks(...chunks.map((bytes) => Chunk.of(bytes))).pipe(
    decodeUtf8,
    decodeSse,
    Stream.runCollect,
    Effect.map((events) => Chunk.toReadonlyArray(events).map(({ data, event }) => ({ event, data })))
  )

describe("Sse", () => {
  it.effect("one event per block", () =>
    Effect.gen(function*() {
      const events = yield* parse("event: status\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\n")
      assert.deepStrictEqual(events, [{ event: "status", data: "{\"a\":1}" }, { event: "ping", data: "{}" }])
    }))

  it.effect("default event name is message, multi-line data is joined with LF", () =>
    Effect.gen(function*() {
      const events = yield* parse("data: a\ndata:b\ndata:  c\n\n")
      assert.deepStrictEqual(events, [{ event: "message", data: "a\nb\n c" }])
    }))

  it.effect("comments, id, retry and unknown fields are ignored; blocks without data are dropped", () =>
    Effect.gen(function*() {
      const events = yield* parse(": hello\n\nretry: 3000\n\nid: 7\nevent: status\nfoo: bar\n: c\ndata: x\n\n")
      assert.deepStrictEqual(events, [{ event: "status", data: "x" }])
    }))

  it.effect("CRLF and CR line endings, with a CRLF split across chunks", () =>
    Effect.gen(function*() {
      const crlf = yield* parse("event: status\r", "\ndata: x\r", "\n\r", "\nevent: message\r\ndata: y\r\n\r\n")
      assert.deepStrictEqual(crlf, [{ event: "status", data: "x" }, { event: "message", data: "y" }])
      const cr = yield* parse("event: status\rdata: x\r\r", "event: message\r", "data: y\r", "\r")
      assert.deepStrictEqual(cr, [{ event: "status", data: "x" }, { event: "message", data: "y" }])
    }))

  it.effect("every single-character split gives the same events", () =>
    Effect.gen(function*() {
      const text = "event: status\r\ndata: {\"v\":\"北京\"}\r\n\r\n: c\n\nevent: message\ndata: a\ndata: b\n\n"
      const events = yield* parse(...text.split(""))
      assert.deepStrictEqual(events, [
        { event: "status", data: "{\"v\":\"北京\"}" },
        { event: "message", data: "a\nb" }
      ])
    }))

  it.effect("a complete last block without its empty line is dispatched, a truncated line is not", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* parse("event: status\ndata: x\n"), [{ event: "status", data: "x" }])
      assert.deepStrictEqual(yield* parse("event: status\ndata: x\r"), [{ event: "status", data: "x" }])
      assert.deepStrictEqual(yield* parse("event: status\ndata: {\"x\":"), [])
    }))

  it.effect("multi-byte UTF-8 characters split across byte chunks", () =>
    Effect.gen(function*() {
      const bytes = new TextEncoder().encode("event: message\ndata: 我是秦始皇\n\n")
      const chunks = Array.from(bytes, (b) => Uint8Array.of(b))
      assert.deepStrictEqual(yield* parseBytes(...chunks), [{ event: "message", data: "我是秦始皇" }])
    }))

  it.effect("an upstream failure is propagated after the events already parsed", () =>
    Effect.gen(function*() {
      const result = yield* Stream.make("data: a\n\n").pipe(
        Stream.concat(Stream.fail("boom" as const)),
        decodeSse,
        Stream.runCollect,
        Effect.either
      )
      assert.isTrue(result._tag === "Left" && result.left === "boom")
    }))
})
