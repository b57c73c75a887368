/**
 * The tool loop in stream mode: one streamed run whose `ToolCalls` events are answered as they pass, and
 * the fold of that stream into the loop's result.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { HttpError, MaxStepsExceeded } from "../AppBuilderError.js"
import * as RunEvent from "../RunEvent.js"
import * as Runs from "../Runs.js"
import type * as Threads from "../Threads.js"
import type { Input, LoopError, OnToolError, Options, Result, Tool } from "../ToolLoop.js"
import type { Run, ToolCall } from "./models/run.js"
import * as RunPoll from "./runPoll.js"
import * as RunResume from "./runResume.js"
import * as Streams from "./stream.js"
import { toolOutputsFor } from "./toolCalls.js"
import { runRequestWithTools, withThreadCreated } from "./toolLoopInput.js"

/**
 * The options of a streamed loop (the mode is implied).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export type StreamLoopOptions<Tools extends Tool.Any, Mode extends OnToolError> = Omit<Options<Tools, Mode>, "mode">

/**
 * Emits the events as they come and, once a `ToolCalls` event was emitted (the consumer pulls the next
 * event), runs `answer` for it before reading on: the consumer sees the tool calls before the tools run,
 * and the stream goes on only once the outputs were submitted. `observe` sees every event, in order,
 * before it is emitted.
 */
const answerAfterEmitting = <E, R, InErr>(
  observe: (event: RunEvent.RunEvent) => void,
  answer: (event: RunEvent.ToolCalls) => Effect.Effect<void, E, R>
) => {
  type Out = Channel.Channel<
    Chunk.Chunk<RunEvent.RunEvent>,
    Chunk.Chunk<RunEvent.RunEvent>,
    E | InErr,
    InErr,
    unknown,
    unknown,
    R
  >
  const emitFrom = (events: ReadonlyArray<RunEvent.RunEvent>, from: number): Out => {
    for (let i = from; i < events.length; i++) {
      const event = events[i]!
      observe(event)
      if (event._tag === "ToolCalls") {
        return Channel.write(Chunk.unsafeFromArray(events.slice(from, i + 1))).pipe(
          Channel.zipRight(Channel.fromEffect(answer(event))),
          Channel.zipRight(Channel.suspend(() => emitFrom(events, i + 1)))
        )
      }
    }
    return from < events.length
      ? Channel.zipRight(Channel.write(Chunk.unsafeFromArray(events.slice(from))), loop)
      : loop
  }
  const loop: Out = Channel.readWithCause({
    onInput: (chunk: Chunk.Chunk<RunEvent.RunEvent>) => emitFrom(Chunk.toReadonlyArray(chunk), 0),
    onFailure: (cause: Cause.Cause<InErr>) => Channel.failCause(cause),
    onDone: () => Channel.void
  })
  return loop
}

/**
 * Every event of one streamed run, with each `ToolCalls` answered as it passes: the event is emitted,
 * then the tools run and their outputs are submitted with `submit_tool_outputs`, and the same stream goes
 * on. At the `ToolCalls` that would start tool round `maxSteps + 1` the stream fails with
 * `MaxStepsExceeded`.
 *
 * Everything about the run's end comes from `Runs.stream`: a run that ends `failed`, `expired` or
 * cancelled by someone else emits its `RunEnd`, then fails with `RunFailed`; and when the stream stops
 * before `RunEnd` for any reason (the consumer stopped, a tool failed, `maxSteps`), the run is cancelled
 * once, within `cancelTimeout`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const loopEvents = <Tools extends Tool.Any, Mode extends OnToolError>(
  input: Input,
  options: StreamLoopOptions<Tools, Mode>
): Stream.Stream<RunEvent.RunEvent, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>> =>
  Streams.unwrap(Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const resume = options.resume ?? true
    // a run on an inline thread could not be found if the stream broke before naming it: with resume on,
    // the thread is created first
    const withTools = runRequestWithTools(input, options.toolkit)
    const request = resume === false ? withTools : yield* withThreadCreated("Runs.stream", withTools)
    const maxSteps = options.maxSteps ?? 8
    // the state of this run of the stream: which run the events belong to, and the rounds answered
    let context = RunEvent.initialContext
    let steps = 0
    // the calls answered so far: a call is executed and submitted once, even if a resumed stream hands it
    // over again
    const answered = new Set<string>()
    const submitToolOutputs = (event: RunEvent.ToolCalls) =>
      Effect.gen(function*() {
        if (event.toolCalls.every((call) => answered.has(call.id))) return
        const run = { runId: context.currentRunId ?? "", threadId: context.currentThreadId ?? "" }
        if (steps >= maxSteps) return yield* new MaxStepsExceeded({ ...run, maxSteps })
        const toolOutputs = yield* toolOutputsFor(options, event.toolCalls)
        yield* runs.submitToolOutputs({ ...run, toolOutputs }).pipe(
          Effect.catchIf(
            (error): error is HttpError => schedule !== undefined && RunResume.isBreak(error),
            (lost) => confirmTaken(run, event.toolCalls, lost)
          )
        )
        for (const call of event.toolCalls) answered.add(call.id)
        steps += 1
      })
    // a submit whose answer was lost (with resume on): the run is queried until it no longer waits for
    // the calls (the outputs were taken: the stream, or its resume, goes on), within the window after
    // which a submit still not taken never will be; else the loop fails as the submit did
    const schedule = resume === false ? undefined : resume === true ? RunResume.defaultSchedule : resume
    const confirmTaken = (
      run: { readonly runId: string; readonly threadId: string },
      calls: ReadonlyArray<ToolCall>,
      lost: HttpError
    ) =>
      RunPoll.pollUntil(
        Schedule.upTo(schedule ?? Schedule.stop, RunResume.startedRunWindow),
        Effect.map(runs.query(run), (current) =>
          current.status === "requires_action" &&
            current.toolCalls.some((pending) => calls.some((call) => call.id === pending.id))
            ? Either.left(current)
            : Either.right(current)),
        () => lost
      ).pipe(
        Effect.mapError(() => lost),
        Effect.zipLeft(Effect.logDebug("Runs.submitToolOutputs: the answer was lost; the run took the outputs"))
      )
    const runOptions = { idleTimeout: options.stream?.idleTimeout, cancelTimeout: options.cancelTimeout, resume }
    return runs.stream(request, runOptions).pipe(
      Stream.pipeThroughChannel(answerAfterEmitting((event) => {
        context = RunEvent.nextContext(context, event)
      }, submitToolOutputs))
    )
  }))

interface Progress {
  readonly steps: number
  readonly text: string
  readonly run: Option.Option<Run>
}

const addEvent = (progress: Progress, event: RunEvent.RunEvent): Progress => {
  switch (event._tag) {
    case "MessageDelta":
      return { ...progress, text: progress.text + event.text }
    case "ToolCalls":
      // the loop goes on past a ToolCalls event only once its outputs were submitted: one round answered
      return { ...progress, steps: progress.steps + 1 }
    case "RunEnd":
      return { ...progress, run: Option.some(event.run) }
    default:
      return progress
  }
}

/**
 * The streamed loop run to its end, folded into its result: the final run, the rounds answered and the
 * streamed answer text.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const streamLoop = <Tools extends Tool.Any, Mode extends OnToolError>(
  input: Input,
  options: StreamLoopOptions<Tools, Mode>
): Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>> =>
  Stream.runFold(loopEvents(input, options), { steps: 0, text: "", run: Option.none() }, addEvent).pipe(
    Effect.flatMap(({ run, steps, text }) =>
      Option.match(run, {
        // `Runs.stream` ends only after `RunEnd` (or fails): this is a safety net
        onNone: () =>
          Effect.fail(
            HttpError.streamEnded({ operation: "ToolLoop.run", description: "the run stream ended before run_end" })
          ),
        onSome: (run) => Effect.succeed({ run, steps, text })
      })
    )
  )
