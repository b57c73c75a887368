/**
 * The emulator's parts wired together: every route, the services they need (store, configuration,
 * fault table, run engine) and the HTTP application serving them. {@link Emulator} builds its public
 * layers from these.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Emulator from "../Emulator.js"
import * as EmulatorConfig from "../EmulatorConfig.js"
import type * as EmulatorState from "../EmulatorState.js"
import * as Faults from "../Faults.js"
import * as ScriptedModel from "../ScriptedModel.js"
import * as Server from "../Server.js"
import * as EmulatorStateLive from "./emulatorState.js"
import * as InProcessClient from "./InProcessClient.js"
import type * as Route from "./Route.js"
import * as Router from "./Router.js"
import * as Assistants from "./routes/Assistants.js"
import * as Files from "./routes/Files.js"
import * as Messages from "./routes/Messages.js"
import * as Runs from "./routes/Runs.js"
import * as Threads from "./routes/Threads.js"
import * as RunEngine from "./RunEngine.js"
import * as Store from "./Store.js"

/**
 * Every route of the emulator.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes: ReadonlyArray<
  Route.Route<Store.Store | EmulatorConfig.EmulatorConfig | RunEngine.RunEngine>
> = [
  ...Assistants.routes,
  ...Files.routes,
  ...Threads.routes,
  ...Messages.routes,
  ...Runs.routes
]

/**
 * The emulator's services: a fresh store, the configuration, the fault table and the run engine.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices = (
  options: Emulator.Options = {}
): Layer.Layer<Store.Store | EmulatorConfig.EmulatorConfig | Faults.Faults | RunEngine.RunEngine> => {
  const base = Layer.mergeAll(
    Layer.effect(Store.Store, Store.makeWith({ requestLogSize: options.requestLogSize })),
    EmulatorConfig.layer(options),
    Faults.layer(options.faults ?? {})
  )
  const engine = RunEngine.layer.pipe(Layer.provide(options.script ?? ScriptedModel.layer))
  return Layer.provideMerge(engine, base)
}

/**
 * The emulator's HTTP application and its state, ready to be served or called in process.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerApp = (options: Emulator.Options = {}): Layer.Layer<Server.App | EmulatorState.EmulatorState> =>
  Layer.mergeAll(Router.layer(routes), EmulatorStateLive.layer).pipe(Layer.provide(layerServices(options)))

/**
 * An `HttpClient` handing every request to the {@link Server.App} of the context, in process.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient: Layer.Layer<HttpClient.HttpClient, never, Server.App> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(Server.App, InProcessClient.make)
)
