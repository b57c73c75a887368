import { assert, describe, it } from "@effect/vitest"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as LogBatch from "../src/internal/logBatch.js"

/** Runs `self` on a console whose writes (`unsafe.log`, what the batch writes with) are recorded. */
const recording = <A, E, R>(self: (writes: ReadonlyArray<string>) => Effect.Effect<A, E, R>) =>
  Console.consoleWith((base) => {
    const writes: Array<string> = []
    const console: Console.Console = {
      ...base,
      unsafe: { ...base.unsafe, log: (...args: ReadonlyArray<unknown>) => void writes.push(args.map(String).join(" ")) }
    }
    return Console.withConsole(self(writes), console).pipe(Effect.exit, Effect.map((exit) => ({ exit, writes })))
  })

describe("LogBatch: the command's request log written in batches", () => {
  it.effect("a line after a quiet spell is written at once; lines right after it wait and go out together", () =>
    Effect.gen(function*() {
      const { exit, writes } = yield* recording((writes) =>
        LogBatch.batched(
          Effect.gen(function*() {
            yield* Console.log("listening on http://127.0.0.1:1")
            assert.deepStrictEqual(writes, ["listening on http://127.0.0.1:1"])
            yield* Console.log("POST /v2/threads 200 1ms", "id-1")
            yield* Console.log("POST /v2/threads/runs 200 9ms id-2")
            // within the interval of the last write: pending
            assert.strictEqual(writes.length, 1)
          }),
          60_000
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      // written when the program ends, in order, in one write
      assert.deepStrictEqual(writes, [
        "listening on http://127.0.0.1:1",
        "POST /v2/threads 200 1ms id-1\nPOST /v2/threads/runs 200 9ms id-2"
      ])
    }))

  it.effect("pending lines are written when the program fails or is interrupted", () =>
    Effect.gen(function*() {
      const failed = yield* recording(() =>
        LogBatch.batched(
          Effect.zipRight(Effect.zipRight(Console.log("a"), Console.log("b")), Effect.fail("boom")),
          60_000
        )
      )
      assert.isTrue(Exit.isFailure(failed.exit))
      assert.deepStrictEqual(failed.writes, ["a", "b"])
      const interrupted = yield* recording(() =>
        LogBatch.batched(Effect.zipRight(Effect.zipRight(Console.log("c"), Console.log("d")), Effect.interrupt), 60_000)
      )
      assert.isTrue(Exit.isInterrupted(interrupted.exit))
      assert.deepStrictEqual(interrupted.writes, ["c", "d"])
    }))
})
