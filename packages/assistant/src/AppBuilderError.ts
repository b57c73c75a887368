/**
 * The public error types of the SDK.
 *
 * - {@link HttpError}: anything that came from the network or the server.
 * - {@link ValidationError}: input rejected before any request was sent.
 * - {@link RunFailed}: a run that ended `failed`, `expired`, or `cancelled` by someone else.
 * - {@link FileWriteError}: a download that arrived but could not be written to the local disk.
 * - {@link FileNotMounted}: `Assistants.unmountFile` of a file that is not mounted on the assistant.
 * - The tool loop's own failures: {@link MaxStepsExceeded}, and for one tool call {@link UnknownTool},
 *   {@link ToolArgumentsInvalid}, {@link ToolOutputUnencodable}.
 *
 * {@link AppBuilderError} is the union of all of them, recognised by {@link isAppBuilderError}.
 *
 * None of them ever carries a secret: no header, no token, no request body.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { HttpError } from "./internal/httpError.js"

export {
  /**
   * Anything that came from the network or the server, with its `reason`, `status`, service `code`,
   * `requestId` and retry policies.
   *
   * @since 0.1.0
   * @category errors
   */
  HttpError,
  /**
   * Why an {@link HttpError} happened: `Transport`, `Timeout`, `OutcomeUnknown`, `Status`, `Api`, `Decode`
   * or `StreamEnded`.
   *
   * @since 0.1.0
   * @category errors
   */
  HttpErrorReason
} from "./internal/httpError.js"

/**
 * One problem found in a request before it was sent.
 *
 * @since 0.1.0
 * @category models
 */
export class Issue extends Schema.Class<Issue>("@effect-appbuilder/assistant/Issue")({
  /** The field path, e.g. `["tools", 3, "function", "name"]`. */
  path: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  message: Schema.String
}) {
  /**
   * The path in dotted form, e.g. `tools.3.function.name` (empty for the whole input).
   *
   * @since 0.1.0
   */
  get field(): string {
    return this.path.join(".")
  }
}

/**
 * Input rejected before any request was sent; lists every problem with its field path.
 *
 * @since 0.1.0
 * @category errors
 */
export class ValidationError extends Schema.TaggedError<ValidationError>(
  "@effect-appbuilder/assistant/ValidationError"
)("ValidationError", {
  operation: Schema.String,
  issues: Schema.Array(Issue)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const lines = this.issues.map((issue) => `  - ${issue.field === "" ? "(input)" : issue.field}: ${issue.message}`)
    return `${this.operation}: ${this.issues.length} invalid field${this.issues.length === 1 ? "" : "s"}\n${
      lines.join("\n")
    }`
  }
}

/**
 * A downloaded file that could not be written to the local disk (the parent directory is missing or is a
 * file, no permission, disk full, …). The request itself succeeded; `description` is the operating
 * system's reason.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileWriteError extends Schema.TaggedError<FileWriteError>("@effect-appbuilder/assistant/FileWriteError")(
  "FileWriteError",
  {
    operation: Schema.String,
    /** The local path that could not be written. */
    path: Schema.String,
    /** The operating system's reason, e.g. `ENOTDIR: not a directory`. */
    description: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${this.operation}: cannot write ${this.path}: ${this.description}`
  }
}

/**
 * The terminal statuses that make a run fail.
 *
 * @since 0.1.0
 * @category models
 */
export const RunFailedStatus = Schema.Literal("failed", "expired", "cancelled")

/**
 * A run that ended `failed`, `expired`, or `cancelled` by someone else. A cancel caused by our own
 * interruption is an interruption, not a `RunFailed`.
 *
 * @since 0.1.0
 * @category errors
 */
export class RunFailed extends Schema.TaggedError<RunFailed>("@effect-appbuilder/assistant/RunFailed")("RunFailed", {
  operation: Schema.String,
  runId: Schema.String,
  threadId: Schema.String,
  status: RunFailedStatus,
  /** The run's `last_error`, when the server gave one; for a stream, else the `run_end` event's `details.error_info`. */
  lastError: Schema.optional(Schema.Struct({ type: Schema.String, message: Schema.String }))
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = this.lastError === undefined ? "" : `: ${this.lastError.type} ${this.lastError.message}`
    return `${this.operation}: run ${this.runId} ended ${this.status}${detail}`
  }
}

/**
 * `Assistants.unmountFile` was asked to unmount a file that is not mounted on the assistant. Like the
 * official client, the SDK lists the mounted files first and sends no delete request for such a file.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileNotMounted extends Schema.TaggedError<FileNotMounted>("@effect-appbuilder/assistant/FileNotMounted")(
  "FileNotMounted",
  {
    assistantId: Schema.String,
    fileId: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Assistants.unmountFile: file ${this.fileId} is not mounted on assistant ${this.assistantId}`
  }
}

/**
 * @since 0.1.0
 * @category guards
 */
export const isHttpError = (u: unknown): u is HttpError => Predicate.isTagged(u, "HttpError") && u instanceof HttpError

/**
 * @since 0.1.0
 * @category guards
 */
export const isValidationError = (u: unknown): u is ValidationError =>
  Predicate.isTagged(u, "ValidationError") && u instanceof ValidationError

/**
 * @since 0.1.0
 * @category guards
 */
export const isRunFailed = (u: unknown): u is RunFailed => Predicate.isTagged(u, "RunFailed") && u instanceof RunFailed

/**
 * @since 0.1.0
 * @category guards
 */
export const isFileWriteError = (u: unknown): u is FileWriteError =>
  Predicate.isTagged(u, "FileWriteError") && u instanceof FileWriteError

/**
 * @since 0.1.0
 * @category guards
 */
export const isFileNotMounted = (u: unknown): u is FileNotMounted =>
  Predicate.isTagged(u, "FileNotMounted") && u instanceof FileNotMounted

// -----------------------------------------------------------------------------
// tool loop failures
// -----------------------------------------------------------------------------

/**
 * A tool loop stopped because the run still asked for tools after `maxSteps` tool rounds. The loop
 * cancelled the run on the server before failing.
 *
 * @since 0.1.0
 * @category errors
 */
export class MaxStepsExceeded extends Schema.TaggedError<MaxStepsExceeded>(
  "@effect-appbuilder/assistant/MaxStepsExceeded"
)("MaxStepsExceeded", {
  /** The run that was cancelled. */
  runId: Schema.String,
  threadId: Schema.String,
  /** The limit that was reached (the loop's `maxSteps` option). */
  maxSteps: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `ToolLoop: run ${this.runId} still asked for tools after ${this.maxSteps} tool rounds (maxSteps); the run was cancelled`
  }
}

/**
 * The model called a tool that is not in the loop's toolkit.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTool extends Schema.TaggedError<UnknownTool>("@effect-appbuilder/assistant/UnknownTool")(
  "UnknownTool",
  {
    /** The tool name the model used. */
    tool: Schema.String,
    /** The id of the tool call. */
    callId: Schema.String
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `unknown tool: ${this.tool} (call ${this.callId}) is not in the toolkit`
  }
}

/**
 * The arguments the model wrote for a tool call do not decode with the tool's parameters Schema. Each
 * issue's path starts with `arguments`, e.g. `arguments.location`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolArgumentsInvalid extends Schema.TaggedError<ToolArgumentsInvalid>(
  "@effect-appbuilder/assistant/ToolArgumentsInvalid"
)("ToolArgumentsInvalid", {
  tool: Schema.String,
  callId: Schema.String,
  issues: Schema.Array(Issue)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const lines = this.issues.map((issue) => `  - ${issue.field === "" ? "arguments" : issue.field}: ${issue.message}`)
    return `invalid arguments for ${this.tool} (call ${this.callId}):\n${lines.join("\n")}`
  }
}

/**
 * A tool's handler returned a value JSON cannot encode (a `BigInt`, a cycle, a `toJSON` that throws), so
 * it could not be sent as the call's output.
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolOutputUnencodable extends Schema.TaggedError<ToolOutputUnencodable>(
  "@effect-appbuilder/assistant/ToolOutputUnencodable"
)("ToolOutputUnencodable", {
  tool: Schema.String,
  callId: Schema.String,
  /** Why JSON could not encode it, e.g. `Do not know how to serialize a BigInt`. */
  description: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `the output of ${this.tool} (call ${this.callId}) cannot be encoded as JSON: ${this.description}`
  }
}

/**
 * How one tool call can go wrong before its handler's own errors: the tool is unknown, the model's
 * arguments do not decode, or the result cannot be encoded.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolCallError = UnknownTool | ToolArgumentsInvalid | ToolOutputUnencodable

/**
 * @since 0.1.0
 * @category guards
 */
export const isMaxStepsExceeded = (u: unknown): u is MaxStepsExceeded =>
  Predicate.isTagged(u, "MaxStepsExceeded") && u instanceof MaxStepsExceeded

/**
 * @since 0.1.0
 * @category guards
 */
export const isUnknownTool = (u: unknown): u is UnknownTool =>
  Predicate.isTagged(u, "UnknownTool") && u instanceof UnknownTool

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolArgumentsInvalid = (u: unknown): u is ToolArgumentsInvalid =>
  Predicate.isTagged(u, "ToolArgumentsInvalid") && u instanceof ToolArgumentsInvalid

/**
 * @since 0.1.0
 * @category guards
 */
export const isToolOutputUnencodable = (u: unknown): u is ToolOutputUnencodable =>
  Predicate.isTagged(u, "ToolOutputUnencodable") && u instanceof ToolOutputUnencodable

/**
 * True for the errors of one tool call that are not the handler's own ({@link ToolCallError}).
 *
 * @since 0.1.0
 * @category guards
 */
export const isToolCallError = (u: unknown): u is ToolCallError =>
  isUnknownTool(u) || isToolArgumentsInvalid(u) || isToolOutputUnencodable(u)

// -----------------------------------------------------------------------------
// any error
// -----------------------------------------------------------------------------

/**
 * Any error the SDK fails with: the errors of the service calls ({@link HttpError},
 * {@link ValidationError}, {@link RunFailed}, {@link FileWriteError}, {@link FileNotMounted}) and the tool
 * loop's own ({@link MaxStepsExceeded} and the {@link ToolCallError}s). The errors of your own tool
 * handlers and event callbacks are not part of it.
 *
 * @since 0.1.0
 * @category models
 */
export type AppBuilderError =
  | HttpError
  | ValidationError
  | RunFailed
  | FileWriteError
  | FileNotMounted
  | MaxStepsExceeded
  | ToolCallError

/**
 * True for any {@link AppBuilderError}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isAppBuilderError = (u: unknown): u is AppBuilderError =>
  isHttpError(u) || isValidationError(u) || isRunFailed(u) || isFileWriteError(u) || isFileNotMounted(u) ||
  isMaxStepsExceeded(u) || isToolCallError(u)
