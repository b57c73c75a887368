/**
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as AppBuilderError from "./AppBuilderError.js"

/**
 * @since 0.1.0
 */
export * as Common from "./Common.js"
