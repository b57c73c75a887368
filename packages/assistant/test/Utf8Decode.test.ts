/**
 * The run stream's UTF-8 decoding (each chunk decoded whole, the bytes of a character cut at a chunk's
 * end held back) gives exactly what one streaming `TextDecoder` gives, wherever the chunks are cut: on
 * valid text, on invalid bytes (replacement characters) and with a BOM (dropped once, at the start).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Stream from "effect/Stream"
import { decodeUtf8 } from "../src/internal/sse.js"

const decodeSplit = (bytes: Uint8Array, cuts: ReadonlyArray<number>) => {
  const positions = [...new Set(cuts.map((cut) => Math.min(cut, bytes.length)))].sort((a, b) => a - b)
  const chunks: Array<Uint8Array> = []
  let start = 0
  for (const cut of [...positions, bytes.length]) {
    chunks.push(bytes.slice(start, cut))
    start = cut
  }
  return Stream.fromChunks(...chunks.map((chunk) => Chunk.of(chunk))).pipe(
    decodeUtf8,
    Stream.runCollect,
    Effect.map((texts) => Chunk.join(texts, ""))
  )
}

/** One streaming decoder over every chunk: the reference. */
const reference = (bytes: Uint8Array): string => {
  const decoder = new TextDecoder()
  return decoder.decode(bytes, { stream: true }) + decoder.decode()
}

// bytes around every boundary of the UTF-8 ranges: ASCII, continuations, valid and invalid leads
const interesting = [
  0x00,
  0x0a,
  0x41,
  0x7f,
  0x80,
  0x8f,
  0x90,
  0x9f,
  0xa0,
  0xbf,
  0xc0,
  0xc1,
  0xc2,
  0xdf,
  0xe0,
  0xe1,
  0xec,
  0xed,
  0xee,
  0xef,
  0xf0,
  0xf1,
  0xf3,
  0xf4,
  0xf5,
  0xff,
  0xbb
]
const bytesArbitrary = FastCheck.oneof(
  FastCheck.array(FastCheck.constantFrom(...interesting), { maxLength: 24 }).map((xs) => Uint8Array.from(xs)),
  FastCheck.string({ unit: "binary", maxLength: 12 }).map((text) => new TextEncoder().encode(text)),
  FastCheck.string({ unit: "binary", maxLength: 8 }).map((text) =>
    Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text), 0xef, 0xbb, 0xbf])
  )
)

describe("decodeUtf8", () => {
  it.effect("equals one streaming TextDecoder, wherever the chunks are cut", () =>
    Effect.sync(() =>
      FastCheck.assert(
        FastCheck.property(
          bytesArbitrary.chain((bytes) =>
            FastCheck.tuple(
              FastCheck.constant(bytes),
              FastCheck.array(FastCheck.nat({ max: bytes.length }), { maxLength: 8 })
            )
          ),
          ([bytes, cuts]) => {
            assert.strictEqual(Effect.runSync(decodeSplit(bytes, cuts)), reference(bytes))
          }
        ),
        { numRuns: 200 }
      )
    ))

  it.effect("a character cut in every place, one byte per chunk, and a BOM dropped only at the start", () =>
    Effect.gen(function*() {
      const text = "\uFEFFa我😀é\uFEFFz"
      const bytes = new TextEncoder().encode(text)
      const oneByteEach = Array.from(bytes.keys())
      assert.strictEqual(yield* decodeSplit(bytes, oneByteEach), "a我😀é\uFEFFz")
      assert.strictEqual(yield* decodeSplit(bytes, []), "a我😀é\uFEFFz")
      // a character cut short by the end of the stream: one replacement character
      assert.strictEqual(yield* decodeSplit(bytes.slice(0, 6), [4, 5]), "a\uFFFD")
    }))
})
