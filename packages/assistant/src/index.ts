/**
 * Effect-native SDK for the Baidu AppBuilder Assistant API.
 *
 * @since 0.1.0
 */

/**
 * One layer providing the client and every resource service.
 *
 * @since 0.1.0
 */
export * as AppBuilder from "./AppBuilder.js"

/**
 * The low-level client: base URL, auth headers, request ids, timeouts, retries and error mapping.
 *
 * @since 0.1.0
 */
export * as AppBuilderClient from "./AppBuilderClient.js"

/**
 * The three public error types.
 *
 * @since 0.1.0
 */
export * as AppBuilderError from "./AppBuilderError.js"

/**
 * Assistants and the files mounted on them.
 *
 * @since 0.1.0
 */
export * as Assistants from "./Assistants.js"

/**
 * Models shared by several resources.
 *
 * @since 0.1.0
 */
export * as Common from "./Common.js"

/**
 * Stored files: upload, list, query, delete, download, content.
 *
 * @since 0.1.0
 */
export * as Files from "./Files.js"

/**
 * Messages of a thread.
 *
 * @since 0.1.0
 */
export * as Messages from "./Messages.js"

/**
 * The events of a streamed run.
 *
 * @since 0.1.0
 */
export * as RunEvent from "./RunEvent.js"

/**
 * The steps of a run.
 *
 * @since 0.1.0
 */
export * as RunSteps from "./RunSteps.js"

/**
 * Runs: blocking and streamed runs, tool outputs, cancel, list, query.
 *
 * @since 0.1.0
 */
export * as Runs from "./Runs.js"

/**
 * Threads.
 *
 * @since 0.1.0
 */
export * as Threads from "./Threads.js"

/**
 * The function-calling loop: tools, toolkits, and the loop itself in stream and blocking mode.
 *
 * @since 0.1.0
 */
export * as ToolLoop from "./ToolLoop.js"
