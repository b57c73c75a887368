/**
 * Inspecting and steering a running emulator from tests: its assistants, files, threads, messages and
 * runs, the log of the requests it received, and fault injection.
 *
 * Queries answer read-only snapshots: copies taken when the query runs, which later requests do not
 * change (query again to see the new state). Runs waiting in `requires_action` past their deadline are
 * reported `expired`, as the API would answer them.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Faults from "./Faults.js"
import type * as ScriptedModel from "./ScriptedModel.js"

/**
 * An assistant that exists (deleted assistants are forgotten at once).
 *
 * @since 0.1.0
 * @category models
 */
export interface AssistantRecord {
  readonly id: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  readonly model: string
  readonly name: string
  readonly description: string
  readonly instructions: string
  readonly thoughtInstructions: string
  readonly chatInstructions: string
  readonly responseFormat: string
  /** The tools exactly as stored and echoed. */
  readonly tools: ReadonlyArray<ScriptedModel.ToolJson>
  /** The files attached with `file_ids` (not the mounted ones). */
  readonly fileIds: ReadonlyArray<string>
  readonly metadata: Readonly<Record<string, string>>
}

/**
 * An uploaded file and its content.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileRecord {
  readonly id: string
  /** Epoch seconds (the `create_at` of the API). */
  readonly createAt: number
  /** Epoch milliseconds. */
  readonly createdAtMillis: number
  readonly bytes: Uint8Array
  readonly filename: string
  readonly purpose: string
  readonly classificationId: string
  readonly censored: number
  readonly fileType: "image" | "document"
  readonly contentType: string
}

/**
 * A message of a thread.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageRecord {
  readonly id: string
  readonly threadId: string
  readonly role: "user" | "assistant"
  /** Epoch milliseconds. */
  readonly createdAt: number
  readonly content: string
  readonly fileIds: ReadonlyArray<string>
  /** `""` for user messages, the assistant id for replies. */
  readonly assistantId: string
  /** `""` for user messages, the run id for replies. */
  readonly runId: string
}

/**
 * A thread and its messages.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThreadRecord {
  readonly id: string
  /** Epoch milliseconds. */
  readonly createdAt: number
  readonly metadata: Readonly<Record<string, string>>
  /** Oldest first. */
  readonly messages: ReadonlyArray<MessageRecord>
  /** Run ids of this thread, oldest first. */
  readonly runIds: ReadonlyArray<string>
}

/**
 * A tool call of a run: what the model asked for and, once submitted, the output (`""` before).
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolCallRecord {
  readonly id: string
  readonly name: string
  /** Compact JSON text. */
  readonly arguments: string
  readonly output: string
}

/**
 * @since 0.1.0
 * @category models
 */
export type RunStatus =
  | "queued"
  | "in_progress"
  | "requires_action"
  | "cancelling"
  | "cancelled"
  | "failed"
  | "completed"
  | "expired"

/**
 * @since 0.1.0
 * @category models
 */
export type StepStatus = "in_progress" | "completed" | "cancelled" | "failed" | "expired"

/**
 * A step of a run: a round of tool calls or the creation of the reply.
 *
 * @since 0.1.0
 * @category models
 */
export interface StepRecord {
  /** `step-<n>`, unique within its run only. */
  readonly id: string
  readonly runId: string
  readonly threadId: string
  readonly assistantId: string
  readonly type: "tool_calls" | "message_creation"
  readonly status: StepStatus
  /** Epoch milliseconds; the other timestamps are 0 until the step gets there. */
  readonly createdAt: number
  readonly startedAt: number
  readonly expiredAt: number
  readonly cancelledAt: number
  readonly failedAt: number
  readonly completedAt: number
  /** The calls of a `tool_calls` step (empty otherwise). */
  readonly toolCalls: ReadonlyArray<ToolCallRecord>
  /** The reply of a `message_creation` step (`""` otherwise). */
  readonly messageId: string
}

/**
 * Why a run failed.
 *
 * @since 0.1.0
 * @category models
 */
export interface LastErrorRecord {
  readonly type: string
  readonly message: string
}

/**
 * A run, with its steps.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunRecord {
  readonly id: string
  readonly threadId: string
  readonly assistantId: string
  readonly logId: string
  readonly model: string
  readonly instructions: string
  readonly thoughtInstructions: string
  readonly chatInstructions: string
  readonly tools: ReadonlyArray<ScriptedModel.ToolJson>
  readonly status: RunStatus
  /** Epoch milliseconds; the other timestamps are 0 until the run gets there. */
  readonly createdAt: number
  readonly startedAt: number
  readonly expiredAt: number
  readonly cancelledAt: number
  readonly failedAt: number
  readonly completedAt: number
  /** The tool calls waiting for outputs while `requires_action`, else `null`. */
  readonly requiredAction: ReadonlyArray<ToolCallRecord> | null
  readonly lastError: LastErrorRecord | null
  /** The reply of a completed run. */
  readonly finalAnswer: { readonly messageId: string; readonly text: string } | null
  /** Oldest first. */
  readonly steps: ReadonlyArray<StepRecord>
  /** Epoch milliseconds after which a run waiting in `requires_action` expires (0 when not waiting). */
  readonly deadline: number
}

/**
 * One request as the emulator received it. Both `Authorization` and `X-Appbuilder-Authorization` read
 * `<redacted>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  readonly method: string
  /** The path, duplicate slashes collapsed. */
  readonly path: string
  /** The query string, without `?`. */
  readonly query: string
  /** The `X-Appbuilder-Request-Id` answered (the client's own, else a fresh one). */
  readonly requestId: string
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (`<multipart N bytes>` for uploads). */
  readonly body: string
  /** The HTTP status answered (0 while the answer is being prepared). */
  readonly status: number
  /** The error code of the answer (`invalid_argument`, `injected_fault`, …), when it was an error. */
  readonly errorCode: string | undefined
  /** Epoch milliseconds when the request arrived. */
  readonly at: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The assistants, oldest first. */
  readonly assistants: Effect.Effect<ReadonlyArray<AssistantRecord>>
  /** The uploaded files, oldest first. */
  readonly files: Effect.Effect<ReadonlyArray<FileRecord>>
  /** The threads, oldest first. */
  readonly threads: Effect.Effect<ReadonlyArray<ThreadRecord>>
  readonly thread: (threadId: string) => Effect.Effect<Option.Option<ThreadRecord>>
  /** The messages of a thread, oldest first (empty for an unknown thread). */
  readonly messages: (threadId: string) => Effect.Effect<ReadonlyArray<MessageRecord>>
  /** Every run, oldest first; with a status, only the runs in that status. */
  readonly runs: (status?: RunStatus) => Effect.Effect<ReadonlyArray<RunRecord>>
  /** The runs that have not ended yet (`queued`, `in_progress`, `requires_action` or `cancelling`). */
  readonly activeRuns: Effect.Effect<ReadonlyArray<RunRecord>>
  readonly run: (runId: string) => Effect.Effect<Option.Option<RunRecord>>
  /**
   * Waits until a run has ended (`completed`, `cancelled`, `failed` or `expired`) and answers it as it
   * ended, even when its thread has been deleted since; `None` for an unknown run.
   */
  readonly awaitRunEnd: (runId: string) => Effect.Effect<Option.Option<RunRecord>>
  /** The requests received so far, oldest first (at most {@link Service.requestLogSize}, the latest ones). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  /** How many requests the log keeps (the `requestLogSize` option, 10,000 by default). */
  readonly requestLogSize: number
  /** Empties the request log. */
  readonly clearRequests: Effect.Effect<void>
  /** Installs a fault for the next matching requests on `path` (see {@link Faults}). */
  readonly injectFault: (path: string, fault: Faults.Fault) => Effect.Effect<void>
  /** Removes the faults of one path, or all of them. */
  readonly clearFaults: (path?: string) => Effect.Effect<void>
  /** The faults still installed. */
  readonly faults: Effect.Effect<ReadonlyArray<Faults.Installed>>
}

/**
 * The state of the emulator provided by `Emulator.layer` and `Emulator.layerServer`.
 *
 * @since 0.1.0
 * @category tags
 */
export class EmulatorState extends Context.Tag("@effect-appbuilder/emulator/EmulatorState")<EmulatorState, Service>() {}
