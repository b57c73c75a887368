/**
 * The per-attempt timeout (and a tool's timeout), cheaper than `Effect.timeoutFail` on the live clock:
 * one fiber instead of two (`Effect.timeoutFail` races the effect against a sleeping fiber), the timer
 * being the live clock's own `setTimeout`. Any other clock (a `TestClock`, a clock of the caller's) goes through
 * `Effect.timeoutFail`, so that tests and custom clocks see the timeout exactly as before.
 *
 * @since 0.1.0
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"

/** The class of Effect's live clock (its sleep is a `setTimeout` of at most `MAX_TIMER_MILLIS`). */
const liveClockPrototype: unknown = Object.getPrototypeOf(Clock.make())

/**
 * True for Effect's live clock, whose sleeps are plain `setTimeout`s: a timer of the SDK may then be a
 * `setTimeout` too, with no fiber to sleep on it. Any other clock (a `TestClock`, a clock of the
 * caller's) must be slept on.
 *
 * @since 0.1.0
 * @category predicates
 * @internal
 */
export const isLiveClock = (clock: Clock.Clock): boolean => Object.getPrototypeOf(clock) === liveClockPrototype

/**
 * The longest delay the live clock schedules; a longer sleep never ends.
 *
 * @since 0.1.0
 * @category constants
 * @internal
 */
export const MAX_TIMER_MILLIS = 2 ** 31 - 1

/**
 * `Effect.timeoutFail(effect, { duration, onTimeout })`, with the same outcome: the effect's own exit
 * when it ends first (its fiber refs then inherited), else the effect interrupted (and waited for) and
 * the failure `onTimeout()`; interrupting the caller interrupts the effect and waits for it.
 *
 * @since 0.1.0
 * @category combinators
 * @internal
 */
export const timeoutFail = <A, E, R, E2>(
  effect: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.withFiberRuntime((fiber) => {
    const clock = Context.get(fiber.currentDefaultServices, Clock.Clock)
    if (!isLiveClock(clock)) {
      return Effect.timeoutFail(effect, { duration, onTimeout })
    }
    const millis = Duration.toMillis(duration)
    // the live clock never wakes a sleep longer than its longest timer: the effect runs without a limit
    if (!(millis <= MAX_TIMER_MILLIS)) return effect
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Effect.fork(restore(effect)), (child) =>
        Effect.flatMap(
          // true when the effect ended, false when the timer fired first
          restore(
            Effect.async<boolean>((resume) => {
              const observer = () => {
                clearTimeout(timer)
                resume(Effect.succeed(true))
              }
              const timer = setTimeout(() => {
                child.removeObserver(observer)
                resume(Effect.succeed(false))
              }, millis)
              child.addObserver(observer)
              return Effect.sync(() => {
                clearTimeout(timer)
                child.removeObserver(observer)
              })
            })
          ).pipe(Effect.onInterrupt(() => Fiber.interrupt(child))),
          (ended): Effect.Effect<A, E | E2> =>
            ended
              ? Effect.flatMap(
                child.await,
                (exit) => Exit.isSuccess(exit) ? Effect.as(child.inheritAll, exit.value) : Exit.failCause(exit.cause)
              )
              : Effect.zipRight(Fiber.interrupt(child), Effect.failSync(onTimeout))
        ))
    )
  })
