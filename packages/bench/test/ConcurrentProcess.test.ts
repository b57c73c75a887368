import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Command from "@effect/platform/Command"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as ConcurrentProcess from "../src/ConcurrentProcess.js"

const options: ConcurrentProcess.Options = {
  mode: "sdk",
  url: "http://127.0.0.1:1234",
  token: "bench-token",
  assistantId: "asst_1",
  emulatorPid: 42,
  count: 10_000,
  rampMillis: 2_000,
  timeoutMillis: 60_000,
  moreLoops: 2_500
}

const result: ConcurrentProcess.Result = {
  mode: "bare",
  count: 10_000,
  seconds: 61.5,
  cpuSeconds: 40.25,
  emulatorCpuSeconds: null,
  rssBefore: 120 * 1024 * 1024,
  peakRss: 400 * 1024 * 1024,
  peakRssExact: true,
  peakHeapDelta: 200 * 1024 * 1024,
  completed: 9_999,
  failures: 1,
  firstFailure: "TimeoutException: loop 7 took longer than its bound",
  loopEvents: 12,
  otherEvents: 0,
  eventCounts: "9999 × 12",
  active: null,
  firstEventP50Millis: null,
  firstEventP99Millis: null,
  heap: null
}

/** A child that runs `script` (a node program). */
const node = (script: string) => Command.make(process.execPath, "-e", script)

/** Runs `effect` with a console whose `log` and `error` lines are recorded. */
const recording = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const out: Array<string> = []
    const err: Array<string> = []
    const console = yield* Effect.console
    const exit = yield* effect.pipe(
      Effect.withConsole({
        ...console,
        log: (...args) => Effect.sync(() => out.push(args.join(" "))),
        error: (...args) => Effect.sync(() => err.push(args.join(" ")))
      }),
      Effect.exit
    )
    return { exit, out, err }
  })

describe("ConcurrentProcess", () => {
  it("passes the options as one argument and reads them back", () => {
    expect(ConcurrentProcess.decodeOptions(ConcurrentProcess.encodeOptions(options))).toEqual(Either.right(options))
    const missing = ConcurrentProcess.decodeOptions(undefined)
    expect(Either.isLeft(missing) && missing.left._tag).toBe("ConcurrentProcessError")
    const bad = ConcurrentProcess.decodeOptions(JSON.stringify({ ...options, count: 0 }))
    expect(Either.isLeft(bad) && bad.left.message).toContain("count")
  })

  it("reads the result line, tells other lines apart, and rejects a result that does not decode", () => {
    const line = ConcurrentProcess.resultLine(result)
    expect(line.startsWith(ConcurrentProcess.RESULT_PREFIX)).toBe(true)
    expect(ConcurrentProcess.parseResultLine(line)).toEqual(Either.right(result))
    expect(ConcurrentProcess.parseResultLine("  SDK loops: 10 s, 20/500 done, 480 running, rss 206.1 MiB"))
      .toBeUndefined()
    const broken = ConcurrentProcess.parseResultLine(`${ConcurrentProcess.RESULT_PREFIX}{"mode":"sdk"`)
    expect(broken !== undefined && Either.isLeft(broken) && broken.left._tag).toBe("ConcurrentProcessError")
    // JSON has no NaN: a figure that does not exist must be null, not a number that is not one
    const nan = ConcurrentProcess.parseResultLine(
      `${ConcurrentProcess.RESULT_PREFIX}${JSON.stringify({ ...result, peakRss: "NaN" })}`
    )
    expect(nan !== undefined && Either.isLeft(nan) && nan.left.message).toContain("peakRss")
  })

  it.effect("forwards the child's lines and succeeds with its result", () =>
    Effect.gen(function*() {
      const script = `console.log("progress 1"); console.error("a warning"); console.log(${
        JSON.stringify(ConcurrentProcess.resultLine(result))
      }); console.log("after")`
      const { err, exit, out } = yield* recording(ConcurrentProcess.collect(node(script)))
      expect(exit).toEqual(Exit.succeed(result))
      expect(out).toEqual(["progress 1", "after"])
      expect(err).toEqual(["a warning"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.effect("fails with its stderr when the child exits with another code than 0, or without a result", () =>
    Effect.gen(function*() {
      const crashed = yield* Effect.flip(
        ConcurrentProcess.collect(node(`console.log("progress"); console.error("boom"); process.exit(3)`))
      ).pipe(Effect.withConsole({ ...(yield* Effect.console), log: () => Effect.void, error: () => Effect.void }))
      expect(crashed._tag).toBe("ConcurrentProcessError")
      expect(crashed.message).toContain("exited with code 3")
      expect(crashed.message).toContain("boom")
      const silent = yield* Effect.flip(ConcurrentProcess.collect(node(`console.log("progress")`))).pipe(
        Effect.withConsole({ ...(yield* Effect.console), log: () => Effect.void })
      )
      expect(silent.message).toContain("without a result line")
      const invalid = yield* Effect.flip(
        ConcurrentProcess.collect(node(`console.log(${JSON.stringify(ConcurrentProcess.RESULT_PREFIX + "{}")})`))
      )
      expect(invalid.message).toContain("invalid result")
    }).pipe(Effect.provide(NodeContext.layer)))
})
