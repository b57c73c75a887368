/**
 * One declaration per operation, and the generic implementations that perform it: {@link call} (a JSON
 * answer), {@link stream} (an event stream) and {@link upload} (a multipart file). A service is a table of
 * endpoints handed to these.
 *
 * @since 0.1.0
 * @internal
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { Service as Client } from "../AppBuilderClient.js"
import type { HttpError, ValidationError } from "../AppBuilderError.js"
import { encodeRequest, encodeRequestEither } from "./requestSchema.js"

/**
 * An operation of the API.
 *
 * - `name`: the SDK operation (`Assistants.create`), the name of its span and of its errors;
 * - `path`: where it is POSTed;
 * - `idempotent`: true for a read-only operation (query, list, …) or one that is harmless to repeat:
 *   only those are resent after a failure that may have reached the service;
 * - `request`: the Schema whose Type side is the caller's input and whose Encoded side is the body;
 * - `response`: the Schema of the answer;
 * - `spanAttributes`: the body keys whose values annotate the span (`assistant_id` gives
 *   `appbuilder.assistant_id`);
 * - `resultAttributes`: span attributes read from the answer (e.g. the id of a created object).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface Endpoint<In, Body, A, AI = unknown> {
  readonly name: string
  readonly path: string
  readonly idempotent: boolean
  readonly request: Schema.Schema<In, Body>
  readonly response: Schema.Schema<A, AI>
  readonly spanAttributes?: ReadonlyArray<keyof Body & string> | undefined
  readonly resultAttributes?: ((result: A) => Readonly<Record<string, unknown>>) | undefined
}

/**
 * Declares an endpoint (the identity, for type inference).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const make = <In, Body, A, AI>(endpoint: Endpoint<In, Body, A, AI>): Endpoint<In, Body, A, AI> => endpoint

/**
 * Checks the caller's input and encodes the body: one `ValidationError` naming every problem, before
 * anything is sent.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const encode = <In, Body, A, AI>(
  endpoint: Endpoint<In, Body, A, AI>,
  input: In
): Effect.Effect<Body, ValidationError> => encodeRequest(endpoint.name, endpoint.request, input)

/**
 * Annotates the current span with the body values named by the endpoint's `spanAttributes`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const annotate = <In, Body, A, AI>(endpoint: Endpoint<In, Body, A, AI>, body: Body): Effect.Effect<void> => {
  const keys = endpoint.spanAttributes ?? []
  if (keys.length === 0) return Effect.void
  const attributes: Record<string, unknown> = {}
  for (const key of keys) attributes[`appbuilder.${key}`] = body[key]
  return Effect.annotateCurrentSpan(attributes)
}

/**
 * Options of one call.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface CallOptions {
  /** The operation named in errors, when the endpoint is one step of another operation. */
  readonly operation?: string | undefined
  /** Overrides the client's per-attempt timeout (e.g. for blocking runs). */
  readonly timeout?: Duration.DurationInput | undefined
}

const operationOf = (endpoint: { readonly name: string; readonly idempotent: boolean }, options?: CallOptions) => ({
  name: options?.operation ?? endpoint.name,
  idempotent: endpoint.idempotent,
  ...(options?.timeout === undefined ? {} : { timeout: options.timeout })
})

/**
 * POSTs an already encoded body and decodes the answer (no validation, no span of its own).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const send = <In, Body, A, AI>(
  client: Client,
  endpoint: Endpoint<In, Body, A, AI>,
  body: Body,
  options?: CallOptions
): Effect.Effect<A, HttpError> => client.post(operationOf(endpoint, options), endpoint.path, body, endpoint.response)

/**
 * The operation as a function: checks and encodes the input, annotates its span (named after the
 * endpoint), POSTs the body and decodes the answer.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const call = <In, Body, A, AI>(
  client: Client,
  endpoint: Endpoint<In, Body, A, AI>
): (input: In) => Effect.Effect<A, HttpError | ValidationError> => {
  // every call of every service passes here: the steps of `Effect.fn(endpoint.name)` (encode, annotate,
  // send, annotate the result) in as few effects as possible, and a span without the call site's stack
  // trace (capturing it costs an `Error` per call)
  const resultAttributes = endpoint.resultAttributes
  const keys = endpoint.spanAttributes ?? []
  return (input) =>
    Effect.withSpan(
      Effect.withFiberRuntime((fiber) => {
        const body = encodeRequestEither(endpoint.name, endpoint.request, input)
        if (Either.isLeft(body)) return Effect.fail(body.left)
        const span = Context.getOption(fiber.currentContext, Tracer.ParentSpan)
        const current = Option.isSome(span) && span.value._tag === "Span" ? span.value : undefined
        if (current !== undefined) { for (const key of keys) current.attribute(`appbuilder.${key}`, body.right[key]) }
        const sent = send(client, endpoint, body.right)
        return resultAttributes === undefined || current === undefined
          ? sent
          : Effect.map(sent, (result) => {
            for (const [key, value] of Object.entries(resultAttributes(result))) current.attribute(key, value)
            return result
          })
      }),
      endpoint.name,
      spanOptions
    )
}

const spanOptions = { captureStackTrace: false } as const

/**
 * POSTs an already encoded body and streams the answer's bytes (the endpoint's `response` is not used:
 * the caller decodes the events).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const stream = <In, Body, A, AI>(
  client: Client,
  endpoint: Endpoint<In, Body, A, AI>,
  body: Body,
  options?: CallOptions
): Stream.Stream<Uint8Array, HttpError> => client.stream(operationOf(endpoint, options), endpoint.path, body)

/**
 * The streamed operation as a function: checks and encodes the input (failing the stream with a
 * `ValidationError` before anything is sent), then streams the answer's bytes.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const streamCall = <In, Body, A, AI>(
  client: Client,
  endpoint: Endpoint<In, Body, A, AI>
) =>
(input: In): Stream.Stream<Uint8Array, HttpError | ValidationError> =>
  Stream.unwrap(Effect.map(encode(endpoint, input), (body) => stream(client, endpoint, body)))

/**
 * POSTs an already encoded body and hands back the raw response once its status is 200, for answers that
 * are bytes (a file's content): the endpoint's `response` is not used. The request is aborted when the
 * scope closes.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const raw = <In, Body, A, AI>(
  client: Client,
  endpoint: Endpoint<In, Body, A, AI>,
  body: Body,
  options?: CallOptions
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpError, Scope.Scope> =>
  client.postRaw(operationOf(endpoint, options), endpoint.path, body)

/**
 * The single file part of an upload.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface FilePart {
  /** The form field name (the service expects `file`). */
  readonly field: string
  /** The file name put in the part's `Content-Disposition`. */
  readonly filename: string
  readonly bytes: Uint8Array
}

/**
 * POSTs one file as `multipart/form-data`, with the encoded body's fields as URL query parameters, and
 * decodes the answer.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const upload = <In, Body extends Readonly<Record<string, string>>, A, AI>(
  client: Client,
  endpoint: Endpoint<In, Body, A, AI>,
  query: Body,
  part: FilePart,
  options?: CallOptions
): Effect.Effect<A, HttpError> =>
  client.upload(operationOf(endpoint, options), endpoint.path, query, part, endpoint.response)
