/**
 * `appbuilder threads create|get|delete` (the service has no thread listing).
 *
 * @since 0.1.0
 * @internal
 */
import * as Common from "@effect-appbuilder/assistant/Common"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Ansi from "./ansi.js"
import * as Output from "./output.js"

const view = (thread: Threads.Thread): string =>
  Output.record([
    ["id", Ansi.cyan(thread.id)],
    ["created", Output.time(thread.createdAt)],
    ...Object.entries(thread.metadata).map(([key, value]): readonly [string, string] => [`metadata.${key}`, value])
  ])

const threadId = Args.text({ name: "thread-id" }).pipe(Args.withDescription("The thread's id (thread_…)."))

const create = Command.make("create", {
  messages: Options.text("message").pipe(
    Options.withDescription("A first user message of the thread (repeatable)."),
    Options.repeated
  )
}, ({ messages }) =>
  Effect.gen(function*() {
    const threads = yield* Threads.Threads
    const thread = yield* threads.create({ messages: messages.map((content) => ({ content })) })
    yield* Output.emit(Threads.Thread, thread, view)
  })).pipe(Command.withDescription("Create a thread."))

const get = Command.make("get", { threadId }, ({ threadId }) =>
  Effect.gen(function*() {
    const threads = yield* Threads.Threads
    yield* Output.emit(Threads.Thread, yield* threads.query(threadId), view)
  })).pipe(Command.withDescription("Show a thread."))

const del = Command.make("delete", { threadId }, ({ threadId }) =>
  Effect.gen(function*() {
    const threads = yield* Threads.Threads
    const status = yield* threads.delete(threadId)
    yield* Output.emit(Common.DeletionStatus, status, (status) => `deleted ${Ansi.cyan(status.id)}`)
  })).pipe(Command.withDescription("Delete a thread."))

/** @internal */
export const command = Command.make("threads").pipe(
  Command.withDescription("Create, show and delete threads."),
  Command.withSubcommands([create, get, del])
)
