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
 * `write`, which completes once the client may take more.
 *
 * @since 0.1.0
 * @category models
 */
export type Writer = (write: (events: ReadonlyArray<string>) => Effect.Effect<void>) => Effect.Effect<void>

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
 * Writes `response` (status, headers, then the body through `writer`) to a Node response and ends it.
 *
 * Each batch is one `res.write`. With chunked transfer encoding (HTTP/1.1), Node would make that write
 * one HTTP chunk holding many events; the service sends (at least) one chunk per event, and so does the
 * emulator: it takes the framing over (`chunkedEncoding` off once the headers are stored) and writes
 * `<size>\r\n<event>\r\n` per event, then the final `0\r\n\r\n`. Without chunked encoding (an HTTP/1.0
 * client) the events are written as they are. Interrupted (the client went away), the response is ended,
 * so that the platform does not try to answer again.
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
    const write = (events: ReadonlyArray<string>): Effect.Effect<void> => {
      if (events.length === 0 || res.destroyed) return Effect.void
      let out = ""
      if (chunked) {
        for (const event of events) out += Buffer.byteLength(event).toString(16) + "\r\n" + event + "\r\n"
      } else {
        for (const event of events) out += event
      }
      return res.write(out) ? Effect.void : drained(res)
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
