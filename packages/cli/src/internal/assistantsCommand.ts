/**
 * `appbuilder assistants list|create|get|delete`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Common from "@effect-appbuilder/assistant/Common"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ansi from "./ansi.js"
import * as Output from "./output.js"
import * as Paging from "./paging.js"

const AssistantPage = Common.ListPage(Assistants.Assistant)

const view = (assistant: Assistants.Assistant): string =>
  Output.record([
    ["id", Ansi.cyan(assistant.id)],
    ["name", assistant.name],
    ["description", assistant.description],
    ["model", assistant.model],
    ["instructions", assistant.instructions],
    [
      "tools",
      assistant.tools.length === 0 ? "-" : assistant.tools.map((tool) => tool.function?.name ?? tool.type).join(", ")
    ],
    ["files", assistant.fileIds.length === 0 ? "-" : assistant.fileIds.join(", ")],
    ["created", Output.time(assistant.createdAt)]
  ])

const assistantId = Args.text({ name: "assistant-id" }).pipe(Args.withDescription("The assistant's id (asst_…)."))

const list = Command.make("list", Paging.options, (paging) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const page = yield* assistants.list(Paging.toInput(paging))
    yield* Output.emit(AssistantPage, page, (page) =>
      Output.table(
        ["ID", "NAME", "MODEL", "CREATED", "DESCRIPTION"],
        page.data.map((a) => [Ansi.cyan(a.id), a.name, a.model, Output.time(a.createdAt), Output.short(a.description)])
      ) + (page.hasMore ? `\n${Ansi.dim(`more: --after ${page.lastId}`)}` : ""))
  })).pipe(Command.withDescription("List assistants (one page)."))

const create = Command.make("create", {
  name: Options.text("name").pipe(
    Options.withDescription("1-128 characters: Chinese characters, ASCII letters, digits, _ and -.")
  ),
  description: Options.text("description").pipe(Options.withDescription("At most 512 characters."), Options.optional),
  model: Options.text("model").pipe(Options.withDescription("Default ERNIE-4.0T-8K."), Options.optional),
  instructions: Options.text("instructions").pipe(
    Options.withDescription("Persona instructions, at most 4096 characters."),
    Options.optional
  ),
  fileIds: Options.text("file-id").pipe(Options.withDescription("A file to mount (repeatable)."), Options.repeated)
}, (input) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const assistant = yield* assistants.create({
      name: input.name,
      description: Option.getOrUndefined(input.description),
      model: Option.getOrUndefined(input.model),
      instructions: Option.getOrUndefined(input.instructions),
      fileIds: input.fileIds.length === 0 ? undefined : input.fileIds
    })
    yield* Output.emit(Assistants.Assistant, assistant, view)
  })).pipe(Command.withDescription("Create an assistant."))

const get = Command.make("get", { assistantId }, ({ assistantId }) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    yield* Output.emit(Assistants.Assistant, yield* assistants.query(assistantId), view)
  })).pipe(Command.withDescription("Show an assistant."))

const del = Command.make("delete", { assistantId }, ({ assistantId }) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const status = yield* assistants.delete(assistantId)
    yield* Output.emit(Common.DeletionStatus, status, (status) => `deleted ${Ansi.cyan(status.id)}`)
  })).pipe(Command.withDescription("Delete an assistant."))

/** @internal */
export const command = Command.make("assistants").pipe(
  Command.withDescription("Create, list, show and delete assistants."),
  Command.withSubcommands([list, create, get, del])
)
