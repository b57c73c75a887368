/**
 * `decodeSse` dispatches canonical blocks itself and hands every other block to `Sse.makeParser`:
 * whatever the mix of blocks and the chunk boundaries, the events must be exactly those of the parser
 * alone (fed one character at a time, its reference behaviour).
 */
import * as Sse from "@effect/experimental/Sse"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import { decodeSse } from "../src/internal/sse.js"

/**
 * The parser alone, one character at a time (a CRLF pair at once: the parser reads a CRLF split over two
 * feeds as two line ends, which `decodeSse` avoids), plus the end-of-stream rule of `decodeSse`.
 */
const reference = (text: string) => {
  const events: Array<{ event: string; data: string }> = []
  const parser = Sse.makeParser((e) => {
    if (e._tag === "Event") events.push({ event: e.event, data: e.data })
  })
  const chars = [...text]
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === "\r" && chars[i + 1] === "\n") parser.feed(chars[i++] + "\n")
    else parser.feed(chars[i]!)
  }
  if (text.endsWith("\n") || text.endsWith("\r")) parser.feed("\n\n")
  return events
}

const decode = (chunks: ReadonlyArray<string>) =>
  Stream.fromChunks(...chunks.map((c) => Chunk.of(c))).pipe(
    decodeSse,
    Stream.runCollect,
    Effect.map((events) => Chunk.toReadonlyArray(events).map(({ data, event }) => ({ event, data })))
  )

const BLOCKS = [
  "event: status\ndata: {\"send_id\":1}\n\n", // canonical
  "event: message\ndata: {\"v\":\"我是秦始皇\"}\n\n", // canonical, multi-byte
  "event: ping\ndata: {}\n\n", // canonical
  "event:  spaced\ndata:  two spaces\n\n", // canonical: one space removed, the second kept
  "event: status\ndata: \n\n", // canonical, empty data
  "data: no event line\n\n", // default name
  "event: m\ndata: line 1\ndata: line 2\n\n", // multi-line data
  ": a comment\nevent: status\ndata: x\n\n", // comment
  "id: 7\nretry: 3000\nevent: status\ndata: y\n\n", // id and retry ignored
  "event: nodata\n\n", // dropped
  "event:\ndata: empty name\n\n",
  "data:no space\nevent:status\n\n",
  "event: status\r\ndata: crlf\r\n\r\n", // CRLF: everything after it goes through the parser
  "\n" // a stray empty line
]

const split = (text: string, cuts: ReadonlyArray<number>): Array<string> => {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
  const out: Array<string> = []
  let last = 0
  for (const p of points) {
    out.push(text.slice(last, p))
    last = p
  }
  out.push(text.slice(last))
  return out.filter((s) => s.length > 0)
}

describe("decodeSse: fast path and parser agree", () => {
  it.effect("400 random mixes of blocks, split at random points, give the parser's events", () =>
    Effect.gen(function*() {
      const cases = FastCheck.sample(
        FastCheck.tuple(
          FastCheck.array(FastCheck.integer({ min: 0, max: BLOCKS.length - 1 }), { minLength: 1, maxLength: 12 }),
          FastCheck.array(FastCheck.nat(), { maxLength: 10 })
        ),
        { numRuns: 400, seed: 5 }
      )
      for (const [picks, cuts] of cases) {
        const text = picks.map((i) => BLOCKS[i]!).join("")
        const events = yield* decode(split(text, cuts))
        assert.deepStrictEqual(events, reference(text), JSON.stringify(text))
      }
    }))

  it.effect("an event larger than 10 MiB fails like the parser does", () =>
    Effect.gen(function*() {
      const huge = "x".repeat(5 * 1024 * 1024)
      const result = yield* decode(["event: status\ndata: ", huge, huge, huge, "\n\n"]).pipe(Effect.either)
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.instanceOf(result.left, Sse.SseError)
    }))
})
