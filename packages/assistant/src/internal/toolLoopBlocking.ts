/**
 * The tool loop in blocking mode: a blocking run returns `requires_action`; every pending call is answered
 * and each output sent back with a continuation run call, until the run no longer waits.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { MaxStepsExceeded } from "../AppBuilderError.js"
import * as Runs from "../Runs.js"
import type * as Threads from "../Threads.js"
import type { Input, LoopError, OnToolError, Options, Result, Tool } from "../ToolLoop.js"
import type { Run } from "./models/run.js"
import { cancelQuietly } from "./runCancel.js"
import { toolOutputsFor } from "./toolCalls.js"
import { runRequestWithTools, withThreadCreated } from "./toolLoopInput.js"

interface Progress {
  readonly run: Run
  readonly steps: number
}

/**
 * The blocking loop, an `Effect.iterate` whose state is the run. A loop that stops early (interruption,
 * a failure, `maxSteps`) cancels the run once, within `cancelTimeout`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const blockingLoop = <Tools extends Tool.Any, Mode extends OnToolError>(
  input: Input,
  options: Options<Tools, Mode>
): Effect.Effect<Result, LoopError<Tools, Mode>, Runs.Runs | Threads.Threads | Tool.Context<Tools>> =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const maxSteps = options.maxSteps ?? 8
    const request = yield* withThreadCreated("Runs.run", runRequestWithTools(input, options.toolkit))
    const resume = options.resume ?? true
    const latest = yield* Ref.make(Option.none<Run>())
    // A call and the recording of its answer form one unit that an interruption cannot split: a run that
    // answered is always known to `cancelIfGoing`. A first call stopped before its answer cancels the run
    // it started itself (`Runs.run`); `latest` is then still empty.
    const callRun = (runInput: Runs.RunInput) =>
      Effect.uninterruptibleMask((restore) =>
        restore(runs.run(runInput, { cancelTimeout: options.cancelTimeout, resume })).pipe(
          Effect.tap((run) => Ref.set(latest, Option.some(run)))
        )
      )
    const cancelIfGoing = Effect.flatMap(Ref.get(latest), (run) =>
      Option.isNone(run) || run.value.isTerminal
        ? Effect.void
        : cancelQuietly(runs.cancel, { threadId: run.value.threadId, runId: run.value.id }, options.cancelTimeout))

    // one tool round: every pending call answered, each output sent back with its own continuation call
    const answerRound = ({ run, steps }: Progress) =>
      Effect.gen(function*() {
        if (steps >= maxSteps) return yield* new MaxStepsExceeded({ runId: run.id, threadId: run.threadId, maxSteps })
        const outputs = yield* toolOutputsFor(options, run.toolCalls)
        let next = run
        for (const output of outputs) {
          next = yield* callRun({
            assistantId: request.assistantId,
            threadId: run.threadId,
            tools: request.tools,
            toolOutput: { ...output, runId: run.id }
          })
        }
        return { run: next, steps: steps + 1 }
      })

    const loop = Effect.gen(function*() {
      const first = yield* callRun(request)
      const { run, steps } = yield* Effect.iterate({ run: first, steps: 0 }, {
        while: (progress) => progress.run.status === "requires_action",
        body: answerRound
      })
      return { run, steps, text: run.finalAnswer?.text ?? "" }
    })
    return yield* loop.pipe(Effect.onExit((exit) => Exit.isSuccess(exit) ? Effect.void : cancelIfGoing))
  })
