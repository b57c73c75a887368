/**
 * The emulator, assembled: every route of the Assistant API over one in-memory store.
 *
 * - {@link layer}: an in-process `HttpClient` (no sockets, the caller's `Clock`) plus {@link EmulatorState}.
 * - {@link layerServer}: the same app on a real loopback HTTP server (see {@link Server}).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as EmulatorConfig from "./EmulatorConfig.js"
import * as EmulatorState from "./EmulatorState.js"
import * as Faults from "./Faults.js"
import * as InProcessClient from "./InProcessClient.js"
import type * as Route from "./Route.js"
import * as Router from "./Router.js"
import * as Assistants from "./routes/Assistants.js"
import * as Files from "./routes/Files.js"
import * as Messages from "./routes/Messages.js"
import * as Runs from "./routes/Runs.js"
import * as Threads from "./routes/Threads.js"
import * as RunEngine from "./RunEngine.js"
import * as ScriptedModel from "./ScriptedModel.js"
import * as Server from "./Server.js"
import * as Store from "./Store.js"

/**
 * Options of every way to run the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends EmulatorConfig.Options {
  /** Faults installed at start, by path (see {@link Faults}). */
  readonly faults?: Faults.Initial | undefined
  /** The model's script (default: the rules of `ScriptedModel.layer`). */
  readonly script?: Layer.Layer<ScriptedModel.Script> | undefined
}

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
  options: Options = {}
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
export const layerApp = (options: Options = {}): Layer.Layer<Router.App | EmulatorState.EmulatorState> =>
  Layer.mergeAll(Router.layer(routes), EmulatorState.layer).pipe(Layer.provide(layerServices(options)))

const clientFromApp: Layer.Layer<HttpClient.HttpClient, never, Router.App> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(Router.App, InProcessClient.make)
)

/**
 * An in-process emulator: requests made with the provided `HttpClient` are served by the emulator in
 * the caller's runtime (so `TestClock` applies), whatever the host of the URL.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient | EmulatorState.EmulatorState> =>
  Layer.provideMerge(clientFromApp, layerApp(options))

/**
 * Options of {@link layerServer}: the emulator's options plus where to bind.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions extends Options, Server.Options {}

/**
 * The emulator on a real HTTP server (default `127.0.0.1`, any free port). Read the bound URL from
 * {@link Server.EmulatorServer}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (
  options: ServerOptions = {}
): Layer.Layer<Server.EmulatorServer | EmulatorState.EmulatorState, ServeError> => {
  const app = layerApp(options)
  return Layer.merge(Layer.provide(Server.layer(options), app), app)
}
