/**
 * The concurrent loops' process of `pnpm bench` (phase 4, see {@link ConcurrentProcess}): started by
 * `main.js` as `node --expose-gc packages/bench/dist/concurrentMain.js <options as JSON>`, it runs
 * {@link ConcurrentPhase.run}, prints its progress and summary lines, and ends with its result line.
 *
 * Exits 0 after a measurement (failed loops are counted in the result), 2 on invalid options, 1 when
 * the measurement could not be made.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ChildProcess from "./ChildProcess.js"
import * as ConcurrentPhase from "./ConcurrentPhase.js"
import * as ConcurrentProcess from "./ConcurrentProcess.js"

const main = Either.match(ConcurrentProcess.decodeOptions(process.argv[2]), {
  onLeft: (error) => Effect.as(Console.error(error.message), 2),
  onRight: (options) =>
    ConcurrentPhase.run(options).pipe(
      Effect.flatMap((result) => Console.log(ConcurrentProcess.resultLine(result))),
      Effect.as(0)
    )
})

NodeRuntime.runMain(main, {
  disablePrettyLogger: true,
  teardown: ChildProcess.teardown
})
