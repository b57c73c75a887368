/**
 * @effect-appbuilder/testing: a test kit for code written with `@effect-appbuilder/assistant`.
 *
 * @since 0.1.0
 */

/**
 * Every SDK service over the in-process emulator, plus scripted turns, faults and assertions.
 *
 * @since 0.1.0
 */
export * as AppBuilderTest from "./AppBuilderTest.js"
