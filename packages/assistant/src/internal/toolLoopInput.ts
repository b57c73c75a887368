/**
 * What a tool loop checks and builds before anything is sent: the arguments a JavaScript caller may get
 * wrong, and the run request with the toolkit's definitions.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import { Issue, ValidationError } from "../AppBuilderError.js"
import * as Runs from "../Runs.js"
import * as Threads from "../Threads.js"
import type { Input, Tool, Toolkit } from "../ToolLoop.js"
import { encodeRequest } from "./requestSchema.js"
import { problemsOf } from "./toolSchema.js"

/**
 * The run request of a loop: the input, with `tools` set to the toolkit's definitions when it names none.
 * `tools` that are not an array are left for the run's own validation to report.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const runRequestWithTools = <Tools extends Tool.Any>(input: Input, toolkit: Toolkit<Tools>): Runs.RunInput => ({
  ...input,
  tools: input.tools === undefined || (Array.isArray(input.tools) && input.tools.length === 0)
    ? toolkit.definitions
    : input.tools
})

/**
 * The run request with its thread created first when it is given inline (no `threadId`): a first call
 * that is stopped, or loses its answer, can then find the run it started on that thread (to cancel it,
 * or to follow it); without a thread id that run could not be found. An invalid request sends nothing,
 * not even the thread.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const withThreadCreated = (operation: "Runs.run" | "Runs.stream", request: Runs.RunInput) =>
  Effect.gen(function*() {
    // no thread to create: the request goes as it is, and `operation` checks it (the same check, the same
    // `ValidationError`) before sending anything; checking it here too would encode it twice per loop
    if ((request.threadId !== undefined && request.threadId !== "") || request.thread == null) return request
    if (operation === "Runs.run") yield* encodeRequest(operation, Runs.RunRequest, request)
    else yield* encodeRequest(operation, Runs.StreamRunRequest, request)
    const threads = yield* Threads.Threads
    const thread = yield* threads.create({ messages: request.thread.messages })
    return { ...request, threadId: thread.id, thread: null }
  })

const kindOf = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

const isDuration = (value: unknown): boolean => value === undefined || Option.isSome(Duration.decodeUnknown(value))

const isToolkit = (value: unknown): value is Toolkit<Tool.Any> =>
  Predicate.isRecord(value) && value["tools"] instanceof Map && Array.isArray(value["definitions"])

type AddIssue = (path: ReadonlyArray<string>, message: string) => void

/**
 * The problems of the toolkit's own definitions (a parameters Schema that cannot be sent, no handler, …).
 * They are checked here only when the request names its own `tools`: otherwise the toolkit's definitions
 * are sent, and the run request reports them, under `tools`.
 */
const checkToolkitDefinitions = (input: Record<string, unknown>, toolkit: Toolkit<Tool.Any>, add: AddIssue) => {
  const tools = input["tools"]
  if (!Array.isArray(tools) || tools.length === 0) return
  for (const [name, tool] of toolkit.tools) {
    const base = ["options", "toolkit", name]
    for (const problem of problemsOf(tool.definition)) add([...base, ...problem.path], problem.message)
    const parameters = tool.definition.function?.parameters
    if (Predicate.isRecord(parameters)) {
      for (const problem of problemsOf(parameters)) add([...base, "parameters", ...problem.path], problem.message)
    }
  }
}

const checkOptionFields = (options: Record<string, unknown>, add: AddIssue) => {
  const oneOf = (key: string, allowed: ReadonlyArray<string>) => {
    const value = options[key]
    if (value !== undefined && !allowed.some((a) => a === value)) {
      add(["options", key], `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`)
    }
  }
  const integer = (key: string, min: number) => {
    const value = options[key]
    if (value !== undefined && !(typeof value === "number" && Number.isInteger(value) && value >= min)) {
      add(["options", key], `expected an integer of at least ${min}`)
    }
  }
  oneOf("mode", ["stream", "blocking"])
  oneOf("onToolError", ["output", "fail"])
  integer("concurrency", 1)
  integer("maxSteps", 0)
  for (const key of ["toolTimeout", "cancelTimeout"]) {
    if (!isDuration(options[key])) add(["options", key], "expected a duration")
  }
  const resume = options["resume"]
  if (resume !== undefined && typeof resume !== "boolean" && !Schedule.isSchedule(resume)) {
    add(["options", "resume"], "expected a boolean or a Schedule")
  }
  const stream = options["stream"]
  if (stream === undefined) return
  if (!Predicate.isRecord(stream)) return add(["options", "stream"], `expected an object, got ${kindOf(stream)}`)
  if (!isDuration(stream["idleTimeout"])) add(["options", "stream", "idleTimeout"], "expected a duration")
  if (stream["cancelTimeout"] !== undefined) {
    add(["options", "stream", "cancelTimeout"], "the loop's cancel timeout is set by options.cancelTimeout")
  }
  if (stream["resume"] !== undefined) add(["options", "stream", "resume"], "the loop's resume is set by options.resume")
}

/**
 * Checks what a JavaScript caller may get wrong before anything runs: the input must be an object (the
 * run request itself is checked by `Runs`), the options an object with a toolkit and well typed optional
 * fields. Every problem is reported at once, as one `ValidationError`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const checkLoopArguments = (
  operation: string,
  input: unknown,
  options: unknown
): Effect.Effect<void, ValidationError> =>
  Effect.suspend(() => {
    const issues: Array<Issue> = []
    const add: AddIssue = (path, message) => issues.push(new Issue({ path: [...path], message }))
    if (!Predicate.isRecord(input)) add(["input"], `expected a run request object, got ${kindOf(input)}`)
    if (!Predicate.isRecord(options)) {
      add(["options"], `expected an options object with a toolkit, got ${kindOf(options)}`)
    } else {
      const toolkit = options["toolkit"]
      if (!isToolkit(toolkit)) add(["options", "toolkit"], "expected a toolkit (made with ToolLoop.toolkit)")
      else if (Predicate.isRecord(input)) checkToolkitDefinitions(input, toolkit, add)
      checkOptionFields(options, add)
    }
    return issues.length === 0 ? Effect.void : Effect.fail(new ValidationError({ operation, issues }))
  })
