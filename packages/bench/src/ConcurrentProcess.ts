/**
 * Phase 4 of the benchmark in a client process of its own (the compiled `concurrentMain.js`, see
 * {@link ConcurrentPhase}): the issue measures the memory of 10,000 concurrent loops as peak RSS over the
 * idle process, and the benchmark's main process is not idle: the phases before (streams of a million
 * events, thousands of sequential loops) have grown its heap and the limits V8 sizes it by, so a peak
 * measured there includes heap that they sized (about twice the figure of the same loops in a fresh
 * process).
 *
 * The parent passes the child its {@link Options} as one JSON argument; the child prints its progress
 * and summary lines, which the parent forwards to its own output, and ends with one
 * {@link RESULT_PREFIX} line holding its {@link Result} as JSON, which the parent decodes with Schema. The
 * child runs in the parent's scope: closing it (normally, on failure or on interruption) kills the
 * child's process group, and a synchronous `exit` hook kills it if the parent dies without running its
 * finalizers.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/platform/Command"
import type * as CommandExecutor from "@effect/platform/CommandExecutor"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ChildProcess from "./ChildProcess.js"

/**
 * The child did not give a result: it could not be spawned, it exited with another code than 0, it
 * printed no result line, or the line did not decode.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConcurrentProcessError extends Data.TaggedError("ConcurrentProcessError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * Which loops the child runs: the SDK's `ToolLoop.stream` (then the completed-loops sample of the
 * flat-memory target), the bare baseline (undici + `eventsource-parser`), or the same requests through
 * `@effect/platform`'s HttpClient alone.
 *
 * @since 0.1.0
 * @category models
 */
export const Mode = Schema.Literal("sdk", "bare", "platform")

/**
 * @since 0.1.0
 * @category models
 */
export type Mode = typeof Mode.Type

const Count = Schema.Int.pipe(Schema.positive())
const Size = Schema.Int.pipe(Schema.nonNegative())

/**
 * What the child runs.
 *
 * @since 0.1.0
 * @category models
 */
export const Options = Schema.Struct({
  mode: Mode,
  /** The emulator, `http://127.0.0.1:PORT`. */
  url: Schema.String,
  token: Schema.String,
  assistantId: Schema.String,
  /** The emulator's process, whose CPU the child reads around its loops. */
  emulatorPid: Count,
  /** Loops at once. */
  count: Count,
  /** The loops start over this many milliseconds. */
  rampMillis: Size,
  /** The bound of one loop. */
  timeoutMillis: Count,
  /** `sdk` only: how many more loops, after the concurrent ones, for the completed-loops sample. */
  moreLoops: Size
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Options extends Schema.Schema.Type<typeof Options> {}

/**
 * The live heap (after a full GC) around the completed-loops sample of the flat-memory target.
 *
 * @since 0.1.0
 * @category models
 */
export const HeapSamples = Schema.Struct({
  /** Before the concurrent loops (after the warm-up). */
  before: Size,
  /** After the concurrent loops, their Agent closed. */
  afterConcurrent: Size,
  /** After {@link moreLoops} more loops at the same arrival rate. */
  afterMore: Size,
  moreLoops: Size,
  moreFailures: Size
})

/**
 * What the child measured. Figures that may not exist are `null` (JSON has no `NaN`).
 *
 * @since 0.1.0
 * @category models
 */
export const Result = Schema.Struct({
  mode: Mode,
  count: Count,
  /** Wall time of the loops. */
  seconds: Schema.Number,
  /** The child's CPU over the loops. */
  cpuSeconds: Schema.Number,
  /** The emulator's CPU over the loops (`null` without `/proc`). */
  emulatorCpuSeconds: Schema.NullOr(Schema.Number),
  /** The child's RSS right before the loops, after its warm-up and a full GC. */
  rssBefore: Size,
  /** The child's peak RSS over the loops. */
  peakRss: Size,
  /** Whether {@link peakRss} is the kernel's high-water mark (else the highest sample). */
  peakRssExact: Schema.Boolean,
  /** Highest `heapUsed` over the loops minus `heapUsed` before them (garbage included). */
  peakHeapDelta: Schema.Number,
  /** Loops that completed. */
  completed: Size,
  /** Loops that failed or outlived their bound. */
  failures: Size,
  firstFailure: Schema.NullOr(Schema.String),
  /** The number of events most completed loops saw. */
  loopEvents: Size,
  /** Completed loops that saw another number of events. */
  otherEvents: Size,
  /** How many completed loops saw how many events: `9999 × 12, 1 × 13`. */
  eventCounts: Schema.String,
  /** Runs left active on the server by the completed loops (`null`: not checked). */
  active: Schema.NullOr(Size),
  firstEventP50Millis: Schema.NullOr(Schema.Number),
  firstEventP99Millis: Schema.NullOr(Schema.Number),
  /** `sdk` only. */
  heap: Schema.NullOr(HeapSamples)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface Result extends Schema.Schema.Type<typeof Result> {}

/**
 * The start of the child's result line (the rest is its {@link Result} as JSON).
 *
 * @since 0.1.0
 * @category constants
 */
export const RESULT_PREFIX = "concurrent-result "

const OptionsJson = Schema.parseJson(Options)
const ResultJson = Schema.parseJson(Result)

const invalid = (what: string, error: ParseResult.ParseError) =>
  new ConcurrentProcessError({
    message: `${what}: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
    cause: error
  })

/**
 * The child's argument.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOptions = (options: Options): string => Schema.encodeSync(OptionsJson)(options)

/**
 * Reads the child's argument.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOptions = (text: string | undefined): Either.Either<Options, ConcurrentProcessError> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(OptionsJson)(text),
    (error) => invalid("invalid options for the concurrent loops' process", error)
  )

/**
 * The child's last line.
 *
 * @since 0.1.0
 * @category encoding
 */
export const resultLine = (result: Result): string => RESULT_PREFIX + Schema.encodeSync(ResultJson)(result)

/**
 * Reads a result line (`undefined` for any other line: progress, to be forwarded).
 *
 * @since 0.1.0
 * @category decoding
 */
export const parseResultLine = (
  line: string
): Either.Either<Result, ConcurrentProcessError> | undefined =>
  line.startsWith(RESULT_PREFIX)
    ? Either.mapLeft(
      Schema.decodeUnknownEither(ResultJson)(line.slice(RESULT_PREFIX.length)),
      (error) => invalid("the concurrent loops' process printed an invalid result", error)
    )
    : undefined

/**
 * Runs `command` to its end: forwards its stdout lines (but the result line) to this process' stdout
 * and its stderr lines to stderr, and succeeds with the decoded result once it has exited with code 0.
 * It is killed (its process group) if the effect is interrupted.
 *
 * @since 0.1.0
 * @category running
 */
export const collect = (
  command: Command.Command
): Effect.Effect<Result, ConcurrentProcessError, CommandExecutor.CommandExecutor> =>
  Effect.gen(function*() {
    const child = yield* Command.start(command).pipe(
      Effect.mapError((cause) => new ConcurrentProcessError({ message: `cannot spawn: ${cause.message}`, cause }))
    )
    // Backstop for a crash of this process that skips the finalizers: kill the child's group.
    const pid = Number(child.pid)
    yield* ChildProcess.killOnExit(pid)
    const readError = (cause: { readonly message: string }) =>
      new ConcurrentProcessError({ message: `cannot read its output: ${cause.message}`, cause })
    let result: Either.Either<Result, ConcurrentProcessError> | undefined
    const stdout = yield* child.stdout.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => {
        const parsed = parseResultLine(line)
        if (parsed === undefined) return Console.log(line)
        return Effect.sync(() => {
          result = parsed
        })
      }),
      Effect.mapError(readError),
      Effect.fork
    )
    const errors = ChildProcess.tail(4096)
    const stderr = yield* child.stderr.pipe(
      Stream.decodeText(),
      Stream.splitLines,
      Stream.runForEach((line) => Effect.zipRight(Effect.sync(() => errors.push(line + "\n")), Console.error(line))),
      Effect.mapError(readError),
      Effect.fork
    )
    yield* Fiber.join(stdout)
    yield* Fiber.join(stderr)
    const code = yield* child.exitCode.pipe(Effect.mapError(readError))
    if (code !== 0) {
      return yield* new ConcurrentProcessError({ message: `exited with code ${code}\n${errors.get()}` })
    }
    if (result === undefined) {
      return yield* new ConcurrentProcessError({ message: `exited without a result line\n${errors.get()}` })
    }
    return yield* result
  }).pipe(Effect.scoped)

/**
 * Runs the concurrent loops in a fresh node process (the compiled `packages/bench/dist/concurrentMain.js`,
 * with `--expose-gc`) and succeeds with what it measured.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  options: Options
): Effect.Effect<Result, ConcurrentProcessError, CommandExecutor.CommandExecutor> =>
  collect(
    Command.make(process.execPath, "--expose-gc", "packages/bench/dist/concurrentMain.js", encodeOptions(options))
      .pipe(Command.workingDirectory(ChildProcess.root))
  ).pipe(
    Effect.mapError((error) =>
      new ConcurrentProcessError({
        message: `the ${options.mode} concurrent loops' process: ${error.message}`,
        cause: error.cause
      })
    )
  )
