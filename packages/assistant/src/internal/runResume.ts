/**
 * Following a run whose connection broke: a run stream that ends (or goes silent) before `run_end`, or a
 * blocking call whose answer was lost, does not lose the run. The run is found (by the id the stream
 * named, or on its thread when the break came before `run_begin`), polled until it settles, and what the
 * caller missed is rebuilt from the run, its steps and its reply message.
 *
 * No request that starts or continues a run is ever sent again: resuming only reads.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { HttpError, type RunFailed, type ValidationError } from "../AppBuilderError.js"
import { Content, type ListPage, Text } from "../Common.js"
import type { Message } from "../Messages.js"
import {
  MessageCreation,
  MessageDelta,
  Resumed,
  RunBegin,
  RunEnd,
  type RunEvent,
  ToolCalls,
  ToolStepBegin,
  ToolStepEnd,
  ToolSubmittedOutput
} from "../RunEvent.js"
import { FinalAnswer, FinalAnswerMessage, Run } from "./models/run.js"
import type { RunStep } from "./models/runStep.js"
import { runFailedOf } from "./runFailed.js"
import * as RunPoll from "./runPoll.js"

// -----------------------------------------------------------------------------
// what resuming needs
// -----------------------------------------------------------------------------

type ApiError = HttpError | ValidationError

/**
 * The read-only calls a resume makes.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface Api {
  readonly query: (ref: { readonly threadId: string; readonly runId: string }) => Effect.Effect<Run, ApiError>
  readonly listRuns: (
    input: { readonly threadId: string; readonly limit: number; readonly order: "desc" }
  ) => Effect.Effect<ListPage<Run>, ApiError>
  readonly listSteps: (
    input: { readonly threadId: string; readonly runId: string; readonly limit: number; readonly order: "asc" }
  ) => Effect.Effect<ListPage<RunStep>, ApiError>
  readonly queryMessage: (
    input: { readonly threadId: string; readonly messageId: string }
  ) => Effect.Effect<Message, ApiError>
  readonly listMessages: (
    input: { readonly threadId: string; readonly limit: number; readonly order: "desc" }
  ) => Effect.Effect<ListPage<Message>, ApiError>
}

/**
 * How to resume: the operation named in errors, the schedule of every wait (finding the run, then each
 * wait for it to settle; a fresh run of the schedule each time), and what identifies a run whose id was
 * never received: its thread (`""` when the service was to create it), its assistant, and the clock time
 * just before the request was sent.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface Options {
  readonly operation: string
  readonly schedule: Schedule.Schedule<unknown, unknown>
  readonly threadId: string
  readonly assistantId: string
  readonly since: number
  readonly api: Api
}

/**
 * 250 ms, 500 ms, 1 s, 2 s, 4 s, then every 5 s, for at most 30 minutes per wait (a run waiting for tool
 * outputs expires on its own after 10 minutes).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const defaultSchedule: Schedule.Schedule<unknown> = RunPoll.defaultSchedule.pipe(Schedule.upTo("30 minutes"))

/**
 * True for the failures after which the run may well go on without us: the stream broke or went silent,
 * or the answer of a call that started or continued a run was lost.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const isBreak = (error: unknown): error is HttpError =>
  error instanceof HttpError &&
  (error.reason === "StreamEnded" || error.reason === "Timeout" || error.reason === "OutcomeUnknown")

// -----------------------------------------------------------------------------
// what the caller saw
// -----------------------------------------------------------------------------

/**
 * What the events that got through said: the run, the tool calls handed over and answered, the steps
 * begun and ended, and the text streamed per message.
 */
interface Seen {
  runId: string | undefined
  runBegun: boolean
  threadId: string
  lastSendId: number
  readonly toolCalls: Set<string>
  readonly submitted: Set<string>
  readonly stepsBegun: Set<string>
  readonly stepsEnded: Set<string>
  /**
   * message id → what was streamed of it so far, in the order the messages were created: its length and a
   * hash of it, not the text itself, so that following a long stream holds a constant amount of memory
   */
  readonly messages: Map<string, Streamed>
  /** The message of the last delta and its record: the next delta is nearly always of the same one. */
  lastMessageId: string
  lastStreamed: Streamed | undefined
}

/**
 * The length of a text and its FNV-1a hash (32 bits, over UTF-16 code units), extended delta by delta in
 * place: one record per message, not a new one per delta (this runs for every chunk of a long stream).
 */
interface Streamed {
  length: number
  hash: number
}

const FNV_OFFSET = 0x811c9dc5

/** `hash` extended with the code units of `text`. */
const hashText = (hash: number, text: string): number => {
  let out = hash
  for (let i = 0; i < text.length; i++) out = Math.imul(out ^ text.charCodeAt(i), 0x01000193) >>> 0
  return out
}

const observe = (seen: Seen, event: RunEvent): void => {
  if (event._tag === "MessageDelta") {
    // the hot case, first: every chunk of the answer
    if (event.sendId > 0) seen.lastSendId = event.sendId
    // the same message as the last delta: no map lookup (the id is a new string in every event)
    const streamed = seen.lastStreamed !== undefined && event.messageId === seen.lastMessageId
      ? seen.lastStreamed
      : seen.messages.get(event.messageId)
    if (streamed === undefined) {
      const created = { length: event.text.length, hash: hashText(FNV_OFFSET, event.text) }
      seen.messages.set(event.messageId, created)
      seen.lastMessageId = event.messageId
      seen.lastStreamed = created
    } else {
      seen.lastMessageId = event.messageId
      seen.lastStreamed = streamed
      streamed.length += event.text.length
      streamed.hash = hashText(streamed.hash, event.text)
    }
    return
  }
  if ("sendId" in event && event.sendId > 0) seen.lastSendId = event.sendId
  switch (event._tag) {
    case "RunBegin":
      seen.runBegun = true
      if (event.runId !== "") seen.runId = event.runId
      if (event.threadId !== "") seen.threadId = event.threadId
      return
    case "RunCancelling":
    case "RunEnd":
      if (event.runId !== "") seen.runId = event.runId
      if (event.threadId !== "") seen.threadId = event.threadId
      return
    case "ToolStepBegin":
      seen.stepsBegun.add(event.stepId)
      return
    case "ToolStepEnd":
      seen.stepsEnded.add(event.stepId)
      return
    case "ToolCalls":
      for (const call of event.toolCalls) seen.toolCalls.add(call.id)
      return
    case "ToolSubmittedOutput":
      for (const call of event.toolCalls) seen.submitted.add(call.id)
      return
    case "MessageCreation":
      if (!seen.messages.has(event.messageId)) seen.messages.set(event.messageId, { length: 0, hash: FNV_OFFSET })
      return
    default:
      return
  }
}

// -----------------------------------------------------------------------------
// finding and waiting
// -----------------------------------------------------------------------------

/**
 * How long the run a request may have started is looked for once the request's answer was lost. A request
 * the service took makes its run as the service starts answering it; one whose run has not appeared by
 * then was not taken (its connection was given up before the service read it), and looking on for the
 * whole resume schedule (30 minutes by default) would only wait that out before failing. The same holds
 * for a continuation (`submit_tool_outputs`, or a blocking run call with `tool_output`): a run still
 * waiting for the call it answered after this window was not continued.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const startedRunWindow = "2 minutes"

/**
 * The run a request started when its answer never named it: the thread's newest run of the assistant
 * created since the request was sent (a thread has one active run at most), looked for within
 * {@link startedRunWindow} at most. Needs the thread's id.
 */
const findStartedRun = (options: Options): Effect.Effect<Run, ApiError | HttpError> =>
  RunPoll.pollUntil(
    Schedule.upTo(options.schedule, startedRunWindow),
    Effect.map(
      options.api.listRuns({ threadId: options.threadId, limit: 20, order: "desc" }),
      (page) =>
        Either.fromNullable(
          page.data.find((run) => run.assistantId === options.assistantId && run.createdAt >= options.since),
          () => undefined
        )
    ),
    () =>
      HttpError.streamEnded({
        operation: options.operation,
        description:
          `the run this request started did not appear on thread ${options.threadId} within ${startedRunWindow}`
      })
  )

/**
 * Queries the run until `isNews` says it reached a state worth reporting, stepping a fresh run of the
 * schedule between queries.
 */
const waitFor = (
  options: Options,
  ref: { readonly threadId: string; readonly runId: string },
  isNews: (run: Run) => boolean
): Effect.Effect<Run, ApiError | HttpError> =>
  RunPoll.pollUntil(
    options.schedule,
    Effect.map(options.api.query(ref), (run) => isNews(run) ? Either.right(run) : Either.left(run)),
    (run) =>
      HttpError.streamEnded({
        operation: options.operation,
        description: `the resume schedule ended before run ${ref.runId} settled (status ${run.status})`
      })
  )

/**
 * The reply message of a completed run: the message its answer step created (else the last one the
 * stream announced), else the thread's newest assistant message of the run.
 */
const replyMessage = (
  options: Options,
  run: Run,
  steps: ReadonlyArray<RunStep>,
  seen: Seen | undefined
): Effect.Effect<Option.Option<Message>, ApiError> => {
  const fromSteps = steps.flatMap((step) => {
    const id = step.details?.messageCreation?.messageId ?? ""
    return id === "" ? [] : [id]
  })
  const announced = seen === undefined ? [] : [...seen.messages.keys()]
  const messageId = fromSteps[fromSteps.length - 1] ?? announced[announced.length - 1]
  if (messageId !== undefined) {
    return Effect.map(options.api.queryMessage({ threadId: run.threadId, messageId }), Option.some)
  }
  return Effect.map(
    options.api.listMessages({ threadId: run.threadId, limit: 20, order: "desc" }),
    (page) => Option.fromNullable(page.data.find((message) => message.runId === run.id && message.role === "assistant"))
  )
}

const resumeFailed = (operation: string, lost: HttpError, error: ApiError | HttpError): HttpError =>
  HttpError.streamEnded({
    operation,
    description: `${lost.description}; following the run by polling failed: ${error.message}`,
    cause: error
  })

// -----------------------------------------------------------------------------
// rebuilding the events
// -----------------------------------------------------------------------------

const isTerminalStep = (step: RunStep): boolean =>
  step.status === "completed" || step.status === "cancelled" || step.status === "failed" || step.status === "expired"

const textContent = (text: string): Content =>
  new Content({ type: "text", text: new Text({ value: text, annotations: null }) })

/**
 * The events the caller missed, given where the run is now: every step begun and ended since, the tool
 * calls handed over and answered, the answer message and the rest of its text (one delta), and the end.
 * A `RunBegin` comes first when the stream broke before its own. Rebuilt events carry `sendId` 0. `seen`
 * is updated as if they had come over the wire.
 */
const rebuild = (
  seen: Seen,
  run: Run,
  steps: ReadonlyArray<RunStep>,
  reply: Option.Option<Message>
): Array<RunEvent> => {
  const out: Array<RunEvent> = []
  const emit = (event: RunEvent) => {
    observe(seen, event)
    out.push(event)
  }
  const ids = { runId: run.id, threadId: run.threadId }
  const runFields = { sendId: 0, detailsType: "run_object", ...ids, assistantId: run.assistantId, run }
  if (!seen.runBegun) emit(new RunBegin({ ...runFields, status: "queued", message: "begin to run" }))
  let replyDone = false
  const emitReply = (messageId: string) => {
    if (!seen.messages.has(messageId)) {
      emit(
        new MessageCreation({
          sendId: 0,
          status: "in_progress",
          message: "message created",
          detailsType: "message_creation",
          messageId
        })
      )
    }
    if (Option.isNone(reply) || reply.value.id !== messageId || replyDone) return
    replyDone = true
    const full = reply.value.text
    const streamed = seen.messages.get(messageId) ?? { length: 0, hash: FNV_OFFSET }
    // what the message holds beyond what was streamed (a message that does not start with the streamed
    // text cannot be continued: nothing is added rather than text repeated)
    const continues = full.length >= streamed.length &&
      hashText(FNV_OFFSET, full.slice(0, streamed.length)) === streamed.hash
    const rest = continues ? full.slice(streamed.length) : ""
    if (rest === "") return
    emit(
      new MessageDelta({
        sendId: 0,
        status: "completed",
        messageId,
        text: rest,
        isEnd: true,
        content: [textContent(rest)]
      })
    )
  }
  for (const step of steps) {
    const stepFields = { sendId: 0, detailsType: "run_step_object", stepId: step.id, ...ids, step }
    if (!seen.stepsBegun.has(step.id)) {
      emit(new ToolStepBegin({ ...stepFields, status: "in_progress", message: "begin to run step" }))
    }
    const details = step.details
    const calls = details?.toolCalls ?? []
    const answered = calls.filter((call) => (call.function?.output ?? "") !== "")
    if (answered.length > 0 && answered.some((call) => !seen.submitted.has(call.id))) {
      emit(
        new ToolSubmittedOutput({
          sendId: 0,
          status: "in_progress",
          message: "tool output submitted",
          detailsType: "tool_calls",
          toolCalls: calls
        })
      )
    }
    const messageId = details?.messageCreation?.messageId ?? ""
    if (messageId !== "") emitReply(messageId)
    if (isTerminalStep(step) && !seen.stepsEnded.has(step.id)) {
      emit(new ToolStepEnd({ ...stepFields, status: step.status, message: "step end" }))
    }
  }
  if (run.status === "requires_action" && run.toolCalls.some((call) => !seen.toolCalls.has(call.id))) {
    emit(
      new ToolCalls({
        sendId: 0,
        status: "requires_action",
        message: "tool calls",
        detailsType: "tool_calls",
        toolCalls: run.toolCalls
      })
    )
  }
  if (Option.isSome(reply)) emitReply(reply.value.id)
  if (run.isTerminal) {
    emit(new RunEnd({ ...runFields, status: run.status, message: "run end" }))
  }
  return out
}

/** True when the run reached a state the caller has not seen: terminal, or waiting for calls not yet handed over. */
const isNewsFor = (seen: Seen) => (run: Run): boolean =>
  run.isTerminal || (run.status === "requires_action" && run.toolCalls.some((call) => !seen.toolCalls.has(call.id)))

/**
 * The rest of a run's events, rebuilt at each point where it settles, up to its `RunEnd` (then
 * `RunFailed` when it ended `failed`, `expired` or `cancelled`, as a wire `run_end` would).
 */
const followRun = (
  seen: Seen,
  ref: { readonly threadId: string; readonly runId: string },
  lost: HttpError,
  options: Options
): Stream.Stream<RunEvent, HttpError | RunFailed> => {
  const settle = Effect.gen(function*() {
    const run = yield* waitFor(options, ref, isNewsFor(seen))
    const steps = (yield* options.api.listSteps({ ...ref, limit: 100, order: "asc" })).data
    const reply = run.status === "completed" ? yield* replyMessage(options, run, steps, seen) : Option.none()
    return { run, events: rebuild(seen, run, steps, reply) }
  }).pipe(Effect.mapError((error) => resumeFailed(options.operation, lost, error)))
  const loop: Stream.Stream<RunEvent, HttpError | RunFailed> = Stream.unwrap(
    Effect.map(settle, ({ events, run }) => {
      const out = Stream.fromIterable(events)
      if (!run.isTerminal) return Stream.concat(out, Stream.suspend(() => loop))
      const failure = runFailedOf(options.operation, run)
      return Option.isSome(failure) ? Stream.concat(out, Stream.fail(failure.value)) : out
    })
  )
  return loop
}

// -----------------------------------------------------------------------------
// the combinators
// -----------------------------------------------------------------------------

/**
 * The state of one resumable run stream, for the reader that applies it (`runStream.ts`): `observe` sees
 * every event that came over the wire, in order; `follow` is the rest of the run after a break (see
 * {@link isBreak}): {@link Resumed}, then the run's events rebuilt by polling (see {@link rebuild}). The run
 * is the one the stream named, or else the one found on the request's thread; when it cannot be named (a
 * new thread and no `run_begin` received), or cannot be followed within the schedule, the rest fails with
 * an `HttpError` of reason `StreamEnded`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface Follower {
  readonly observe: (event: RunEvent) => void
  readonly follow: (lost: HttpError) => Stream.Stream<RunEvent, HttpError | RunFailed>
}

/**
 * A fresh {@link Follower}: one per run stream.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const follower = (options: Options): Follower => {
  const seen: Seen = {
    runId: undefined,
    runBegun: false,
    threadId: options.threadId,
    lastSendId: 0,
    toolCalls: new Set(),
    submitted: new Set(),
    stepsBegun: new Set(),
    stepsEnded: new Set(),
    messages: new Map(),
    lastMessageId: "",
    lastStreamed: undefined
  }
  const follow = (lost: HttpError): Stream.Stream<RunEvent, HttpError | RunFailed> =>
    Stream.unwrap(Effect.gen(function*() {
      let runId = seen.runId
      if (runId === undefined) {
        // the break came before `run_begin`: only a run on a known thread can be found
        if (seen.threadId === "") return Stream.fail(lost)
        const found = yield* findStartedRun(options).pipe(
          Effect.mapError((error) => resumeFailed(options.operation, lost, error))
        )
        runId = found.id
        seen.runId = runId
      }
      const ref = { threadId: seen.threadId, runId }
      yield* Effect.logDebug(`${options.operation}: the stream broke before run_end; following the run by polling`)
        .pipe(
          Effect.annotateLogs({
            "appbuilder.run_id": runId,
            "appbuilder.thread_id": seen.threadId,
            reason: lost.reason
          })
        )
      const resumed = new Resumed({
        ...ref,
        reason: lost.reason,
        description: lost.message,
        lastSendId: seen.lastSendId
      })
      return Stream.concat(Stream.make(resumed), followRun(seen, ref, lost, options))
    }))
  return { observe: (event) => observe(seen, event), follow }
}

/**
 * The answer of a blocking run call whose own answer was lost: the run it started (found on its thread)
 * or continued (`continued`: its id and the tool call the lost call answered), polled until it settles
 * past that call, with its final answer rebuilt from the reply message when it completed.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const followBlocking = (
  options: Options,
  continued: { readonly runId: string; readonly toolCallId: string } | undefined
): Effect.Effect<Run, ApiError | HttpError> =>
  Effect.gen(function*() {
    const runId = continued?.runId ?? (yield* findStartedRun(options)).id
    const ref = { threadId: options.threadId, runId }
    if (continued !== undefined) {
      // a continuation the service took moves the run past its call as it is taken: a run still waiting
      // for that call after the window was not continued, and would wait on until it expires
      const waitsForCall = (run: Run) =>
        run.status === "requires_action" && run.toolCalls.some((call) => call.id === continued.toolCallId)
      yield* waitFor(
        { ...options, schedule: Schedule.upTo(options.schedule, startedRunWindow) },
        ref,
        (run) => !waitsForCall(run)
      )
    }
    const run = yield* waitFor(options, ref, (run) =>
      continued === undefined
        ? RunPoll.settledStatuses.has(run.status)
        : run.isTerminal ||
          (run.status === "requires_action" && !run.toolCalls.some((call) => call.id === continued.toolCallId)))
    if (run.status !== "completed") return run
    const steps = (yield* options.api.listSteps({ ...ref, limit: 100, order: "asc" })).data
    const reply = yield* replyMessage(options, run, steps, undefined)
    if (Option.isNone(reply)) return run
    return new Run({
      ...run,
      object: "run.result",
      finalAnswer: new FinalAnswer({
        type: "message",
        message: new FinalAnswerMessage({ messageId: reply.value.id, content: reply.value.content })
      })
    })
  })
