/**
 * Reading a 200 response: a JSON answer (checked for the service's error bodies, then decoded), or the
 * start of an event stream (checked to be one) and its bytes.
 *
 * @since 0.1.0
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { Operation } from "../AppBuilderClient.js"
import { HttpError } from "../AppBuilderError.js"
import * as Errors from "./errors.js"
import { Run } from "./models/run.js"
import { fastRunObject } from "./runEventDecode.js"
import * as Transport from "./transport.js"
import * as Wire from "./wire.js"

/**
 * Reads a 200 response: the whole body as text, `onText` for what it holds.
 */
const readText = <A, R>(
  operation: Operation,
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined,
  onText: (text: string) => Effect.Effect<A, HttpError, R>
): Effect.Effect<A, HttpError, R> =>
  response.text.pipe(
    Effect.mapError((error) => Errors.bodyCut(operation, response.status, requestId, error.cause)),
    Effect.flatMap(onText)
  )

const decodeError = (
  operation: Operation,
  description: string,
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined,
  text: string
): HttpError =>
  HttpError.decode({
    operation: operation.name,
    description,
    status: response.status,
    requestId,
    body: Errors.trimBody(text)
  })

/** A hand-written decoder of one schema's answers, and the schema's type guard (built once: it costs about 50 µs). */
interface FastDecoder {
  readonly decode: (json: unknown) => unknown
  readonly is: (value: unknown) => boolean
}

/**
 * Hand-written decoders of the hot answers, by the schema they stand for: each gives exactly what the
 * schema decodes for the usual shape, `undefined` otherwise (the schema then decodes, with its errors).
 * A test asserts that both give the same values.
 */
const fastDecoders = new Map<Schema.Schema.All, FastDecoder>([
  [Run, { decode: fastRunObject, is: Schema.is(Run) }]
])

/**
 * Registers the hand-written decoder of one answer schema (a module whose schema would make an import
 * cycle here registers its own, e.g. `Threads`): `decode` gives exactly what the schema decodes for the
 * usual shape, `undefined` otherwise; a test asserts that both give the same values.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const registerFastDecoder = <A, I, R>(
  schema: Schema.Schema<A, I, R>,
  decode: (json: unknown) => A | undefined
): void => {
  fastDecoders.set(schema, { decode, is: Schema.is(schema) })
}

/** True when `value` is of `schema`'s type, by the guard `Schema.is(schema)` built for it in {@link fastDecoders}. */
const isOfType = <A, I, R>(_schema: Schema.Schema<A, I, R>, decoder: FastDecoder, value: unknown): value is A =>
  decoder.is(value)

/**
 * `json` decoded by the hand-written decoder of `schema`, when there is one and the shape is the usual
 * one; the result is checked to be of the schema's type (an `instanceof` for a class), `undefined` otherwise.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const fastDecode = <A, I, R>(schema: Schema.Schema<A, I, R>, json: unknown): A | undefined => {
  const decoder = fastDecoders.get(schema)
  if (decoder === undefined) return undefined
  const value = decoder.decode(json)
  return value !== undefined && isOfType(schema, decoder, value) ? value : undefined
}

/**
 * Reads a 200 JSON answer: an error envelope (or, on storage paths, the storage error shape) becomes an
 * `Api` error; anything else is decoded with `schema` (unknown keys ignored), a mismatch being a `Decode`
 * error.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const readJson = <A, I, R>(operation: Operation, path: string, schema: Schema.Schema<A, I, R>) =>
(
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined
): Effect.Effect<A, HttpError, R> =>
  readText(operation, response, requestId, (text) => {
    const json = Wire.parseJson(text)
    if (Option.isNone(json)) {
      return Effect.fail(decodeError(operation, "the response body is not JSON", response, requestId, text))
    }
    const error = Errors.apiError(operation, path, json.value, response.status, requestId)
    if (Option.isSome(error)) return Effect.fail(error.value)
    const fast = fastDecode(schema, json.value)
    if (fast !== undefined) return Effect.succeed(fast)
    return ParseResult.decodeUnknown(schema)(json.value, { onExcessProperty: "ignore" }).pipe(
      Effect.mapError((issue) =>
        decodeError(
          operation,
          `unexpected response: ${ParseResult.TreeFormatter.formatIssueSync(issue)}`,
          response,
          requestId,
          text
        )
      )
    )
  })

/**
 * Checks that a 200 answer is an event stream. Otherwise its body is read: an error envelope becomes an
 * `Api` error, anything else a `Decode` error naming the content type that came.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const checkEventStream = (operation: Operation, path: string) =>
(
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError> => {
  const contentType = (response.headers["content-type"] ?? "").toLowerCase()
  if (contentType.startsWith("text/event-stream")) return Effect.succeed(response)
  return readText(operation, response, requestId, (text) => {
    const error = Option.flatMap(
      Wire.parseJson(text),
      (json) => Errors.apiError(operation, path, json, response.status, requestId)
    )
    const got = contentType === "" ? "no content type" : contentType
    return Effect.fail(
      Option.getOrElse(
        error,
        () => decodeError(operation, `expected an event stream, got ${got}`, response, requestId, text)
      )
    )
  })
}

/**
 * The bytes of an event stream. The request was processed (the headers came), so a broken body is a
 * stream that ended early (`StreamEnded`), never a reason to send the request again.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const eventStreamBytes = (
  operation: Operation,
  response: HttpClientResponse.HttpClientResponse
): Stream.Stream<Uint8Array, HttpError> =>
  response.stream.pipe(
    Stream.mapError((error) =>
      HttpError.streamEnded({
        operation: operation.name,
        description: `the event stream broke: ${Transport.problem(error.cause, "the connection failed")}`,
        status: response.status,
        requestId: Errors.responseRequestId(response, undefined),
        cause: error.cause
      })
    )
  )
