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
 * The emulator, assembled: in-process layer and its options.
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
 * Fault injection per operation.
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
