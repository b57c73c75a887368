/**
 * Maps what can go wrong with one request to an {@link HttpError}: a platform client error, a status
 * other than 200, an error body that came with a 200, and a response body that could not be read.
 *
 * Whether a failure may have reached the service decides its reason: a call that changes something and
 * may have been processed becomes `OutcomeUnknown` (never resent), the same failure of a read-only call
 * keeps its `Transport` / `Timeout` reason (and is retried).
 *
 * @since 0.1.0
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { Operation } from "../AppBuilderClient.js"
import { HttpError } from "../AppBuilderError.js"
import { parseRetryAfter } from "./retry.js"
import * as Transport from "./transport.js"
import * as Wire from "./wire.js"

/** How much of a response body an error keeps. */
const MAX_BODY = 2048

/**
 * The beginning of a response body, as kept in an error.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const trimBody = (text: string): string => (text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text)

/**
 * The response's `X-Appbuilder-Request-Id`, else the id the request was sent with.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const responseRequestId = (
  response: HttpClientResponse.HttpClientResponse,
  fallback: string | undefined
): string | undefined => {
  const header = response.headers["x-appbuilder-request-id"]
  return header !== undefined && header !== "" ? header : fallback
}

/**
 * A failure after the request may have been written: `OutcomeUnknown` for a call that changes something,
 * otherwise the given reason (which the retry policy accepts for read-only calls).
 */
const afterSending = (
  operation: Operation,
  reason: "Transport" | "Timeout",
  details: Omit<HttpError.Details, "operation"> & { readonly problem: string }
): HttpError => {
  const { description, problem, ...rest } = details
  if (!operation.idempotent) return HttpError.outcomeUnknown({ ...rest, problem, operation: operation.name })
  const fields = { ...rest, description, operation: operation.name }
  return reason === "Timeout" ? HttpError.timeout(fields) : HttpError.transport(fields)
}

/**
 * A 200 response whose body could not be read to its end.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const bodyCut = (
  operation: Operation,
  status: number,
  requestId: string | undefined,
  cause: unknown
): HttpError =>
  afterSending(operation, "Transport", {
    problem: "response body cut",
    description: "the response body could not be read",
    status,
    requestId,
    cause
  })

/**
 * An attempt that got no complete answer within its timeout.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const attemptTimedOut = (operation: Operation, description: string, requestId: string): HttpError =>
  afterSending(operation, "Timeout", { problem: description, description, requestId })

/**
 * An answer with a status other than 200: the message, code, type and param of its error body when it
 * has one, its `Retry-After` (measured on the `Clock`) and the beginning of its body.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const statusError = (
  operation: Operation,
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined
): Effect.Effect<never, HttpError> =>
  Effect.gen(function*() {
    const text = yield* Effect.orElseSucceed(response.text, () => "")
    const now = yield* Clock.currentTimeMillis
    const details = Option.match(Wire.parseJson(text), {
      onNone: () => Wire.emptyErrorDetails,
      onSome: Wire.errorDetails
    })
    return yield* HttpError.status({
      operation: operation.name,
      description: details.message ?? `HTTP status ${response.status}`,
      status: response.status,
      code: details.code,
      type: details.type,
      param: details.param,
      requestId: responseRequestId(response, requestId),
      retryAfterMillis: parseRetryAfter(response.headers["retry-after"], now),
      body: trimBody(text)
    })
  })

/**
 * A platform client error. `InvalidUrl` and `Encode` fail before anything is sent; a transport failure is
 * known to be harmless only when the connection could not be opened.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const fromClientError = (
  operation: Operation,
  error: HttpClientError.HttpClientError,
  requestId: string | undefined
): Effect.Effect<never, HttpError> => {
  if (error._tag === "ResponseError") return statusError(operation, error.response, requestId)
  if (error.reason !== "Transport") {
    return Effect.fail(HttpError.transport({
      operation: operation.name,
      description: `${error.reason} error${error.description === undefined ? "" : `: ${error.description}`}`,
      requestId,
      cause: error.cause
    }))
  }
  const problem = Transport.problem(error.cause, "transport failure")
  if (Transport.neverSent(error.cause)) {
    return Effect.fail(HttpError.transport({
      operation: operation.name,
      description: `the service could not be reached (${problem})`,
      requestId,
      cause: error.cause
    }))
  }
  return Effect.fail(afterSending(operation, "Transport", {
    problem,
    description: `the connection broke before a complete answer arrived (${problem})`,
    requestId,
    cause: error.cause
  }))
}

/** The storage family (`/v2/storage/files*`) reports errors with its own body shape. */
const isStoragePath = (path: string): boolean => path.startsWith("/v2/storage/files")

/**
 * Turns a parsed 200 JSON body into an `Api` error when it is an error envelope, or (on storage paths)
 * the storage error shape.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const apiError = (
  operation: Operation,
  path: string,
  json: unknown,
  status: number,
  requestId: string | undefined
): Option.Option<HttpError> => {
  const details = Wire.envelopeError(json) ?? (isStoragePath(path) ? Wire.storageError(json) : undefined)
  if (details === undefined) return Option.none()
  return Option.some(HttpError.api({
    operation: operation.name,
    description: details.message ?? "the service returned an error",
    status,
    code: details.code,
    type: details.type,
    param: details.param,
    requestId
  }))
}
