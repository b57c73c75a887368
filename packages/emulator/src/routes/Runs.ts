/**
 * The run endpoints (spec §3.24–§3.31).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as ApiError from "../ApiError.js"
import type { EmulatorConfig } from "../EmulatorConfig.js"
import * as Route from "../Route.js"
import type { RunEngine } from "../RunEngine.js"
import type { Store } from "../Store.js"

const notYet = () => Effect.fail(ApiError.internal("not implemented yet"))

/**
 * Every run route.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<Route.Route<RunEngine | Store | EmulatorConfig>> = [
  Route.make("/v2/threads/runs", notYet),
  Route.make("/v2/threads/runs/submit_tool_outputs", notYet),
  Route.make("/v2/threads/runs/cancel", notYet),
  Route.make("/v2/threads/runs/list", notYet),
  Route.make("/v2/threads/runs/query", notYet),
  Route.make("/v2/threads/runs/steps/list", notYet),
  Route.make("/v2/threads/runs/steps/query", notYet)
]
