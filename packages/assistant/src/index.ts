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
 * The error types of the SDK and their union, `AppBuilderError`.
 *
 * @since 0.1.0
 */
export * as AppBuilderError from "./AppBuilderError.js"

/**
 * Assistants, the files mounted on them, and the function tool models.
 *
 * @since 0.1.0
 */
export * as Assistants from "./Assistants.js"

/**
 * Models shared by several resources: content, list pages, model parameters, user info, metadata.
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
 * The steps of a run and the run step model.
 *
 * @since 0.1.0
 */
export * as RunSteps from "./RunSteps.js"

/**
 * Runs: blocking and streamed runs, tool outputs, cancel, list, query; the run model.
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
