/**
 * Parsing a `multipart/form-data` body that the router has already read into memory.
 *
 * Written by hand because the official client sends the file name as raw UTF-8 inside the part's
 * `Content-Disposition` (e.g. `filename="测试 file.txt"`), which general-purpose parsers reject.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/** @internal */
export interface Part {
  readonly key: string
  /** The file name of a file part; `undefined` for plain fields. */
  readonly filename: string | undefined
  readonly headers: Readonly<Record<string, string>>
  readonly content: Uint8Array
}

const decoder = new TextDecoder()

/** The boundary of a `multipart/form-data` content type. @internal */
export const boundaryOf = (contentType: string | undefined): string | undefined => {
  if (contentType === undefined || !/^\s*multipart\/form-data\b/i.test(contentType)) return undefined
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  return match === null ? undefined : (match[1] ?? match[2])
}

const indexOf = (haystack: Uint8Array, needle: Uint8Array, from: number): number =>
  Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, from)

const parameter = (header: string, name: string): string | undefined => {
  const extended = new RegExp(`;\\s*${name}\\*\\s*=\\s*([^;]+)`, "i").exec(header)
  if (extended !== null) {
    const value = extended[1]!.trim()
    const quote = value.indexOf("''")
    const encoded = quote >= 0 ? value.slice(quote + 2) : value
    const decoded = Either.try(() => decodeURIComponent(encoded))
    if (Either.isRight(decoded)) return decoded.right
  }
  const quoted = new RegExp(`;\\s*${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, "i").exec(header)
  if (quoted !== null) return quoted[1]!.replace(/\\(.)/g, "$1")
  const bare = new RegExp(`;\\s*${name}\\s*=\\s*([^;\\s]+)`, "i").exec(header)
  return bare === null ? undefined : bare[1]
}

const parseHeaders = (text: string): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":")
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return headers
}

/**
 * The parts of a multipart body, or a message saying why it is not one.
 *
 * @internal
 */
export const parse = (
  contentType: string | undefined,
  body: Uint8Array
): Either.Either<ReadonlyArray<Part>, string> => {
  const boundary = boundaryOf(contentType)
  if (boundary === undefined) return Either.left("the body must be multipart/form-data with a boundary")
  const encoder = new TextEncoder()
  const delimiter = encoder.encode(`--${boundary}`)
  const separator = encoder.encode("\r\n\r\n")
  const parts: Array<Part> = []
  let position = indexOf(body, delimiter, 0)
  if (position < 0) return Either.left("multipart boundary not found")
  for (;;) {
    const afterDelimiter = position + delimiter.length
    // the closing delimiter is followed by "--"
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) break
    const headerStart = afterDelimiter + 2 // skip CRLF
    const headerEnd = indexOf(body, separator, headerStart)
    if (headerEnd < 0) return Either.left("malformed multipart part headers")
    const next = indexOf(body, encoder.encode(`\r\n--${boundary}`), headerEnd + separator.length)
    if (next < 0) return Either.left("unterminated multipart body")
    const headers = parseHeaders(decoder.decode(body.subarray(headerStart, headerEnd)))
    const disposition = headers["content-disposition"] ?? ""
    parts.push({
      key: parameter(disposition, "name") ?? "",
      filename: parameter(disposition, "filename"),
      headers,
      content: body.slice(headerEnd + separator.length, next)
    })
    position = next + 2
  }
  return Either.right(parts)
}
