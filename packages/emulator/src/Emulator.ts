/**
 * The emulator, assembled: every route of the Assistant API over one in-memory store.
 *
 * - {@link layer}: an in-process `HttpClient` (no sockets, the caller's `Clock`) plus {@link EmulatorState}.
 * - {@link layerServer}: the same app on a real loopback HTTP server (see {@link Server}).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Layer from "effect/Layer"
import type * as EmulatorConfig from "./EmulatorConfig.js"
import type * as EmulatorState from "./EmulatorState.js"
import type * as Faults from "./Faults.js"
import * as App from "./internal/app.js"
import type * as ScriptedModel from "./ScriptedModel.js"
import * as Server from "./Server.js"

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
 * An in-process emulator: requests made with the provided `HttpClient` are served by the emulator in
 * the caller's runtime (so `TestClock` applies), whatever the host of the URL.
 *
 * @example
 * ```ts
 * import * as Emulator from "@effect-appbuilder/emulator/Emulator"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
 * import * as Console from "effect/Console"
 * import * as Effect from "effect/Effect"
 *
 * // Create a thread: the request never leaves the process.
 * const program = Effect.gen(function*() {
 *   const client = yield* HttpClient.HttpClient
 *   const response = yield* client.execute(
 *     HttpClientRequest.post("https://qianfan.baidubce.com/v2/threads").pipe(
 *       HttpClientRequest.bearerToken("any-token"),
 *       HttpClientRequest.bodyUnsafeJson({})
 *     )
 *   )
 *   yield* Console.log(yield* response.json) // { id: "thread_…", object: "thread", … }
 * }).pipe(Effect.provide(Emulator.layer()))
 *
 * Effect.runPromise(program)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<HttpClient.HttpClient | EmulatorState.EmulatorState> =>
  Layer.provideMerge(App.layerClient, App.layerApp(options))

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
  const app = App.layerApp(options)
  return Layer.merge(Layer.provide(Server.layer(options), app), app)
}
