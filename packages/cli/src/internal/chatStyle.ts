/**
 * The few colours of `appbuilder chat`: on only when the output is a terminal and `NO_COLOR` is unset
 * or empty (https://no-color.org).
 *
 * @internal
 */
import type * as Terminal from "@effect/platform/Terminal"
import * as Effect from "effect/Effect"
import * as Ansi from "./ansi.js"

/** How each part of the transcript is written. @internal */
export interface Style {
  readonly prompt: (text: string) => string
  readonly assistant: (text: string) => string
  readonly tool: (text: string) => string
  readonly note: (text: string) => string
  readonly error: (text: string) => string
}

const plain: Style = {
  prompt: (text) => text,
  assistant: (text) => text,
  tool: (text) => text,
  note: (text) => text,
  error: (text) => text
}

const colored: Style = {
  prompt: Ansi.bold,
  assistant: Ansi.cyan,
  tool: Ansi.yellow,
  note: Ansi.dim,
  error: Ansi.red
}

/** The style for this terminal and environment. @internal */
export const make = (terminal: Terminal.Terminal): Effect.Effect<Style> =>
  Effect.map(Effect.flatMap(terminal.isTTY, Ansi.enabled), (colour) => (colour ? colored : plain))
