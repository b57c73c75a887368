/**
 * A blocking run: create an assistant with instructions, a thread with a user message, run it and
 * wait for the whole answer, then list the steps the run went through.
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/blocking-run.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Runtime from "./Runtime.js"

export const program = Effect.gen(function*() {
  // Every resource of the API is a service: get the ones this program uses from the context.
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const messages = yield* Messages.Messages
  const runs = yield* Runs.Runs
  const runSteps = yield* RunSteps.RunSteps

  // The assistant is a resource: `acquireRelease` deletes it when the program's scope closes, even
  // if something below fails or is interrupted.
  const assistant = yield* Effect.acquireRelease(
    assistants.create({
      name: "qin_shi_huang",
      description: "an assistant that answers as the First Emperor",
      instructions: "每句话回复前都加上我是秦始皇"
    }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  yield* Console.log(`assistant: ${assistant.id}`)

  // A thread is a conversation; messages are appended to it.
  const thread = yield* threads.create()
  yield* messages.create({ threadId: thread.id, content: "你好，请介绍一下你自己" })
  yield* Console.log(`thread:    ${thread.id}`)

  // A blocking run answers once the run is `completed` (or waits for tool outputs, see tool-loop.ts).
  // A run that ends `failed`, `expired` or `cancelled` fails with a `RunFailed` error instead.
  const run = yield* runs.run({ assistantId: assistant.id, threadId: thread.id })
  yield* Console.log(`run:       ${run.id} (${run.status})`)
  yield* Console.log(`answer:    ${run.finalAnswer?.text ?? ""}`)

  // The steps of the run: what the assistant did to produce the answer.
  const steps = yield* runSteps.list({ threadId: thread.id, runId: run.id, order: "asc" })
  for (const step of steps.data) {
    yield* Console.log(`step:      ${step.id} ${step.type ?? ""} ${step.status}`)
  }
}).pipe(Effect.scoped)

/** The services this example runs on (see Runtime.ts). */
export const layer = Runtime.layer()

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
