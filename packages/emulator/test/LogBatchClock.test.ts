/**
 * The request log's delayed flush runs on Effect's `Clock` (see `internal/logBatch.ts`): a `TestClock`
 * decides when lines that waited are written, while the program is still running.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as LogBatch from "../src/internal/logBatch.js"

/** A console recording its writes (`unsafe.log`, what the batch writes with). */
const recordingConsole = (base: Console.Console, writes: Array<string>): Console.Console => ({
  ...base,
  unsafe: { ...base.unsafe, log: (...args: ReadonlyArray<unknown>) => void writes.push(args.map(String).join(" ")) }
})

describe("LogBatch on the Clock", () => {
  it.effect("lines that wait are written together once the interval has passed since the last write", () =>
    Effect.gen(function*() {
      const base = yield* Console.consoleWith(Effect.succeed)
      const writes: Array<string> = []
      yield* LogBatch.batched(
        Effect.gen(function*() {
          yield* Console.log("first")
          assert.deepStrictEqual(writes, ["first"])
          yield* TestClock.adjust("40 millis")
          yield* Console.log("second")
          yield* Console.log("third")
          yield* Effect.yieldNow()
          // 40 ms after the last write: they wait for the 100 ms mark
          yield* TestClock.adjust("59 millis")
          assert.deepStrictEqual(writes, ["first"])
          yield* TestClock.adjust("1 millis")
          assert.deepStrictEqual(writes, ["first", "second\nthird"])
          // a quiet spell: the next line is written at once
          yield* TestClock.adjust("100 millis")
          yield* Console.log("fourth")
          assert.deepStrictEqual(writes, ["first", "second\nthird", "fourth"])
          // and one right after it waits again, for the next flush
          yield* Console.log("fifth")
          yield* Effect.yieldNow()
          assert.strictEqual(writes.length, 3)
          yield* TestClock.adjust("100 millis")
          assert.deepStrictEqual(writes, ["first", "second\nthird", "fourth", "fifth"])
        }),
        100
      ).pipe(Console.withConsole(recordingConsole(base, writes)))
      // nothing was left to write at the end
      assert.strictEqual(writes.length, 4)
    }))
})
