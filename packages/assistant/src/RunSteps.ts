/**
 * The steps of a run (`/v2/threads/runs/steps*`): list and query.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import { AppBuilderClient } from "./AppBuilderClient.js"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import { ListPage } from "./Common.js"
import * as Endpoint from "./internal/endpoint.js"
import { RunStep } from "./internal/models/runStep.js"
import { paginate } from "./internal/paginate.js"
import { Id, listFields, required } from "./internal/requestSchema.js"

/**
 * The run step model (`RunStep`: `step-1`, `step-2`, …, ids unique per run only) and what a step did
 * (`RunStepDetails`): the message it created (`MessageCreationDetails`), the action it took
 * (`ActionInfo`), the tool calls it made (`ToolCall`, from `Runs`) and the tools it invoked
 * (`ToolInfo`).
 *
 * @since 0.1.0
 * @category models
 */
export {
  /**
   * A step's action.
   *
   * @since 0.1.0
   * @category models
   */
  ActionInfo,
  /**
   * `{message_id}` of the message a step created.
   *
   * @since 0.1.0
   * @category models
   */
  MessageCreationDetails,
  /**
   * A run step (`step-1`, `step-2`, …, ids unique per run only).
   *
   * @since 0.1.0
   * @category models
   */
  RunStep,
  /**
   * What a step did: created a message, or called tools.
   *
   * @since 0.1.0
   * @category models
   */
  RunStepDetails,
  /**
   * One tool invocation reported in a step's details.
   *
   * @since 0.1.0
   * @category models
   */
  ToolInfo
} from "./internal/models/runStep.js"

/**
 * The request of {@link Service.list}: a run with paging options.
 *
 * @since 0.1.0
 * @category requests
 */
export const ListRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  runId: required(Id, "run_id"),
  ...listFields
})

/**
 * A run with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListInput extends Schema.Schema.Type<typeof ListRequest> {}

/**
 * The request of {@link Service.query}: a thread id, a run id and a step id (`step-1`, …).
 *
 * @since 0.1.0
 * @category requests
 */
export const StepRefRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  runId: required(Id, "run_id"),
  stepId: required(Id, "step_id")
})

/**
 * A thread id, a run id and a step id (`step-1`, …).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface StepRef extends Schema.Schema.Type<typeof StepRefRequest> {}

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

/**
 * The operations of the run steps service.
 */
const endpoints = {
  list: Endpoint.make({
    name: "RunSteps.list",
    path: "/v2/threads/runs/steps/list",
    idempotent: true,
    request: ListRequest,
    response: ListPage(RunStep),
    spanAttributes: ["thread_id", "run_id"]
  }),
  query: Endpoint.make({
    name: "RunSteps.query",
    path: "/v2/threads/runs/steps/query",
    idempotent: true,
    request: StepRefRequest,
    response: RunStep,
    spanAttributes: ["thread_id", "run_id", "step_id"]
  })
}

/**
 * Builds the run steps service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient
  const list = Endpoint.call(client, endpoints.list)
  return RunSteps.of({
    list,
    listAll: (input) => paginate(input, list),
    query: Endpoint.call(client, endpoints.query)
  })
})

/**
 * The run steps service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RunSteps, never, AppBuilderClient> = Layer.effect(RunSteps, make)
