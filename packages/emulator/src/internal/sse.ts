/**
 * Server-sent events as the service frames them (spec §5.3, §5.5): every event is exactly
 * `event: <name>\ndata: <compact JSON>\n\n`, one `Uint8Array` per event. `send_id` counts the status and
 * message events of one stream (1, 2, 3, …); pings (`event: ping\ndata: {}`) carry none.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Wire from "../Wire.js"
import type { JsonObject } from "./json.js"
import type * as RunHub from "./runHub.js"
import type * as RunEvents from "./runEvents.js"

const encoder = new TextEncoder()

/**
 * The text of one event block.
 *
 * @since 0.1.0
 * @category encoding
 */
export const frame = (name: string, data: string): string => `event: ${name}\ndata: ${data}\n\n`

/**
 * The JSON payload of a status or message event with its `send_id`, keys in the order of spec §5.9.
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
 * `Uint8Array` per event, with a ping after every `pingInterval` without an event. The stream ends
 * after `run_end`, or silently on `Detach`. `onEnd` runs however the stream ends (also when the
 * client goes away).
 *
 * @since 0.1.0
 * @category constructors
 */
export const body = (
  subscription: RunHub.Subscription,
  pingInterval: Duration.Duration,
  onEnd: Effect.Effect<void>
): Stream.Stream<Uint8Array> =>
  Stream.suspend(() => {
    let sendId = 0
    let done = false
    const pings = Duration.greaterThan(pingInterval, Duration.zero) && Duration.isFinite(pingInterval)
    const next: Effect.Effect<Option.Option<RunEvents.RunEvent>> = Effect.flatMap(
      subscription.poll,
      (pending) =>
        Option.isSome(pending)
          ? Effect.succeed(pending)
          : pings
          ? Effect.timeoutOption(subscription.take, pingInterval)
          : Effect.asSome(subscription.take)
    )
    const pull: Effect.Effect<Uint8Array, Option.Option<never>> = Effect.suspend(() =>
      done ? Effect.fail(Option.none()) : Effect.flatMap(next, (event) => {
        if (Option.isNone(event)) return Effect.succeed(ping())
        const value = event.value
        if (value._tag === "Detach") {
          done = true
          return Effect.fail(Option.none())
        }
        if (value._tag === "Status" && value.eventType === "run_end") done = true
        sendId++
        return Effect.succeed(encode(value, sendId))
      })
    )
    return Stream.repeatEffectOption(pull).pipe(Stream.ensuring(onEnd))
  })
