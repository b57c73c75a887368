/**
 * A progress bar on stderr for uploads and downloads, drawn only when stderr is a terminal (so scripts
 * and pipes see nothing), redrawn when the shown percentage changes, erased when done.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import type { ProgressSink } from "../Connection.js"

/** @internal */
export interface Progress {
  readonly advance: (bytes: number) => Effect.Effect<void>
  readonly finish: Effect.Effect<void>
}

const BAR = 24

/** `1.5 MB`-style sizes. @internal */
export const size = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** One frame of the bar. @internal */
export const frame = (label: string, done: number, total: number): string => {
  const ratio = total <= 0 ? 1 : Math.min(1, done / total)
  const filled = Math.round(ratio * BAR)
  return `${label} [${"#".repeat(filled)}${"-".repeat(BAR - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${
    size(done)
  }/${size(total)}`
}

/** A bar for `total` bytes; does nothing when the sink is not a terminal. @internal */
export const make = (sink: ProgressSink, label: string, total: number): Effect.Effect<Progress> =>
  Effect.sync((): Progress => {
    if (!sink.isTTY) return { advance: () => Effect.void, finish: Effect.void }
    let done = 0
    let shown = -1
    const draw = () => {
      const percent = total <= 0 ? 100 : Math.floor(Math.min(1, done / total) * 100)
      if (percent === shown) return
      shown = percent
      sink.write(`\r${frame(label, done, total)}`)
    }
    return {
      advance: (bytes) =>
        Effect.sync(() => {
          done += bytes
          draw()
        }),
      finish: Effect.sync(() => {
        if (shown >= 0) sink.write("\r\u001b[2K")
      })
    }
  })
