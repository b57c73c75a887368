/**
 * Event-stream bodies the Node server writes to the socket itself. The platform writes a `Stream` body
 * one `res.write` per element, through a stream executor and a fiber hop per pull: at 100,000 events that
 * is most of the emulator's CPU. A body registered here (the emulator's own event streams) hands whole
 * batches of framed events to a writer instead; `Server` writes each batch with one `res.write`, still
 * one HTTP chunk per event (see {@link writeNode}). The registered `Stream` stays the body everywhere
 * else (in process, and wherever a fault rewrites the body).
 *
 * @since 0.1.0
 */
import * as Cookies from "@effect/platform/Cookies"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as Http from "node:http"

/**
 * Runs a body to its end, handing every batch of events (their framed texts, one string per event) to
 * `write`, which completes once the client may take more. `ascii` tells that every character of the
 * batch is ASCII: one byte per character, so the texts' lengths are their sizes in bytes and encoding
 * them is a copy (`false` is always correct, only slower).
 *
 * @since 0.1.0
 * @category models
 */
export type Writer = (
  write: (events: ReadonlyArray<string>, ascii: boolean) => Effect.Effect<void>
) => Effect.Effect<void>

const writers = new WeakMap<Stream.Stream<Uint8Array, unknown, unknown>, Writer>()

/**
 * Registers the direct writer of a body stream (the stream and the writer produce the same bytes).
 *
 * @since 0.1.0
 * @category utils
 */
export const register = <E, R>(
  stream: Stream.Stream<Uint8Array, E, R>,
  writer: Writer
): Stream.Stream<Uint8Array, E, R> => {
  writers.set(stream, writer)
  return stream
}

/**
 * The direct writer to use for `response` answering a `method` request: none for `HEAD` (headers only) or
 * a response that sets cookies (their `Set-Cookie` headers are the generic writer's job).
 *
 * @since 0.1.0
 * @category utils
 */
export const writerFor = (
  method: string,
  response: HttpServerResponse.HttpServerResponse
): Writer | undefined =>
  method === "HEAD" || !Cookies.isEmpty(response.cookies) || response.body._tag !== "Stream"
    ? undefined
    : writers.get(response.body.stream)

/** Completes when `res` may be written again (`drain`), or when it is closed (the client went away). */
const drained = (res: Http.ServerResponse): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (res.destroyed || res.writableEnded) return resume(Effect.void)
    const done = () => {
      res.off("drain", done)
      res.off("close", done)
      resume(Effect.void)
    }
    res.on("drain", done)
    res.on("close", done)
    return Effect.sync(() => {
      res.off("drain", done)
      res.off("close", done)
    })
  })

/**
 * Characters of a batch's text handed to one `res.write` (the writes of a batch still leave in one
 * system call, Node corks the socket of a response until the next tick). Much larger strings cost more
 * per byte: V8 and Node allocate them apart (fresh pages, page faults), while these are recycled.
 */
const WRITE_SIZE = 32 * 1024

/**
 * Writes `response` (status, headers, then the body through `writer`) to a Node response and ends it.
 *
 * Each batch is one `res.write` per {@link WRITE_SIZE} characters. With chunked transfer encoding
 * (HTTP/1.1), Node would make each write one HTTP chunk holding many events; the service sends (at least)
 * one chunk per event, and so does the emulator: it takes the framing over (`chunkedEncoding` off once
 * the headers are stored) and writes `<size>\r\n<event>\r\n` per event, then the final `0\r\n\r\n`.
 * Without chunked encoding (an HTTP/1.0 client) the events are written as they are. Interrupted (the
 * client went away), the response is ended, so that the platform does not try to answer again.
 *
 * @since 0.1.0
 * @category writing
 */
export const writeNode = (
  res: Http.ServerResponse,
  response: HttpServerResponse.HttpServerResponse,
  writer: Writer
): Effect.Effect<void> =>
  Effect.suspend(() => {
    res.writeHead(response.status, response.headers)
    const chunked = res.chunkedEncoding
    res.chunkedEncoding = false
    const write = (events: ReadonlyArray<string>, ascii: boolean): Effect.Effect<void> => {
      if (events.length === 0 || res.destroyed) return Effect.void
      // ASCII text is the same bytes in Latin-1, which Node copies instead of encoding
      const encoding = ascii ? "latin1" : "utf8"
      let more = true
      let out = ""
      for (const event of events) {
        out += chunked
          ? (ascii ? event.length : Buffer.byteLength(event)).toString(16) + "\r\n" + event + "\r\n"
          : event
        if (out.length >= WRITE_SIZE) {
          more = res.write(out, encoding) && more
          out = ""
        }
      }
      if (out.length > 0) more = res.write(out, encoding) && more
      return more ? Effect.void : drained(res)
    }
    return writer(write).pipe(
      Effect.zipRight(Effect.sync(() => {
        if (chunked && !res.destroyed) res.write("0\r\n\r\n")
        res.end()
      })),
      Effect.interruptible,
      Effect.onInterrupt(() => Effect.sync(() => res.end()))
    )
  })
