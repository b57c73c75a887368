/**
 * Server-sent events as the service frames them: every event is exactly
 * `event: <name>\ndata: <compact JSON>\n\n`. `send_id` counts the status and message events of one
 * stream (1, 2, 3, …); pings (`event: ping\ndata: {}`) carry none. One `Uint8Array` (one HTTP chunk) per event.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as DirectBody from "./directBody.js"
import type { JsonObject } from "./json.js"
import * as RunEvents from "./runEvents.js"
import type * as RunHandle from "./runHandle.js"
import type * as RunHub from "./runHub.js"
import * as Shutdown from "./shutdown.js"
import * as Wire from "./Wire.js"

const encoder = new TextEncoder()

/** Events pulled at most at once by a stream body. */
const BATCH = 256

/**
 * The text of one event block.
 *
 * @since 0.1.0
 * @category encoding
 */
export const frame = (name: string, data: string): string => `event: ${name}\ndata: ${data}\n\n`

/**
 * The JSON payload of a status or message event with its `send_id`, keys in the order the service sends them.
 *
 * @since 0.1.0
 * @category encoding
 */
export const payload = (event: RunEvents.StatusEvent | RunEvents.MessageEvent, sendId: number): JsonObject => {
  if (event._tag === "Status") {
    return {
      status: event.status,
      send_id: sendId,
      message: event.message,
      event_type: event.eventType,
      details: event.details
    }
  }
  const base = {
    status: event.final ? "completed" : "in_progress",
    send_id: sendId,
    is_end: event.final ? 1 : 0,
    message_id: event.messageId,
    message_index: "",
    content: [Wire.textContent(event.text, null)]
  }
  return event.final ? { ...base, metadata: { finish_reason: "normal" } } : base
}

// The constant parts of a message event's framed JSON (see `messageText`).
const MESSAGE_HEAD = "event: message\ndata: {\"status\":\"in_progress\",\"send_id\":"
const FINAL_MESSAGE_HEAD = "event: message\ndata: {\"status\":\"completed\",\"send_id\":"
const CONTENT_HEAD = ",\"message_index\":\"\",\"content\":[{\"type\":\"text\",\"text\":{\"value\":"
const MESSAGE_TAIL = ",\"annotations\":null}}]}\n\n"
const FINAL_MESSAGE_TAIL = ",\"annotations\":null}}],\"metadata\":{\"finish_reason\":\"normal\"}}\n\n"

/**
 * Whether `text` is its own JSON string body: printable ASCII without `"` and `\` (no escaping, and
 * one byte per character in UTF-8). Message chunks mostly are; a loop over their few characters costs
 * less than `JSON.stringify`.
 */
const isPlain = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return false
  }
  return true
}

/** Whether every character of `text` is ASCII (one byte per character in UTF-8). */
const isAscii = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return false
  }
  return true
}

/**
 * The framed text of a message event: exactly `frame("message", JSON.stringify(payload(event, sendId)))`,
 * built by concatenation because message chunks are the bulk of a stream (only the id and the text need
 * escaping; `plain`: the text needs none, see `isPlain`).
 */
const messageText = (event: RunEvents.MessageEvent, sendId: number, plain: boolean): string =>
  (event.final ? FINAL_MESSAGE_HEAD : MESSAGE_HEAD) +
  sendId +
  (event.final ? ",\"is_end\":1,\"message_id\":" : ",\"is_end\":0,\"message_id\":") +
  quotedId(event.messageId) +
  CONTENT_HEAD +
  (plain ? "\"" + event.text + "\"" : JSON.stringify(event.text)) +
  (event.final ? FINAL_MESSAGE_TAIL : MESSAGE_TAIL)

// Every chunk of an answer carries the same message id: its JSON text is kept from one chunk to the next.
let lastId = ""
let lastQuotedId = "\"\""
let lastIdAscii = true
const quotedId = (id: string): string => {
  if (id !== lastId) {
    lastId = id
    lastQuotedId = JSON.stringify(id)
    lastIdAscii = isAscii(lastQuotedId)
  }
  return lastQuotedId
}

/**
 * The framed text of one status or message event.
 *
 * @since 0.1.0
 * @category encoding
 */
export const text = (event: RunEvents.StatusEvent | RunEvents.MessageEvent, sendId: number): string =>
  event._tag === "Message"
    ? messageText(event, sendId, isPlain(event.text))
    : frame("status", JSON.stringify(payload(event, sendId)))

/**
 * One status or message event, framed and encoded.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (event: RunEvents.StatusEvent | RunEvents.MessageEvent, sendId: number): Uint8Array =>
  encoder.encode(text(event, sendId))

const pingText = frame("ping", "{}")

/**
 * The bytes of a ping event.
 *
 * @since 0.1.0
 * @category encoding
 */
export const ping = (): Uint8Array => encoder.encode(pingText)

/**
 * Cuts encoded events at their ends: every event ends with an empty line (`\n\n`), which appears
 * nowhere else in an event (the data is compact JSON, whose strings escape line feeds).
 */
const splitEvents = (bytes: Uint8Array): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  let start = 0
  let index = bytes.indexOf(10)
  while (index >= 0 && index + 1 < bytes.length) {
    if (bytes[index + 1] === 10) {
      out.push(bytes.subarray(start, index + 2))
      start = index + 2
      index = bytes.indexOf(10, start)
    } else {
      index = bytes.indexOf(10, index + 1)
    }
  }
  if (start < bytes.length) out.push(bytes.subarray(start))
  return out
}

/** The framed texts of a batch of events, one string per event, in order. */
interface Frames {
  readonly texts: ReadonlyArray<string>
  /** Every character of every text is ASCII: one byte each in UTF-8 (see {@link DirectBody.Writer}). */
  readonly ascii: boolean
}

/**
 * Takes the events pending (waiting for one) and returns them framed; `undefined` once the stream has
 * ended. A batch may be empty (only a `Detach`).
 */
type Pull = Effect.Effect<Frames | undefined>

/**
 * The streams to end when a server stops, by the server's shutdown signal: ONE waiting fiber per server
 * (not one per stream), forked with the first stream and ended with the server.
 */
const shutdownListeners = new WeakMap<Effect.Effect<void>, Set<() => void>>()

/** Calls `listener` once `shutdown` completes; answers the function that forgets it. */
const onShutdown = (shutdown: Effect.Effect<void>, listener: () => void): Effect.Effect<() => void> =>
  Effect.suspend(() => {
    const known = shutdownListeners.get(shutdown)
    const listeners = known ?? new Set<() => void>()
    listeners.add(listener)
    const forget = () => {
      listeners.delete(listener)
    }
    if (known !== undefined) return Effect.succeed(forget)
    shutdownListeners.set(shutdown, listeners)
    const notify = Effect.sync(() => {
      if (shutdownListeners.get(shutdown) === listeners) shutdownListeners.delete(shutdown)
      for (const notified of listeners) notified()
      listeners.clear()
    })
    return Effect.as(Effect.forkDaemon(Effect.zipRight(shutdown, notify)), forget)
  })

/** A stream's reading side: its pulls, and the synchronous cleanup to run once when it ends. */
interface Opened {
  readonly pull: Pull
  /** Forgets the stream's ping alarm and its shutdown listener; later pulls end the stream. */
  readonly close: () => void
}

/**
 * Starts reading `subscription`: the caller runs `close` however the stream ends (uninterruptibly
 * attached, see `body`). Per batch, not per event: one `takeBatch`, one clock read; the events themselves
 * are framed by plain string concatenation (see `messageText`).
 */
const open = (
  subscription: RunHub.Subscription,
  pingInterval: Duration.Duration,
  pings: RunHandle.Alarms,
  serverShutdown: Option.Option<Effect.Effect<void>>
): Effect.Effect<Opened> =>
  Effect.gen(function*() {
    let sendId = 0
    let done = false
    let lastActivity = yield* Clock.currentTimeMillis
    let alarm: RunHandle.Alarm | undefined
    let forgetShutdown: (() => void) | undefined
    const close = () => {
      done = true
      if (alarm !== undefined) pings.unsafeCancel(alarm)
      alarm = undefined
      if (forgetShutdown !== undefined) forgetShutdown()
      forgetShutdown = undefined
    }
    if (Option.isSome(serverShutdown)) {
      forgetShutdown = yield* onShutdown(serverShutdown.value, () => subscription.unsafeInterject(RunEvents.detach))
    }
    if (Duration.greaterThan(pingInterval, Duration.zero) && Duration.isFinite(pingInterval)) {
      const interval = Duration.toMillis(pingInterval)
      // a ping when nothing was sent for `interval` and nothing is pending; otherwise the next check is
      // `interval` after the last activity
      const check = (now: number): void => {
        alarm = undefined
        if (done) return
        const due = lastActivity + interval
        if (now < due) {
          alarm = pings.unsafeSet(due, check)
          return
        }
        lastActivity = now
        if (subscription.unsafeSize() === 0) subscription.unsafeInterject(RunEvents.ping)
        alarm = pings.unsafeSet(now + interval, check)
      }
      alarm = pings.unsafeSet(lastActivity + interval, check)
    }
    const frames = (events: ReadonlyArray<RunEvents.RunEvent>, now: number): Frames => {
      lastActivity = now
      const out: Array<string> = []
      let ascii = true
      for (const event of events) {
        if (event._tag === "Detach") {
          done = true
          break
        }
        if (event._tag === "Ping") {
          out.push(pingText)
          continue
        }
        sendId++
        if (event._tag === "Message") {
          const plain = isPlain(event.text)
          out.push(messageText(event, sendId, plain))
          // `quotedId` (called by `messageText`) knows whether the id is ASCII
          if (!plain || !lastIdAscii) ascii = false
          continue
        }
        const framed = frame("status", JSON.stringify(payload(event, sendId)))
        if (ascii && !isAscii(framed)) ascii = false
        out.push(framed)
        if (event.eventType === "run_end") {
          done = true
          break
        }
      }
      return { texts: out, ascii }
    }
    const pull: Pull = Effect.suspend(() =>
      done ? Effect.succeed(undefined) : Effect.flatMap(
        subscription.takeBatch(BATCH),
        (events) => Effect.map(Clock.currentTimeMillis, (now) => frames(events, now))
      )
    )
    return { pull, close }
  })

/**
 * The body of a stream response: the subscription's events, framed, numbered and encoded one
 * `Uint8Array` per event, with a ping whenever nothing was sent for `pingInterval` while nothing is
 * pending (one alarm of `pings` per stream, not a timer per event nor a fiber per stream). The stream ends after `run_end`, or silently on
 * `Detach` (also sent by the stream itself when `serverShutdown` completes: the server stops). `onEnd`
 * runs however the stream ends (also when the client goes away).
 *
 * The same events can be written without the `Stream` (see {@link DirectBody}): on the Node server,
 * `Server` writes them to the socket itself, one write per batch.
 *
 * @since 0.1.0
 * @category constructors
 */
export const body = (
  subscription: RunHub.Subscription,
  pingInterval: Duration.Duration,
  pings: RunHandle.Alarms,
  onEnd: Effect.Effect<void>,
  serverShutdown: Option.Option<Effect.Effect<void>> = Option.none()
): Stream.Stream<Uint8Array> => {
  // One stream element (one `Uint8Array`, one HTTP chunk) per event; the events pending at a time are
  // framed as one string and encoded with one `TextEncoder` call (a call per event costs more than the
  // framing), then cut at the event boundaries into views of the same bytes. Built only when pulled:
  // on the Node server the direct writer below is used instead, and building a stream costs.
  const stream = Stream.suspend(() =>
    Stream.unwrapScoped(Effect.map(
      // `Scope.addFinalizer`, not `Effect.addFinalizer`: this synchronous cleanup needs none of the fiber
      // refs the latter restores (two fiber-ref diffs per stream)
      Effect.flatMap(Effect.scope, (scope) =>
        Effect.uninterruptible(Effect.tap(
          open(subscription, pingInterval, pings, serverShutdown),
          (opened) => Scope.addFinalizer(scope, Effect.sync(opened.close))
        ))),
      ({ pull }) =>
        Stream.repeatEffectChunkOption(Effect.flatMap(pull, (framed) =>
          framed === undefined
            ? Effect.fail(Option.none())
            : Effect.succeed(Chunk.unsafeFromArray(splitEvents(encoder.encode(framed.texts.join(""))))))).pipe(
            Stream.ensuring(onEnd)
          )
    ))
  )
  // the direct writer: the same pulls, handed to `write` as text, no stream element per event
  // (no Scope: opened uninterruptibly, the reading side's cleanup is a plain function run on any exit)
  const direct: DirectBody.Writer = (write) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(open(subscription, pingInterval, pings, serverShutdown), ({ close, pull }) => {
        const loop: Effect.Effect<void> = Effect.flatMap(
          pull,
          (framed) => framed === undefined ? Effect.void : Effect.zipRight(write(framed.texts, framed.ascii), loop)
        )
        return Effect.ensuring(restore(loop), Effect.sync(close))
      })
    ).pipe(Effect.ensuring(onEnd))
  return DirectBody.register(Shutdown.markSelfEnding(stream), direct)
}
