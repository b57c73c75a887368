/**
 * The output of one tool call, computed the way `ToolLoop` does with `onToolError: "output"`: the
 * tool's result as a string (JSON for anything else), every problem (an unknown tool, arguments that do
 * not decode, a failure, a timeout, a result JSON cannot encode) as an `error: …` output the model reads.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Runs from "@effect-appbuilder/assistant/Runs"
import type * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** The text of an error in an `error: …` output: its `message` when it has one. */
const errorText = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message
  }
  return String(error)
}

class Unencodable extends Data.TaggedError("Unencodable")<{ readonly message: string }> {}

const encode = (tool: string, callId: string, value: unknown): Effect.Effect<string, Unencodable> => {
  if (typeof value === "string") return Effect.succeed(value)
  try {
    const json: string | undefined = JSON.stringify(value)
    return Effect.succeed(json === undefined ? String(value) : json)
  } catch (error) {
    const reason = error instanceof Error ? error.message : "an unknown error"
    return Effect.fail(
      new Unencodable({ message: `the result of ${tool} (call ${callId}) cannot be encoded as JSON: ${reason}` })
    )
  }
}

/**
 * Runs the call's tool within its timeout and returns the output string; never fails.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const toolOutput = <Tools extends ToolLoop.Tool.Any>(
  toolkit: ToolLoop.Toolkit<Tools>,
  toolTimeout: Duration.DurationInput,
  call: Runs.ToolCall
): Effect.Effect<string, never, ToolLoop.Tool.Context<Tools>> => {
  const name = call.function?.name ?? ""
  const found = toolkit.tools.get(name)
  if (found === undefined) return Effect.succeed(`error: unknown tool ${name} (call ${call.id})`)
  const timeout = Option.getOrElse(found.timeout, () => Duration.decode(toolTimeout))
  // `found` is one of `Tools`: its context is `Tool.Context<Tools>`, which TypeScript cannot read through
  // the generic
  const execute = found.execute(call) as Effect.Effect<unknown, unknown, ToolLoop.Tool.Context<Tools>>
  return execute.pipe(
    Effect.timeout(timeout),
    Effect.flatMap((result) => encode(name, call.id, result)),
    Effect.catchAll((error: unknown) => Effect.succeed(`error: ${errorText(error)}`))
  )
}
