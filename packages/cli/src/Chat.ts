/**
 * `appbuilder chat`: an interactive terminal chat with an assistant.
 *
 * ```sh
 * appbuilder chat                              # a throwaway assistant on the in-process emulator
 * appbuilder chat --tools ./my-tools.ts        # local tools: a module exporting ToolLoop.toolkit(...)
 * appbuilder chat --assistant asst_… --instructions "answer briefly"
 * ```
 *
 * The answer streams as it arrives; tool calls (name and arguments) and their outputs are shown as they
 * happen. The tools come from the module named by `--tools` (`.js`, or `.ts` loaded through tsx), whose
 * default export or `toolkit` export is a `ToolLoop.toolkit(...)`; without one, the user types the output
 * of each call. One thread per session. Ctrl-C while an answer streams cancels that run (on the server
 * too) and returns to the prompt; Ctrl-C at the prompt, a second Ctrl-C, Ctrl-D or the end of the input
 * quits (exit code 0). Colour only on a terminal, and never with `NO_COLOR`.
 *
 * @since 0.1.0
 */
import type * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type { HttpError, ValidationError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as Path from "@effect/platform/Path"
import type * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as ChatSession from "./internal/chatSession.js"
import * as ChatTerminal from "./internal/chatTerminal.js"
import * as ChatTools from "./internal/chatTools.js"

/**
 * The options of `appbuilder chat`, parsed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatOptions {
  /** `--assistant <id>`: chat with this assistant; absent: a throwaway one is created (and deleted). */
  readonly assistant: Option.Option<string>
  /** `--tools <module>`: a `.js`/`.ts` module exporting a `ToolLoop.toolkit(...)`. */
  readonly tools: Option.Option<string>
  /** `--instructions <text>`: instructions for every run of the session. */
  readonly instructions: Option.Option<string>
}

/**
 * A failure before the conversation starts (e.g. a `--tools` module that cannot be loaded); its
 * `message` is one readable line.
 *
 * @since 0.1.0
 * @category errors
 */
export const ChatError: typeof ChatTools.ChatError = ChatTools.ChatError

/**
 * @since 0.1.0
 * @category errors
 */
export type ChatError = ChatTools.ChatError

/**
 * The options of `appbuilder chat` as `@effect/cli` options.
 *
 * @since 0.1.0
 * @category options
 */
export const options = {
  assistant: Options.text("assistant").pipe(
    Options.withDescription("The assistant to chat with (default: a throwaway assistant, deleted at the end)."),
    Options.optional
  ),
  tools: Options.file("tools").pipe(
    Options.withDescription("A .js or .ts module whose default (or `toolkit`) export is a ToolLoop.toolkit(...)."),
    Options.optional
  ),
  instructions: Options.text("instructions").pipe(
    Options.withDescription("Instructions for every run of the session."),
    Options.optional
  )
}

/**
 * The chat session on the given `Terminal`: what the command runs (over a Node terminal). Tests drive it
 * with a scripted `Terminal`.
 *
 * @since 0.1.0
 * @category running
 */
export const chat = (
  options: ChatOptions
): Effect.Effect<
  void,
  ChatError | HttpError | ValidationError,
  | Terminal.Terminal
  | FileSystem.FileSystem
  | Path.Path
  | AppBuilder.Services
> => Effect.scoped(ChatSession.session(options))

/**
 * The `chat` subcommand. Its terminal is `node:readline` on stdin/stdout (echo, line editing, history;
 * Ctrl-C read as a key so that it cancels a run instead of ending the process).
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "chat",
  options,
  (parsed) => chat(parsed).pipe(Effect.provide(ChatTerminal.layer))
).pipe(
  Command.withDescription(
    "Chat with an assistant in the terminal: answers stream as they arrive, tool calls and their outputs " +
      "are shown, Ctrl-C cancels the current answer, Ctrl-C at the prompt or Ctrl-D quits."
  )
)
