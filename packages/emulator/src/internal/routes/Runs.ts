/**
 * The run endpoints:
 *
 * - `/v2/threads/runs`: a blocking run (`stream: false`) answers a `run.result` once the run is
 *   `completed`, `requires_action`, `failed`, `cancelled` or `expired`; a streamed run
 *   (`stream: true`) answers `text/event-stream`, one HTTP chunk per event. Request errors
 *   of stream requests are answered exactly like the others (a JSON envelope).
 * - `/v2/threads/runs/submit_tool_outputs`, `/v2/threads/runs/cancel`: the run right after the request
 *   (`thread.run`).
 * - `/v2/threads/runs/list`, `/v2/threads/runs/query`, `/v2/threads/runs/steps/list`,
 *   `/v2/threads/runs/steps/query`.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { EmulatorConfig } from "../../EmulatorConfig.js"
import * as ApiError from "../ApiError.js"
import type { JsonObject } from "../json.js"
import * as Route from "../Route.js"
import { RunEngine } from "../RunEngine.js"
import * as RunEvents from "../runEvents.js"
import type * as RunHub from "../runHub.js"
import * as RunRequest from "../runRequest.js"
import { ServerShutdown } from "../shutdown.js"
import * as Sse from "../sse.js"
import { Store } from "../Store.js"
import * as Validate from "../Validate.js"
import * as Wire from "../Wire.js"

/** Waits for the event after which a blocking call answers. */
const awaitSettled = (events: RunHub.Subscription): Effect.Effect<void> =>
  Effect.flatMap(events.take, (event) => (RunEvents.isSettling(event) ? Effect.void : awaitSettled(events)))

// set with the response rather than after it (a second copy of the headers per stream); the same order
// as before on the wire: `content-type`, then `cache-control`
const STREAM_CONTENT_TYPE = "text/event-stream; charset=utf-8"
const STREAM_HEADERS = Headers.fromInput({ "content-type": STREAM_CONTENT_TYPE, "cache-control": "no-cache" })

const streamResponse = (
  engine: RunEngine["Type"],
  request: RunRequest.RunRequest,
  pingInterval: EmulatorConfig["Type"]["pingInterval"]
): Effect.Effect<HttpServerResponse.HttpServerResponse, ApiError.ApiError> =>
  // the subscription must outlive this handler: it lives until the body stream ends (uninterruptible, so
  // that an interruption cannot leave a subscription without a body to close it)
  Effect.uninterruptible(Effect.flatMap(Scope.make(), (scope) => {
    const close = Scope.close(scope, Exit.void)
    // read here: the body stream runs later, outside the context the app is given
    return Effect.flatMap(Effect.serviceOption(ServerShutdown), (serverShutdown) =>
      Effect.map(
        Effect.onError(engine.runIn(request, scope), () => close),
        (attachment) =>
          HttpServerResponse.stream(
            Sse.body(attachment.events, pingInterval, attachment.pings, close, serverShutdown),
            { contentType: STREAM_CONTENT_TYPE, headers: STREAM_HEADERS }
          )
      ))
  }))

/** A blocking run: answers once the run settles (see the module's comment). */
const blockingRun = (
  engine: RunEngine["Type"],
  request: RunRequest.RunRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse, ApiError.ApiError> =>
  Effect.scoped(Effect.gen(function*() {
    const attachment = yield* engine.run(request)
    yield* awaitSettled(attachment.events)
    return Route.json(Wire.runResult(attachment.run))
  }))

// `flatMap`s rather than a generator: the request that starts every run
const runs = Route.make(
  "/v2/threads/runs",
  ({ body }) =>
    Effect.flatMap(RunEngine, (engine) =>
      Effect.flatMap(EmulatorConfig, (config) =>
        Effect.flatMap(
          RunRequest.runRequest(body),
          (request) =>
            request.stream ? streamResponse(engine, request, config.pingInterval) : blockingRun(engine, request)
        )))
)

const submitToolOutputs = Route.make("/v2/threads/runs/submit_tool_outputs", ({ body }) =>
  Effect.gen(function*() {
    const engine = yield* RunEngine
    const request = yield* RunRequest.submitRequest(body)
    return Route.json(Wire.run(yield* engine.submitToolOutputs(request)))
  }))

const cancel = Route.make("/v2/threads/runs/cancel", ({ body }) =>
  Effect.gen(function*() {
    const engine = yield* RunEngine
    const request = yield* RunRequest.cancelRequest(body)
    return Route.json(Wire.run(yield* engine.cancel(request)))
  }))

const list = Route.make("/v2/threads/runs/list", ({ body }) =>
  Effect.gen(function*() {
    const engine = yield* RunEngine
    const store = yield* Store
    const threadId = yield* Validate.requiredString(body, "thread_id", { nonEmpty: true })
    const params = yield* Validate.listParams(body)
    const thread = store.threads.get(threadId)
    if (thread === undefined) return yield* Effect.fail(ApiError.notFound("thread_id", `thread ${threadId} not found`))
    yield* engine.activeRun(threadId)
    const records = thread.runIds.flatMap((id) => {
      const run = store.runs.get(id)
      return run === undefined ? [] : [run]
    })
    const page = yield* Validate.paginate(records, params, (run) => run.id)
    return Route.json(Wire.list(page, Wire.run))
  }))

const query = Route.make("/v2/threads/runs/query", ({ body }) =>
  Effect.gen(function*() {
    const engine = yield* RunEngine
    const ref = yield* RunRequest.runRef(body)
    return Route.json(Wire.run(yield* engine.find(ref.threadId, ref.runId)))
  }))

const stepsList = Route.make("/v2/threads/runs/steps/list", ({ body }) =>
  Effect.gen(function*() {
    const engine = yield* RunEngine
    const ref = yield* RunRequest.runRef(body)
    const params = yield* Validate.listParams(body)
    const run = yield* engine.find(ref.threadId, ref.runId)
    const page = yield* Validate.paginate(run.steps, params, (step) => step.id)
    return Route.json(Wire.list(page, Wire.step))
  }))

const stepsQuery = Route.make("/v2/threads/runs/steps/query", ({ body }) =>
  Effect.gen(function*() {
    const engine = yield* RunEngine
    const ref = yield* RunRequest.runRef(body)
    const stepId = yield* Validate.requiredString(body, "step_id", { nonEmpty: true })
    const run = yield* engine.find(ref.threadId, ref.runId)
    const step = run.steps.find((s) => s.id === stepId)
    if (step === undefined) return yield* Effect.fail(ApiError.notFound("step_id", `step ${stepId} not found`))
    const json: JsonObject = Wire.step(step)
    return Route.json(json)
  }))

/**
 * Every run route.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<Route.Route<RunEngine | Store | EmulatorConfig>> = [
  runs,
  submitToolOutputs,
  cancel,
  list,
  query,
  stepsList,
  stepsQuery
]
