/**
 * Shape validation of the run-family request bodies (runs, tool outputs, cancel, list, query, steps): each parser reads a JSON body
 * into a typed request or fails with the `invalid_argument` error naming the field.
 * Checks against the state (existing ids, run status, conversation) belong to the engine.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ApiError from "./ApiError.js"
import type { Json, JsonObject } from "./json.js"
import { isObject } from "./json.js"
import type * as Store from "./Store.js"
import * as Validate from "./Validate.js"

type Result<A> = Either.Either<A, ApiError.ApiError>

/**
 * Models a run may use.
 *
 * @since 0.1.0
 * @category constants
 */
export const RUN_MODELS: ReadonlyArray<string> = ["ERNIE-4.0T-8K", "DeepSeek-V3.1", "ERNIE-4.0-8K", "ERNIE-3.5-8K"]

/**
 * @since 0.1.0
 * @category models
 */
export interface ThreadMessageInput {
  readonly content: string
  readonly role: "user" | "assistant"
  readonly fileIds: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ToolOutputInput {
  readonly toolCallId: string
  readonly output: string
  /** `""` when not given. */
  readonly runId: string
}

/**
 * A parsed `POST /v2/threads/runs` body.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunRequest {
  readonly assistantId: string
  /** `""`: run on a new thread. */
  readonly threadId: string
  /** The messages of `thread` (`undefined` when `thread` is null/absent). */
  readonly threadMessages: ReadonlyArray<ThreadMessageInput> | undefined
  readonly model: string | undefined
  readonly instructions: string | undefined
  readonly thoughtInstructions: string | undefined
  readonly chatInstructions: string | undefined
  /** Normalised tools; empty means "the assistant's tools". */
  readonly tools: ReadonlyArray<Store.ToolJson>
  readonly metadata: Readonly<Record<string, string>>
  readonly stream: boolean
  readonly toolOutput: ToolOutputInput | undefined
}

/**
 * A parsed `POST /v2/threads/runs/submit_tool_outputs` body.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubmitRequest {
  readonly threadId: string
  readonly runId: string
  readonly toolOutputs: ReadonlyArray<ToolOutputInput>
}

/**
 * A parsed `POST /v2/threads/runs/cancel` body.
 *
 * @since 0.1.0
 * @category models
 */
export interface CancelRequest {
  readonly threadId: string
  readonly runId: string
  readonly sync: boolean
}

const fail = (param: string, message: string): Result<never> => Either.left(ApiError.invalidArgument(param, message))

const jsonOrNull = (value: Json | undefined): Json => (value === undefined ? null : value)

/**
 * Reads a function tool and normalises it to `{type, function: {name, description, parameters,
 * responses, examples}}` (absent optional keys become `null`, as the official client sends them).
 *
 * @since 0.1.0
 * @category parsers
 */
export const tool = (value: Json, path: string): Result<Store.ToolJson> =>
  Either.gen(function*() {
    if (!isObject(value)) return yield* fail(path, `${path} must be an object`)
    const type = yield* Validate.optionalString(value, "type", { path, oneOf: ["function"] })
    const fn = value["function"]
    if (!isObject(fn)) return yield* fail(`${path}.function`, `${path}.function must be an object`)
    const fnPath = `${path}.function`
    const name = yield* Validate.requiredString(fn, "name", { path: fnPath, nonEmpty: true })
    const description = yield* Validate.requiredString(fn, "description", { path: fnPath })
    yield* Validate.optionalObject(fn, "parameters", fnPath)
    yield* Validate.optionalObject(fn, "responses", fnPath)
    yield* Validate.optionalArray(fn, "examples", { path: fnPath })
    const normalised: Store.ToolJson = {
      type: type ?? "function",
      function: {
        name,
        description,
        parameters: jsonOrNull(fn["parameters"]),
        responses: jsonOrNull(fn["responses"]),
        examples: jsonOrNull(fn["examples"])
      }
    }
    return normalised
  })

const threadMessage = (value: Json, path: string): Result<ThreadMessageInput> =>
  Either.gen(function*() {
    if (!isObject(value)) return yield* fail(path, `${path} must be an object`)
    const content = yield* Validate.requiredString(value, "content", { path })
    const role = yield* Validate.optionalString(value, "role", { path, oneOf: ["user", "assistant"] })
    const fileIds = yield* Validate.optionalStringArray(value, "file_ids", { path, max: 10 })
    return { content, role: role === "assistant" ? "assistant" : "user", fileIds: fileIds ?? [] } as const
  })

const parameters = (value: JsonObject, key: string): Result<void> =>
  Either.gen(function*() {
    const path = `model_parameters.${key}`
    const params = yield* Validate.optionalObject(value, key, "model_parameters")
    if (params === undefined) return
    yield* Validate.optionalNumber(params, "temperature", { path, exclusiveMin: 0, max: 1 })
    yield* Validate.optionalNumber(params, "top_p", { path, min: 0, max: 1 })
    yield* Validate.optionalNumber(params, "penalty_score", { path, min: 1, max: 2 })
  })

/**
 * Reads one tool output (`{tool_call_id, output, run_id}`).
 *
 * @since 0.1.0
 * @category parsers
 */
export const toolOutput = (value: Json, path: string): Result<ToolOutputInput> =>
  Either.gen(function*() {
    if (!isObject(value)) return yield* fail(path, `${path} must be an object`)
    const toolCallId = yield* Validate.requiredString(value, "tool_call_id", { path, nonEmpty: true })
    const output = yield* Validate.requiredString(value, "output", { path })
    const runId = yield* Validate.optionalString(value, "run_id", { path })
    return { toolCallId, output, runId: runId ?? "" }
  })

/**
 * Parses a run request body.
 *
 * @since 0.1.0
 * @category parsers
 */
export const runRequest = (body: JsonObject): Result<RunRequest> =>
  Either.gen(function*() {
    const assistantId = yield* Validate.requiredString(body, "assistant_id", { nonEmpty: true })
    const threadId = (yield* Validate.optionalString(body, "thread_id")) ?? ""
    const thread = yield* Validate.optionalObject(body, "thread")
    let threadMessages: ReadonlyArray<ThreadMessageInput> | undefined = undefined
    if (thread !== undefined) {
      const items = (yield* Validate.optionalArray(thread, "messages", { path: "thread" })) ?? []
      const messages: Array<ThreadMessageInput> = []
      for (let i = 0; i < items.length; i++) {
        messages.push(yield* threadMessage(items[i]!, `thread.messages.${i}`))
      }
      threadMessages = messages
    }
    if (threadId === "" && thread === undefined) {
      return yield* fail("thread_id", "thread_id or thread is required")
    }
    const model = yield* Validate.optionalString(body, "model", { oneOf: RUN_MODELS })
    const metadata = yield* Validate.optionalMetadata(body, "metadata")
    yield* Validate.optionalString(body, "response_format", { oneOf: ["text", "json_object"] })
    const instructions = yield* Validate.optionalString(body, "instructions", { max: 4096 })
    const thoughtInstructions = yield* Validate.optionalString(body, "thought_instructions", { max: 4096 })
    const chatInstructions = yield* Validate.optionalString(body, "chat_instructions", { max: 4096 })
    const stream = yield* Validate.optionalBoolean(body, "stream")
    const modelParameters = yield* Validate.optionalObject(body, "model_parameters")
    if (modelParameters !== undefined) {
      yield* parameters(modelParameters, "chat_parameters")
      yield* parameters(modelParameters, "thought_parameters")
    }
    const rawTools = (yield* Validate.optionalArray(body, "tools", { max: 10 })) ?? []
    const tools: Array<Store.ToolJson> = []
    for (let i = 0; i < rawTools.length; i++) {
      tools.push(yield* tool(rawTools[i]!, `tools.${i}`))
    }
    const rawToolOutput = body["tool_output"]
    const parsedToolOutput = rawToolOutput === undefined || rawToolOutput === null
      ? undefined
      : yield* toolOutput(rawToolOutput, "tool_output")
    yield* Validate.optionalObject(body, "user_info")
    yield* Validate.optionalObject(body, "user_loc")
    return {
      assistantId,
      threadId,
      threadMessages,
      model,
      instructions,
      thoughtInstructions,
      chatInstructions,
      tools,
      metadata: metadata ?? {},
      stream: stream ?? false,
      toolOutput: parsedToolOutput
    }
  })

/**
 * Parses a `submit_tool_outputs` body. `tool_outputs` must be a non-empty array (`null` is rejected);
 * the per-item `run_id` is read and ignored.
 *
 * @since 0.1.0
 * @category parsers
 */
export const submitRequest = (body: JsonObject): Result<SubmitRequest> =>
  Either.gen(function*() {
    const threadId = yield* Validate.requiredString(body, "thread_id", { nonEmpty: true })
    const runId = yield* Validate.requiredString(body, "run_id", { nonEmpty: true })
    const items = yield* Validate.optionalArray(body, "tool_outputs")
    if (items === undefined || items.length === 0) {
      return yield* fail("tool_outputs", "tool_outputs must contain at least one item")
    }
    const toolOutputs: Array<ToolOutputInput> = []
    for (let i = 0; i < items.length; i++) {
      toolOutputs.push(yield* toolOutput(items[i]!, `tool_outputs.${i}`))
    }
    return { threadId, runId, toolOutputs }
  })

/**
 * Parses a cancel body.
 *
 * @since 0.1.0
 * @category parsers
 */
export const cancelRequest = (body: JsonObject): Result<CancelRequest> =>
  Either.gen(function*() {
    const threadId = yield* Validate.requiredString(body, "thread_id", { nonEmpty: true })
    const runId = yield* Validate.requiredString(body, "run_id", { nonEmpty: true })
    const sync = yield* Validate.optionalBoolean(body, "sync")
    return { threadId, runId, sync: sync ?? false }
  })

/**
 * Reads `thread_id` and `run_id` (both required, non-empty).
 *
 * @since 0.1.0
 * @category parsers
 */
export const runRef = (body: JsonObject): Result<{ readonly threadId: string; readonly runId: string }> =>
  Either.gen(function*() {
    const threadId = yield* Validate.requiredString(body, "thread_id", { nonEmpty: true })
    const runId = yield* Validate.requiredString(body, "run_id", { nonEmpty: true })
    return { threadId, runId }
  })
