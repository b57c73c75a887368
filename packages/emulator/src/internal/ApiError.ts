/**
 * The errors the emulator answers with: the assistant family's `{"error": {...}}` envelope (with the
 * service's error codes) and the storage family's `{"request_id", "code", "message"}` shape.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * An error of the assistant family (`/v2/assistants*`, `/v2/threads*`), and the transport-level errors
 * (401, 400 bad JSON, 404 unknown path, 500) of every family.
 *
 * @since 0.1.0
 * @category errors
 */
export class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly code: string
  readonly type: string
  readonly message: string
  readonly param: string
}> {}

/**
 * An error of the storage family (`/v2/storage/files*`).
 *
 * @since 0.1.0
 * @category errors
 */
export class StorageError extends Data.TaggedError("StorageError")<{
  readonly status: number
  readonly code: string
  readonly message: string
}> {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const invalidArgument = (param: string, message: string): ApiError =>
  new ApiError({ status: 200, code: "invalid_argument", type: "invalid_request_error", message, param })

/**
 * @since 0.1.0
 * @category constructors
 */
export const notFound = (param: string, message: string): ApiError =>
  new ApiError({ status: 200, code: "not_found", type: "invalid_request_error", message, param })

/**
 * @since 0.1.0
 * @category constructors
 */
export const invalidConversation = (message: string): ApiError =>
  new ApiError({ status: 200, code: "invalid_conversation", type: "invalid_request_error", message, param: "thread" })

/**
 * @since 0.1.0
 * @category constructors
 */
export const threadBusy = (threadId: string): ApiError =>
  new ApiError({
    status: 200,
    code: "thread_busy",
    type: "invalid_request_error",
    message: `thread ${threadId} has an active run`,
    param: "thread_id"
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const invalidRunState = (param: string, message: string): ApiError =>
  new ApiError({ status: 200, code: "invalid_run_state", type: "invalid_request_error", message, param })

/**
 * @since 0.1.0
 * @category constructors
 */
export const invalidJson = (message: string): ApiError =>
  new ApiError({ status: 400, code: "invalid_json", type: "invalid_request_error", message, param: "" })

/**
 * @since 0.1.0
 * @category constructors
 */
export const unauthorized = (message: string): ApiError =>
  new ApiError({ status: 401, code: "unauthorized", type: "authentication_error", message, param: "" })

/**
 * @since 0.1.0
 * @category constructors
 */
export const unknownPath = (path: string): ApiError =>
  new ApiError({
    status: 404,
    code: "not_found",
    type: "invalid_request_error",
    message: `no such path: ${path}`,
    param: ""
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const internal = (message: string): ApiError =>
  new ApiError({ status: 500, code: "internal_error", type: "server_error", message, param: "" })

/**
 * The storage family's "unknown file" error: 200 for query/delete, 404 for download/content.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fileNotFound = (fileId: string, status: 200 | 404 = 200): StorageError =>
  new StorageError({ status, code: "FileNotFound", message: `file_id ${fileId} is not exist` })

/**
 * The storage family's "bad request" error (bad upload, bad field).
 *
 * @since 0.1.0
 * @category constructors
 */
export const storageInvalid = (message: string): StorageError =>
  new StorageError({ status: 200, code: "InvalidParameter", message })

/**
 * The JSON body of an error, exactly as sent.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = (error: ApiError | StorageError, requestId: string): string =>
  error._tag === "ApiError"
    ? JSON.stringify({ error: { code: error.code, message: error.message, type: error.type, param: error.param } })
    : JSON.stringify({ request_id: requestId, code: error.code, message: error.message })
