/**
 * Inspecting and steering a running emulator from tests: its assistants, files, threads, messages and
 * runs, the log of the requests it received, and fault injection.
 *
 * The records returned are the live records of the store (snapshots of the collections, not copies of
 * the records), so a test can also adjust them directly through {@link Service.store}.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Faults from "./Faults.js"
import * as RunEngine from "./RunEngine.js"
import * as Store from "./Store.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly assistants: Effect.Effect<ReadonlyArray<Store.AssistantRecord>>
  readonly files: Effect.Effect<ReadonlyArray<Store.FileRecord>>
  readonly threads: Effect.Effect<ReadonlyArray<Store.ThreadRecord>>
  readonly thread: (threadId: string) => Effect.Effect<Option.Option<Store.ThreadRecord>>
  /** The messages of a thread, oldest first (empty for an unknown thread). */
  readonly messages: (threadId: string) => Effect.Effect<ReadonlyArray<Store.MessageRecord>>
  /** Every run, oldest first; with a status, only the runs in that status. */
  readonly runs: (status?: Store.RunStatus) => Effect.Effect<ReadonlyArray<Store.RunRecord>>
  /** The runs that are not terminal yet. */
  readonly activeRuns: Effect.Effect<ReadonlyArray<Store.RunRecord>>
  readonly run: (runId: string) => Effect.Effect<Option.Option<Store.RunRecord>>
  /** The requests received so far, oldest first (at most the configured `requestLogSize`, the latest ones). */
  readonly requests: Effect.Effect<ReadonlyArray<Store.RequestLogEntry>>
  readonly clearRequests: Effect.Effect<void>
  /** Installs a fault for the next matching requests on `path` (see {@link Faults}). */
  readonly injectFault: (path: string, fault: Faults.Fault) => Effect.Effect<void>
  /** Removes the faults of one path, or all of them. */
  readonly clearFaults: (path?: string) => Effect.Effect<void>
  readonly faults: Effect.Effect<ReadonlyArray<Faults.Installed>>
  /** The raw store, for steering state directly. */
  readonly store: Store.Service
}

/**
 * @since 0.1.0
 * @category tags
 */
export class EmulatorState extends Context.Tag("@effect-appbuilder/emulator/EmulatorState")<EmulatorState, Service>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, Store.Store | Faults.Faults | RunEngine.RunEngine> = Effect.gen(function*() {
  const store = yield* Store.Store
  const faults = yield* Faults.Faults
  const engine = yield* RunEngine.RunEngine
  // expiry is applied lazily by the engine: refresh before reporting runs
  const allRuns = () =>
    Effect.zipRight(engine.refreshAll, Effect.sync(() => [...store.runs.values()].sort((a, b) => a.seq - b.seq)))
  return {
    assistants: Effect.sync(() => [...store.assistants.values()].filter((a) => !a.deleted)),
    files: Effect.sync(() => [...store.files.values()]),
    threads: Effect.sync(() => [...store.threads.values()]),
    thread: (threadId) => Effect.sync(() => Option.fromNullable(store.threads.get(threadId))),
    messages: (threadId) => Effect.sync(() => [...(store.threads.get(threadId)?.messages ?? [])]),
    runs: (status) => Effect.map(allRuns(), (runs) => runs.filter((run) => status === undefined || run.status === status)),
    activeRuns: Effect.map(allRuns(), (runs) => runs.filter((run) => !Store.isTerminal(run.status))),
    run: (runId) => Effect.zipRight(engine.refreshAll, Effect.sync(() => Option.fromNullable(store.runs.get(runId)))),
    requests: Effect.sync(() => store.requests.toArray()),
    clearRequests: Effect.sync(() => store.requests.clear()),
    injectFault: faults.inject,
    clearFaults: faults.clear,
    faults: faults.installed,
    store
  }
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EmulatorState, never, Store.Store | Faults.Faults | RunEngine.RunEngine> = Layer.effect(
  EmulatorState,
  make
)
