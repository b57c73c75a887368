/**
 * `appbuilder chat` driven through a scripted `Terminal` (queued lines, a Ctrl-C keypress fired when the
 * transcript shows a pattern) against the in-process emulator, whose default scripted model calls a tool
 * when the user writes `call <name>` and quotes the tool outputs in its answer.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Chat from "@effect-appbuilder/cli/Chat"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as Terminal from "@effect/platform/Terminal"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Mailbox from "effect/Mailbox"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { fileURLToPath } from "node:url"

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const tools = fixture("chat-tools.ts")

const ctrlC: Terminal.UserInput = { input: Option.none(), key: { name: "c", ctrl: true, meta: false, shift: false } }

/**
 * A terminal whose `readLine` answers `lines` in order, then fails with `QuitException` (end of input),
 * and which records everything displayed. Each predicate of `ctrlCWhen`, in turn, fires one Ctrl-C keypress
 * when it first holds for the transcript: it goes to the open `readInput` mailboxes (or to the next one
 * opened).
 */
const scriptedTerminal = (options: {
  readonly lines: ReadonlyArray<string>
  readonly isTTY?: boolean
  readonly ctrlCWhen?: ReadonlyArray<(transcript: string) => boolean>
}) => {
  const queue = [...options.lines]
  const mailboxes = new Set<Mailbox.Mailbox<Terminal.UserInput>>()
  let transcript = ""
  let pendingCtrlC = false
  const triggers = [...(options.ctrlCWhen ?? [])]
  const terminal = Terminal.Terminal.of({
    columns: Effect.succeed(80),
    rows: Effect.succeed(24),
    isTTY: Effect.succeed(options.isTTY ?? false),
    readInput: Effect.acquireRelease(
      Effect.tap(Mailbox.make<Terminal.UserInput>(), (mailbox) =>
        Effect.sync(() => {
          mailboxes.add(mailbox)
          if (pendingCtrlC) {
            pendingCtrlC = false
            mailbox.unsafeOffer(ctrlC)
          }
        })),
      (mailbox) => Effect.sync(() => mailboxes.delete(mailbox))
    ),
    readLine: Effect.suspend(() => {
      const line = queue.shift()
      return line === undefined ? Effect.fail(new Terminal.QuitException()) : Effect.succeed(line)
    }),
    display: (text) =>
      Effect.sync(() => {
        transcript += text
        if (triggers[0]?.(transcript) === true) {
          triggers.shift()
          if (mailboxes.size === 0) pendingCtrlC = true
          for (const mailbox of mailboxes) mailbox.unsafeOffer(ctrlC)
        }
      })
  })
  return { layer: Layer.succeed(Terminal.Terminal, terminal), transcript: () => transcript }
}

/** The SDK over a fresh in-process emulator, plus the platform services the chat reads modules with. */
const sdkLayer = () =>
  AppBuilder.layer({ token: Redacted.make("bce-v3/ALTAK-test/chat"), baseUrl: "http://emulator.local", retry: false })
    .pipe(
      Layer.provideMerge(Emulator.layer()),
      Layer.merge(NodeFileSystem.layer),
      Layer.merge(NodePath.layer),
      Layer.orDie
    )

const options = (overrides: Partial<Chat.ChatOptions> = {}): Chat.ChatOptions => ({
  assistant: Option.none(),
  tools: Option.none(),
  instructions: Option.none(),
  ...overrides
})

/** No colour unless a test says otherwise, whatever the environment of the test run. */
const noEnv = Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))

describe("appbuilder chat", () => {
  it.effect("streams answers, runs local tools and shows their calls and outputs, quits at the end of input", () =>
    Effect.gen(function*() {
      const term = scriptedTerminal({ lines: ["hello", "call get_time with {\"zone\":\"CET\"}", "call crash"] })
      yield* Chat.chat(options({ tools: Option.some(tools) })).pipe(Effect.provide(term.layer), noEnv)
      const transcript = term.transcript()
      assert.include(transcript, "you> hello\nassistant> 你好！我收到了你的消息：hello\n")
      assert.include(
        transcript,
        [
          "you> call get_time with {\"zone\":\"CET\"}",
          "  → get_time({\"zone\":\"CET\"})",
          "  ← get_time: 12:00 in CET",
          "assistant> 根据工具的结果：12:00 in CET"
        ].join("\n")
      )
      // a tool that throws answers an error the model reads; the chat goes on
      assert.include(transcript, "  ← crash: error: the tool crashed: boom\n")
      assert.match(transcript, /you> \nbye\n$/)
      assert.notInclude(transcript, "\x1b[")
      const state = yield* EmulatorState.EmulatorState
      assert.lengthOf(yield* state.activeRuns, 0)
      assert.lengthOf(yield* state.runs("completed"), 3)
      // one thread for the session; the throwaway assistant is deleted at the end
      assert.lengthOf(yield* state.threads, 1)
      assert.lengthOf(yield* state.assistants, 0)
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("Ctrl-C while a run streams cancels that run on the server and returns to the prompt", () =>
    Effect.gen(function*() {
      const term = scriptedTerminal({
        lines: ["call slow", "hello"],
        ctrlCWhen: [(transcript) => transcript.includes("→ slow({})")]
      })
      yield* Chat.chat(options({ tools: Option.some(tools) })).pipe(Effect.provide(term.layer), noEnv)
      const transcript = term.transcript()
      assert.include(transcript, "  → slow({})\n^C cancelling the run…\n(cancelled)\nyou> hello\n")
      assert.include(transcript, "assistant> 你好！我收到了你的消息：hello\n")
      assert.notInclude(transcript, "finally done")
      const state = yield* EmulatorState.EmulatorState
      assert.lengthOf(yield* state.activeRuns, 0)
      assert.lengthOf(yield* state.runs("cancelled"), 1)
      assert.lengthOf(yield* state.runs("completed"), 1)
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("a second Ctrl-C while the run is being cancelled quits", () =>
    Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      // the cancel takes a while: time for a second Ctrl-C
      yield* state.injectFault("/v2/threads/runs/cancel", Faults.latency("2 seconds"))
      const term = scriptedTerminal({
        lines: ["call slow", "never read"],
        ctrlCWhen: [
          (transcript) => transcript.includes("→ slow({})"),
          (transcript) => transcript.includes("cancelling the run…")
        ]
      })
      const chat = yield* Effect.fork(
        Chat.chat(options({ tools: Option.some(tools) })).pipe(
          Effect.provide(term.layer),
          noEnv
        )
      )
      // time passes (on the TestClock) until the chat ends
      while (Option.isNone(yield* Fiber.poll(chat))) yield* TestClock.adjust("500 millis")
      yield* Fiber.join(chat)
      assert.match(term.transcript(), /→ slow\(\{\}\)\n\^C cancelling the run…\nbye\n$/)
      assert.lengthOf(yield* state.activeRuns, 0)
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("without --tools, asks the user for each tool output and submits it", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const assistant = yield* assistants.create({
        name: "with-a-tool",
        tools: [{
          type: "function",
          function: {
            name: "lookup",
            description: "Looks a word up",
            parameters: { type: "object", properties: { word: { type: "string" } }, required: ["word"] }
          }
        }]
      })
      const term = scriptedTerminal({ lines: ["call lookup {\"word\":\"effect\"}", "a typed answer"] })
      yield* Chat.chat(options({ assistant: Option.some(assistant.id) })).pipe(Effect.provide(term.layer), noEnv)
      const transcript = term.transcript()
      assert.include(transcript, "no --tools module: you type the output of each tool call\n")
      assert.include(
        transcript,
        [
          "  → lookup({\"word\":\"effect\"})",
          "  output of lookup> a typed answer",
          "  ← lookup: a typed answer",
          "assistant> 根据工具的结果：a typed answer"
        ].join("\n")
      )
      const state = yield* EmulatorState.EmulatorState
      assert.lengthOf(yield* state.activeRuns, 0)
      // the user's assistant is kept
      assert.lengthOf(yield* state.assistants, 1)
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("the end of input while a tool output is asked for cancels the run, then quits", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const assistant = yield* assistants.create({
        name: "with-a-tool",
        tools: [{
          type: "function",
          function: { name: "lookup", description: "Looks a word up", parameters: { type: "object", properties: {} } }
        }]
      })
      const term = scriptedTerminal({ lines: ["call lookup"] })
      yield* Chat.chat(options({ assistant: Option.some(assistant.id) })).pipe(Effect.provide(term.layer), noEnv)
      assert.include(term.transcript(), "  output of lookup> \n(cancelled)\nyou> \nbye\n")
      const state = yield* EmulatorState.EmulatorState
      assert.lengthOf(yield* state.activeRuns, 0)
      assert.lengthOf(yield* state.runs("cancelled"), 1)
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("a failed run prints one line and the chat goes on", () =>
    Effect.gen(function*() {
      const term = scriptedTerminal({ lines: ["please fail", "hello"] })
      yield* Chat.chat(options()).pipe(Effect.provide(term.layer), noEnv)
      const transcript = term.transcript()
      assert.match(
        transcript,
        /you> please fail\nerror: [^\n]*the scripted model was asked to fail[^\n]*\nyou> hello\n/
      )
      assert.include(transcript, "assistant> 你好！我收到了你的消息：hello\n")
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("colours only a terminal, and never with NO_COLOR", () =>
    Effect.gen(function*() {
      const colored = scriptedTerminal({ lines: ["hello"], isTTY: true })
      yield* Chat.chat(options()).pipe(Effect.provide(colored.layer), noEnv)
      assert.include(colored.transcript(), "\x1b[36massistant> \x1b[39m你好")
      const plain = scriptedTerminal({ lines: ["hello"], isTTY: true })
      yield* Chat.chat(options()).pipe(
        Effect.provide(plain.layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NO_COLOR", "1"]])))
      )
      assert.include(plain.transcript(), "assistant> 你好")
      assert.notInclude(plain.transcript(), "\x1b[")
    }).pipe(Effect.provide(sdkLayer())))

  it.effect("a --tools module that cannot be loaded is one readable error", () =>
    Effect.gen(function*() {
      const run = (path: string) =>
        Chat.chat(options({ tools: Option.some(path) })).pipe(
          Effect.provide(scriptedTerminal({ lines: [] }).layer),
          Effect.flip,
          Effect.map((error) => error.message)
        )
      assert.strictEqual(yield* run("no/such/tools.ts"), "cannot load tools from no/such/tools.ts: no such file")
      const notAToolkit = fixture("not-a-toolkit.ts")
      assert.strictEqual(
        yield* run(notAToolkit),
        `cannot load tools from ${notAToolkit}: expected a default export or \`export const toolkit\` made with ToolLoop.toolkit(...)`
      )
      const state = yield* EmulatorState.EmulatorState
      assert.lengthOf(yield* state.assistants, 0)
    }).pipe(Effect.provide(sdkLayer())))
})
