/**
 * Server-sent events as the service frames them: every event is exactly
 * `event: <name>\ndata: <compact JSON>\n\n`, one `Uint8Array` per event. `send_id` counts the status and
 * message events of one stream (1, 2, 3, …); pings (`event: ping\ndata: {}`) carry none.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { JsonObject } from "./json.js"
import * as RunEvents from "./runEvents.js"
import type * as RunHub from "./runHub.js"
import * as Wire from "./Wire.js"

const encoder = new TextEncoder()

/** Events pulled at most at once by a stream body. */
const BATCH = 64

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

/**
 * One status or message event, framed and encoded.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = (event: RunEvents.StatusEvent | RunEvents.MessageEvent, sendId: number): Uint8Array =>
  encoder.encode(frame(event._tag === "Status" ? "status" : "message", JSON.stringify(payload(event, sendId))))

/**
 * The bytes of a ping event.
 *
 * @since 0.1.0
 * @category encoding
 */
export const ping = (): Uint8Array => encoder.encode(frame("ping", "{}"))

/**
 * The body of a stream response: the subscription's events, framed, numbered and encoded one
 * `Uint8Array` per event, with a ping whenever nothing was sent for `pingInterval` while nothing is
 * pending (one timer per stream, not one per event). The stream ends after `run_end`, or silently on
 * `Detach`. `onEnd` runs however the stream ends (also when the client goes away).
 *
 * @since 0.1.0
 * @category constructors
 */
export const body = (
  subscription: RunHub.Subscription,
  pingInterval: Duration.Duration,
  onEnd: Effect.Effect<void>
): Stream.Stream<Uint8Array> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    let sendId = 0
    let done = false
    let lastActivity = yield* Clock.currentTimeMillis
    if (Duration.greaterThan(pingInterval, Duration.zero) && Duration.isFinite(pingInterval)) {
      const interval = Duration.toMillis(pingInterval)
      const ticker = Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const due = lastActivity + interval
          if (now < due) {
            yield* Effect.sleep(Duration.millis(due - now))
          } else if ((yield* subscription.size) > 0) {
            lastActivity = now
          } else {
            lastActivity = now
            yield* subscription.interject(RunEvents.ping)
          }
        }
      })
      yield* Effect.forkScoped(ticker)
    }
    // one stream element (one `Uint8Array`) per event; the events pending at a time are pulled together
    const pull: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<never>> = Effect.suspend(() =>
      done ? Effect.fail(Option.none()) : Effect.flatMap(subscription.takeBatch(BATCH), (events) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          lastActivity = now
          const out: Array<Uint8Array> = []
          for (const event of events) {
            if (event._tag === "Detach") {
              done = true
              break
            }
            if (event._tag === "Ping") {
              out.push(ping())
              continue
            }
            sendId++
            out.push(encode(event, sendId))
            if (event._tag === "Status" && event.eventType === "run_end") {
              done = true
              break
            }
          }
          return Chunk.unsafeFromArray(out)
        }))
    )
    return Stream.repeatEffectChunkOption(pull).pipe(Stream.ensuring(onEnd))
  }))
