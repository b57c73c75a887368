import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Runtime from "effect/Runtime"
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

/**
 * Checks `property` for `RUNS` random cut sets of `bytes`, within one test and its test services: it.effect.prop
 * would build a new test environment for every run, which cost more than decoding the transcript.
 */
const anySplit = (
  bytes: Uint8Array,
  property: (chunks: Array<Uint8Array>) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    const runPromise = Runtime.runPromise(yield* Effect.runtime<never>())
    yield* Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(cutsFor(bytes), (cuts) => runPromise(property(split(bytes, cuts)))),
        { numRuns: RUNS }
      )
    )
  })

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

    it.effect(`(${name}) any split of the LF bytes`, () =>
      anySplit(lf, (chunks) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* decodeChunks(chunks), yield* reference)
        })))

    it.effect(`(${name}) any split of the CRLF bytes`, () =>
      anySplit(crlf, (chunks) =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* decodeChunks(chunks), yield* reference)
        })))
  }
})
