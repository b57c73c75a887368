/**
 * The client's debug logs: one `AppBuilder response` line per response, one `AppBuilder request failed`
 * line per failure the retry policy sees, each with its annotations. They are written only when `Debug`
 * passes the minimum log level (the client skips building them otherwise), on the in-process emulator
 * with the TestClock.
 */
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulated from "./utils/Emulated.js"

interface Line {
  readonly level: string
  readonly message: unknown
  readonly annotations: Record<string, unknown>
}

/** A logger that records every line it is given, and the lines it recorded. */
const recording = () => {
  const lines: Array<Line> = []
  const logger = Logger.make<unknown, void>(({ annotations, logLevel, message }) => {
    lines.push({
      level: logLevel.label,
      message: Array.isArray(message) && message.length === 1 ? message[0] : message,
      annotations: Object.fromEntries(HashMap.toEntries(annotations))
    })
  })
  return { lines, logger: Logger.replace(Logger.defaultLogger, logger) }
}

/** An assistant is created, then its query answers 503 once: the query is retried after the backoff. */
const queryAfterOne503 = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const state = yield* EmulatorState.EmulatorState
  const created = yield* assistants.create({ name: "n" })
  yield* state.injectFault("/v2/assistants/query", Faults.status(503, { times: 1 }))
  const fiber = yield* Effect.fork(assistants.query(created.id))
  // the first retry waits 500 ms ±20 %
  yield* TestClock.adjust("1 second")
  return yield* Fiber.await(fiber)
})

describe("debug logs", () => {
  it.effect("with Debug enabled: a line per response and one per failure seen by the retry policy", () => {
    const { lines, logger } = recording()
    return Effect.gen(function*() {
      const exit = yield* queryAfterOne503.pipe(Logger.withMinimumLogLevel(LogLevel.Debug))
      assert.isTrue(Exit.isSuccess(exit))
      const responses = lines.filter((line) => line.message === "AppBuilder response")
      assert.deepStrictEqual(
        responses.map((line) => [line.level, line.annotations["operation"], line.annotations["status"]]),
        [
          ["DEBUG", "Assistants.create", 200],
          ["DEBUG", "Assistants.query", 503],
          ["DEBUG", "Assistants.query", 200]
        ]
      )
      for (const line of responses) assert.isString(line.annotations["requestId"])
      const failures = lines.filter((line) => line.message === "AppBuilder request failed")
      assert.deepStrictEqual(
        failures.map((line) => [line.level, line.annotations["operation"], line.annotations["status"]]),
        [["DEBUG", "Assistants.query", 503]]
      )
    }).pipe(Effect.provide(logger), Effect.provide(Emulated.layer()))
  })

  it.effect("below Debug: no debug line, and the response meta is still collected", () => {
    const { lines, logger } = recording()
    return Effect.gen(function*() {
      const [exit, meta] = yield* AppBuilderClient.withResponseMeta(queryAfterOne503)
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(lines.filter((line) => line.level === "DEBUG"), [])
      assert.deepStrictEqual(
        Option.map(meta, ({ operation, status }) => [operation, status]),
        Option.some(["Assistants.query", 200])
      )
    }).pipe(Effect.provide(logger), Effect.provide(Emulated.layer()))
  })
})
