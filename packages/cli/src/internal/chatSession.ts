/**
 * The conversation loop of `appbuilder chat`: prompt, read a line, stream the run's answer as it arrives
 * (tool calls and their outputs shown as they happen), again until the user quits.
 *
 * - One thread for the whole session. Without `--assistant`, a throwaway assistant (with the toolkit's
 *   tools) is created, and deleted when the session ends.
 * - With a toolkit, each question is a `ToolLoop.stream`: the tools answer the calls, their outputs are
 *   submitted while the same stream goes on. Without one, the run is a `Runs.stream`, and the user types
 *   the output of each call the run asks for.
 * - Ctrl-C while a run streams (a Ctrl-C `readInput` event) interrupts the turn: the stream's
 *   interruption cancels the run on the server, and the chat returns to the prompt. A second Ctrl-C
 *   while cancelling, Ctrl-C at the prompt (`readLine` fails with `QuitException`) or the end of input
 *   ends the session.
 * - A failed turn (the run failed, the service is unreachable) prints one line and the chat goes on.
 *
 * @internal
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as Terminal from "@effect/platform/Terminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Connection from "../Connection.js"
import * as ChatStyle from "./chatStyle.js"
import * as ChatTools from "./chatTools.js"
import * as Errors from "./errors.js"

/** The options of a session (the command's options, parsed). @internal */
export interface SessionOptions {
  readonly assistant: Option.Option<string>
  readonly tools: Option.Option<string>
  readonly instructions: Option.Option<string>
}

/** What ended a turn. */
type Outcome = "answered" | "cancelled" | "quit"

const THROWAWAY_NAME = "appbuilder-chat"

const isCtrlC = (input: Terminal.UserInput) => input.key.ctrl && input.key.name === "c"

/** Whether a failure is the terminal's `QuitException` (Ctrl-C or end of input at a prompt). */
const isQuit = <E>(cause: Cause.Cause<E>) =>
  Option.exists(Cause.failureOption(cause), (error) => Terminal.isQuitException(error))

/** A tool call as shown: `name({"arguments":…})`. */
const callText = (call: Runs.ToolCall) => {
  const args = call.function?.arguments ?? ""
  return `${call.function?.name ?? "?"}(${args.trim() === "" ? "{}" : args})`
}

/**
 * Runs a chat session until the user quits.
 *
 * @internal
 */
export const session = Effect.fn("Chat.session")(function*(options: SessionOptions) {
  const terminal = yield* Terminal.Terminal
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const runs = yield* Runs.Runs
  const settings = yield* Effect.serviceOption(Connection.CliSettings)
  const style = yield* ChatStyle.make(terminal)
  const tty = yield* terminal.isTTY

  // everything goes through `say`, which knows whether the cursor is at the start of a line
  let atLineStart = true
  const say = (text: string) =>
    text === "" ? Effect.void : terminal.display(text).pipe(
      Effect.tap(() =>
        Effect.sync(() => {
          atLineStart = text.endsWith("\n")
        })
      ),
      Effect.catchAll(() => Effect.void)
    )
  const endLine = Effect.suspend(() => atLineStart ? Effect.void : say("\n"))
  const sayLine = (text: string) => Effect.zipRight(endLine, say(`${text}\n`))
  // a terminal echoes the typed line (and its line break); elsewhere, the transcript shows it
  const readLine = Effect.tap(
    terminal.readLine,
    (line) =>
      tty ?
        Effect.sync(() => {
          atLineStart = true
        }) :
        say(`${line}\n`)
  )

  const tools = Option.isSome(options.tools) ? yield* ChatTools.loadToolkit(options.tools.value) : []
  const toolkit = ToolLoop.toolkit(...tools)
  const instructions = Option.getOrUndefined(options.instructions)

  const assistantId = Option.isSome(options.assistant)
    ? options.assistant.value
    : (yield* Effect.acquireRelease(
      assistants.create({
        name: THROWAWAY_NAME,
        description: "created by appbuilder chat for one session",
        tools: toolkit.definitions,
        ...(instructions === undefined ? {} : { instructions })
      }),
      (assistant) => Effect.ignore(assistants.delete(assistant.id))
    )).id
  const thread = yield* threads.create()

  // the banner: where we are, with what, and how to leave
  const target = Option.match(settings, {
    onNone: () => "",
    onSome: ({ target }) =>
      target._tag === "Emulator" ? " · in-process emulator (no account needed)" : ` · ${target.baseUrl}`
  })
  yield* sayLine(style.prompt(`appbuilder chat${target}`))
  yield* sayLine(style.note(
    Option.isSome(options.assistant)
      ? `assistant ${assistantId} · thread ${thread.id}`
      : `assistant ${assistantId} (created for this chat, deleted at the end) · thread ${thread.id}`
  ))
  yield* sayLine(style.note(
    tools.length > 0
      ? `tools: ${tools.map((tool) => tool.name).join(", ")}` +
        (Option.exists(settings, ({ target }) => target._tag === "Emulator")
          ? ` (the emulator's model calls one when you write "call <name>")`
          : "")
      : "no --tools module: you type the output of each tool call"
  ))
  yield* sayLine(style.note("Ctrl-C cancels an answer; Ctrl-C at the prompt or Ctrl-D quits."))

  // -- one turn ---------------------------------------------------------------------------------

  /** Prints the events of one run as they come, and remembers its run id. */
  const renderer = () => {
    let messageId: string | undefined
    let runId = ""
    const render = (event: RunEvent.RunEvent): Effect.Effect<void> => {
      switch (event._tag) {
        case "RunBegin": {
          runId = event.runId
          return Effect.void
        }
        case "MessageDelta": {
          const label = messageId === event.messageId
            ? Effect.void
            : Effect.zipRight(endLine, say(style.assistant("assistant> ")))
          messageId = event.messageId
          return Effect.zipRight(label, say(event.text))
        }
        case "ToolCalls": {
          messageId = undefined
          return Effect.forEach(event.toolCalls, (call) => sayLine(style.tool(`  → ${callText(call)}`)), {
            discard: true
          })
        }
        case "ToolSubmittedOutput": {
          messageId = undefined
          return Effect.forEach(
            event.toolCalls,
            (call) => sayLine(style.tool(`  ← ${call.function?.name ?? "?"}: ${call.function?.output ?? ""}`)),
            { discard: true }
          )
        }
        case "Resumed":
          return sayLine(style.note("(the connection broke: following the run)"))
        case "RunEnd":
          // a run that did not complete is followed by the stream's `RunFailed`, printed as the turn's error
          return endLine
        default:
          return Effect.void
      }
    }
    return { render, runId: () => runId }
  }

  /** Without a toolkit: the user types each output, then they are submitted and the stream goes on. */
  const askOutputs = (threadId: string, runId: string, event: RunEvent.ToolCalls) =>
    Effect.gen(function*() {
      const outputs: Array<Runs.ToolOutputInput> = []
      for (const call of event.toolCalls) {
        yield* say(style.prompt(`  output of ${call.function?.name ?? "?"}> `))
        const line = yield* readLine
        outputs.push({ toolCallId: call.id, output: line })
      }
      yield* runs.submitToolOutputs({ threadId, runId, toolOutputs: outputs })
    })

  const turn = (
    content: string
  ): Effect.Effect<void, ToolLoop.LoopError<ChatTools.LoadedTool, "output"> | Terminal.QuitException> => {
    const input: ToolLoop.Input = {
      assistantId,
      threadId: thread.id,
      thread: { messages: [{ content }] },
      ...(instructions === undefined ? {} : { instructions })
    }
    const view = renderer()
    return tools.length > 0
      ? Stream.runForEach(ToolLoop.stream(input, { toolkit }), view.render).pipe(
        Effect.provideService(Runs.Runs, runs),
        Effect.provideService(Threads.Threads, threads)
      )
      : Stream.runForEach(runs.stream(input), (event) =>
        Effect.zipRight(
          view.render(event),
          RunEvent.isToolCalls(event) ? askOutputs(thread.id, view.runId(), event) : Effect.void
        ))
  }

  /** Waits for a Ctrl-C keypress (never returns when the terminal has none to give). */
  const ctrlC = Effect.scoped(Effect.gen(function*() {
    const keys = yield* terminal.readInput
    while (true) {
      const key = yield* Effect.option(keys.take)
      if (Option.isNone(key)) return yield* Effect.never
      if (isCtrlC(key.value)) return
    }
  }))

  const runTurn = (content: string): Effect.Effect<Outcome> =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(turn(content))
      const first = yield* Effect.raceFirst(
        Effect.map(Fiber.await(fiber), (exit) => Option.some(exit)),
        Effect.as(ctrlC, Option.none())
      )
      if (Option.isSome(first)) {
        const exit = first.value
        if (Exit.isSuccess(exit)) return "answered" as const
        if (isQuit(exit.cause)) {
          // Ctrl-C or end of input while typing a tool output: the stream stopped, so the run is cancelled
          yield* sayLine(style.note("(cancelled)"))
          return "cancelled" as const
        }
        const error = Cause.squash(exit.cause)
        yield* sayLine(style.error(Errors.render(error).replace(/^appbuilder: /, "")))
        return "answered" as const
      }
      // Ctrl-C: interrupting the turn stops the stream, which cancels the run on the server
      yield* sayLine(style.note("^C cancelling the run…"))
      const second = yield* Effect.raceFirst(Effect.as(Fiber.interrupt(fiber), false), Effect.as(ctrlC, true))
      if (second) return "quit" as const
      yield* sayLine(style.note("(cancelled)"))
      return "cancelled" as const
    })

  // -- the loop ---------------------------------------------------------------------------------

  while (true) {
    yield* endLine
    yield* say(style.prompt("you> "))
    const line = yield* Effect.either(readLine)
    if (line._tag === "Left") break
    const content = line.right.trim()
    if (content === "") continue
    const outcome = yield* runTurn(content)
    if (outcome === "quit") break
  }
  yield* endLine
  yield* sayLine(style.note("bye"))
})
