/**
 * Wire-level helpers: JSON bodies, error bodies and multipart encoding.
 *
 * @since 0.1.0
 * @internal
 */
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"

/**
 * Parses a response body as JSON; `None` when it is not JSON.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const parseJson = (text: string): Option.Option<unknown> => {
  try {
    return Option.some(JSON.parse(text))
  } catch {
    return Option.none()
  }
}

/**
 * The fields of an error body.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface ErrorDetails {
  readonly code: string | undefined
  readonly message: string | undefined
  readonly type: string | undefined
  readonly param: string | undefined
}

/**
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const emptyErrorDetails: ErrorDetails = {
  code: undefined,
  message: undefined,
  type: undefined,
  param: undefined
}

const text = (value: unknown): string | undefined => {
  if (Predicate.isString(value)) return value
  if (Predicate.isNumber(value) || Predicate.isBoolean(value) || Predicate.isBigInt(value)) return String(value)
  return undefined
}

const record = (value: unknown): Readonly<Record<string, unknown>> | undefined =>
  Predicate.isRecord(value) ? value : undefined

const fromObject = (object: Readonly<Record<string, unknown>>): ErrorDetails => ({
  code: text(object["code"]),
  message: text(object["message"]),
  type: text(object["type"]),
  param: text(object["param"] ?? object["params"])
})

/**
 * The `error` object of an error envelope (`{"error": {...}}`), when `json` is one. Missing keys are
 * tolerated; `params` is accepted as an alias of `param`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const envelopeError = (json: unknown): ErrorDetails | undefined => {
  const object = record(json)
  if (object === undefined || !("error" in object) || object["error"] === null || object["error"] === undefined) {
    return undefined
  }
  const error = record(object["error"])
  return error === undefined ? { ...emptyErrorDetails, message: text(object["error"]) } : fromObject(error)
}

/**
 * The storage family's error shape: an object with `code` and `message` but no `id`, and not a list.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const storageError = (json: unknown): ErrorDetails | undefined => {
  const object = record(json)
  if (object === undefined) return undefined
  if (!("code" in object) || !("message" in object)) return undefined
  if ("id" in object || object["object"] === "list") return undefined
  return fromObject(object)
}

/**
 * Error details from any JSON error body (an envelope, the storage shape or a bare object).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const errorDetails = (json: unknown): ErrorDetails => {
  const envelope = envelopeError(json)
  if (envelope !== undefined) return envelope
  const object = record(json)
  return object === undefined ? emptyErrorDetails : fromObject(object)
}

const encoder = new TextEncoder()

const randomBoundary = (): string => {
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")
}

const quoteFilename = (name: string): string =>
  name.replace(/\\/g, "\\\\").replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")

/**
 * Encodes one file as a `multipart/form-data` body, byte for byte as the official client does (one part,
 * no per-part content type, a 32 hex digit boundary).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const multipart = (
  part: { readonly field: string; readonly filename: string; readonly bytes: Uint8Array },
  boundary: string = randomBoundary()
): { readonly body: Uint8Array; readonly contentType: string } => {
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="${quoteFilename(part.field)}"; filename="${
      quoteFilename(part.filename)
    }"\r\n\r\n`
  )
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`)
  const body = new Uint8Array(head.length + part.bytes.length + tail.length)
  body.set(head, 0)
  body.set(part.bytes, head.length)
  body.set(tail, head.length + part.bytes.length)
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}
