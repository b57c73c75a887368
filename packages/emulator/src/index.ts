/**
 * @effect-appbuilder/emulator: a faithful in-memory emulator of the Baidu AppBuilder Assistant API.
 *
 * @since 0.1.0
 */

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
