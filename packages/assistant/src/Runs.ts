/**
 * Runs (`/v2/threads/runs*`): blocking runs (with the `toolOutput` continuation), tool outputs, cancel,
 * list and query.
 *
 * The streamed run (`stream`) is built on {@link encodeRunRequest} and `AppBuilderClient.stream`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import { HttpError, RunFailed, type ValidationError } from "./AppBuilderError.js"
import { AppBuilderClient, type Operation } from "./AppBuilderClient.js"
import {
  type AssistantToolInput,
  ListPage,
  type ListOptions,
  type MessageInput,
  type Metadata,
  type ModelParametersInput,
  type ResponseFormat,
  Run,
  type RunModel,
  type ToolOutputInput,
  type UserInfoInput,
  type UserLocInput
} from "./Common.js"
import { paginate } from "./internal/paginate.js"
import { runStream } from "./internal/runStream.js"
import * as V from "./internal/validation.js"
import type * as RunEvent from "./RunEvent.js"

/**
 * The messages appended to the conversation before a run.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ThreadInput {
  readonly messages: ReadonlyArray<MessageInput>
}

/**
 * A run request (blocking or streamed). Either `threadId` or `thread` is required. `null` / absent
 * optional values mean "the assistant's value".
 *
 * Only these keys are allowed (the service forbids unknown fields; they are reported as validation
 * problems): see {@link RUN_INPUT_KEYS}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface RunInput {
  readonly assistantId: string
  /** The thread to continue; `""`/absent creates a new thread (then `thread` is required). */
  readonly threadId?: string | undefined
  /** Messages appended before running; the last one must be the user's. */
  readonly thread?: ThreadInput | null | undefined
  /**
   * Overrides the assistant's model for this run: any non-empty name (the known ones are suggested); the
   * service rejects a name it does not know (`HttpError` with reason `Api` and `param` `model`).
   */
  readonly model?: RunModel | null | undefined
  /** `text` (default) or `json_object`. */
  readonly responseFormat?: ResponseFormat | undefined
  /** Overrides for this run only, at most 4096 characters each. */
  readonly instructions?: string | null | undefined
  readonly thoughtInstructions?: string | null | undefined
  readonly chatInstructions?: string | null | undefined
  /** Non-empty: replaces the assistant's tools for this run (at most 10). */
  readonly tools?: ReadonlyArray<AssistantToolInput> | undefined
  /** At most 16 entries, keys ≤ 64 and values ≤ 512 characters. */
  readonly metadata?: Metadata | undefined
  /** Continues a run waiting in `requires_action` (blocking mode): one output, with its `runId`. */
  readonly toolOutput?: ToolOutputInput | null | undefined
  readonly modelParameters?: ModelParametersInput | null | undefined
  readonly userInfo?: UserInfoInput | null | undefined
  readonly userLoc?: UserLocInput | null | undefined
}

/**
 * The keys a {@link RunInput} may have.
 *
 * @since 0.1.0
 * @category inputs
 */
export const RUN_INPUT_KEYS: ReadonlyArray<keyof RunInput> = [
  "assistantId",
  "threadId",
  "thread",
  "model",
  "responseFormat",
  "instructions",
  "thoughtInstructions",
  "chatInstructions",
  "tools",
  "metadata",
  "toolOutput",
  "modelParameters",
  "userInfo",
  "userLoc"
]

/**
 * The wire body of a run request, with every key the official client sends, in its order.
 *
 * @since 0.1.0
 * @category encoding
 */
export interface RunRequestBody {
  readonly thread_id: string
  readonly model: string | null
  readonly assistant_id: string
  readonly metadata: Record<string, string>
  readonly response_format: string
  readonly instructions: string | null
  readonly thought_instructions: string | null
  readonly chat_instructions: string | null
  readonly stream: boolean
  readonly model_parameters: Record<string, unknown> | null
  readonly thread: { readonly messages: ReadonlyArray<Record<string, unknown>> } | null
  readonly tools: ReadonlyArray<Record<string, unknown>>
  readonly tool_output: { readonly tool_call_id: string; readonly output: string; readonly run_id: string } | null
  readonly user_info: Record<string, string | null> | null
  readonly user_loc: Record<string, string | null> | null
}

/**
 * Validates a run request (every check of the official client, all problems reported together in one
 * `ValidationError` for `operation`) and encodes its body with `"stream": stream`.
 *
 * Used by {@link Service.run} (`stream: false`) and by the streamed run (`stream: true`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRunRequest = (
  operation: string,
  input: RunInput,
  stream: boolean
): Effect.Effect<RunRequestBody, ValidationError> =>
  V.validate(operation, (c): RunRequestBody => {
    const fields = V.record(c, input)
    V.noUnknownKeys(c, fields, RUN_INPUT_KEYS)
    const assistantId = V.id(c, ["assistantId"], fields.assistantId)
    const threadId = V.optionalString(c, ["threadId"], fields.threadId, "")
    const hasToolOutput = fields.toolOutput !== undefined && fields.toolOutput !== null

    let thread: RunRequestBody["thread"] = null
    if (fields.thread !== undefined && fields.thread !== null) {
      const value: unknown = fields.thread
      if (!Predicate.isRecord(value) || Array.isArray(value)) {
        c.add(["thread"], "expected an object with messages")
      } else {
        const messages = V.messages(c, ["thread", "messages"], fields.thread.messages ?? [])
        thread = { messages }
        const last = messages[messages.length - 1]
        if (!hasToolOutput) {
          if (last === undefined && threadId === "") {
            c.add(["thread", "messages"], "must not be empty when no threadId is given")
          } else if (last !== undefined && last["role"] !== "user") {
            c.add(["thread", "messages", messages.length - 1, "role"], "the last message must be the user's")
          }
        }
      }
    } else if (threadId === "") {
      c.add(["threadId"], "a threadId or a thread is required")
    }

    // model names are open: the service, not the SDK, knows which ones exist
    const model = V.model(c, ["model"], fields.model, null)

    let toolOutput: RunRequestBody["tool_output"] = null
    if (hasToolOutput) {
      const value: unknown = fields.toolOutput
      if (!Predicate.isRecord(value) || Array.isArray(value)) {
        c.add(["toolOutput"], "expected an object")
      } else {
        toolOutput = {
          tool_call_id: V.id(c, ["toolOutput", "toolCallId"], value["toolCallId"]),
          output: V.string(c, ["toolOutput", "output"], value["output"]),
          run_id: V.id(c, ["toolOutput", "runId"], value["runId"])
        }
      }
    }

    return {
      thread_id: threadId,
      model,
      assistant_id: assistantId,
      metadata: V.metadata(c, ["metadata"], fields.metadata),
      response_format: V.literal(c, ["responseFormat"], fields.responseFormat, ["text", "json_object"], "text"),
      instructions: V.nullableString(c, ["instructions"], fields.instructions, 4096),
      thought_instructions: V.nullableString(c, ["thoughtInstructions"], fields.thoughtInstructions, 4096),
      chat_instructions: V.nullableString(c, ["chatInstructions"], fields.chatInstructions, 4096),
      stream,
      model_parameters: V.modelParameters(c, ["modelParameters"], fields.modelParameters),
      thread,
      tools: V.tools(c, ["tools"], fields.tools),
      tool_output: toolOutput,
      user_info: V.userInfo(c, ["userInfo"], fields.userInfo),
      user_loc: V.userLoc(c, ["userLoc"], fields.userLoc)
    }
  })

/**
 * The {@link RunFailed} error of a run that ended `failed`, `expired` or `cancelled`, if it did.
 *
 * @since 0.1.0
 * @category errors
 */
export const runFailure = (operation: string, run: Run): Option.Option<RunFailed> => {
  const status = run.status
  if (status !== "failed" && status !== "expired" && status !== "cancelled") return Option.none()
  return Option.some(
    new RunFailed({
      operation,
      runId: run.id,
      threadId: run.threadId,
      status,
      lastError: run.lastError === null ? undefined : { type: run.lastError.type, message: run.lastError.message }
    })
  )
}

/**
 * Options of a blocking run.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface RunOptions {
  /** The timeout of the blocking call (default: the client's per-attempt timeout). */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * How long an interrupted (or lost) call may spend finding the run it started and cancelling it
   * (default 5 seconds). See {@link Service.run}.
   */
  readonly cancelTimeout?: Duration.DurationInput | undefined
}

/**
 * Options of a streamed run.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface StreamOptions {
  /** The longest silence allowed between two events, pings included (default: the client's `streamIdleTimeout`). */
  readonly idleTimeout?: Duration.DurationInput | undefined
  /** The timeout of the `cancel` call made when the stream stops before `run_end`. Default 5 seconds. */
  readonly cancelTimeout?: Duration.DurationInput | undefined
}

/**
 * A thread id and a run id.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface RunRef {
  readonly threadId: string
  readonly runId: string
}

/**
 * The input of {@link Service.submitToolOutputs}: the outputs of every pending tool call (at least one).
 *
 * @since 0.1.0
 * @category inputs
 */
export interface SubmitToolOutputsInput extends RunRef {
  readonly toolOutputs: ReadonlyArray<ToolOutputInput>
}

/**
 * The input of {@link Service.cancel}: with `sync: true` the service answers once the run is cancelled,
 * otherwise at once (status `cancelling`). Cancelling a finished run is not an error.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CancelInput extends RunRef {
  readonly sync?: boolean | undefined
}

/**
 * A thread id with paging options.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface ListInput extends ListOptions {
  readonly threadId: string
}

/**
 * The runs service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * A blocking run: answers when the run is `completed` or `requires_action` (continue it with another
   * `run` carrying `toolOutput`). Fails with {@link RunFailed} when it ended `failed`, `expired` or
   * `cancelled`.
   *
   * **Cancellation**: a call that starts a run (no `toolOutput`) and is interrupted (or times out, or
   * loses its answer: an `HttpError` that does not prove the service turned the request down) while
   * it waits leaves a run on the server whose id the caller never got. When the thread id is known
   * (`threadId` given), the call then lists the thread's newest runs until a run of this assistant,
   * created since the call began and still `queued`, `in_progress` or `requires_action`, appears,
   * and cancels it once; it gives up when none appears within `cancelTimeout` (default 5 s): the
   * request never reached the service. The interruption waits for this, `cancelTimeout` at most.
   *
   * What remains: with an inline `thread` and no `threadId`, the service creates the thread itself and
   * only the lost answer would have named it, so such a run cannot be found and is left to finish (or
   * expire) on its own. Create the thread first (`Threads.create`) and pass its id when this matters;
   * `ToolLoop` in blocking mode does so. A continuation (`toolOutput`) is not cancelled here: its run
   * id is the caller's, who may cancel it.
   */
  readonly run: (input: RunInput, options?: RunOptions) => Effect.Effect<Run, HttpError | ValidationError | RunFailed>
  /**
   * A streamed run: the request is validated (nothing is sent when it is invalid), then every event of
   * the run is emitted as a {@link RunEvent.RunEvent}, up to and including `RunEnd` (see
   * `RunEvent` for the events, pings are not emitted). The stream keeps waiting at `ToolCalls` until
   * the outputs are submitted with {@link Service.submitToolOutputs}; the same stream then continues.
   *
   * Fails with `HttpError` (`Timeout` when no event, ping included, arrives for `idleTimeout`;
   * `StreamEnded` when the connection ends before `run_end`; `Decode` for a malformed event) and with
   * {@link RunFailed} right after the `RunEnd` of a run that ended `failed`, `expired` or `cancelled`.
   *
   * **Cancellation**: when the stream stops before `RunEnd` once the run id is known (from `RunBegin`),
   * whatever the reason (the consumer was interrupted, took only part of the stream, failed, or the
   * stream itself failed), the run is cancelled on the server: one `cancel` call, made while the stream's
   * scope closes (uninterruptibly), with its own timeout (`cancelTimeout`, default 5 s), its errors
   * ignored. Such a cancel never surfaces as {@link RunFailed}.
   *
   * A stream stopped before it read `RunBegin` (even before the response headers arrived) keeps
   * reading its own response in the background, within `cancelTimeout`, until `RunBegin` names the run,
   * then cancels it; when the response ends, fails, or names no run in time, there is nothing to cancel.
   * The whole stop (reading ahead and cancelling) takes `cancelTimeout` at most.
   */
  readonly stream: (
    input: RunInput,
    options?: StreamOptions
  ) => Stream.Stream<RunEvent.RunEvent, HttpError | ValidationError | RunFailed>
  readonly submitToolOutputs: (input: SubmitToolOutputsInput) => Effect.Effect<Run, HttpError | ValidationError>
  readonly cancel: (input: CancelInput) => Effect.Effect<Run, HttpError | ValidationError>
  readonly list: (input: ListInput) => Effect.Effect<ListPage<Run>, HttpError | ValidationError>
  /** Every run of the thread, page after page. */
  readonly listAll: (input: ListInput) => Stream.Stream<Run, HttpError | ValidationError>
  readonly query: (input: RunRef) => Effect.Effect<Run, HttpError | ValidationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Runs extends Context.Tag("@effect-appbuilder/assistant/Runs")<Runs, Service>() {}

const op = (name: string, idempotent: boolean, timeout?: Duration.DurationInput): Operation =>
  timeout === undefined ? { name, idempotent } : { name, idempotent, timeout }

const RunList = ListPage(Run)

/**
 * Cancels a run we stopped following: one `cancel` call, its errors ignored, bounded by `timeout`
 * (default 5 seconds). The call is made interruptible so that the timeout holds even where it runs
 * uninterruptibly, in a finalizer or an `onExit`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const cancelQuietly = (
  cancel: Service["cancel"],
  run: RunRef,
  timeout: Duration.DurationInput = "5 seconds"
): Effect.Effect<void> => cancel(run).pipe(Effect.interruptible, Effect.timeout(timeout), Effect.ignore)

/**
 * True for the statuses of a run that goes on unless it is cancelled (`cancelling` is on its way out).
 *
 * @since 0.1.0
 * @category predicates
 */
export const needsCancel = (status: string): boolean =>
  status === "queued" || status === "in_progress" || status === "requires_action"

/**
 * What identifies the run a blocking call started when its answer never came: the thread, the
 * assistant, and the clock time (epoch milliseconds) just before the call was sent.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartedRun {
  readonly threadId: string
  readonly assistantId: string
  readonly since: number
}

/**
 * Finds the run a lost blocking call started and cancels it once: lists the thread's newest runs
 * (after 100 ms, 200 ms, 400 ms, … then every second) until one of the assistant, created at or after `since`, is still going, then cancels
 * it. A thread has at most one active run, so that run is the call's. Gives up when none appears:
 * the request never reached the service. Everything, cancel included, is bounded by `timeout` (default
 * 5 seconds), errors are ignored, and it is interruptible even inside a finalizer.
 *
 * @since 0.1.0
 * @category combinators
 */
export const cancelStartedRun = (
  runs: Pick<Service, "list" | "cancel">,
  started: StartedRun,
  timeout: Duration.DurationInput = "5 seconds"
): Effect.Effect<void> => {
  const look = runs.list({ threadId: started.threadId, limit: 20, order: "desc" }).pipe(
    Effect.map((page) =>
      Option.fromNullable(
        page.data.find((run) =>
          run.assistantId === started.assistantId && run.createdAt >= started.since && needsCancel(run.status)
        )
      )
    ),
    Effect.orElseSucceed(() => Option.none<Run>())
  )
  // the run usually shows at once or within a moment: look again after 100 ms, then ever less often
  const find = (wait: number): Effect.Effect<Run> =>
    Effect.flatMap(look, Option.match({
      onSome: Effect.succeed,
      onNone: () => Effect.zipRight(Effect.sleep(Duration.millis(wait)), find(Math.min(wait * 2, 1_000)))
    }))
  return find(100).pipe(
    Effect.flatMap((run) =>
      Effect.logDebug("a blocking run call was stopped: cancelling the run it started").pipe(
        Effect.zipRight(runs.cancel({ threadId: run.threadId, runId: run.id })),
        Effect.annotateLogs({ "appbuilder.run_id": run.id, "appbuilder.thread_id": run.threadId })
      )
    ),
    Effect.interruptible,
    Effect.timeout(timeout),
    Effect.ignore
  )
}

/**
 * True when a failed call may still have been carried out: every `HttpError` except an answer of the
 * service turning the request down (`Status`, `Api`) and a failure that proves it never reached the
 * service (`retryable`).
 */
const outcomeUnknown = (error: unknown): boolean =>
  error instanceof HttpError && !error.retryable && error.reason !== "Status" && error.reason !== "Api"

/**
 * Validates a submit-tool-outputs request and encodes its body (`run_id` of each output is sent as
 * given, `""` by default, as the official client does).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeSubmitToolOutputs = (input: SubmitToolOutputsInput) =>
  V.validate("Runs.submitToolOutputs", (c) => {
    const fields = V.record(c, input)
    const outputs: unknown = fields.toolOutputs
    let toolOutputs: Array<{ tool_call_id: string; output: string; run_id: string }> = []
    if (!Array.isArray(outputs)) {
      c.add(["toolOutputs"], "expected an array of tool outputs")
    } else {
      if (outputs.length === 0) c.add(["toolOutputs"], "at least one tool output is required")
      toolOutputs = outputs.map((item: unknown, index) => {
        if (!Predicate.isRecord(item)) {
          c.add(["toolOutputs", index], "expected a tool output object")
          return { tool_call_id: "", output: "", run_id: "" }
        }
        return {
          tool_call_id: V.id(c, ["toolOutputs", index, "toolCallId"], item["toolCallId"]),
          output: V.string(c, ["toolOutputs", index, "output"], item["output"]),
          run_id: V.optionalString(c, ["toolOutputs", index, "runId"], item["runId"], "")
        }
      })
    }
    return {
      thread_id: V.id(c, ["threadId"], fields.threadId),
      run_id: V.id(c, ["runId"], fields.runId),
      tool_outputs: toolOutputs
    }
  })

/**
 * Builds the runs service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const run = Effect.fn("Runs.run")(function*(input: RunInput, options?: RunOptions) {
    const name = "Runs.run"
    const body = yield* encodeRunRequest(name, input, false)
    const timeouts = yield* V.validate(name, (c) => {
      const fields = V.options(c, options)
      return {
        timeout: V.duration(c, ["options", "timeout"], fields.timeout),
        cancelTimeout: V.duration(c, ["options", "cancelTimeout"], fields.cancelTimeout)
      }
    })
    yield* Effect.annotateCurrentSpan({
      "appbuilder.assistant_id": body.assistant_id,
      "appbuilder.thread_id": body.thread_id
    })
    if (body.tool_output !== null) yield* Effect.annotateCurrentSpan("appbuilder.run_id", body.tool_output.run_id)
    const since = yield* Clock.currentTimeMillis
    // A call that starts a run and is stopped, or loses its answer, leaves a run the caller cannot name:
    // find it on the thread and cancel it. The rest of the call runs uninterruptibly, so that a run whose
    // answer arrived is always handed to the caller.
    const lost = (exit: Exit.Exit<Run, HttpError>): Effect.Effect<void> => {
      if (body.tool_output !== null || body.thread_id === "" || Exit.isSuccess(exit)) return Effect.void
      const interrupted = Cause.isInterruptedOnly(exit.cause)
      if (!interrupted && !Option.exists(Cause.failureOption(exit.cause), outcomeUnknown)) return Effect.void
      return cancelStartedRun(
        { list, cancel },
        { threadId: body.thread_id, assistantId: body.assistant_id, since },
        timeouts.cancelTimeout
      )
    }
    return yield* Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const result = yield* restore(client.post(op(name, false, timeouts.timeout), "/v2/threads/runs", body, Run))
          .pipe(Effect.onExit(lost))
        yield* Effect.annotateCurrentSpan({
          "appbuilder.run_id": result.id,
          "appbuilder.thread_id": result.threadId,
          "appbuilder.run_status": result.status
        })
        const failure = runFailure(name, result)
        if (Option.isSome(failure)) return yield* failure.value
        return result
      })
    )
  })

  const submitToolOutputs = Effect.fn("Runs.submitToolOutputs")(function*(input: SubmitToolOutputsInput) {
    const body = yield* encodeSubmitToolOutputs(input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.run_id": body.run_id })
    return yield* client.post(
      op("Runs.submitToolOutputs", false),
      "/v2/threads/runs/submit_tool_outputs",
      body,
      Run
    )
  })

  const cancel = Effect.fn("Runs.cancel")(function*(input: CancelInput) {
    const body = yield* V.validate("Runs.cancel", (c) => {
      const fields = V.record(c, input)
      return {
        thread_id: V.id(c, ["threadId"], fields.threadId),
        run_id: V.id(c, ["runId"], fields.runId),
        sync: V.boolean(c, ["sync"], fields.sync, false)
      }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.run_id": body.run_id })
    // cancelling twice is harmless (the service answers the current run), so it may be retried
    return yield* client.post(op("Runs.cancel", true), "/v2/threads/runs/cancel", body, Run)
  })

  const list = Effect.fn("Runs.list")(function*(input: ListInput) {
    const body = yield* V.validate("Runs.list", (c) => {
      const fields = V.record(c, input)
      return { thread_id: V.id(c, ["threadId"], fields.threadId), ...V.listFields(c, fields) }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id })
    return yield* client.post(op("Runs.list", true), "/v2/threads/runs/list", body, RunList)
  })

  const listAll = (input: ListInput) => paginate(input, list)

  const query = Effect.fn("Runs.query")(function*(input: RunRef) {
    const body = yield* V.validate("Runs.query", (c) => {
      const fields = V.record(c, input)
      return { thread_id: V.id(c, ["threadId"], fields.threadId), run_id: V.id(c, ["runId"], fields.runId) }
    })
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id, "appbuilder.run_id": body.run_id })
    return yield* client.post(op("Runs.query", true), "/v2/threads/runs/query", body, Run)
  })

  const stream = (
    input: RunInput,
    options?: StreamOptions
  ): Stream.Stream<RunEvent.RunEvent, HttpError | ValidationError | RunFailed> =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const name = "Runs.stream"
      const body = yield* encodeRunRequest(name, input, true)
      const timeouts = yield* V.validate(name, (c) => {
        const fields = V.options(c, options)
        return {
          idleTimeout: V.duration(c, ["options", "idleTimeout"], fields.idleTimeout),
          cancelTimeout: V.duration(c, ["options", "cancelTimeout"], fields.cancelTimeout) ?? Duration.seconds(5)
        }
      })
      yield* Effect.annotateCurrentSpan({
        "appbuilder.assistant_id": body.assistant_id,
        "appbuilder.thread_id": body.thread_id
      })
      let runId: string | undefined
      let threadId = body.thread_id
      let ended = false
      let cancelledByUs = false
      const events = runStream(client.stream(op(name, false), "/v2/threads/runs", body), {
        operation: name,
        idleTimeout: timeouts.idleTimeout ?? client.streamIdleTimeout,
        cancelledByUs: Effect.sync(() => cancelledByUs)
      })
      // The response is read by a fiber of its own, into a mailbox the caller's stream reads. Stopping the
      // caller's stream therefore does not stop the request: the finalizer below can still read ahead to
      // the `run_begin` that names the run. The fiber is interrupted (and the request aborted) only when
      // the scope closes, after the finalizer.
      const mailbox = yield* Mailbox.make<RunEvent.RunEvent, HttpError | RunFailed>({ capacity: 256 })
      yield* Stream.runForEachChunk(events, (chunk) => {
        // one synchronous pass per chunk (no effect per event): only the rare run events annotate the span
        let annotations: Record<string, unknown> | undefined
        for (const event of chunk) {
          switch (event._tag) {
            case "RunBegin":
            case "RunCancelling":
              runId = event.runId
              if (event.threadId !== "") threadId = event.threadId
              annotations = { ...annotations, "appbuilder.run_id": event.runId, "appbuilder.thread_id": threadId }
              break
            case "RunEnd":
              ended = true
              annotations = { ...annotations, "appbuilder.run_status": event.status }
              break
          }
        }
        const offer = mailbox.offerAll(chunk)
        return annotations === undefined ? offer : Effect.zipRight(Effect.annotateCurrentSpan(annotations), offer)
      }).pipe(Mailbox.into(mailbox), Effect.forkScoped)

      // Reads (and drops) what the response still brings until the run is named or has ended, or the
      // response is over.
      const readAhead: Effect.Effect<void> = mailbox.takeAll.pipe(
        Effect.repeat({ until: ([, done]) => done || runId !== undefined || ended }),
        Effect.ignore
      )
      // Runs when the stream's scope closes, uninterruptibly: cancel a run we stopped listening to, once.
      // Reading ahead and the cancel call are made interruptible so that `cancelTimeout` bounds them both.
      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          if (ended) return Effect.void
          return Effect.gen(function*() {
            if (runId === undefined) yield* readAhead
            if (ended || runId === undefined) return
            cancelledByUs = true
            yield* Effect.logDebug("Runs.stream stopped before run_end: cancelling the run").pipe(
              Effect.annotateLogs({ "appbuilder.run_id": runId, "appbuilder.thread_id": threadId })
            )
            yield* cancel({ threadId, runId })
          }).pipe(Effect.interruptible, Effect.timeout(timeouts.cancelTimeout), Effect.ignore)
        })
      )
      return Mailbox.toStream(mailbox)
    })).pipe(Stream.withSpan("Runs.stream"))

  return Runs.of({ run, submitToolOutputs, cancel, list, listAll, query, stream })
})

/**
 * The runs service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Runs, never, AppBuilderClient> = Layer.effect(Runs, make)
