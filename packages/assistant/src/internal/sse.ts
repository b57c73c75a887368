/**
 * Server-sent events decoding for run streams: the bytes of a streamed run or tool output submission,
 * turned into `event:` / `data:` events.
 *
 * Wraps the parser of `@effect/experimental/Sse` (not its channel, which sleeps on `retry:` fields) into
 * stream transformations. Canonical blocks (`event: <name>`, one `data: ` line, LF endings: what the
 * service sends) skip the parser, which costs several times more per character and rescans its buffer
 * for every line of one `feed` (so lines are fed one at a time); every other block goes through it.
 *
 * - {@link decodeUtf8}: bytes to text, each chunk decoded at once; a multi-byte character split across
 *   two chunks is held back and decoded once, whole (exactly what one streaming decoder gives).
 * - {@link decodeSse}: text to SSE events, whatever the chunk boundaries. Handles `LF`, `CRLF` and `CR`
 *   line endings (also a `CRLF` split between two chunks), comments, multi-line `data` (joined with `\n`),
 *   and ignores `id` and `retry`. Blocks without a `data` line are dropped. A last block that the byte
 *   stream ends without its empty line is still dispatched when its last line is complete (as the
 *   official client does); a truncated last line is discarded.
 * - {@link decodeSseWith}: the same, handing each event's name and data to a function instead of
 *   building an `Sse.Event` (the run stream decodes its events there).
 *
 * Only non-empty chunks are emitted, so that an idle timeout applied to the output measures the time
 * between events, not between bytes.
 *
 * @since 0.1.0
 */
import * as Sse from "@effect/experimental/Sse"
import type * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** The parser's default limit for one event (10 MiB). */
const MAX_EVENT_SIZE = 10 * 1024 * 1024

/**
 * The length of `bytes` without the start of a UTF-8 sequence cut short at its end (what a streaming
 * decoder would hold back for the next chunk). Holding back a few invalid bytes too is harmless: they
 * are decoded with the next chunk, as one decoder over both chunks would decode them.
 */
const completeLength = (bytes: Uint8Array): number => {
  const n = bytes.length
  // the last sequence's lead byte is at most 3 bytes back (continuation bytes are 0x80-0xbf)
  for (let back = 1; back <= 3 && back <= n; back++) {
    const byte = bytes[n - back]!
    if (byte < 0x80) return n
    if (byte >= 0xc0) {
      // the lead of a sequence of 2 (C0-DF), 3 (E0-EF) or 4 bytes (F0-FF): cut short when longer than back
      const length = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4
      return back < length ? n - back : n
    }
  }
  return n
}

/**
 * The state of one UTF-8 decoding of a byte stream: `decode` gives the text of the next bytes (without
 * the start of a character cut at their end, held back for the next call), `end` what is held back at
 * the end of the stream (an incomplete character becomes U+FFFD). A leading BOM is dropped.
 *
 * Each chunk is decoded whole, without the decoder's streaming mode: the bytes of a character cut at
 * the end of a chunk are held back and put before the next one. (Node's decoder in streaming mode goes
 * through ICU, four times slower per byte than its one-shot path.)
 */
const makeUtf8Decoder = (): { readonly decode: (input: Uint8Array) => string; readonly end: () => string } => {
  // the BOM is dropped by hand, once: the decoder would drop one at the start of every chunk
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true })
  let started = false
  // the start of a character cut at the end of the last chunk
  let held: Uint8Array | undefined
  const decodeWhole = (bytes: Uint8Array): string => {
    let text = decoder.decode(bytes)
    if (!started && text.length > 0) {
      started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    return text
  }
  const decode = (input: Uint8Array): string => {
    let bytes = input
    if (held !== undefined) {
      const joined = new Uint8Array(held.length + input.length)
      joined.set(held)
      joined.set(input, held.length)
      bytes = joined
      held = undefined
    }
    const complete = completeLength(bytes)
    if (complete < bytes.length) {
      held = new Uint8Array(bytes.subarray(complete))
      bytes = bytes.subarray(0, complete)
    }
    return bytes.length === 0 ? "" : decodeWhole(bytes)
  }
  const end = (): string => {
    const rest = held === undefined ? "" : decodeWhole(held)
    held = undefined
    return rest
  }
  return { decode, end }
}

/**
 * Decodes a byte stream as UTF-8 (characters split across chunks are decoded correctly; an incomplete
 * character at the very end becomes U+FFFD). A leading BOM is dropped.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeUtf8 = <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<string, E, R> =>
  Stream.suspend(() => {
    const decoder = makeUtf8Decoder()
    const loop: Channel.Channel<Chunk.Chunk<string>, Chunk.Chunk<Uint8Array>, E, E, unknown, unknown> = Channel
      .readWithCause({
        onInput: (chunk: Chunk.Chunk<Uint8Array>) => {
          let text = ""
          for (const bytes of chunk) {
            text += decoder.decode(bytes)
          }
          return text.length === 0 ? loop : Channel.zipRight(Channel.write(Chunk.of(text)), loop)
        },
        onFailure: (cause: Cause.Cause<E>) => Channel.failCause(cause),
        onDone: () => {
          const rest = decoder.end()
          return rest.length === 0 ? Channel.void : Channel.write(Chunk.of(rest))
        }
      })
    return Stream.pipeThroughChannel(self, loop)
  })

/**
 * The head of a canonical block at the index it is set to: `event: <name>` and the start of the data
 * line (its compiled matcher is cheaper than `startsWith` at an offset, a runtime call in V8).
 */
const CANONICAL_HEAD = /event: ([^\n]+)\ndata: /y

/**
 * A canonical block, `event: <name>\ndata: <one line>` between `start` and `end` (the LF ending its
 * data line) with LF endings, as the service sends it: hands its name and data to `make`, or returns
 * `false` (nothing made) for any other block.
 */
const canonicalEvent = <A>(
  input: string,
  start: number,
  end: number,
  make: (event: string, data: string) => A,
  pending: Array<A>
): boolean => {
  CANONICAL_HEAD.lastIndex = start
  const head = CANONICAL_HEAD.exec(input)
  // (the head holds one LF, so it ends before the block's empty line: the data starts at `end` at most)
  if (head === null) return false
  const dataStart = CANONICAL_HEAD.lastIndex
  if (input.indexOf("\n", dataStart) !== end) return false
  pending.push(make(head[1]!, input.slice(dataStart, end)))
  return true
}

/**
 * Feeds `input` to `parser` one line at a time: the parser rescans its buffer from the start for every
 * line of one `feed` call (quadratic in the number of lines of a chunk).
 */
const feedLineByLine = (parser: Sse.Parser, input: string): Sse.SseError | undefined => {
  let start = 0
  for (;;) {
    const end = input.indexOf("\n", start)
    if (end === -1 || end === input.length - 1) return parser.feed(start === 0 ? input : input.slice(start))
    const error = parser.feed(input.slice(start, end + 1))
    if (error !== undefined) return error
    start = end + 1
  }
}

interface SseDecoder<A> {
  /** Decodes the next piece of text; the events found are kept until {@link SseDecoder.drain}. */
  readonly feed: (text: string) => Sse.SseError | undefined
  /** Decodes what remains at the end of the text (a last block without its empty line). */
  readonly finish: () => Sse.SseError | undefined
  /** The events decoded since the last call. */
  readonly drain: () => Chunk.Chunk<A>
}

/**
 * The state of one SSE decoding. Canonical blocks (see {@link canonicalEvent}) are dispatched
 * directly: the parser costs several times more per character. Every other block, and everything once
 * a CR has been seen, goes through the parser. Blocks are handed over whole, so the parser is always at
 * a block boundary when it gets input.
 */
const makeSseDecoder = <A>(make: (event: string, data: string) => A): SseDecoder<A> => {
  let pending: Array<A> = []
  // A CR at the end of a chunk is held back until the next one: the parser would otherwise read the
  // LF of a split CRLF as an empty line (which dispatches, or resets, the pending event).
  let heldCarriageReturn = false
  // Whether the last character fed ended a line (decides whether the remainder is dispatched at the end).
  let lastEndedLine = true
  const parser = Sse.makeParser((event) => {
    if (event._tag === "Event") pending.push(make(event.event, event.data))
  })
  // the text after the last complete block, and whether the parser has taken over
  let carry = ""
  let general = false
  const feedGeneral = (text: string): Sse.SseError | undefined => {
    if (text.length === 0) return undefined
    const last = text[text.length - 1]
    lastEndedLine = last === "\n" || last === "\r"
    let input = heldCarriageReturn ? "\r" + text : text
    heldCarriageReturn = last === "\r"
    if (heldCarriageReturn) input = input.slice(0, -1)
    return input.length === 0 ? undefined : feedLineByLine(parser, input)
  }
  const toGeneral = (text: string): Sse.SseError | undefined => {
    general = true
    const rest = carry
    carry = ""
    return feedGeneral(rest + text)
  }
  const feed = (text: string): Sse.SseError | undefined => {
    if (general) return feedGeneral(text)
    if (text.includes("\r")) return toGeneral(text)
    const input = carry === "" ? text : carry + text
    let start = 0
    for (;;) {
      // a block ends with the LF of its last line followed by the LF of the empty line
      const end = input.indexOf("\n\n", start)
      if (end === -1) break
      if (!canonicalEvent(input, start, end, make, pending)) {
        const error = feedGeneral(input.slice(start, end + 2))
        if (error !== undefined) return error
      }
      start = end + 2
    }
    carry = start === 0 ? input : input.slice(start)
    // an event too large for the parser: let it say so
    return carry.length > MAX_EVENT_SIZE ? toGeneral("") : undefined
  }
  const finish = (): Sse.SseError | undefined => {
    const error = carry === "" ? undefined : toGeneral("")
    if (error !== undefined || !lastEndedLine) return error
    // Terminate the pending block, if any: `\n\n` after a complete line dispatches it; after an
    // already complete block it is two empty lines, which do nothing.
    const terminated = parser.feed((heldCarriageReturn ? "\r" : "") + "\n\n")
    heldCarriageReturn = false
    return terminated
  }
  const drain = (): Chunk.Chunk<A> => {
    const out = Chunk.unsafeFromArray(pending)
    pending = []
    return out
  }
  return { feed, finish, drain }
}

const sseEvent = (event: string, data: string): Sse.Event => ({ _tag: "Event", event, id: undefined, data })

/**
 * Decodes a text stream into SSE events (see the module documentation for the exact rules).
 * Fails with `Sse.SseError` when one event exceeds 10 MiB.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeSse = <E, R>(self: Stream.Stream<string, E, R>): Stream.Stream<Sse.Event, E | Sse.SseError, R> =>
  decodeSseWith(sseEvent)(self)

/**
 * {@link decodeSse} handing each event's name and data to `make` instead of building an `Sse.Event`:
 * the run stream decodes its events right there, so that a long stream allocates no intermediate
 * event object per event.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeSseWith =
  <A>(make: (event: string, data: string) => A) =>
  <E, R>(self: Stream.Stream<string, E, R>): Stream.Stream<A, E | Sse.SseError, R> =>
    Stream.suspend(() => {
      const decoder = makeSseDecoder(make)
      const emit = <OutErr, OutDone>(
        next: Channel.Channel<Chunk.Chunk<A>, Chunk.Chunk<string>, OutErr, E, OutDone, unknown>
      ): Channel.Channel<Chunk.Chunk<A>, Chunk.Chunk<string>, OutErr, E, OutDone | void, unknown> => {
        const out = decoder.drain()
        return Chunk.isEmpty(out) ? next : Channel.zipRight(Channel.write(out), next)
      }
      const loop: Channel.Channel<Chunk.Chunk<A>, Chunk.Chunk<string>, E | Sse.SseError, E, unknown, unknown> = Channel
        .readWithCause({
          onInput: (chunk: Chunk.Chunk<string>) => {
            for (const text of chunk) {
              const error = decoder.feed(text)
              if (error !== undefined) return emit(Channel.fail(error))
            }
            return emit(loop)
          },
          onFailure: (cause: Cause.Cause<E>) => emit(Channel.failCause(cause)),
          onDone: () => {
            const error = decoder.finish()
            return error === undefined ? emit(Channel.void) : emit(Channel.fail(error))
          }
        })
      return Stream.pipeThroughChannel(self, loop)
    })

/**
 * {@link decodeUtf8} and {@link decodeSseWith} in one step, over the pull of a byte stream rather than
 * as two stream stages (each a channel of its own, with its executor steps for every chunk): each pull
 * of the result reads byte chunks until they complete at least one event (or the bytes end) and gives
 * the events found; the rules are those of both stages. The end of the bytes gives the last events, if
 * any, then the end (`Option.none()`); a failure of the bytes fails the pull; an event too large for the
 * parser gives the events before it, then the `Sse.SseError`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeSsePull = <A, E, R>(
  pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E>, R>,
  make: (event: string, data: string) => A
): Effect.Effect<Chunk.Chunk<A>, Option.Option<E | Sse.SseError>, R> => {
  const utf8 = makeUtf8Decoder()
  const sse = makeSseDecoder(make)
  // the end of the decoding, once decided: handed over after the events found before it
  let ended: Exit.Exit<never, Option.Option<E | Sse.SseError>> | undefined
  const onBytes = (
    bytes: Chunk.Chunk<Uint8Array>
  ): Effect.Effect<Chunk.Chunk<A>, Option.Option<E | Sse.SseError>, R> => {
    for (const piece of bytes) {
      const text = utf8.decode(piece)
      const error = text.length === 0 ? undefined : sse.feed(text)
      if (error !== undefined) {
        ended = Exit.fail(Option.some(error))
        return give()
      }
    }
    return give()
  }
  const onEnd = (
    failure: Option.Option<E>
  ): Effect.Effect<Chunk.Chunk<A>, Option.Option<E | Sse.SseError>, R> => {
    if (Option.isSome(failure)) return Exit.fail(failure)
    const rest = utf8.end()
    const error = (rest.length === 0 ? undefined : sse.feed(rest)) ?? sse.finish()
    ended = error === undefined ? Exit.fail(Option.none()) : Exit.fail(Option.some(error))
    return give()
  }
  // the events found, else (nothing complete yet) the next bytes, else the end
  const give = (): Effect.Effect<Chunk.Chunk<A>, Option.Option<E | Sse.SseError>, R> => {
    const out = sse.drain()
    if (!Chunk.isEmpty(out)) return Exit.succeed(out)
    return ended ?? next
  }
  const next: Effect.Effect<Chunk.Chunk<A>, Option.Option<E | Sse.SseError>, R> = Effect.matchEffect(pull, {
    onFailure: onEnd,
    onSuccess: onBytes
  })
  return Effect.suspend(give)
}
