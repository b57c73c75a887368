/**
 * The implementation of {@link EmulatorState}: queries copy the records of the store, so that what a
 * test holds never changes under it, and no test can change the store behind the engine's back.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as EmulatorState from "../EmulatorState.js"
import * as Faults from "../Faults.js"
import * as RunEngine from "./RunEngine.js"
import * as Store from "./Store.js"

/** A deep copy of a record, taken now. */
const snapshot = <A>(record: A): A => structuredClone(record)

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<EmulatorState.Service, never, Store.Store | Faults.Faults | RunEngine.RunEngine> =
  Effect
    .gen(function*() {
      const store = yield* Store.Store
      const faults = yield* Faults.Faults
      const engine = yield* RunEngine.RunEngine
      // expiry is applied lazily by the engine: refresh before reporting runs
      const allRuns = Effect.zipRight(
        engine.refreshAll,
        Effect.sync(() => [...store.runs.values()].sort((a, b) => a.seq - b.seq))
      )
      const runs = (keep: (run: Store.RunRecord) => boolean): Effect.Effect<ReadonlyArray<EmulatorState.RunRecord>> =>
        Effect.map(allRuns, (all) => all.filter(keep).map(snapshot))
      return {
        assistants: Effect.sync(() => [...store.assistants.values()].filter((a) => !a.deleted).map(snapshot)),
        files: Effect.sync(() => [...store.files.values()].map(snapshot)),
        threads: Effect.sync(() => [...store.threads.values()].map(snapshot)),
        thread: (threadId) => Effect.sync(() => Option.map(Option.fromNullable(store.threads.get(threadId)), snapshot)),
        messages: (threadId) => Effect.sync(() => (store.threads.get(threadId)?.messages ?? []).map(snapshot)),
        runs: (status) => runs((run) => status === undefined || run.status === status),
        activeRuns: runs((run) => !Store.isTerminal(run.status)),
        run: (runId) =>
          Effect.zipRight(
            engine.refreshAll,
            Effect.sync(() => Option.map(Option.fromNullable(store.runs.get(runId)), snapshot))
          ),
        awaitRunEnd: (runId) =>
          Effect.zipRight(
            engine.refreshAll,
            Effect.suspend(() => {
              // held before waiting: deleting the thread removes the run from the store once it has ended
              const record = store.runs.get(runId)
              return record === undefined
                ? Effect.succeedNone
                : Effect.map(engine.awaitTerminal(runId), () => Option.some(snapshot(record)))
            })
          ),
        requests: Effect.sync(() => store.requests.toArray().map(snapshot)),
        requestLogSize: store.requests.capacity,
        clearRequests: Effect.sync(() => store.requests.clear()),
        injectFault: faults.inject,
        clearFaults: faults.clear,
        faults: faults.installed
      }
    })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EmulatorState.EmulatorState, never, Store.Store | Faults.Faults | RunEngine.RunEngine> =
  Layer.effect(EmulatorState.EmulatorState, make)
