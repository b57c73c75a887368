/**
 * One-line error messages for stderr: the error's message (the SDK's `HttpError` message already names
 * the operation, the reason and `request_id=…`), with line breaks folded, never a stack trace.
 *
 * @since 0.1.0
 * @internal
 */
import * as Predicate from "effect/Predicate"

const oneLine = (text: string): string =>
  text.split("\n").map((line) => line.trim()).filter((line) => line !== "").join("; ")

const messageOf = (error: unknown): string => {
  if (Predicate.hasProperty(error, "message") && typeof error.message === "string" && error.message !== "") {
    return error.message
  }
  if (Predicate.hasProperty(error, "_tag") && typeof error._tag === "string") return error._tag
  return String(error)
}

/** The line printed for a failure of a command. @internal */
export const render = (error: unknown): string => `appbuilder: error: ${oneLine(messageOf(error))}`

/** The line printed for an unexpected defect (a bug): still one line, no stack. @internal */
export const renderDefect = (defect: unknown): string => `appbuilder: internal error: ${oneLine(messageOf(defect))}`
