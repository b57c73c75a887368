/**
 * The fan-out of one run's events to the requests attached to it (stream responses, blocking calls).
 *
 * Publishing never blocks: every subscriber has an unbounded queue, so status events (cancel, expiry,
 * run end) always get through even when a client stops reading. Message chunks are flow-controlled
 * instead: before publishing one, the run waits ({@link Hub.awaitSpace}) until every subscriber has
 * fewer than `capacity` events pending, so a long answer never piles up in memory. Subscriptions
 * belong to a scope; closing it removes the subscriber.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type * as RunEvents from "./runEvents.js"

/**
 * One attached request's view of the events.
 *
 * @since 0.1.0
 * @category models
 */
export interface Subscription {
  /** Waits for the next event. */
  readonly take: Effect.Effect<RunEvents.RunEvent>
  /** Waits for the next event, and takes up to `max` events that are pending, oldest first. */
  readonly takeBatch: (max: number) => Effect.Effect<ReadonlyArray<RunEvents.RunEvent>>
  /** The next event if one is pending. */
  readonly poll: Effect.Effect<Option.Option<RunEvents.RunEvent>>
  /** The number of pending events. */
  readonly size: Effect.Effect<number>
  /** Adds an event to this subscription only (e.g. a stream's own ping). */
  readonly interject: (event: RunEvents.RunEvent) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Hub {
  readonly subscribe: Effect.Effect<Subscription, never, Scope.Scope>
  /** Delivers an event to every current subscriber (never blocks). */
  readonly publish: (event: RunEvents.RunEvent) => Effect.Effect<void>
  /** {@link Hub.publish}, for use inside a synchronous block. */
  readonly unsafePublish: (event: RunEvents.RunEvent) => void
  /** True when no subscriber has `capacity` events pending (a chunk may be published now). */
  readonly unsafeHasRoom: () => boolean
  /** Waits until no subscriber has `capacity` events pending, or until `stop()` is true. */
  readonly awaitSpace: (stop: () => boolean) => Effect.Effect<void>
  /** Wakes a publisher waiting in {@link Hub.awaitSpace} (e.g. after a cancel request). */
  readonly wake: Effect.Effect<void>
  /** Sends `Detach` to every current subscriber and forgets them. */
  readonly detachAll: (detach: RunEvents.RunEvent) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (capacity: number): Effect.Effect<Hub> =>
  Effect.gen(function*() {
    const subscribers = new Set<Queue.Queue<RunEvents.RunEvent>>()
    const wakeUp = yield* Queue.sliding<void>(1)
    const wake = Effect.asVoid(Queue.offer(wakeUp, undefined))
    const full = (): boolean => {
      for (const queue of subscribers) {
        if (queue.unsafeSize().pipe(Option.getOrElse(() => 0)) >= capacity) return true
      }
      return false
    }
    const subscribe: Hub["subscribe"] = Effect.acquireRelease(
      Effect.gen(function*() {
        const queue = yield* Queue.unbounded<RunEvents.RunEvent>()
        subscribers.add(queue)
        return queue
      }),
      (queue) =>
        Effect.zipRight(
          Effect.sync(() => subscribers.delete(queue)),
          Effect.zipRight(Queue.shutdown(queue), wake)
        )
    ).pipe(Effect.map((queue) => ({
      take: Effect.zipLeft(Queue.take(queue), wake),
      takeBatch: (max: number) =>
        Queue.take(queue).pipe(
          Effect.flatMap((first) =>
            max <= 1
              ? Effect.succeed([first])
              : Effect.map(Queue.takeUpTo(queue, max - 1), (rest) => [first, ...rest])
          ),
          Effect.zipLeft(wake)
        ),
      poll: Effect.zipLeft(Queue.poll(queue), wake),
      size: Queue.size(queue),
      interject: (event: RunEvents.RunEvent) => Effect.asVoid(Queue.offer(queue, event))
    })))
    const unsafePublish = (event: RunEvents.RunEvent): void => {
      for (const queue of subscribers) queue.unsafeOffer(event)
    }
    const publish = (event: RunEvents.RunEvent) => Effect.sync(() => unsafePublish(event))
    const awaitSpace = (stop: () => boolean): Effect.Effect<void> =>
      Effect.suspend(() => (stop() || !full() ? Effect.void : Effect.zipRight(Queue.take(wakeUp), awaitSpace(stop))))
    const detachAll = (detach: RunEvents.RunEvent) =>
      Effect.sync(() => {
        for (const queue of subscribers) queue.unsafeOffer(detach)
        subscribers.clear()
      })
    return { subscribe, publish, unsafePublish, unsafeHasRoom: () => !full(), awaitSpace, wake, detachAll }
  })
