/**
 * The program a run's background fiber executes: `run_begin`, then steps decided by
 * the scripted model — tool steps that wait for outputs, answer steps that stream message chunks —
 * until the run ends. Cancellation takes effect at the next event boundary; waiting for tool outputs
 * ends with expiry after the configured time. All time comes from `Clock`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as EmulatorConfig from "../EmulatorConfig.js"
import type * as ScriptedModel from "../ScriptedModel.js"
import * as RunEvents from "./runEvents.js"
import * as RunHandle from "./runHandle.js"
import * as Store from "./Store.js"

/**
 * What the program needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Environment {
  readonly store: Store.Service
  readonly config: EmulatorConfig.Resolved
  readonly script: ScriptedModel.ScriptService
  /** The engine's alarms for requires-action deadlines. */
  readonly expiries: RunHandle.Alarms
}

/** Why the program stops early: a cancel request, or a run already ended by someone else (expiry). */
type Stop = "cancel" | "ended"

const checkpoint = (handle: RunHandle.Handle): Effect.Effect<void, Stop> => {
  const status = handle.run.status
  if (status === "cancelling") return Effect.fail("cancel")
  if (Store.isTerminal(status)) return Effect.fail("ended")
  return Effect.void
}

/** Whether {@link checkpoint} would stop the run: the steps below yield it only then (one step fewer each). */
const stopping = (handle: RunHandle.Handle): boolean => {
  const status = handle.run.status
  return status === "cancelling" || Store.isTerminal(status)
}

/**
 * `RunHandle.now` read from the run fiber's clock, taken once when the run starts (`execute`): a read is
 * then a call, not three steps of the fiber.
 */
const stamp = (clock: Clock.Clock): number => Math.max(1, clock.unsafeCurrentTimeMillis())

const emit = (handle: RunHandle.Handle, event: RunEvents.RunEvent): Effect.Effect<void, Stop> =>
  Effect.zipRight(checkpoint(handle), handle.hub.publish(event))

const turnInput = (env: Environment, handle: RunHandle.Handle): ScriptedModel.TurnInput => {
  const run = handle.run
  const thread = env.store.threads.get(run.threadId)
  return {
    runId: run.id,
    threadId: run.threadId,
    assistantId: run.assistantId,
    model: run.model,
    instructions: run.instructions,
    thoughtInstructions: run.thoughtInstructions,
    chatInstructions: run.chatInstructions,
    tools: run.tools,
    messages: (thread?.messages ?? []).map((m) => ({ role: m.role, content: m.content })),
    toolResults: [...handle.toolResults],
    stepIndex: run.steps.length,
    chunkSize: env.config.chunkSize
  }
}

const newStep = (
  env: Environment,
  handle: RunHandle.Handle,
  type: Store.StepRecord["type"],
  now: number
): Store.StepRecord => {
  const run = handle.run
  const step: Store.StepRecord = {
    id: Store.Ids.step(run.steps.length + 1),
    seq: env.store.nextSeq(),
    runId: run.id,
    threadId: run.threadId,
    assistantId: run.assistantId,
    type,
    status: "in_progress",
    createdAt: now,
    startedAt: now,
    expiredAt: 0,
    cancelledAt: 0,
    failedAt: 0,
    completedAt: 0,
    toolCalls: [],
    messageId: ""
  }
  run.steps.push(step)
  handle.step = step
  return step
}

/** Waits `delay`, or less when the run stops being `in_progress` (a cancel): thinking time, chunk pacing. */
const pause = (handle: RunHandle.Handle, delay: Duration.Duration): Effect.Effect<void> =>
  Effect.gen(function*() {
    const end = (yield* Clock.currentTimeMillis) + Duration.toMillis(delay)
    while (handle.run.status === "in_progress") {
      const remaining = end - (yield* Clock.currentTimeMillis)
      if (remaining <= 0) return
      yield* Effect.timeoutOption(handle.mailbox.take, Duration.millis(remaining))
    }
  })

const callIds = (run: Store.RunRecord, stepNumber: number, count: number): ReadonlyArray<string> => {
  const base = Store.Ids.toolCall(run.threadId, run.id, stepNumber)
  return Array.from({ length: count }, (_, k) => (k === 0 ? base : `${base}-${k + 1}`))
}

/** Waits in `requires_action` until all outputs arrived (true), or the run stopped. */
const awaitOutputs = (
  env: Environment,
  handle: RunHandle.Handle,
  step: Store.StepRecord,
  clock: Clock.Clock
): Effect.Effect<boolean, Stop> =>
  Effect.gen(function*() {
    const run = handle.run
    while (true) {
      if (stopping(handle)) yield* checkpoint(handle)
      let signal: Option.Option<RunHandle.Signal>
      if (run.status === "requires_action") {
        // deadlines live on the raw clock; only timestamps are kept away from 0
        const now = clock.unsafeCurrentTimeMillis()
        if (now >= run.deadline) {
          yield* RunHandle.expireIfDue(handle, now)
          continue
        }
        // the deadline's alarm (see `toolStep`) sends a `Wake` once the run expired
        signal = Option.some(yield* handle.mailbox.take)
      } else {
        signal = Option.some(yield* handle.mailbox.take)
      }
      if (Option.isNone(signal) || signal.value._tag === "Wake") continue
      // a stream attached by a continuation always starts with run_begin, even if a cancel came first
      if (signal.value.viaRunRequest) yield* handle.hub.publish(RunEvents.runBegin(run))
      if (run.status === "cancelling" || Store.isTerminal(run.status)) continue
      if (run.status === "requires_action") {
        // a continuation answered some of the calls: the others are still pending
        yield* handle.hub.publish(RunEvents.toolCalls(run.requiredAction ?? []))
        continue
      }
      run.status = "in_progress"
      for (const call of step.toolCalls) {
        handle.toolResults.push({ id: call.id, name: call.name, arguments: call.arguments, output: call.output })
      }
      yield* handle.hub.publish(RunEvents.toolSubmittedOutput(step.toolCalls))
      if (stopping(handle)) yield* checkpoint(handle)
      yield* RunHandle.completeStep(handle, stamp(clock))
      return true
    }
  })

const toolStep = (
  env: Environment,
  handle: RunHandle.Handle,
  step: Store.StepRecord,
  requests: ReadonlyArray<ScriptedModel.ToolCallRequest>,
  clock: Clock.Clock
): Effect.Effect<boolean, Stop> =>
  Effect.gen(function*() {
    const run = handle.run
    if (requests.length === 0) {
      yield* RunHandle.fail(handle, {
        type: "server_error",
        message: "the scripted model asked for an empty list of tool calls"
      }, stamp(clock))
      return false
    }
    const ids = callIds(run, run.steps.length, requests.length)
    const calls: Array<Store.ToolCallRecord> = requests.map((request, k) => ({
      id: ids[k]!,
      name: request.name,
      arguments: request.arguments,
      output: ""
    }))
    step.toolCalls = calls
    const now = clock.unsafeCurrentTimeMillis()
    if (stopping(handle)) yield* checkpoint(handle)
    run.status = "requires_action"
    run.requiredAction = [...calls]
    run.deadline = now + Duration.toMillis(env.config.requiresActionTimeout)
    yield* handle.hub.publish(RunEvents.toolCalls(calls))
    const alarm = env.expiries.unsafeSet(run.deadline, (at) => {
      if (RunHandle.unsafeExpireIfDue(handle, at)) handle.mailbox.unsafeOffer({ _tag: "Wake" })
    })
    return yield* Effect.ensuring(
      awaitOutputs(env, handle, step, clock),
      Effect.sync(() => env.expiries.unsafeCancel(alarm))
    )
  })

const replyStep = (
  env: Environment,
  handle: RunHandle.Handle,
  step: Store.StepRecord,
  chunks: Iterable<string>,
  clock: Clock.Clock
): Effect.Effect<void, Stop> =>
  Effect.gen(function*() {
    const messageId = Store.Ids.reply()
    step.messageId = messageId
    const createdAt = stamp(clock)
    yield* emit(handle, RunEvents.messageCreation(messageId))
    const delay = env.config.chunkDelay
    const paced = Duration.greaterThan(delay, Duration.zero)
    const stop = () => handle.run.status !== "in_progress"
    const iterator = chunks[Symbol.iterator]()
    let current = iterator.next()
    // The answer's text, kept as TEXT_BLOCK chunks joined into one string at a time: appending every
    // chunk to one string would keep each chunk alive, and its link, until the run ends (GC work that
    // grows with the answer)
    const joined: Array<string> = []
    let block: Array<string> = []
    let final = false
    while (!final) {
      if (paced) yield* pause(handle, delay)
      yield* handle.hub.awaitSpace(stop)
      if (stopping(handle)) yield* checkpoint(handle)
      // Unpaced, the chunks are published in one synchronous block while every reader has room (at most
      // UNPACED_BLOCK at a time, so that other fibers get their turn): one Effect per block instead of
      // several per chunk. Each chunk is still preceded by the checks of a paced one (status, room).
      let published = 0
      let room = true
      do {
        const chunk = current.done === true ? "" : current.value
        const next = current.done === true ? current : iterator.next()
        final = next.done === true
        room = handle.hub.unsafePublishHasRoom(RunEvents.message(messageId, chunk, final))
        block.push(chunk)
        if (block.length === TEXT_BLOCK) {
          joined.push(block.join(""))
          block = []
        }
        current = next
        published++
      } while (!paced && !final && published < UNPACED_BLOCK && !stop() && room)
      // a whole block and still room (no reader attached): let the other fibers run before the next one
      if (published === UNPACED_BLOCK && !final && room) yield* Effect.yieldNow()
    }
    joined.push(block.join(""))
    const text = joined.join("")
    if (stopping(handle)) yield* checkpoint(handle)
    yield* RunHandle.completeStep(handle, stamp(clock))
    if (stopping(handle)) yield* checkpoint(handle)
    yield* RunHandle.complete(handle, env.store, { messageId, text, createdAt }, stamp(clock))
  })

/** Message chunks published at most in one synchronous block when the answer is not paced. */
const UNPACED_BLOCK = 256

/** Chunks of an answer's text joined at a time (see `replyStep`). */
const TEXT_BLOCK = 1024

/** One step; true when the run goes on with another step. */
const runStep = (env: Environment, handle: RunHandle.Handle, clock: Clock.Clock): Effect.Effect<boolean, Stop> =>
  Effect.gen(function*() {
    const decision = yield* env.script.decide(turnInput(env, handle))
    if (stopping(handle)) yield* checkpoint(handle)
    const type = decision._tag === "ToolCalls" ? "tool_calls" : "message_creation"
    const step = newStep(env, handle, type, stamp(clock))
    yield* handle.hub.publish(RunEvents.stepBegin(step))
    if (Duration.greaterThan(decision.delay, Duration.zero)) yield* pause(handle, decision.delay)
    if (stopping(handle)) yield* checkpoint(handle)
    switch (decision._tag) {
      case "Fail": {
        yield* RunHandle.fail(handle, decision.error, stamp(clock))
        return false
      }
      case "ToolCalls":
        return yield* toolStep(env, handle, step, decision.calls, clock)
      case "Reply": {
        yield* replyStep(env, handle, step, decision.chunks, clock)
        return false
      }
    }
  })

const steps = (env: Environment, handle: RunHandle.Handle, clock: Clock.Clock): Effect.Effect<void, Stop> =>
  Effect.gen(function*() {
    while (yield* runStep(env, handle, clock)) {
      // next step
    }
  })

/**
 * Executes a run from `queued` (or continues it after outputs arrived through a run request, which
 * starts with a fresh `run_begin`) to a terminal status.
 *
 * @since 0.1.0
 * @category execution
 */
export const execute = (env: Environment, handle: RunHandle.Handle): Effect.Effect<void> =>
  Effect.clockWith((clock) =>
    Effect.gen(function*() {
      const run = handle.run
      yield* handle.hub.publish(RunEvents.runBegin(run))
      if (stopping(handle)) yield* checkpoint(handle)
      run.status = "in_progress"
      yield* steps(env, handle, clock)
    })
  ).pipe(
    Effect.catchAll((stop) =>
      stop === "cancel"
        ? Effect.flatMap(RunHandle.now, (now) => RunHandle.completeCancel(handle, now))
        : Effect.void
    ),
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause)
        : Effect.flatMap(
          RunHandle.now,
          (now) => RunHandle.fail(handle, { type: "server_error", message: "internal error of the emulator" }, now)
        )
    )
  )
