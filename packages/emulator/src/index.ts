/**
 * @effect-appbuilder/emulator: a faithful in-memory emulator of the Baidu AppBuilder Assistant API.
 *
 * @since 0.1.0
 */

/**
 * The emulator's error envelopes and storage-family errors.
 *
 * @since 0.1.0
 */
export * as ApiError from "./ApiError.js"

/**
 * The command line of `appbuilder-emulator`.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * The emulator, assembled: the in-process layer, the server layer and their options.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * The emulator's settings: auth token, timings, limits.
 *
 * @since 0.1.0
 */
export * as EmulatorConfig from "./EmulatorConfig.js"

/**
 * Inspecting and steering a running emulator from tests.
 *
 * @since 0.1.0
 */
export * as EmulatorState from "./EmulatorState.js"

/**
 * Fault injection per operation: statuses, latency, dropped connections, malformed bodies.
 *
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * An `HttpClient` that serves requests with an `HttpApp` in the caller's runtime.
 *
 * @since 0.1.0
 */
export * as InProcessClient from "./InProcessClient.js"

/**
 * The contract between the router and its endpoint handlers.
 *
 * @since 0.1.0
 */
export * as Route from "./Route.js"

/**
 * The emulator's HTTP application.
 *
 * @since 0.1.0
 */
export * as Router from "./Router.js"

/**
 * The run engine: runs, streams, tool calls, cancellation, expiry.
 *
 * @since 0.1.0
 */
export * as RunEngine from "./RunEngine.js"

/**
 * The deterministic scripted model and its pluggable script.
 *
 * @since 0.1.0
 */
export * as ScriptedModel from "./ScriptedModel.js"

/**
 * Serving the emulator on a real HTTP server.
 *
 * @since 0.1.0
 */
export * as Server from "./Server.js"

/**
 * The emulator's in-memory state.
 *
 * @since 0.1.0
 */
export * as Store from "./Store.js"

/**
 * Readers for request fields.
 *
 * @since 0.1.0
 */
export * as Validate from "./Validate.js"

/**
 * The exact JSON the emulator answers with.
 *
 * @since 0.1.0
 */
export * as Wire from "./Wire.js"
