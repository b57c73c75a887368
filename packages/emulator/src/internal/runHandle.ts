/**
 * The live side of a run that is not terminal yet: its record, its event hub, its mailbox of signals,
 * its completion latch — and the transitions to a terminal state that more than one party can trigger
 * (expiry, cancellation, failure). Each transition is one synchronous block: it re-checks the status,
 * mutates the records and publishes its events, so that it happens at most once.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as ScriptedModel from "../ScriptedModel.js"
import * as RunEvents from "./runEvents.js"
import * as RunHub from "./runHub.js"
import * as Store from "./Store.js"

/**
 * What wakes a run's fiber: outputs were accepted (`Resume`, `viaRunRequest` when they came as a run
 * request's `tool_output`), or the run's state changed under it (`Wake`: cancel, expiry).
 *
 * @since 0.1.0
 * @category models
 */
export type Signal = { readonly _tag: "Resume"; readonly viaRunRequest: boolean } | { readonly _tag: "Wake" }

/**
 * A run's mailbox: the signals sent to its fiber, oldest first. An Effect `Queue` makes a `Deferred`
 * when it is created and one per `take` that waits (a few µs each, more than the rest of a signal's
 * handling); a run's mailbox has one reader, its fiber, which is all this needs.
 *
 * @since 0.1.0
 * @category models
 */
export class Mailbox {
  private items: Array<Signal> = []
  private waiters: Array<() => void> = []

  /** Sends a signal (never blocks). */
  unsafeOffer(signal: Signal): void {
    this.items.push(signal)
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter()
  }

  /** {@link Mailbox.unsafeOffer} as an effect. */
  offer(signal: Signal): Effect.Effect<void> {
    return Effect.sync(() => this.unsafeOffer(signal))
  }

  /** Takes the oldest signal, waiting for one. */
  readonly take: Effect.Effect<Signal> = Effect.async<Signal>((resume) => {
    const first = this.items.shift()
    if (first !== undefined) {
      resume(Effect.succeed(first))
      return
    }
    // called by `unsafeOffer` right after it added a signal: this reader takes it at once
    const waiter = () => {
      const signal = this.items.shift()
      if (signal !== undefined) resume(Effect.succeed(signal))
    }
    this.waiters.push(waiter)
    return Effect.sync(() => {
      const index = this.waiters.indexOf(waiter)
      if (index >= 0) this.waiters.splice(index, 1)
    })
  })
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Handle {
  readonly run: Store.RunRecord
  readonly hub: RunHub.Hub
  readonly mailbox: Mailbox
  /** Open once the run is terminal (a latch: a `Deferred` costs a few µs to make). */
  readonly done: Effect.Latch
  /** The step that has begun and not ended. */
  step: Store.StepRecord | undefined
  /** Answered tool calls of this run, oldest first. */
  readonly toolResults: Array<ScriptedModel.ToolResult>
}

/**
 * The current time for run and step timestamps: `Clock` milliseconds, never `0` (on the wire `0` means
 * "not set", and a `TestClock` starts at the epoch).
 *
 * @since 0.1.0
 * @category time
 */
export const now: Effect.Effect<number> = Effect.map(Clock.currentTimeMillis, (millis) => Math.max(1, millis))

/**
 * An alarm set with {@link Alarms.unsafeSet}: cancel it with {@link Alarms.unsafeCancel}.
 *
 * @since 0.1.0
 * @category models
 */
export interface Alarm {
  readonly at: number
  /** Position in the heap; -1 once fired or cancelled. */
  index: number
  fire: ((now: number) => void) | undefined
}

/**
 * Deadlines of many runs or streams, served by ONE fiber per engine instead of one timer fiber (or a
 * `timeoutOption` race of two fibers) per run or stream: forking, sleeping and interrupting those cost
 * more than all the rest of a short run. The fiber sleeps on `Clock` (so a `TestClock` drives it) until
 * the earliest alarm is due, then calls every due alarm's `fire` with the current time, in one
 * synchronous block.
 *
 * The fiber never needs to be woken earlier than it planned: every alarm of one instance is set at
 * "now + a fixed delay" (the requires-action timeout, the ping interval), so a new alarm is never due
 * before the ones already set (a wall clock stepping back can only make an alarm fire late by that step).
 *
 * @since 0.1.0
 * @category models
 */
export interface Alarms {
  /** Calls `fire(now)` once the clock reaches `at` (milliseconds). */
  readonly unsafeSet: (at: number, fire: (now: number) => void) => Alarm
  /** Forgets an alarm that has not fired (no-op otherwise). */
  readonly unsafeCancel: (alarm: Alarm) => void
}

/** A binary min-heap of alarms by `at`, then by insertion order. */
class AlarmHeap {
  readonly items: Array<Alarm & { readonly seq: number }> = []
  private seq = 0

  push(at: number, fire: (now: number) => void): Alarm {
    const alarm = { at, index: this.items.length, fire, seq: this.seq++ }
    this.items.push(alarm)
    this.up(alarm.index)
    return alarm
  }

  remove(alarm: Alarm): void {
    const index = alarm.index
    if (index < 0 || this.items[index] !== alarm) return
    alarm.index = -1
    alarm.fire = undefined
    const last = this.items.pop()!
    if (index < this.items.length) {
      this.items[index] = last
      last.index = index
      this.down(index)
      this.up(last.index)
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a]!
    const y = this.items[b]!
    return x.at < y.at || (x.at === y.at && x.seq < y.seq)
  }

  private swap(a: number, b: number): void {
    const x = this.items[a]!
    const y = this.items[b]!
    this.items[a] = y
    this.items[b] = x
    y.index = a
    x.index = b
  }

  private up(index: number): void {
    let i = index
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.less(i, parent)) return
      this.swap(i, parent)
      i = parent
    }
  }

  private down(index: number): void {
    let i = index
    const n = this.items.length
    while (true) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < n && this.less(left, smallest)) smallest = left
      if (right < n && this.less(right, smallest)) smallest = right
      if (smallest === i) return
      this.swap(i, smallest)
      i = smallest
    }
  }
}

/**
 * Starts the alarms' fiber in the current scope (closing the scope stops it; pending alarms never fire).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeAlarms: Effect.Effect<Alarms, never, Scope.Scope> = Effect.gen(function*() {
  const heap = new AlarmHeap()
  let wakeIdle: (() => void) | undefined
  const idle = Effect.async<void>((resume) => {
    wakeIdle = () => {
      wakeIdle = undefined
      resume(Effect.void)
    }
    return Effect.sync(() => {
      wakeIdle = undefined
    })
  })
  const fireDue = (now: number): void => {
    while (heap.items.length > 0 && heap.items[0]!.at <= now) {
      const alarm = heap.items[0]!
      const fire = alarm.fire
      heap.remove(alarm)
      if (fire !== undefined) fire(now)
    }
  }
  const loop: Effect.Effect<never> = Effect.suspend(() => {
    if (heap.items.length === 0) return Effect.zipRight(idle, loop)
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const head = heap.items[0]!
      if (head.at > now) return Effect.zipRight(Effect.sleep(Duration.millis(head.at - now)), loop)
      fireDue(now)
      return loop
    })
  })
  yield* Effect.forkScoped(loop)
  return {
    unsafeSet: (at, fire) => {
      const alarm = heap.push(at, fire)
      if (wakeIdle !== undefined) wakeIdle()
      return alarm
    },
    unsafeCancel: (alarm) => heap.remove(alarm)
  }
})

/** Capacity (pending message chunks per subscriber) before the run waits for its readers. */
const CAPACITY = 256

/**
 * The parts of a handle that are created before its run exists.
 *
 * @since 0.1.0
 * @category models
 */
export type Parts = Pick<Handle, "hub" | "mailbox" | "done">

/**
 * @since 0.1.0
 * @category constructors
 */
export const makeParts: Effect.Effect<Parts> = Effect.map(
  RunHub.make(CAPACITY),
  (hub) => ({ hub, mailbox: new Mailbox(), done: Effect.unsafeMakeLatch(false) })
)

/**
 * @since 0.1.0
 * @category constructors
 */
export const fromParts = (parts: Parts, run: Store.RunRecord): Handle => ({
  ...parts,
  run,
  step: undefined,
  toolResults: []
})

/**
 * Sends a signal to the run's fiber and wakes it if it waits for readers.
 *
 * @since 0.1.0
 * @category signals
 */
export const signal = (handle: Handle, message: Signal): Effect.Effect<void> =>
  Effect.zipRight(handle.mailbox.offer(message), handle.hub.wake)

const finishSync = (handle: Handle): void => {
  handle.step = undefined
  handle.done.unsafeOpen()
}

/**
 * Publishes an event synchronously (the hub never blocks).
 *
 * @since 0.1.0
 * @category events
 */
export const publishSync = (handle: Handle, event: RunEvents.RunEvent): void => handle.hub.unsafePublish(event)

const endStep = (handle: Handle, status: Store.StepStatus, now: number): void => {
  const step = handle.step
  if (step === undefined || step.status !== "in_progress") return
  step.status = status
  if (status === "completed") step.completedAt = now
  else if (status === "cancelled") step.cancelledAt = now
  else if (status === "failed") step.failedAt = now
  else if (status === "expired") step.expiredAt = now
  publishSync(handle, RunEvents.stepEnd(step))
}

/**
 * `requires_action` past its deadline → `expired` (`tool_step_end` expired, `run_end` expired). No-op
 * unless the run is `requires_action` and `now` reached its deadline.
 *
 * @since 0.1.0
 * @category transitions
 */
export const expireIfDue = (handle: Handle, now: number): Effect.Effect<boolean> =>
  Effect.sync(() => unsafeExpireIfDue(handle, now))

/**
 * {@link expireIfDue}, for use inside a synchronous block (an alarm). Returns whether the run expired.
 *
 * @since 0.1.0
 * @category transitions
 */
export const unsafeExpireIfDue = (handle: Handle, now: number): boolean => {
  const run = handle.run
  if (run.status !== "requires_action" || run.deadline <= 0 || now < run.deadline) return false
  const at = Math.max(1, now)
  endStep(handle, "expired", at)
  run.status = "expired"
  run.expiredAt = at
  run.requiredAction = null
  run.deadline = 0
  publishSync(handle, RunEvents.runEnd(run))
  finishSync(handle)
  return true
}

/**
 * A cancel request: a non-terminal run that is not already cancelling becomes `cancelling` (the run's
 * fiber finishes the job at its next event boundary, see {@link signal}). Returns whether the status
 * changed. Synchronous: call it inside the block that also reads the answer.
 *
 * @since 0.1.0
 * @category transitions
 */
export const unsafeRequestCancel = (handle: Handle): boolean => {
  const run = handle.run
  if (Store.isTerminal(run.status) || run.status === "cancelling") return false
  run.status = "cancelling"
  run.requiredAction = null
  run.deadline = 0
  return true
}

/**
 * `cancelling` → `cancelled`: `run_cancelling`, `tool_step_end` cancelled (when a step is open),
 * `run_end` cancelled.
 *
 * @since 0.1.0
 * @category transitions
 */
export const completeCancel = (handle: Handle, now: number): Effect.Effect<void> =>
  Effect.sync(() => {
    const run = handle.run
    if (Store.isTerminal(run.status)) return
    publishSync(handle, RunEvents.runCancelling(run))
    endStep(handle, "cancelled", now)
    run.status = "cancelled"
    run.cancelledAt = now
    run.requiredAction = null
    run.deadline = 0
    publishSync(handle, RunEvents.runEnd(run))
    finishSync(handle)
  })

/**
 * Any non-terminal state → `failed` with `last_error` (`tool_step_end` failed when a step is open,
 * `run_end` failed with `error_info`).
 *
 * @since 0.1.0
 * @category transitions
 */
export const fail = (
  handle: Handle,
  error: Store.LastErrorRecord,
  now: number
): Effect.Effect<void> =>
  Effect.sync(() => {
    const run = handle.run
    if (Store.isTerminal(run.status)) return
    endStep(handle, "failed", now)
    run.status = "failed"
    run.failedAt = now
    run.lastError = { type: error.type, message: error.message }
    run.requiredAction = null
    run.deadline = 0
    publishSync(handle, RunEvents.runEnd(run))
    finishSync(handle)
  })

/**
 * Ends the open step as `completed` (publishing `tool_step_end`).
 *
 * @since 0.1.0
 * @category transitions
 */
export const completeStep = (handle: Handle, now: number): Effect.Effect<void> =>
  Effect.sync(() => {
    endStep(handle, "completed", now)
    handle.step = undefined
  })

/**
 * The run answered: `completed`, the reply appended to the thread, `run_end`.
 *
 * @since 0.1.0
 * @category transitions
 */
export const complete = (
  handle: Handle,
  store: Store.Service,
  reply: { readonly messageId: string; readonly text: string; readonly createdAt: number },
  now: number
): Effect.Effect<void> =>
  Effect.sync(() => {
    const run = handle.run
    if (Store.isTerminal(run.status)) return
    run.status = "completed"
    run.completedAt = now
    run.requiredAction = null
    run.deadline = 0
    run.finalAnswer = { messageId: reply.messageId, text: reply.text }
    const thread = store.threads.get(run.threadId)
    if (thread !== undefined) {
      Store.appendMessage(store, thread, {
        role: "assistant",
        content: reply.text,
        reply: { id: reply.messageId, assistantId: run.assistantId, runId: run.id }
      }, reply.createdAt)
    }
    publishSync(handle, RunEvents.runEnd(run))
    finishSync(handle)
  })
