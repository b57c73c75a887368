/**
 * The `Terminal` the chat reads from on Node: one `node:readline` interface for the whole session.
 *
 * Why not `NodeTerminal.layer`: its `readLine` opens a readline interface per call with the terminal in
 * raw mode and no output, so typed text is not echoed, Ctrl-C and Ctrl-D never end a read, and EOF on a
 * pipe leaves the read waiting forever. Here:
 *
 * - On a terminal, readline runs in terminal mode: echo, line editing, history. Ctrl-C arrives as a
 *   keypress (no `SIGINT` reaches the process, so the runtime does not quit): it ends a pending
 *   `readLine` with `QuitException`, otherwise it is offered to every open `readInput` mailbox (the chat
 *   watches one while a run streams, to cancel that run).
 * - Ctrl-D on an empty line, or the end of piped input, closes the interface: pending and later
 *   `readLine`s fail with `QuitException`.
 * - Lines that arrive while nobody reads (typed ahead, or a pipe read at once) are queued, never lost.
 * - A closed output (`EPIPE`) closes the input too: the session ends quietly.
 *
 * @internal
 */
import * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as readline from "node:readline"

/** The input a Ctrl-C keypress becomes. */
const ctrlC: Terminal.UserInput = {
  input: Option.none(),
  key: { name: "c", ctrl: true, meta: false, shift: false }
}

/** A `Terminal` over `process.stdin` / `process.stdout`, closed with its scope. @internal */
export const make: Effect.Effect<Terminal.Terminal, never, Scope.Scope> = Effect.gen(function*() {
  const input = process.stdin
  const output = process.stdout
  const interactive = input.isTTY === true && output.isTTY === true

  const lines: Array<string> = []
  const mailboxes = new Set<Mailbox.Mailbox<Terminal.UserInput>>()
  let closed = false
  let waiting: ((exit: Exit.Exit<string, Terminal.QuitException>) => void) | undefined
  // the text written since the last line break: readline redraws it as its prompt when the line is edited
  let partialLine = ""

  const rl = yield* Effect.acquireRelease(
    Effect.sync(() =>
      readline.createInterface({
        input,
        ...(interactive ? { output } : {}),
        terminal: interactive,
        prompt: "",
        historySize: 200
      })
    ),
    (rl) => Effect.sync(() => rl.close())
  )

  // a closed output (e.g. `appbuilder chat | head`) ends the session instead of crashing the process
  let outputBroken = false
  const onOutputError = () => {
    outputBroken = true
    rl.close()
  }
  yield* Effect.acquireRelease(
    Effect.sync(() => output.on("error", onOutputError)),
    () => Effect.sync(() => output.off("error", onOutputError))
  )

  const settle = (exit: Exit.Exit<string, Terminal.QuitException>) => {
    const resume = waiting
    waiting = undefined
    resume?.(exit)
  }
  rl.on("line", (line) => {
    if (waiting !== undefined) settle(Exit.succeed(line))
    else lines.push(line)
  })
  rl.on("close", () => {
    closed = true
    settle(Exit.fail(new Terminal.QuitException()))
  })
  rl.on("SIGINT", () => {
    if (waiting !== undefined) {
      // the half-typed line is dropped, as a shell does
      output.write("^C")
      settle(Exit.fail(new Terminal.QuitException()))
      return
    }
    for (const mailbox of mailboxes) mailbox.unsafeOffer(ctrlC)
  })

  const readLine: Effect.Effect<string, Terminal.QuitException> = Effect.async((resume) => {
    const queued = lines.shift()
    if (queued !== undefined) {
      partialLine = ""
      return resume(Effect.succeed(queued))
    }
    if (closed) return resume(Effect.fail(new Terminal.QuitException()))
    rl.setPrompt(partialLine)
    waiting = (exit) => {
      partialLine = ""
      resume(exit)
    }
    return Effect.sync(() => {
      waiting = undefined
    })
  })

  const readInput = Effect.acquireRelease(
    Effect.tap(Mailbox.make<Terminal.UserInput>(), (mailbox) => Effect.sync(() => mailboxes.add(mailbox))),
    (mailbox) => Effect.sync(() => mailboxes.delete(mailbox))
  )

  const display = (text: string) =>
    Effect.sync(() => {
      const lastBreak = text.lastIndexOf("\n")
      partialLine = lastBreak < 0 ? partialLine + text : text.slice(lastBreak + 1)
      if (!outputBroken) output.write(text)
    })

  return Terminal.Terminal.of({
    columns: Effect.sync(() => output.columns ?? 80),
    rows: Effect.sync(() => output.rows ?? 24),
    isTTY: Effect.sync(() => output.isTTY === true),
    readInput,
    readLine,
    display
  })
})

/** The chat's Node terminal (see the module header). @internal */
export const layer: Layer.Layer<Terminal.Terminal> = Layer.scoped(Terminal.Terminal, make)
