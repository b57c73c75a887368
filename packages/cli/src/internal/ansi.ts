/**
 * Colour: the command's output is written with ANSI styles, and {@link plainConsole} strips them when
 * colour is off (`NO_COLOR` set, or stdout not a terminal). This also covers `@effect/cli`'s own help and
 * error texts, which are always styled.
 *
 * @since 0.1.0
 * @internal
 */
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

const wrap = (open: number, close: number) => (text: string): string => `\u001b[${open}m${text}\u001b[${close}m`

/** @internal */
export const bold = wrap(1, 22)
/** @internal */
export const dim = wrap(2, 22)
/** @internal */
export const green = wrap(32, 39)
/** @internal */
export const yellow = wrap(33, 39)
/** @internal */
export const red = wrap(31, 39)
/** @internal */
export const cyan = wrap(36, 39)

/**
 * Whether to colour an output: only a terminal, and never when `NO_COLOR` is set to a non-empty value
 * (https://no-color.org). @internal
 */
export const enabled = (isTTY: boolean): Effect.Effect<boolean> =>
  Config.string("NO_COLOR").pipe(
    Config.option,
    Effect.orElseSucceed(() => Option.none<string>()),
    Effect.map((noColor) => isTTY && Option.getOrElse(noColor, () => "") === "")
  )

// CSI sequences (colours, cursor moves) and OSC sequences (e.g. hyperlinks)

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g

/** The text without its ANSI escape sequences. @internal */
export const strip = (text: string): string => text.replace(ANSI, "")

/** The visible width of a text (ANSI sequences excluded; a CJK character counts two columns). @internal */
export const width = (text: string): number => {
  let columns = 0
  for (const char of strip(text)) {
    const code = char.codePointAt(0) ?? 0
    columns += (code >= 0x1100 && code <= 0x115f) || (code >= 0x2e80 && code <= 0xa4cf) ||
        (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) ||
        (code >= 0xfe30 && code <= 0xfe4f) || (code >= 0xff00 && code <= 0xff60) ||
        (code >= 0xffe0 && code <= 0xffe6) || (code >= 0x20000 && code <= 0x3fffd)
      ? 2
      : 1
  }
  return columns
}

const stripArgs = (args: ReadonlyArray<unknown>): Array<unknown> =>
  args.map((arg) => (typeof arg === "string" ? strip(arg) : arg))

/** A console that writes through `console` with every ANSI sequence removed from string arguments. @internal */
export const plainConsole = (console: Console.Console): Console.Console => {
  const unsafe: Console.UnsafeConsole = {
    ...console.unsafe,
    assert: (condition, ...args) => console.unsafe.assert(condition, ...stripArgs(args)),
    debug: (...args) => console.unsafe.debug(...stripArgs(args)),
    error: (...args) => console.unsafe.error(...stripArgs(args)),
    info: (...args) => console.unsafe.info(...stripArgs(args)),
    log: (...args) => console.unsafe.log(...stripArgs(args)),
    trace: (...args) => console.unsafe.trace(...stripArgs(args)),
    warn: (...args) => console.unsafe.warn(...stripArgs(args))
  }
  return {
    [Console.TypeId]: Console.TypeId,
    assert: (condition, ...args) => console.assert(condition, ...stripArgs(args)),
    clear: console.clear,
    count: (label) => console.count(label),
    countReset: (label) => console.countReset(label),
    debug: (...args) => console.debug(...stripArgs(args)),
    dir: (item, options) => console.dir(item, options),
    dirxml: (...args) => console.dirxml(...stripArgs(args)),
    error: (...args) => console.error(...stripArgs(args)),
    group: (options) => console.group(options),
    groupEnd: console.groupEnd,
    info: (...args) => console.info(...stripArgs(args)),
    log: (...args) => console.log(...stripArgs(args)),
    table: (data, properties) => console.table(data, properties),
    time: (label) => console.time(label),
    timeEnd: (label) => console.timeEnd(label),
    timeLog: (label, ...args) => console.timeLog(label, ...stripArgs(args)),
    trace: (...args) => console.trace(...stripArgs(args)),
    warn: (...args) => console.warn(...stripArgs(args)),
    unsafe
  }
}
