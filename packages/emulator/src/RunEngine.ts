/**
 * The run engine: validates run requests against the state, executes runs in background fibers and
 * publishes their events (spec §5, §6).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as ApiError from "./ApiError.js"
import type { EmulatorConfig } from "./EmulatorConfig.js"
import type * as RunEvents from "./internal/runEvents.js"
import type * as RunRequest from "./internal/runRequest.js"
import type { Script } from "./ScriptedModel.js"
import type * as Store from "./Store.js"

/**
 * A request attached to a run: the run and the events it publishes from now on.
 *
 * @since 0.1.0
 * @category models
 */
export interface Attachment {
  readonly run: Store.RunRecord
  readonly events: Queue.Dequeue<RunEvents.RunEvent>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly run: (request: RunRequest.RunRequest) => Effect.Effect<Attachment, ApiError.ApiError, Scope.Scope>
  readonly submitToolOutputs: (request: RunRequest.SubmitRequest) => Effect.Effect<Store.RunRecord, ApiError.ApiError>
  readonly cancel: (request: RunRequest.CancelRequest) => Effect.Effect<Store.RunRecord, ApiError.ApiError>
  readonly find: (threadId: string, runId: string) => Effect.Effect<Store.RunRecord, ApiError.ApiError>
  readonly activeRun: (threadId: string) => Effect.Effect<Option.Option<Store.RunRecord>>
  readonly cancelRun: (runId: string) => Effect.Effect<void>
  readonly refreshAll: Effect.Effect<void>
  readonly awaitTerminal: (runId: string) => Effect.Effect<Option.Option<Store.RunRecord>>
  readonly activeRuns: Effect.Effect<ReadonlyArray<Store.RunRecord>>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RunEngine extends Context.Tag("@effect-appbuilder/emulator/RunEngine")<RunEngine, Service>() {}

const notYet = Effect.fail(ApiError.internal("run engine not implemented yet"))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RunEngine, never, Store.Store | EmulatorConfig | Script> = Layer.succeed(RunEngine, {
  run: () => notYet,
  submitToolOutputs: () => notYet,
  cancel: () => notYet,
  find: () => notYet,
  activeRun: () => Effect.succeed(Option.none()),
  cancelRun: () => Effect.void,
  refreshAll: Effect.void,
  awaitTerminal: () => Effect.succeed(Option.none()),
  activeRuns: Effect.succeed([])
})
