/**
 * The run stream decodes its bytes in the reader's pull (`decodeSsePull`: UTF-8 and SSE in one step, no
 * stream stage): whatever the blocks and wherever the bytes are cut (inside a multi-byte character, a
 * CRLF, a block), it gives exactly the events of the two stream stages `decodeUtf8` then `decodeSse`,
 * and a failure of the bytes or an event too large for the parser ends it as those stages do.
 */
import * as Sse from "@effect/experimental/Sse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { decodeSse, decodeSsePull, decodeUtf8 } from "../src/internal/sse.js"

const BLOCKS = [
  "event: status\ndata: {\"send_id\":1}\n\n",
  "event: message\ndata: {\"v\":\"我是秦始皇 😀\"}\n\n",
  "event: ping\ndata: {}\n\n",
  "data: no event line\n\n",
  "event: m\ndata: line 1\ndata: line 2\n\n",
  ": a comment\nevent: status\ndata: x\n\n",
  "event: nodata\n\n",
  "event: status\r\ndata: crlf\r\n\r\n",
  "\n"
]

const cut = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Array<Uint8Array> = []
  let last = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(last, p))
    last = p
  }
  return out
}

/** Both chunk boundaries matter: the pieces go out two per chunk when `pairs` is set. */
const bytesOf = <E>(
  pieces: ReadonlyArray<Uint8Array>,
  pairs: boolean,
  end: Stream.Stream<Uint8Array, E> = Stream.empty
) =>
  Stream.concat(
    Stream.fromChunks(
      ...(pairs
        ? pieces.flatMap((_, i) => (i % 2 === 0 ? [Chunk.unsafeFromArray(pieces.slice(i, i + 2))] : []))
        : pieces.map((piece) => Chunk.of(piece)))
    ),
    end
  )

const label = (event: string, data: string) => `${event}|${data}`

/** The failure an exit ended with (none for a success, an interruption or a defect). */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): Option.Option<E> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/** Every event of the pull, then how it ended. */
const drainPull = <E>(bytes: Stream.Stream<Uint8Array, E>) =>
  Effect.scoped(Effect.gen(function*() {
    const pull = decodeSsePull(yield* Stream.toPull(bytes), label)
    const events: Array<string> = []
    for (;;) {
      const exit = yield* Effect.exit(pull)
      if (Exit.isSuccess(exit)) {
        assert.isTrue(exit.value.length > 0, "a pull gives at least one event")
        for (const event of exit.value) events.push(event)
        continue
      }
      return { events, exit }
    }
  }))

describe("decodeSsePull", () => {
  it.effect("gives the events of decodeUtf8 + decodeSse, wherever the bytes are cut", () =>
    Effect.gen(function*() {
      const cases = FastCheck.sample(
        FastCheck.tuple(
          FastCheck.array(FastCheck.integer({ min: 0, max: BLOCKS.length - 1 }), { minLength: 1, maxLength: 10 }),
          FastCheck.array(FastCheck.nat(), { maxLength: 12 }),
          FastCheck.boolean(),
          FastCheck.boolean()
        ),
        { numRuns: 150, seed: 11 }
      )
      for (const [picks, cuts, pairs, unterminated] of cases) {
        // a last block without its empty line is dispatched at the end too
        const text = picks.map((i) => BLOCKS[i]!).join("").slice(0, unterminated ? -1 : undefined)
        const pieces = cut(new TextEncoder().encode(text), cuts)
        const expected = yield* bytesOf(pieces, pairs).pipe(
          decodeUtf8,
          decodeSse,
          Stream.map((e) => label(e.event, e.data)),
          Stream.runCollect
        )
        const { events, exit } = yield* drainPull(bytesOf(pieces, pairs))
        assert.deepStrictEqual(events, Chunk.toReadonlyArray(expected), JSON.stringify({ text, cuts, pairs }))
        assert.deepStrictEqual(failureOf(exit), Option.some(Option.none()))
      }
    }))

  it.effect("a failure of the bytes fails the pull, after the events before it", () =>
    Effect.gen(function*() {
      const pieces = [new TextEncoder().encode("event: a\ndata: 1\n\nevent: b\ndata: 2")]
      const { events, exit } = yield* drainPull(bytesOf(pieces, false, Stream.fail("cut")))
      assert.deepStrictEqual(events, ["a|1"])
      assert.deepStrictEqual(failureOf(exit), Option.some(Option.some("cut")))
    }))

  it.effect("an event larger than 10 MiB gives the events before it, then the parser's error", () =>
    Effect.gen(function*() {
      const big = "x".repeat(10 * 1024 * 1024 + 1)
      const pieces = [new TextEncoder().encode(`event: a\ndata: 1\n\nevent: big\ndata: ${big}`)]
      const { events, exit } = yield* drainPull(bytesOf(pieces, false))
      assert.deepStrictEqual(events, ["a|1"])
      const failure = Option.flatten(failureOf(exit))
      assert.isTrue(Option.isSome(failure) && failure.value instanceof Sse.SseError)
    }))
})
