/**
 * The few colours of `appbuilder chat`: on only when the output is a terminal and `NO_COLOR` is unset
 * or empty (https://no-color.org).
 *
 * @internal
 */
import type * as Terminal from "@effect/platform/Terminal"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** How each part of the transcript is written. @internal */
export interface Style {
  readonly prompt: (text: string) => string
  readonly assistant: (text: string) => string
  readonly tool: (text: string) => string
  readonly note: (text: string) => string
  readonly error: (text: string) => string
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`

const plain: Style = {
  prompt: (text) => text,
  assistant: (text) => text,
  tool: (text) => text,
  note: (text) => text,
  error: (text) => text
}

const colored: Style = {
  prompt: sgr(1, 22), // bold
  assistant: sgr(36, 39), // cyan
  tool: sgr(33, 39), // yellow
  note: sgr(2, 22), // dim
  error: sgr(31, 39) // red
}

/** The style for this terminal and environment. @internal */
export const make = (terminal: Terminal.Terminal): Effect.Effect<Style> =>
  Effect.gen(function*() {
    const noColor = yield* Config.string("NO_COLOR").pipe(Config.option, Effect.orElseSucceed(() => Option.none()))
    const tty = yield* terminal.isTTY
    return tty && Option.getOrElse(noColor, () => "") === "" ? colored : plain
  })
