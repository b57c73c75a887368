/**
 * Encoding of a tool handler's result into the output string sent to the service, without throwing.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import { ToolOutputUnencodable } from "../AppBuilderError.js"

const reason = (error: unknown): string => (error instanceof Error ? error.message : "an unknown error")

/**
 * The output of a tool: a string as it is, anything else as JSON (`String(value)` when JSON has no text
 * for it, e.g. `undefined`). A value JSON cannot encode (a `BigInt`, a cycle, a `toJSON` that throws)
 * fails with {@link ToolOutputUnencodable}, which the loop turns into an `error: …` output, or into its
 * failure with `onToolError: "fail"`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const encodeToolOutput = (
  call: { readonly tool: string; readonly callId: string },
  value: unknown
): Effect.Effect<string, ToolOutputUnencodable> => {
  if (typeof value === "string") return Effect.succeed(value)
  try {
    const json: string | undefined = JSON.stringify(value)
    return Effect.succeed(json === undefined ? String(value) : json)
  } catch (error) {
    return Effect.fail(new ToolOutputUnencodable({ ...call, description: reason(error) }))
  }
}
