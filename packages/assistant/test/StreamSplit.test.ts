import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import { decodeChunks, insideCharacters, lineFeeds, split, transcript, withCrlf } from "./fixtures/transcripts.js"

const names = ["a", "b", "c"] as const

// Runs per property. The "one byte per chunk" case already cuts every transcript at every position at
// once; the properties add random sets of up to 60 cuts, drawn mostly inside multi-byte characters and
// before LFs. 30 runs per property (180 random splits in all, it was 600) still cut every transcript in
// those places hundreds of times; each run decodes a whole transcript, which is what costs.
const RUNS = 30

/**
 * Cut positions: anywhere, or (more often than chance) inside a multi-byte character or just before a
 * LF (which splits a CRLF in the CRLF variant).
 */
const cutsFor = (bytes: Uint8Array) =>
  FastCheck.array(
    FastCheck.oneof(
      FastCheck.nat({ max: bytes.length }),
      FastCheck.constantFrom(...insideCharacters(bytes)),
      FastCheck.constantFrom(...lineFeeds(bytes))
    ),
    { maxLength: 60 }
  )

describe("run stream decoding is independent of chunk boundaries (spec §5.9 transcripts)", () => {
  for (const name of names) {
    const lf = transcript(name)
    const crlf = withCrlf(lf)
    const reference = Effect.runSync(Effect.cached(decodeChunks([lf])))

    it.effect(`(${name}) one chunk, CRLF, and one byte per chunk all decode alike`, () =>
      Effect.gen(function*() {
        const reference = yield* decodeChunks([lf])
        assert.isAbove(reference.length, 4)
        assert.deepStrictEqual(yield* decodeChunks([crlf]), reference)
        assert.deepStrictEqual(yield* decodeChunks(split(lf, Array.from(lf.keys()))), reference)
        assert.deepStrictEqual(yield* decodeChunks(split(crlf, Array.from(crlf.keys()))), reference)
      }))

    it.effect.prop(
      `(${name}) any split of the LF bytes`,
      [cutsFor(lf)],
      ([cuts]) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* decodeChunks(split(lf, cuts)), yield* reference)
        }),
      { fastCheck: { numRuns: RUNS } }
    )

    it.effect.prop(
      `(${name}) any split of the CRLF bytes`,
      [cutsFor(crlf)],
      ([cuts]) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* decodeChunks(split(crlf, cuts)), yield* reference)
        }),
      { fastCheck: { numRuns: RUNS } }
    )
  }
})
