/**
 * The request log line of the `appbuilder-emulator` command, and how it tells an error answer from a
 * success: the service answers most errors with HTTP 200 and an error body, so the status alone does not.
 *
 * Line: `METHOD PATH STATUS [error=CODE ["MESSAGE"]] DURATIONms REQUEST-ID`, e.g.
 * `POST /v2/threads/query 200 error=not_found "thread_id thread_x not found" 2ms 0f1e...`.
 *
 * What is marked (decided from the response as it leaves the app, never by holding a stream):
 * - a JSON body (in memory) whose first key is `error` (the assistant family's envelope, `{"error":
 *   {"code", "message", ...}}`) or `request_id` with a `code` and a `message` and no `id` (the storage
 *   family's error shape): `error=<code> "<message>"`, whatever the status. Every error the emulator
 *   renders has one of these shapes; a body injected with `Faults` is marked only if it has one too;
 * - any other answer with a status outside 2xx: `error=http_<status>` (a streamed body, a download's 404,
 *   a fault's non-JSON body).
 *
 * What is not marked: a 2xx event stream (`text/event-stream`) that later reports a failure in band (a
 * `run_end` event with status `failed`) or is cut by a fault; the line is written when the answer's
 * headers go out, before the stream runs, and reading the stream would slow every event down.
 *
 * Cost: a success costs a look at the body's first bytes (no decoding, no parsing); only a body that
 * starts like an error is decoded and parsed (error bodies are small).
 *
 * The message is quoted as a JSON string (so it stays on one line), cut at {@link MAX_MESSAGE} characters,
 * and any bearer token (`Bearer …`, or the token the request itself sent) is replaced by `<redacted>`.
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Server from "../Server.js"
import * as Json from "./json.js"
import * as Router from "./Router.js"

/**
 * The longest error message printed (longer ones end with `…`).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_MESSAGE = 200

/**
 * What the log says about an error answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorMark {
  readonly code: string
  readonly message: string | undefined
}

const OPEN_BRACE = 0x7b
const ERROR_KEY = new TextEncoder().encode("\"error\"")
const REQUEST_ID_KEY = new TextEncoder().encode("\"request_id\"")
const decoder = new TextDecoder()

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

const skipSpaces = (bytes: Uint8Array, from: number): number => {
  let i = from
  while (i < bytes.length && isSpace(bytes[i]!)) i++
  return i
}

const startsWithAt = (bytes: Uint8Array, at: number, prefix: Uint8Array): boolean => {
  if (at + prefix.length > bytes.length) return false
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix[i]) return false
  }
  return true
}

/** Whether the body is a JSON object whose first key is `error` or `request_id`: a few byte reads. */
const looksLikeError = (bytes: Uint8Array): boolean => {
  const open = skipSpaces(bytes, 0)
  if (bytes[open] !== OPEN_BRACE) return false
  const key = skipSpaces(bytes, open + 1)
  return startsWithAt(bytes, key, ERROR_KEY) || startsWithAt(bytes, key, REQUEST_ID_KEY)
}

const codeOf = (value: Json.Json | undefined): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined

/** The code and message of an error body, if it is one (spec §2.2 and §2.3). */
const fromBody = (bytes: Uint8Array): ErrorMark | undefined => {
  if (!looksLikeError(bytes)) return undefined
  const parsed = Json.parse(decoder.decode(bytes))
  if (Either.isLeft(parsed) || !Json.isObject(parsed.right)) return undefined
  const object = parsed.right
  const envelope = object["error"]
  if (envelope !== undefined) {
    if (Json.isObject(envelope)) {
      const message = envelope["message"]
      return {
        code: codeOf(envelope["code"]) ?? "-",
        message: typeof message === "string" ? message : undefined
      }
    }
    return { code: "-", message: typeof envelope === "string" ? envelope : undefined }
  }
  const code = codeOf(object["code"])
  const message = object["message"]
  return code !== undefined && typeof message === "string" && object["id"] === undefined
    ? { code, message }
    : undefined
}

/**
 * Whether an answer is an error, and which (see the module's comment for what can and cannot be seen).
 *
 * @since 0.1.0
 * @category classification
 */
export const errorMark = (response: HttpServerResponse.HttpServerResponse): ErrorMark | undefined => {
  const body = response.body
  const mark = body._tag === "Uint8Array" && body.contentType.includes("json") ? fromBody(body.body) : undefined
  if (mark !== undefined) return mark
  return response.status >= 200 && response.status < 300
    ? undefined
    : { code: `http_${response.status}`, message: undefined }
}

const BEARER = /Bearer\s+[^\s"',;]+/gi
const PLAIN = /^[\w.:-]+$/

/** The tokens a request sent (in the headers the server redacts everywhere), to be kept out of the line. */
const sentTokens = (headers: Headers.Headers): ReadonlyArray<string> =>
  Server.REDACTED_HEADERS.flatMap((name) =>
    Option.toArray(Router.bearerToken(headers[name])).filter((token) => token.length >= 4)
  )

const scrub = (text: string, headers: Headers.Headers): string => {
  let out = text.replace(BEARER, "Bearer <redacted>")
  for (const token of sentTokens(headers)) out = out.split(token).join("<redacted>")
  return out
}

/**
 * The ` error=…` part of a line (empty for a success); `headers` are the request's, whose tokens are
 * never printed.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatMark = (mark: ErrorMark | undefined, headers: Headers.Headers): string => {
  if (mark === undefined) return ""
  const code = scrub(mark.code, headers)
  const shownCode = PLAIN.test(code) ? code : JSON.stringify(code)
  if (mark.message === undefined) return ` error=${shownCode}`
  const message = scrub(mark.message, headers)
  const cut = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message
  return ` error=${shownCode} ${JSON.stringify(cut)}`
}
