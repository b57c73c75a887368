/**
 * The emulator's in-memory state: assistants, files, threads, messages, runs and steps.
 *
 * Records are plain mutable objects kept in insertion-ordered maps. JavaScript runs one fiber at a
 * time, so every mutation made inside one `Effect.sync` is atomic with respect to other requests.
 * Handlers read and write the records; {@link Wire} turns them into the JSON the service answers with.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as PublicState from "../EmulatorState.js"
import type * as Json from "./json.js"

/**
 * A function tool exactly as stored and echoed: `{type, function: {name, description, parameters, responses, examples}}`.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolJson = Json.JsonObject

/**
 * @since 0.1.0
 * @category models
 */
export interface AssistantRecord {
  readonly id: string
  readonly seq: number
  readonly createdAt: number
  model: string
  name: string
  description: string
  instructions: string
  thoughtInstructions: string
  chatInstructions: string
  responseFormat: string
  tools: Array<ToolJson>
  fileIds: Array<string>
  metadata: Record<string, string>
  deleted: boolean
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FileRecord {
  readonly id: string
  readonly seq: number
  /** Epoch seconds (the wire's `create_at`). */
  readonly createAt: number
  /** Epoch milliseconds, used for mount/attach timestamps and ordering. */
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
 * A file mounted on an assistant.
 *
 * @since 0.1.0
 * @category models
 */
export interface MountRecord {
  readonly fileId: string
  readonly assistantId: string
  readonly seq: number
  readonly createdAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MessageRecord {
  readonly id: string
  readonly seq: number
  readonly threadId: string
  readonly role: "user" | "assistant"
  readonly createdAt: number
  content: string
  fileIds: Array<string>
  /** `""` for user messages, the assistant id for replies. */
  readonly assistantId: string
  /** `""` for user messages, the run id for replies. */
  readonly runId: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ThreadRecord {
  readonly id: string
  readonly seq: number
  readonly createdAt: number
  metadata: Record<string, string>
  readonly messages: Array<MessageRecord>
  /** Run ids of this thread, oldest first. */
  readonly runIds: Array<string>
}

/**
 * A tool call as on the wire: `{id, type: "function", function: {name, arguments, output}}`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolCallRecord {
  readonly id: string
  readonly name: string
  /** Compact JSON text, raw UTF-8. */
  readonly arguments: string
  output: string
}

/**
 * The statuses of a run, as users see them in `EmulatorState` (one definition for both).
 *
 * @since 0.1.0
 * @category models
 */
export type RunStatus = PublicState.RunStatus

/**
 * @since 0.1.0
 * @category models
 */
export type StepStatus = PublicState.StepStatus

/**
 * @since 0.1.0
 * @category models
 */
export interface StepRecord {
  /** `step-<n>`, unique within its run only. */
  readonly id: string
  readonly seq: number
  readonly runId: string
  readonly threadId: string
  readonly assistantId: string
  readonly type: "tool_calls" | "message_creation"
  status: StepStatus
  readonly createdAt: number
  startedAt: number
  expiredAt: number
  cancelledAt: number
  failedAt: number
  completedAt: number
  /** Set for `tool_calls` steps. */
  toolCalls: Array<ToolCallRecord>
  /** Set for `message_creation` steps. */
  messageId: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LastErrorRecord {
  readonly type: string
  readonly message: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface RunRecord {
  readonly id: string
  readonly seq: number
  readonly threadId: string
  readonly assistantId: string
  readonly logId: string
  readonly model: string
  readonly instructions: string
  readonly thoughtInstructions: string
  readonly chatInstructions: string
  readonly tools: Array<ToolJson>
  status: RunStatus
  readonly createdAt: number
  startedAt: number
  expiredAt: number
  cancelledAt: number
  failedAt: number
  completedAt: number
  /** Pending tool calls while `requires_action`. */
  requiredAction: Array<ToolCallRecord> | null
  lastError: LastErrorRecord | null
  /** The reply of a completed run: `{messageId, text}`. */
  finalAnswer: { readonly messageId: string; readonly text: string } | null
  readonly steps: Array<StepRecord>
  /** Epoch millis after which a run waiting in `requires_action` expires (0 when not waiting). */
  deadline: number
}

/**
 * One request as the emulator received it (secret headers are redacted).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly requestId: string
  readonly headers: Readonly<Record<string, string>>
  /** The body as text (`<multipart N bytes>` for uploads). */
  readonly body: string
  /** The HTTP status answered. */
  status: number
  /** The envelope/storage error code, when the answer was an error. */
  errorCode: string | undefined
  readonly at: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly assistants: Map<string, AssistantRecord>
  readonly files: Map<string, FileRecord>
  /** Mounted files by `assistantId`, insertion ordered. */
  readonly mounts: Map<string, Array<MountRecord>>
  readonly threads: Map<string, ThreadRecord>
  readonly runs: Map<string, RunRecord>
  /** The latest requests received (a bounded ring: the oldest are dropped first). */
  readonly requests: RequestLog
  /** A strictly increasing sequence number (ties in `created_at` are ordered by it). */
  readonly nextSeq: () => number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Store extends Context.Tag("@effect-appbuilder/emulator/Store")<Store, Service>() {}

/**
 * The request log: a ring of at most `capacity` entries, so that a long-running server keeps flat
 * memory. When it is full, recording a request drops the oldest one.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLog {
  readonly capacity: number
  /** The number of entries kept. */
  readonly size: () => number
  readonly push: (entry: RequestLogEntry) => void
  /** The entries kept, oldest first (a copy). */
  readonly toArray: () => Array<RequestLogEntry>
  readonly clear: () => void
}

/**
 * The default capacity of the request log.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_REQUEST_LOG_SIZE = 10_000

/**
 * An empty request log keeping at most `capacity` entries (0 keeps none).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRequestLog = (capacity: number): RequestLog => {
  const max = Number.isFinite(capacity) ? Math.max(0, Math.floor(capacity)) : DEFAULT_REQUEST_LOG_SIZE
  let ring: Array<RequestLogEntry> = []
  // index of the oldest entry once the ring is full
  let head = 0
  return {
    capacity: max,
    size: () => ring.length,
    push: (entry) => {
      if (max === 0) return
      if (ring.length < max) {
        ring.push(entry)
      } else {
        ring[head] = entry
        head = (head + 1) % max
      }
    },
    toArray: () => [...ring.slice(head), ...ring.slice(0, head)],
    clear: () => {
      ring = []
      head = 0
    }
  }
}

/**
 * A fresh, empty store whose request log keeps at most `requestLogSize` entries.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (options: { readonly requestLogSize?: number | undefined } = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    let seq = 0
    return {
      assistants: new Map(),
      files: new Map(),
      mounts: new Map(),
      threads: new Map(),
      runs: new Map(),
      requests: makeRequestLog(options.requestLogSize ?? DEFAULT_REQUEST_LOG_SIZE),
      nextSeq: () => ++seq
    }
  })

/**
 * A fresh, empty store (request log of {@link DEFAULT_REQUEST_LOG_SIZE} entries).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service> = makeWith()

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Store> = Layer.effect(Store, make)

/** 32 random hex digits: a v4 UUID without its dashes (cut out by position, cheaper than a replace). */
const hex32 = (): string => {
  const uuid = crypto.randomUUID()
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24)
}

/**
 * Identifier generators in the service's formats (`asst_…`, `thread_…`, `run_…`, `step-1`, …).
 *
 * @since 0.1.0
 * @category constructors
 */
export const Ids = {
  assistant: (): string => `asst_${hex32()}`,
  thread: (): string => `thread_${hex32()}`,
  message: (): string => `msg_${hex32()}`,
  reply: (): string => `chatmsg_${hex32()}`,
  run: (): string => `run_${hex32()}`,
  step: (n: number): string => `step-${n}`,
  toolCall: (threadId: string, runId: string, stepN: number): string => `call-${threadId}-${runId}-step-${stepN}`,
  file: (): string => {
    let digits = String(1 + Math.floor(Math.random() * 9))
    for (let i = 0; i < 14; i++) digits += String(Math.floor(Math.random() * 10))
    return `file-${digits}`
  },
  logId: (): string => crypto.randomUUID(),
  requestId: (): string => crypto.randomUUID()
} as const

/**
 * A new, empty thread, registered in the store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeThread = (store: Service, now: number, metadata: Record<string, string> = {}): ThreadRecord => {
  const thread: ThreadRecord = {
    id: Ids.thread(),
    seq: store.nextSeq(),
    createdAt: now,
    metadata,
    messages: [],
    runIds: []
  }
  store.threads.set(thread.id, thread)
  return thread
}

/**
 * What a new message says: a user (or assistant) message created through the API, or, with `reply`,
 * the assistant's answer of a run (`chatmsg_…`, with its assistant and run ids).
 *
 * @since 0.1.0
 * @category models
 */
export interface NewMessage {
  readonly role: "user" | "assistant"
  readonly content: string
  readonly fileIds?: ReadonlyArray<string> | undefined
  readonly reply?: { readonly id: string; readonly assistantId: string; readonly runId: string } | undefined
}

/**
 * Appends a message at the end of a thread.
 *
 * @since 0.1.0
 * @category constructors
 */
export const appendMessage = (
  store: Service,
  thread: ThreadRecord,
  message: NewMessage,
  now: number
): MessageRecord => {
  const record: MessageRecord = {
    id: message.reply?.id ?? Ids.message(),
    seq: store.nextSeq(),
    threadId: thread.id,
    role: message.role,
    createdAt: now,
    content: message.content,
    fileIds: [...(message.fileIds ?? [])],
    assistantId: message.reply?.assistantId ?? "",
    runId: message.reply?.runId ?? ""
  }
  thread.messages.push(record)
  return record
}

/**
 * True for the statuses a run never leaves.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTerminal = (status: RunStatus): boolean =>
  status === "completed" || status === "cancelled" || status === "failed" || status === "expired"
