/**
 * The JSON the emulator answers with, built from {@link Store} records with the key order and the
 * quirks observed on the real service. Every function returns a JSON value; compact
 * `JSON.stringify` of it is what goes on the wire.
 *
 * @since 0.1.0
 */
import type { Json, JsonObject } from "./json.js"
import type * as Store from "./Store.js"
import type { Page } from "./Validate.js"

/**
 * `{"type":"text","text":{"value", "annotations"}}`: stored messages carry `[]`, run answers `null`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const textContent = (value: string, annotations: Array<string> | null): JsonObject => ({
  type: "text",
  text: { value, annotations }
})

/**
 * @since 0.1.0
 * @category encoding
 */
export const assistant = (a: Store.AssistantRecord, options: { readonly inList?: boolean } = {}): JsonObject => ({
  id: a.id,
  object: "assistant",
  name: a.name,
  description: a.description,
  model: a.model,
  instructions: a.instructions,
  thought_instructions: a.thoughtInstructions,
  chat_instructions: a.chatInstructions,
  response_format: a.responseFormat,
  tools: a.tools,
  file_ids: a.fileIds,
  // [OBS] assistants without metadata are listed with `"metadata": null`
  metadata: options.inList === true && Object.keys(a.metadata).length === 0 ? null : a.metadata,
  created_at: a.createdAt
})

/**
 * `{id, object, deleted: true}`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const deleted = (id: string, object: string): JsonObject => ({ id, object, deleted: true })

/**
 * A list envelope (`object`, `data`, `first_id`, `last_id`, `has_more`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const list = <A>(page: Page<A>, encode: (a: A) => Json): JsonObject => ({
  object: "list",
  data: page.data.map(encode),
  first_id: page.firstId,
  last_id: page.lastId,
  has_more: page.hasMore
})

/**
 * A mounted file.
 *
 * @since 0.1.0
 * @category encoding
 */
export const assistantFile = (m: Store.MountRecord): JsonObject => ({
  id: m.fileId,
  object: "assistant.file",
  created_at: m.createdAt,
  assistant_id: m.assistantId
})

/**
 * A file as the upload answers it (no `censored`, no `file_type`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const uploadedFile = (f: Store.FileRecord): JsonObject => ({
  id: f.id,
  bytes: f.bytes.length,
  object: "file",
  purpose: f.purpose,
  create_at: f.createAt,
  filename: f.filename,
  classification_id: f.classificationId
})

/**
 * A file as query and list answer it (with `censored` and `file_type`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const file = (f: Store.FileRecord): JsonObject => ({
  id: f.id,
  bytes: f.bytes.length,
  object: "file",
  purpose: f.purpose,
  censored: f.censored,
  create_at: f.createAt,
  filename: f.filename,
  classification_id: f.classificationId,
  file_type: f.fileType
})

/**
 * @since 0.1.0
 * @category encoding
 */
export const thread = (t: Store.ThreadRecord, metadata: Json = t.metadata): JsonObject => ({
  id: t.id,
  object: "thread",
  created_at: t.createdAt,
  metadata
})

/**
 * @since 0.1.0
 * @category encoding
 */
export const message = (m: Store.MessageRecord): JsonObject => ({
  id: m.id,
  object: "thread.message",
  role: m.role,
  content: [textContent(m.content, [])],
  created_at: m.createdAt,
  thread_id: m.threadId,
  assistant_id: m.assistantId,
  run_id: m.runId,
  file_ids: m.fileIds
})

/**
 * A file attached to a message.
 *
 * @since 0.1.0
 * @category encoding
 */
export const messageFile = (fileId: string, m: Store.MessageRecord): JsonObject => ({
  id: fileId,
  object: "thread.message.file",
  created_at: m.createdAt,
  message_id: m.id
})

/**
 * `{id, type: "function", function: {name, arguments, output}}`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toolCall = (c: Store.ToolCallRecord): JsonObject => ({
  id: c.id,
  type: "function",
  function: { name: c.name, arguments: c.arguments, output: c.output }
})

const requiredAction = (r: Store.RunRecord): Json =>
  r.requiredAction === null
    ? null
    : { type: "submit_tool_outputs", submit_tool_outputs: { tool_calls: r.requiredAction.map(toolCall) } }

const lastError = (e: Store.LastErrorRecord | null): Json => (e === null ? null : { type: e.type, message: e.message })

/**
 * A run as `thread.run` (stream objects, list, query, submit, cancel): `final_answer` is always null.
 *
 * @since 0.1.0
 * @category encoding
 */
export const run = (r: Store.RunRecord): JsonObject => ({
  id: r.id,
  object: "thread.run",
  assistant_id: r.assistantId,
  thread_id: r.threadId,
  model: r.model,
  instructions: r.instructions,
  thought_instructions: r.thoughtInstructions,
  chat_instructions: r.chatInstructions,
  tools: r.tools,
  file_ids: null,
  status: r.status,
  required_action: requiredAction(r),
  last_error: lastError(r.lastError),
  final_answer: null,
  created_at: r.createdAt,
  started_at: r.startedAt,
  expired_at: r.expiredAt,
  cancelled_at: r.cancelledAt,
  failed_at: r.failedAt,
  completed_at: r.completedAt
})

/**
 * A run as the blocking run call answers it (`object: "run.result"`, with `log_id` and `final_answer`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const runResult = (r: Store.RunRecord): JsonObject => ({
  id: r.id,
  object: "run.result",
  status: r.status,
  log_id: r.logId,
  created_at: r.createdAt,
  assistant_id: r.assistantId,
  thread_id: r.threadId,
  started_at: r.startedAt,
  expired_at: r.expiredAt,
  cancelled_at: r.cancelledAt,
  failed_at: r.failedAt,
  completed_at: r.completedAt,
  required_action: requiredAction(r),
  final_answer: r.finalAnswer === null
    ? null
    : {
      type: "message",
      message: { message_id: r.finalAnswer.messageId, content: [textContent(r.finalAnswer.text, null)] }
    },
  last_error: lastError(r.lastError)
})

const stepBase = (s: Store.StepRecord) => ({
  id: s.id,
  object: "thread.run.step",
  assistant_id: s.assistantId,
  thread_id: s.threadId,
  run_id: s.runId,
  status: s.status,
  created_at: s.createdAt,
  started_at: s.startedAt,
  expired_at: s.expiredAt,
  cancelled_at: s.cancelledAt,
  failed_at: s.failedAt,
  completed_at: s.completedAt
})

/**
 * A step as stream events carry it: exactly the keys the service's stream events carry
 * (`"last_error": null, "type": null`, no details).
 *
 * @since 0.1.0
 * @category encoding
 */
export const streamStep = (s: Store.StepRecord): JsonObject => ({ ...stepBase(s), last_error: null, type: null })

/**
 * A step as list and query answer it: `last_error: ""` as observed, plus the `type` and `step_details`
 * (the details are what a client needs to know what the step did).
 *
 * @since 0.1.0
 * @category encoding
 */
export const step = (s: Store.StepRecord): JsonObject => ({
  ...stepBase(s),
  last_error: "",
  type: s.type,
  step_details: s.type === "tool_calls"
    ? { type: "tool_calls", tool_calls: s.toolCalls.map(toolCall) }
    : { type: "message_creation", message_creation: { message_id: s.messageId } }
})
