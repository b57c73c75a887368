/**
 * Printing results: `--json` prints the wire object (the schema's encoded form, as the service sent it),
 * otherwise a human view (an aligned table for lists, `key  value` lines for one object).
 *
 * @since 0.1.0
 * @internal
 */
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { CliSettings } from "../Connection.js"
import * as Ansi from "./ansi.js"

const pad = (text: string, columns: number): string => text + " ".repeat(Math.max(0, columns - Ansi.width(text)))

/** An aligned table with a bold header; `(none)` when there are no rows. @internal */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  if (rows.length === 0) return Ansi.dim("(none)")
  const widths = headers.map((header, column) =>
    Math.max(Ansi.width(header), ...rows.map((row) => Ansi.width(row[column] ?? "")))
  )
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0)).join("  ")
      .trimEnd()
  return [Ansi.bold(line(headers)), ...rows.map(line)].join("\n")
}

/** `key  value` lines, keys aligned and dimmed, `-` for an empty value; multi-line values are indented. @internal */
export const record = (fields: ReadonlyArray<readonly [string, string]>): string => {
  const keyWidth = Math.max(...fields.map(([key]) => key.length))
  return fields.map(([key, value]) =>
    `${Ansi.dim(pad(key, keyWidth))}  ${
      value === "" ? Ansi.dim("-") : value.split("\n").join(`\n${" ".repeat(keyWidth + 2)}`)
    }`
  ).join("\n")
}

/** An epoch timestamp (seconds or milliseconds) as an ISO date-time; `-` when 0. @internal */
export const time = (epoch: number): string => {
  if (!Number.isFinite(epoch) || epoch <= 0) return "-"
  const millis = epoch < 1e12 ? epoch * 1000 : epoch
  return new Date(millis).toISOString().replace(/\.\d{3}Z$/, "Z")
}

/** A run or step status, coloured by outcome. @internal */
export const status = (value: string): string =>
  value === "completed"
    ? Ansi.green(value)
    : value === "failed" || value === "expired" || value === "cancelled"
    ? Ansi.red(value)
    : Ansi.yellow(value)

/** A text shortened to one line of at most `max` characters. @internal */
export const short = (text: string, max = 48): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`
}

/**
 * Prints `value`: its wire form as JSON with `--json`, else `human(value)`.
 *
 * @internal
 */
export const emit = <A, I>(
  schema: Schema.Schema<A, I>,
  value: A,
  human: (value: A) => string
): Effect.Effect<void, ParseResult.ParseError, CliSettings> =>
  Effect.flatMap(CliSettings, (settings) =>
    settings.json
      ? Effect.flatMap(Schema.encode(schema)(value), (wire) => Console.log(JSON.stringify(wire, null, 2)))
      : Console.log(human(value)))
