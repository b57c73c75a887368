/**
 * The run engine of the run endpoints (blocking and streamed runs, tool outputs, cancel): checks run requests against the state, executes every run
 * in a background fiber of its own (forked into the layer's scope: a client that goes away does not
 * stop its run), and hands the events of a run to the requests attached to it.
 *
 * - A run request is checked completely before anything changes; then the thread (when new), the
 *   appended user messages and the run are recorded, the request is attached to the run's events and
 *   the run's fiber starts.
 * - A continuation (a run request with `tool_output`, or `submit_tool_outputs`) records the outputs and
 *   resumes the waiting fiber; a run request takes the run over from the requests attached before
 *   (their streams end without writing anything more, as the service's do).
 * - Cancel marks the run `cancelling`; its fiber ends it at the next event boundary.
 * - A run left in `requires_action` expires after `requiresActionTimeout`; the engine also applies a due
 *   expiry whenever a run is looked at ({@link Service.activeRun}, {@link Service.refreshAll}, queries).
 *
 * Choices the emulator makes where the service's behaviour is not known:
 *
 * - A `tool_output` continuation keeps the run's configuration: the request's `thread`, `model`,
 *   instructions and `tools` are validated but not used. An empty `tool_output.run_id` means "the
 *   thread's waiting run".
 * - A continuation that leaves calls unanswered (several calls, one output) answers — blocking — the run
 *   still `requires_action` listing the remaining calls, or — streamed — `run_begin` then `tool_calls`
 *   with the remaining calls.
 * - Several calls in one step get the ids `call-<thread>-<run>-step-<n>`, then `…-step-<n>-2`, `…-3`, …
 * - Run and step timestamps are never `0` (which means "not set"), even on a `TestClock` at the epoch.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { EmulatorConfig } from "../EmulatorConfig.js"
import { Script } from "../ScriptedModel.js"
import * as ApiError from "./ApiError.js"
import * as RunEvents from "./runEvents.js"
import * as RunExecute from "./runExecute.js"
import * as RunHandle from "./runHandle.js"
import type * as RunHub from "./runHub.js"
import * as RunPlan from "./runPlan.js"
import type * as RunRequest from "./runRequest.js"
import * as Store from "./Store.js"

/**
 * A request attached to a run: the run, and the events it publishes from the moment of attachment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attachment {
  readonly run: Store.RunRecord
  readonly events: RunHub.Subscription
  /** The engine's alarms for the pings of stream responses. */
  readonly pings: RunHandle.Alarms
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Starts a run, or continues one when the request has a `tool_output`. The attachment's
   * subscription lives as long as the current scope.
   */
  readonly run: (request: RunRequest.RunRequest) => Effect.Effect<Attachment, ApiError.ApiError, Scope.Scope>
  /**
   * {@link Service.run} with the subscription in `scope` (a streamed request's own scope, which outlives
   * the handler): no scope provided through the context, which costs two context compares.
   */
  readonly runIn: (request: RunRequest.RunRequest, scope: Scope.Scope) => Effect.Effect<Attachment, ApiError.ApiError>
  /** Accepts the outputs of every pending call; answers a snapshot of the run right after acceptance. */
  readonly submitToolOutputs: (request: RunRequest.SubmitRequest) => Effect.Effect<Store.RunRecord, ApiError.ApiError>
  /**
   * Cancels a run; answers a snapshot right after the request (`cancelling`), or — with `sync` — once
   * the run is terminal. A terminal run is answered as it is.
   */
  readonly cancel: (request: RunRequest.CancelRequest) => Effect.Effect<Store.RunRecord, ApiError.ApiError>
  /** A run of a thread (`not_found` naming `thread_id` / `run_id`), after applying a due expiry. */
  readonly find: (threadId: string, runId: string) => Effect.Effect<Store.RunRecord, ApiError.ApiError>
  /** The non-terminal run of a thread, after applying a due expiry. */
  readonly activeRun: (threadId: string) => Effect.Effect<Option.Option<Store.RunRecord>>
  /** Cancels a run (if it is not terminal) and waits until it is terminal. */
  readonly cancelRun: (runId: string) => Effect.Effect<void>
  /** Applies every due expiry. */
  readonly refreshAll: Effect.Effect<void>
  /** Waits until a run is terminal; `None` for an unknown run. */
  readonly awaitTerminal: (runId: string) => Effect.Effect<Option.Option<Store.RunRecord>>
  /** The runs that are not terminal (after applying due expiries), oldest first. */
  readonly activeRuns: Effect.Effect<ReadonlyArray<Store.RunRecord>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RunEngine extends Context.Tag("@effect-appbuilder/emulator/RunEngine")<RunEngine, Service>() {}

const snapshot = (run: Store.RunRecord): Store.RunRecord => ({ ...run })

const newRun = (
  store: Store.Service,
  request: RunRequest.RunRequest,
  plan: Extract<RunPlan.Plan, { readonly _tag: "New" }>,
  now: number
): Store.RunRecord => {
  const thread = plan.thread ?? Store.makeThread(store, now)
  for (const message of request.threadMessages ?? []) Store.appendMessage(store, thread, message, now)
  const assistant = plan.assistant
  const run: Store.RunRecord = {
    id: Store.Ids.run(),
    seq: store.nextSeq(),
    threadId: thread.id,
    assistantId: assistant.id,
    logId: Store.Ids.logId(),
    model: request.model ?? assistant.model,
    instructions: request.instructions ?? assistant.instructions,
    thoughtInstructions: request.thoughtInstructions ?? assistant.thoughtInstructions,
    chatInstructions: request.chatInstructions ?? assistant.chatInstructions,
    tools: request.tools.length > 0 ? [...request.tools] : [...assistant.tools],
    status: "queued",
    createdAt: now,
    startedAt: now,
    expiredAt: 0,
    cancelledAt: 0,
    failedAt: 0,
    completedAt: 0,
    requiredAction: null,
    lastError: null,
    finalAnswer: null,
    steps: [],
    deadline: 0
  }
  store.runs.set(run.id, run)
  thread.runIds.push(run.id)
  return run
}

/**
 * Builds the engine; its run fibers live in the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, Store.Store | EmulatorConfig | Script | Scope.Scope> = Effect.gen(
  function*() {
    const store = yield* Store.Store
    const config = yield* EmulatorConfig
    const script = yield* Script
    const fibers = yield* FiberSet.make<void>()
    const handles = new Map<string, RunHandle.Handle>()
    // one fiber for every requires-action deadline, one for every stream's pings (see `RunHandle.Alarms`)
    const expiries = yield* RunHandle.makeAlarms
    const pings = yield* RunHandle.makeAlarms
    const env: RunExecute.Environment = { store, config, script, expiries }

    const refreshRun = (run: Store.RunRecord): Effect.Effect<void> =>
      Effect.gen(function*() {
        if (run.status !== "requires_action") return
        const handle = handles.get(run.id)
        if (handle === undefined) return
        const expired = yield* RunHandle.expireIfDue(handle, yield* RunHandle.now)
        if (expired) yield* RunHandle.signal(handle, { _tag: "Wake" })
      })

    const refreshThread = (thread: Store.ThreadRecord): Effect.Effect<void> =>
      Effect.forEach(thread.runIds, (id) => {
        const run = store.runs.get(id)
        return run === undefined ? Effect.void : refreshRun(run)
      }, { discard: true })

    const refreshAll: Effect.Effect<void> = Effect.suspend(() =>
      Effect.forEach([...store.runs.values()], refreshRun, { discard: true })
    )

    // interruptible whatever the caller's region: closing the layer must be able to stop every run
    const start = (handle: RunHandle.Handle): Effect.Effect<void> =>
      Effect.asVoid(FiberSet.run(
        fibers,
        RunExecute.execute(env, handle).pipe(
          Effect.ensuring(Effect.sync(() => handles.delete(handle.run.id))),
          Effect.interruptible
        )
      ))

    const runIn: Service["runIn"] = (request, scope) =>
      Effect.gen(function*() {
        const existing = request.threadId === "" ? undefined : store.threads.get(request.threadId)
        // (a thread without runs has nothing to refresh: most run requests come on a fresh thread)
        if (existing !== undefined && existing.runIds.length > 0) yield* refreshThread(existing)
        const parts = yield* RunHandle.makeParts
        const now = yield* RunHandle.now
        // check and record in one synchronous block: no other request can interleave
        const accepted = yield* Effect.suspend(() => {
          const plan = RunPlan.run(store, request)
          if (plan._tag === "Left") return Effect.fail(plan.left)
          if (plan.right._tag === "New") {
            const handle = RunHandle.fromParts(parts, newRun(store, request, plan.right, now))
            handles.set(handle.run.id, handle)
            return Effect.succeed({ handle, fresh: true })
          }
          const { call, output, run } = plan.right
          const handle = handles.get(run.id)
          if (handle === undefined) return Effect.fail(ApiError.internal(`run ${run.id} has no executor`))
          call.output = output
          const remaining = (run.requiredAction ?? []).filter((c) => c !== call)
          if (remaining.length === 0) {
            run.status = "queued"
            run.requiredAction = null
            run.deadline = 0
            run.startedAt = now
          } else {
            run.requiredAction = remaining
          }
          return Effect.succeed({ handle, fresh: false })
        })
        const { fresh, handle } = accepted
        if (!fresh) yield* handle.hub.detachAll(RunEvents.detach)
        const events = yield* handle.hub.subscribeIn(scope)
        if (fresh) yield* start(handle)
        else yield* RunHandle.signal(handle, { _tag: "Resume", viaRunRequest: true })
        return { run: handle.run, events, pings }
      })

    const run: Service["run"] = (request) => Effect.flatMap(Effect.scope, (scope) => runIn(request, scope))

    const find: Service["find"] = (threadId, runId) =>
      Effect.gen(function*() {
        if (!store.threads.has(threadId)) {
          return yield* Effect.fail(ApiError.notFound("thread_id", `thread ${threadId} not found`))
        }
        const found = store.runs.get(runId)
        if (found === undefined || found.threadId !== threadId) {
          return yield* Effect.fail(ApiError.notFound("run_id", `run ${runId} not found`))
        }
        yield* refreshRun(found)
        return found
      })

    const submitToolOutputs: Service["submitToolOutputs"] = (request) =>
      Effect.gen(function*() {
        const found = yield* find(request.threadId, request.runId)
        const answer = yield* Effect.suspend(() => {
          const checked = RunPlan.submit(found, request.toolOutputs)
          if (checked._tag === "Left") return Effect.fail(checked.left)
          const handle = handles.get(found.id)
          if (handle === undefined) return Effect.fail(ApiError.internal(`run ${found.id} has no executor`))
          for (const [call, output] of checked.right) call.output = output
          found.status = "in_progress"
          found.requiredAction = null
          found.deadline = 0
          return Effect.succeed({ handle, run: snapshot(found) })
        })
        yield* RunHandle.signal(answer.handle, { _tag: "Resume", viaRunRequest: false })
        return answer.run
      })

    const cancel: Service["cancel"] = (request) =>
      Effect.gen(function*() {
        const found = yield* find(request.threadId, request.runId)
        const handle = handles.get(found.id)
        if (handle === undefined) return snapshot(found)
        const changed = RunHandle.unsafeRequestCancel(handle)
        const answer = snapshot(found)
        if (changed) yield* RunHandle.signal(handle, { _tag: "Wake" })
        if (!request.sync) return answer
        yield* handle.done.await
        return snapshot(found)
      })

    const activeRun: Service["activeRun"] = (threadId) =>
      Effect.gen(function*() {
        const thread = store.threads.get(threadId)
        if (thread === undefined) return Option.none()
        yield* refreshThread(thread)
        return Option.fromNullable(RunPlan.activeRunOf(store, thread))
      })

    const cancelRun: Service["cancelRun"] = (runId) =>
      Effect.gen(function*() {
        const handle = handles.get(runId)
        if (handle === undefined) return
        if (RunHandle.unsafeRequestCancel(handle)) yield* RunHandle.signal(handle, { _tag: "Wake" })
        yield* handle.done.await
      })

    const awaitTerminal: Service["awaitTerminal"] = (runId) =>
      Effect.gen(function*() {
        const handle = handles.get(runId)
        if (handle !== undefined) yield* handle.done.await
        return Option.fromNullable(store.runs.get(runId))
      })

    const activeRuns: Service["activeRuns"] = Effect.zipRight(
      refreshAll,
      Effect.sync(() =>
        [...store.runs.values()].filter((r) => !Store.isTerminal(r.status)).sort((a, b) => a.seq - b.seq)
      )
    )

    return { run, runIn, submitToolOutputs, cancel, find, activeRun, cancelRun, refreshAll, awaitTerminal, activeRuns }
  }
)

/**
 * The engine as a scoped layer: closing the layer interrupts the runs still executing.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RunEngine, never, Store.Store | EmulatorConfig | Script> = Layer.scoped(RunEngine, make)
