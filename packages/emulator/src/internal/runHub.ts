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
import * as Scope from "effect/Scope"
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
  /** {@link Subscription.size}, for use inside a synchronous block. */
  readonly unsafeSize: () => number
  /** {@link Subscription.interject}, for use inside a synchronous block. */
  readonly unsafeInterject: (event: RunEvents.RunEvent) => void
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Hub {
  readonly subscribe: Effect.Effect<Subscription, never, Scope.Scope>
  /** {@link Hub.subscribe} in `scope` (no scope provided through the context: that costs two context compares). */
  readonly subscribeIn: (scope: Scope.Scope) => Effect.Effect<Subscription>
  /** Delivers an event to every current subscriber (never blocks). */
  readonly publish: (event: RunEvents.RunEvent) => Effect.Effect<void>
  /** {@link Hub.publish}, for use inside a synchronous block. */
  readonly unsafePublish: (event: RunEvents.RunEvent) => void
  /** {@link Hub.unsafePublish}, answering {@link Hub.unsafeHasRoom} right after it (one pass over the subscribers). */
  readonly unsafePublishHasRoom: (event: RunEvents.RunEvent) => boolean
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
 * The pending events of one subscriber: a plain array and its waiting reader. An Effect `Queue` costs a
 * `Chunk` and several checks per event on both sides (`offer`, `takeUpTo`), most of the emulator's CPU
 * on a stream of 100,000 events; a run has one writer (its fiber, in synchronous blocks) and each
 * subscriber one reader, which is all this needs.
 */
class Pending {
  private items: Array<RunEvents.RunEvent> = []
  private head = 0
  private waiters: Array<() => void> = []
  private closed = false

  size(): number {
    return this.items.length - this.head
  }

  offer(event: RunEvents.RunEvent): void {
    if (this.closed) return
    this.items.push(event)
    this.wakeReaders()
  }

  /** Removes and returns up to `max` events, oldest first (none when empty). */
  takeUpTo(max: number): Array<RunEvents.RunEvent> {
    const end = Math.min(this.items.length, this.head + max)
    const out = this.items.slice(this.head, end)
    this.head = end
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // a reader taking fewer than are pending (a blocking call takes one at a time): drop the taken prefix
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return out
  }

  /** Waits until an event is pending; a closed subscription's reader is interrupted (as a shut-down `Queue`'s). */
  readonly ready: Effect.Effect<void> = Effect.suspend(() => {
    if (this.size() > 0) return Effect.void
    if (this.closed) return Effect.interrupt
    return Effect.async<void>((resume) => {
      const waiter = () => resume(this.size() > 0 ? Effect.void : Effect.interrupt)
      this.waiters.push(waiter)
      return Effect.sync(() => {
        const index = this.waiters.indexOf(waiter)
        if (index >= 0) this.waiters.splice(index, 1)
      })
    })
  })

  close(): void {
    this.closed = true
    this.items = []
    this.head = 0
    this.wakeReaders()
  }

  private wakeReaders(): void {
    if (this.waiters.length === 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }
}

/**
 * The publisher's wake-up call, as a sliding queue of one `void` would be (a wake-up sent while nobody
 * waits is kept for the next wait), without the `Deferred` a waiting `Queue.take` makes (a few µs each).
 */
class WakeUp {
  private pending = false
  private waiters: Array<() => void> = []

  /** Wakes the waiting fibers, or keeps the wake-up for the next wait. */
  send(): void {
    if (this.waiters.length === 0) {
      this.pending = true
      return
    }
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }

  /** Completes at the next wake-up, or now if one was kept. */
  readonly wait: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.pending) {
      this.pending = false
      resume(Effect.void)
      return
    }
    const waiter = () => resume(Effect.void)
    this.waiters.push(waiter)
    return Effect.sync(() => {
      const index = this.waiters.indexOf(waiter)
      if (index >= 0) this.waiters.splice(index, 1)
    })
  })
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (capacity: number): Effect.Effect<Hub> =>
  Effect.sync(() => {
    const subscribers = new Set<Pending>()
    const wakeUp = new WakeUp()
    const wake = Effect.sync(() => wakeUp.send())
    const full = (): boolean => {
      for (const pending of subscribers) {
        if (pending.size() >= capacity) return true
      }
      return false
    }
    // `Effect.acquireRelease` without its fiber-ref diffs (two at release): the release needs neither the
    // acquiring fiber's refs nor its flags, and a subscription is made per streamed request
    const subscribeIn: Hub["subscribeIn"] = (scope) =>
      Effect.uninterruptible(Effect.suspend(() => {
        const pending = new Pending()
        subscribers.add(pending)
        return Effect.as(
          Scope.addFinalizer(
            scope,
            Effect.zipRight(
              Effect.sync(() => {
                subscribers.delete(pending)
                pending.close()
              }),
              wake
            )
          ),
          pending
        )
      })).pipe(Effect.map((pending): Subscription => ({
        take: Effect.flatMap(pending.ready, () => {
          const [event] = pending.takeUpTo(1)
          // nothing left after waking: the subscription was closed meanwhile
          return event === undefined ? Effect.interrupt : Effect.as(wake, event)
        }),
        takeBatch: (max: number) =>
          Effect.zipRight(pending.ready, Effect.zipLeft(Effect.sync(() => pending.takeUpTo(Math.max(1, max))), wake)),
        poll: Effect.zipLeft(Effect.sync(() => Option.fromNullable(pending.takeUpTo(1)[0])), wake),
        size: Effect.sync(() => pending.size()),
        interject: (event: RunEvents.RunEvent) => Effect.sync(() => pending.offer(event)),
        unsafeSize: () => pending.size(),
        unsafeInterject: (event: RunEvents.RunEvent) => pending.offer(event)
      })))
    const subscribe: Hub["subscribe"] = Effect.flatMap(Effect.scope, subscribeIn)
    const unsafePublish = (event: RunEvents.RunEvent): void => {
      for (const pending of subscribers) pending.offer(event)
    }
    const unsafePublishHasRoom = (event: RunEvents.RunEvent): boolean => {
      let room = true
      for (const pending of subscribers) {
        pending.offer(event)
        if (pending.size() >= capacity) room = false
      }
      return room
    }
    const publish = (event: RunEvents.RunEvent) => Effect.sync(() => unsafePublish(event))
    const awaitSpace = (stop: () => boolean): Effect.Effect<void> =>
      Effect.suspend(() => (stop() || !full() ? Effect.void : Effect.zipRight(wakeUp.wait, awaitSpace(stop))))
    const detachAll = (detach: RunEvents.RunEvent) =>
      Effect.sync(() => {
        for (const pending of subscribers) pending.offer(detach)
        subscribers.clear()
      })
    return {
      subscribe,
      subscribeIn,
      publish,
      unsafePublish,
      unsafePublishHasRoom,
      unsafeHasRoom: () => !full(),
      awaitSpace,
      wake,
      detachAll
    }
  })
