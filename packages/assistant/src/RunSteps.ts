/**
 * The steps of a run (`/v2/threads/runs/steps*`): list and query.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Stream from "effect/Stream"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import { AppBuilderClient, type Operation } from "./AppBuilderClient.js"
import { ListPage, type ListOptions, RunStep } from "./Common.js"
import { paginate } from "./internal/paginate.js"
import * as V from "./internal/validation.js"

/**
 * A run with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListInput extends ListOptions {
  readonly threadId: string
  readonly runId: string
}

/**
 * A thread id, a run id and a step id (`step-1`, …).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface StepRef {
  readonly threadId: string
  readonly runId: string
  readonly stepId: string
}

/**
 * The run steps service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly list: (input: ListInput) => Effect.Effect<ListPage<RunStep>, HttpError | ValidationError>
  /** Every step of the run, page after page. */
  readonly listAll: (input: ListInput) => Stream.Stream<RunStep, HttpError | ValidationError>
  readonly query: (input: StepRef) => Effect.Effect<RunStep, HttpError | ValidationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RunSteps extends Context.Tag("@effect-appbuilder/assistant/RunSteps")<RunSteps, Service>() {}

const op = (name: string, idempotent: boolean): Operation => ({ name, idempotent })

const RunStepList = ListPage(RunStep)

/**
 * Builds the run steps service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const list = Effect.fn("RunSteps.list")(function*(input: ListInput) {
    const body = yield* V.validate("RunSteps.list", (c) => {
      const fields = V.record(c, input)
      return {
        thread_id: V.id(c, ["threadId"], fields.threadId),
        run_id: V.id(c, ["runId"], fields.runId),
        ...V.listFields(c, fields)
      }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.run_id": body.run_id })
    return yield* client.post(op("RunSteps.list", true), "/v2/threads/runs/steps/list", body, RunStepList)
  })

  const listAll = (input: ListInput) => paginate(input, list)

  const query = Effect.fn("RunSteps.query")(function*(input: StepRef) {
    const body = yield* V.validate("RunSteps.query", (c) => {
      const fields = V.record(c, input)
      return {
        thread_id: V.id(c, ["threadId"], fields.threadId),
        run_id: V.id(c, ["runId"], fields.runId),
        step_id: V.id(c, ["stepId"], fields.stepId)
      }
    })
    yield* Effect.annotateCurrentSpan({
      "appbuilder.thread_id": body.thread_id,
      "appbuilder.run_id": body.run_id,
      "appbuilder.step_id": body.step_id
    })
    return yield* client.post(op("RunSteps.query", true), "/v2/threads/runs/steps/query", body, RunStep)
  })

  return RunSteps.of({ list, listAll, query })
})

/**
 * The run steps service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RunSteps, never, AppBuilderClient> = Layer.effect(RunSteps, make)
