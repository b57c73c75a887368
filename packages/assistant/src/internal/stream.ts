/**
 * Stream constructors without a stream stage of their own. `Stream.unwrap` and `Stream.unwrapScoped` are
 * `Stream.flatten` of a one-element stream: every chunk of the inner stream then passes through a
 * `concatMap` (an executor of its own), and `Channel.unwrapScoped` builds its scope with
 * `acquireReleaseOut` under a `concatAll`: about 200 fiber steps per stream before the first chunk. Here
 * the effect runs first and the inner stream's channel simply follows it (`Channel.unwrap`), inside a
 * scope closed by `Channel.ensuringWith` when the stream ends: the same stream, the same errors, the scope
 * closed with the stream's exit, for a fifth of the steps. Every run stream and tool loop stream is built
 * with them.
 *
 * @since 0.1.0
 * @internal
 */
import * as Channel from "effect/Channel"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * `Stream.unwrap`: the stream the effect gives, failing with the effect's error.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const unwrap = <A, E, R, E2, R2>(
  effect: Effect.Effect<Stream.Stream<A, E, R>, E2, R2>
): Stream.Stream<A, E | E2, R | R2> => Stream.fromChannel(Channel.unwrap(Effect.map(effect, Stream.toChannel)))

/**
 * `Stream.unwrapScoped`: the stream the scoped effect gives, its scope closed when the stream ends.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const unwrapScoped = <A, E, R, E2, R2>(
  effect: Effect.Effect<Stream.Stream<A, E, R>, E2, R2>
): Stream.Stream<A, E | E2, R | Exclude<R2, Scope.Scope>> =>
  Stream.fromChannel(Channel.unwrap(Effect.map(Scope.make(), (scope) =>
    Channel.ensuringWith(
      Channel.unwrap(Effect.map(Scope.extend(effect, scope), Stream.toChannel)),
      (exit) => Scope.close(scope, exit)
    ))))

/**
 * `Stream.fromPull`: the chunks of the pull the scoped effect gives (`Option.none()` ends the stream), its
 * scope closed when the stream ends.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const fromPullScoped = <A, E, R, E2, R2>(
  effect: Effect.Effect<Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>, E2, R2>
): Stream.Stream<A, E | E2, R | Exclude<R2, Scope.Scope>> =>
  unwrapScoped(Effect.map(effect, Stream.repeatEffectChunkOption))

/**
 * {@link fromPullScoped} with the stream's scope handed to `make` rather than provided to the effect (each
 * `Scope.extend` is two copies of the fiber's refs and an acquire/use/release): for a caller that
 * provides it together with something else, in one step.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const fromPullIn = <A, E, R, E2, R2>(
  make: (scope: Scope.Scope) => Effect.Effect<Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>, E2, R2>
): Stream.Stream<A, E | E2, R | R2> =>
  Stream.fromChannel(Channel.unwrap(Effect.map(Scope.make(), (scope) =>
    Channel.ensuringWith(
      Channel.unwrap(Effect.map(make(scope), (pull) => Stream.toChannel(Stream.repeatEffectChunkOption(pull)))),
      (exit) => Scope.close(scope, exit)
    ))))

/**
 * `Scope.extend(Stream.toPull(stream), scope)`: the pull of the stream's chunks (`Option.none()` at its
 * end), the stream closed with `scope`, without the scope being provided (each `Scope.extend` is two
 * copies of the fiber's refs and an acquire/use/release).
 *
 * @since 0.1.0
 * @category destructors
 * @internal
 */
export const toPullIn = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  scope: Scope.Scope
): Effect.Effect<Effect.Effect<Chunk.Chunk<A>, Option.Option<E>, R>, never, R> =>
  Effect.map(Channel.toPullIn(Stream.toChannel(stream), scope), (pull) =>
    Effect.matchEffect(pull, {
      onFailure: (error) => Exit.fail(Option.some(error)),
      onSuccess: (next) => Either.isLeft(next) ? Exit.fail(Option.none()) : Exit.succeed(next.right)
    }))
