/**
 * Transport helpers: telling a request that never reached the service from one whose outcome is unknown,
 * naming the underlying problem in plain words, and checking header values.
 *
 * @since 0.1.0
 * @internal
 */
import * as Predicate from "effect/Predicate"

/**
 * Error codes that mean the connection could not be opened, so the request was never written: name
 * resolution failed, nothing listens on the port, the network or host is unreachable, the connect timed
 * out, or the TLS handshake (which comes before the request) failed. Node's `http`, undici
 * (`NodeHttpClient.layerUndici`) and undici's `fetch` (a `TypeError("fetch failed")` whose `cause` holds
 * the code) all report these codes somewhere in the cause chain.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const NEVER_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "EAI_NODATA",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/** Plain words for the codes met after a request may have been written. */
const PROBLEMS: Readonly<Record<string, string | undefined>> = {
  ECONNRESET: "connection reset",
  EPIPE: "connection closed while sending",
  ETIMEDOUT: "connection timed out",
  ECONNABORTED: "connection aborted",
  UND_ERR_SOCKET: "connection closed by the other side",
  UND_ERR_CLOSED: "connection closed",
  UND_ERR_DESTROYED: "connection destroyed",
  UND_ERR_ABORTED: "request aborted",
  UND_ERR_HEADERS_TIMEOUT: "no response headers in time",
  UND_ERR_BODY_TIMEOUT: "response body stalled"
}

const MAX_DEPTH = 8

/** Every error in a cause chain, including the members of an `AggregateError` (happy eyeballs). */
const chain = (cause: unknown): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  const seen = new Set<unknown>()
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || value === null || value === undefined || seen.has(value)) return
    seen.add(value)
    out.push(value)
    if (!Predicate.isObject(value)) return
    if ("errors" in value && Array.isArray(value.errors)) {
      for (const member of value.errors) visit(member, depth + 1)
    }
    if ("cause" in value) visit(value.cause, depth + 1)
  }
  visit(cause, 0)
  return out
}

const codeOf = (value: unknown): string | undefined =>
  Predicate.isObject(value) && "code" in value && Predicate.isString(value.code) ? value.code : undefined

const messageOf = (value: unknown): string | undefined =>
  Predicate.isObject(value) && "message" in value && Predicate.isString(value.message) && value.message !== ""
    ? value.message
    : undefined

/**
 * True when the cause chain shows that the connection could not be opened, so the request never reached
 * the service.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const neverSent = (cause: unknown): boolean =>
  chain(cause).some((error) => {
    const code = codeOf(error)
    return code !== undefined && NEVER_SENT_CODES.has(code)
  })

const MAX_PROBLEM = 160

/**
 * A short description of the underlying transport problem: a known code in plain words, else the
 * innermost error message, else `fallback`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const problem = (cause: unknown, fallback: string): string => {
  const errors = chain(cause)
  for (const error of errors) {
    const code = codeOf(error)
    const phrase = code === undefined ? undefined : PROBLEMS[code]
    if (phrase !== undefined) return phrase
  }
  for (let i = errors.length - 1; i >= 0; i--) {
    const message = messageOf(errors[i])
    if (message !== undefined) {
      return message.length > MAX_PROBLEM ? `${message.slice(0, MAX_PROBLEM)}…` : message
    }
  }
  return fallback
}

/**
 * True when `value` can be sent as an HTTP header value: visible ASCII, spaces and tabs only (no line
 * breaks, no other control characters, nothing outside ASCII).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const isHeaderSafe = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code === 0x09) continue
    if (code < 0x20 || code > 0x7e) return false
  }
  return true
}
