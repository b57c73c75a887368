/**
 * `appbuilder runs list|get|cancel|steps`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Common from "@effect-appbuilder/assistant/Common"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Ansi from "./ansi.js"
import * as Output from "./output.js"
import * as Paging from "./paging.js"

const RunPage = Common.ListPage(Runs.Run)
const StepPage = Common.ListPage(RunSteps.RunStep)

const view = (run: Runs.Run): string =>
  Output.record([
    ["id", Ansi.cyan(run.id)],
    ["thread", run.threadId],
    ["assistant", run.assistantId],
    ["status", Output.status(run.status)],
    ["model", run.model],
    ["created", Output.time(run.createdAt)],
    ...(run.toolCalls.length === 0 ? [] : [
      [
        "tool calls",
        run.toolCalls.map((call) => `${call.id} ${call.function?.name ?? call.type}(${call.function?.arguments ?? ""})`)
          .join("\n")
      ] as const
    ]),
    ...(run.lastError === null ? [] : [["error", `${run.lastError.type} ${run.lastError.message}`.trim()] as const]),
    ...(run.finalAnswer === null ? [] : [["answer", run.finalAnswer.text] as const])
  ])

const threadId = Args.text({ name: "thread-id" }).pipe(Args.withDescription("The thread's id (thread_…)."))
const runId = Args.text({ name: "run-id" }).pipe(Args.withDescription("The run's id (run_…)."))
const more = (page: Common.ListPage<unknown>) => page.hasMore ? `\n${Ansi.dim(`more: --after ${page.lastId}`)}` : ""

const list = Command.make("list", { threadId, ...Paging.options }, ({ threadId, ...paging }) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    const page = yield* runs.list({ threadId, ...Paging.toInput(paging) })
    yield* Output.emit(RunPage, page, (page) =>
      Output.table(
        ["ID", "STATUS", "ASSISTANT", "CREATED"],
        page.data.map((
          run
        ) => [Ansi.cyan(run.id), Output.status(run.status), run.assistantId, Output.time(run.createdAt)])
      ) + more(page))
  })).pipe(Command.withDescription("List a thread's runs (one page)."))

const get = Command.make("get", { threadId, runId }, (ref) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    yield* Output.emit(Runs.Run, yield* runs.query(ref), view)
  })).pipe(Command.withDescription("Show a run."))

const cancel = Command.make("cancel", {
  threadId,
  runId,
  wait: Options.boolean("wait").pipe(
    Options.withDescription("Answer once the run is cancelled (else at once, status cancelling).")
  )
}, ({ runId, threadId, wait }) =>
  Effect.gen(function*() {
    const runs = yield* Runs.Runs
    yield* Output.emit(Runs.Run, yield* runs.cancel({ threadId, runId, sync: wait }), view)
  })).pipe(Command.withDescription("Cancel a run."))

const steps = Command.make(
  "steps",
  { threadId, runId, ...Paging.options },
  ({ runId, threadId, ...paging }) =>
    Effect.gen(function*() {
      const runSteps = yield* RunSteps.RunSteps
      const page = yield* runSteps.list({ threadId, runId, ...Paging.toInput(paging) })
      yield* Output.emit(StepPage, page, (page) =>
        Output.table(
          ["ID", "STATUS", "TYPE", "DETAILS"],
          page.data.map((step) => {
            const details = step.details
            const tools = (details?.toolCalls ?? []).map((call) => call.function?.name ?? call.type)
            const summary = tools.length > 0
              ? `tools: ${tools.join(", ")}`
              : details?.messageCreation
              ? `message ${details.messageCreation.messageId}`
              : ""
            return [Ansi.cyan(step.id), Output.status(step.status), step.type ?? "", Output.short(summary, 60)]
          })
        ) + more(page))
    })
).pipe(Command.withDescription("List a run's steps (one page)."))

/** @internal */
export const command = Command.make("runs").pipe(
  Command.withDescription("List, show and cancel a thread's runs, and list their steps."),
  Command.withSubcommands([list, get, cancel, steps])
)
