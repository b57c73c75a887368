/**
 * Raw HTTP helpers for the emulator tests: requests are built by hand so that the SDK cannot hide a
 * wire mistake.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"

export const BASE = "http://emulator.test"
export const TOKEN = "bce-v3/ALTAK-test/secret"
export const AUTH = { authorization: `Bearer ${TOKEN}` } as const

export type JsonValue = null | boolean | number | string | ReadonlyArray<JsonValue> | {
  readonly [k: string]: JsonValue
}
export type JsonRecord = { readonly [k: string]: JsonValue }

export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly bytes: Uint8Array
}

export const isRecord = (u: unknown): u is JsonRecord => typeof u === "object" && u !== null && !Array.isArray(u)

/** Parses a JSON object out of a response (throws in the test when it is not one). */
export const json = (response: RawResponse): JsonRecord => {
  const value: unknown = JSON.parse(response.text)
  if (!isRecord(value)) throw new Error(`not a JSON object: ${response.text}`)
  return value
}

export const execute = (request: HttpClientRequest.HttpClientRequest) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const buffer = yield* response.arrayBuffer
    const bytes = new Uint8Array(buffer)
    return {
      status: response.status,
      headers: response.headers,
      text: new TextDecoder().decode(bytes),
      bytes
    } satisfies RawResponse
  }).pipe(Effect.scoped)

/** POST a body text (JSON by default) with the test token. */
export const postText = (
  path: string,
  text: string,
  headers: Readonly<Record<string, string>> = AUTH,
  contentType = "application/json"
) =>
  execute(
    HttpClientRequest.post(`${BASE}${path}`).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyText(text, contentType)
    )
  )

/** POST a JSON value with the test token. */
export const post = (path: string, body: JsonValue, headers: Readonly<Record<string, string>> = AUTH) =>
  postText(path, JSON.stringify(body), headers)

/** POST a JSON value and return the parsed answer (HTTP status must be 200). */
export const call = (path: string, body: JsonValue) =>
  Effect.map(post(path, body), (response) => {
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${response.text}`)
    return json(response)
  })

/** The error envelope of an answer, if it is one. */
export const envelope = (response: RawResponse): JsonRecord => {
  const body = json(response)
  const error = body["error"]
  if (!isRecord(error)) throw new Error(`not an error envelope: ${response.text}`)
  return error
}

/** Upload bytes as the official client does (multipart, field `file`, `purpose` in the query). */
export const upload = (
  filename: string,
  content: Uint8Array | string,
  purpose: string | undefined = "assistant",
  headers: Readonly<Record<string, string>> = AUTH
) => {
  const form = new FormData()
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content
  form.append("file", new Blob([new Uint8Array(bytes)]), filename)
  const url = purpose === undefined
    ? `${BASE}/v2/storage/files`
    : `${BASE}/v2/storage/files?purpose=${encodeURIComponent(purpose)}`
  return execute(
    HttpClientRequest.post(url).pipe(HttpClientRequest.setHeaders(headers), HttpClientRequest.bodyFormData(form))
  )
}

/** Asserts an HTTP 200 error envelope with `code` and `param`; returns the envelope. */
export const expectApiError = (response: RawResponse, code: string, param: string, status = 200): JsonRecord => {
  if (response.status !== status) throw new Error(`expected HTTP ${status}, got ${response.status}: ${response.text}`)
  const error = envelope(response)
  if (error["code"] !== code || error["param"] !== param) {
    throw new Error(`expected ${code}/${param}, got ${response.text}`)
  }
  const expectedType = code === "unauthorized"
    ? "authentication_error"
    : code === "internal_error" || code === "injected_fault"
    ? "server_error"
    : "invalid_request_error"
  if (error["type"] !== expectedType) {
    throw new Error(`unexpected type: ${response.text}`)
  }
  if (typeof error["message"] !== "string" || error["message"] === "") throw new Error(`no message: ${response.text}`)
  return error
}

/** Asserts a storage-family error (spec §2.3); returns the body. */
export const expectStorageError = (response: RawResponse, code: string, status = 200): JsonRecord => {
  if (response.status !== status) throw new Error(`expected HTTP ${status}, got ${response.status}: ${response.text}`)
  const body = json(response)
  if (body["code"] !== code || typeof body["message"] !== "string" || body["error"] !== undefined) {
    throw new Error(`expected storage error ${code}, got ${response.text}`)
  }
  if (body["request_id"] !== response.headers["x-appbuilder-request-id"]) {
    throw new Error(`request_id mismatch: ${response.text}`)
  }
  return body
}

/** A string field of a JSON object (throws when absent). */
export const str = (record: JsonRecord, key: string): string => {
  const value = record[key]
  if (typeof value !== "string") throw new Error(`${key} is not a string in ${JSON.stringify(record)}`)
  return value
}

/** The `data` array of a list answer. */
export const data = (record: JsonRecord): ReadonlyArray<JsonRecord> => {
  const value = record["data"]
  if (!Array.isArray(value)) throw new Error(`no data in ${JSON.stringify(record)}`)
  return value.filter(isRecord)
}

/** A minimal valid assistant create body. */
export const assistantBody = (overrides: JsonRecord = {}): JsonRecord => ({
  model: "ERNIE-4.0T-8K",
  name: "test_assistant",
  description: "test",
  response_format: "text",
  instructions: "你是百度制作的AI助手",
  thought_instructions: "",
  chat_instructions: "",
  tools: [],
  file_ids: [],
  metadata: {},
  ...overrides
})

/** A 1×1 transparent PNG. */
export const PNG = Uint8Array.from(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64"
  )
)

/** POST a JSON body with the test token to a running server at `url`: the answer's JSON object ({} if not one). */
export const postJsonTo = (url: string, path: string, body: unknown) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(`${url}${path}`).pipe(
        HttpClientRequest.setHeaders(AUTH),
        HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
      )
    )
    const value = yield* response.json
    return isRecord(value) ? value : {}
  }).pipe(Effect.scoped)
