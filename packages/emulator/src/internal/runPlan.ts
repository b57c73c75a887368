/**
 * State checks of the run requests (a run, a tool output continuation, a submission): everything a request needs from the store
 * is looked up and checked here, without changing anything, so that a rejected request leaves no trace.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ApiError from "./ApiError.js"
import type * as RunRequest from "./runRequest.js"
import * as Store from "./Store.js"

type Result<A> = Either.Either<A, ApiError.ApiError>

/**
 * What an accepted run request does.
 *
 * @since 0.1.0
 * @category models
 */
export type Plan =
  | {
    readonly _tag: "New"
    readonly assistant: Store.AssistantRecord
    /** `undefined`: create a thread. */
    readonly thread: Store.ThreadRecord | undefined
  }
  | {
    readonly _tag: "Continue"
    readonly run: Store.RunRecord
    readonly call: Store.ToolCallRecord
    readonly output: string
  }

/**
 * The non-terminal run of a thread, if any.
 *
 * @since 0.1.0
 * @category lookups
 */
export const activeRunOf = (store: Store.Service, thread: Store.ThreadRecord): Store.RunRecord | undefined => {
  for (let i = thread.runIds.length - 1; i >= 0; i--) {
    const run = store.runs.get(thread.runIds[i]!)
    if (run !== undefined && !Store.isTerminal(run.status)) return run
  }
  return undefined
}

const liveAssistant = (store: Store.Service, id: string): Store.AssistantRecord | undefined => {
  const assistant = store.assistants.get(id)
  return assistant === undefined || assistant.deleted ? undefined : assistant
}

/**
 * Checks a run request against the state.
 *
 * @since 0.1.0
 * @category checks
 */
export const run = (store: Store.Service, request: RunRequest.RunRequest): Result<Plan> =>
  Either.gen(function*() {
    const assistant = liveAssistant(store, request.assistantId)
    if (assistant === undefined) {
      return yield* Either.left(ApiError.notFound("assistant_id", `assistant ${request.assistantId} not found`))
    }
    const thread = request.threadId === "" ? undefined : store.threads.get(request.threadId)
    if (request.threadId !== "" && thread === undefined) {
      return yield* Either.left(ApiError.notFound("thread_id", `thread ${request.threadId} not found`))
    }
    const messages = request.threadMessages ?? []
    for (let i = 0; i < messages.length; i++) {
      for (const fileId of messages[i]!.fileIds) {
        if (!store.files.has(fileId)) {
          return yield* Either.left(ApiError.notFound(`thread.messages.${i}.file_ids`, `file ${fileId} not found`))
        }
      }
    }
    if (request.toolOutput !== undefined) {
      return yield* continuation(store, thread, request.toolOutput)
    }
    if (thread !== undefined) {
      const active = activeRunOf(store, thread)
      if (active !== undefined) return yield* Either.left(ApiError.threadBusy(thread.id))
    }
    const roles = [...(thread?.messages ?? []).map((m) => m.role), ...messages.map((m) => m.role)]
    if (roles.length === 0) {
      return yield* Either.left(ApiError.invalidConversation("the conversation is empty: add a user message first"))
    }
    if (roles[roles.length - 1] !== "user") {
      return yield* Either.left(ApiError.invalidConversation("the conversation must end with a user message"))
    }
    return { _tag: "New", assistant, thread } as const
  })

const continuation = (
  store: Store.Service,
  thread: Store.ThreadRecord | undefined,
  toolOutput: RunRequest.ToolOutputInput
): Result<Plan> =>
  Either.gen(function*() {
    const runId = toolOutput.runId !== ""
      ? toolOutput.runId
      : thread === undefined
      ? ""
      : activeRunOf(store, thread)?.id ?? ""
    const run = store.runs.get(runId)
    if (run === undefined || thread === undefined || run.threadId !== thread.id) {
      return yield* Either.left(
        ApiError.invalidRunState("run_id", `run ${runId} is not a run of thread ${thread?.id ?? "(new)"}`)
      )
    }
    if (run.status !== "requires_action" || run.requiredAction === null) {
      return yield* Either.left(
        ApiError.invalidRunState("run_id", `run ${run.id} is ${run.status}, not requires_action`)
      )
    }
    const call = run.requiredAction.find((c) => c.id === toolOutput.toolCallId)
    if (call === undefined) {
      return yield* Either.left(
        ApiError.invalidRunState("tool_call_id", `tool call ${toolOutput.toolCallId} is not pending in run ${run.id}`)
      )
    }
    return { _tag: "Continue", run, call, output: toolOutput.output } as const
  })

/**
 * Checks `submit_tool_outputs` against a run: it must be `requires_action`, every output must answer a
 * pending call (once), and every pending call must be answered.
 *
 * @since 0.1.0
 * @category checks
 */
export const submit = (
  run: Store.RunRecord,
  outputs: ReadonlyArray<RunRequest.ToolOutputInput>
): Result<ReadonlyArray<readonly [Store.ToolCallRecord, string]>> =>
  Either.gen(function*() {
    if (run.status !== "requires_action" || run.requiredAction === null) {
      return yield* Either.left(
        ApiError.invalidRunState("run_id", `run ${run.id} is ${run.status}, not requires_action`)
      )
    }
    const pending = run.requiredAction
    const answered = new Map<string, readonly [Store.ToolCallRecord, string]>()
    for (const output of outputs) {
      const call = pending.find((c) => c.id === output.toolCallId)
      if (call === undefined) {
        return yield* Either.left(
          ApiError.invalidRunState("tool_call_id", `tool call ${output.toolCallId} is not pending in run ${run.id}`)
        )
      }
      if (answered.has(call.id)) {
        return yield* Either.left(ApiError.invalidArgument("tool_outputs", `tool call ${call.id} is answered twice`))
      }
      answered.set(call.id, [call, output.output])
    }
    const missing = pending.filter((c) => !answered.has(c.id)).map((c) => c.id)
    if (missing.length > 0) {
      return yield* Either.left(ApiError.invalidRunState("tool_outputs", `missing outputs for ${missing.join(", ")}`))
    }
    return [...answered.values()]
  })
