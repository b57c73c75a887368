/**
 * How a streamed body learns that the server stops. `Server` wraps every streamed body with
 * `Stream.interruptWhen`, which works for any stream but costs several fibers per chunk; the emulator's
 * own event streams end themselves instead (one waiting fiber per stream) and are registered here so
 * that `Server` leaves them alone.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"

/**
 * Completes when the server serving the current request stops. Absent in process (no server).
 *
 * @since 0.1.0
 * @category tags
 */
export class ServerShutdown extends Context.Tag("@effect-appbuilder/emulator/internal/ServerShutdown")<
  ServerShutdown,
  Effect.Effect<void>
>() {}

const selfEnding = new WeakSet<Stream.Stream<Uint8Array, unknown, unknown>>()

/**
 * Marks a body stream that ends by itself when {@link ServerShutdown} completes.
 *
 * @since 0.1.0
 * @category utils
 */
export const markSelfEnding = <E, R>(stream: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E, R> => {
  selfEnding.add(stream)
  return stream
}

/**
 * True for a stream marked with {@link markSelfEnding}.
 *
 * @since 0.1.0
 * @category utils
 */
export const isSelfEnding = (stream: Stream.Stream<Uint8Array, unknown, unknown>): boolean => selfEnding.has(stream)
