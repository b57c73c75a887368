/**
 * `appbuilder messages list|create|get`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Common from "@effect-appbuilder/assistant/Common"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Ansi from "./ansi.js"
import * as Output from "./output.js"
import * as Paging from "./paging.js"

const MessagePage = Common.ListPage(Messages.Message)

const view = (message: Messages.Message): string =>
  Output.record([
    ["id", Ansi.cyan(message.id)],
    ["thread", message.threadId],
    ["role", message.role],
    ["created", Output.time(message.createdAt)],
    ...(message.runId === "" ? [] : [["run", message.runId] as const]),
    ...(message.fileIds.length === 0 ? [] : [["files", message.fileIds.join(", ")] as const]),
    ["content", message.text]
  ])

const threadId = Args.text({ name: "thread-id" }).pipe(Args.withDescription("The thread's id (thread_…)."))

const list = Command.make("list", { threadId, ...Paging.options }, ({ threadId, ...paging }) =>
  Effect.gen(function*() {
    const messages = yield* Messages.Messages
    const page = yield* messages.list({ threadId, ...Paging.toInput(paging) })
    yield* Output.emit(MessagePage, page, (page) =>
      Output.table(
        ["ID", "ROLE", "CREATED", "CONTENT"],
        page.data.map((m) => [Ansi.cyan(m.id), m.role, Output.time(m.createdAt), Output.short(m.text, 60)])
      ) + (page.hasMore ? `\n${Ansi.dim(`more: --after ${page.lastId}`)}` : ""))
  })).pipe(Command.withDescription("List a thread's messages (one page)."))

const create = Command.make("create", {
  threadId,
  content: Args.text({ name: "content" }).pipe(Args.withDescription("The message's text.")),
  role: Options.choice("role", ["user", "assistant"]).pipe(
    Options.withDescription("Default user."),
    Options.withDefault("user" as const)
  ),
  fileIds: Options.text("file-id").pipe(Options.withDescription("A file to attach (repeatable)."), Options.repeated)
}, (input) =>
  Effect.gen(function*() {
    const messages = yield* Messages.Messages
    const message = yield* messages.create({
      threadId: input.threadId,
      content: input.content,
      role: input.role,
      fileIds: input.fileIds.length === 0 ? undefined : input.fileIds
    })
    yield* Output.emit(Messages.Message, message, view)
  })).pipe(Command.withDescription("Add a message to a thread."))

const get = Command.make("get", {
  threadId,
  messageId: Args.text({ name: "message-id" }).pipe(Args.withDescription("The message's id."))
}, (ref) =>
  Effect.gen(function*() {
    const messages = yield* Messages.Messages
    yield* Output.emit(Messages.Message, yield* messages.query(ref), view)
  })).pipe(Command.withDescription("Show a message."))

/** @internal */
export const command = Command.make("messages").pipe(
  Command.withDescription("List, add and show a thread's messages."),
  Command.withSubcommands([list, create, get])
)
