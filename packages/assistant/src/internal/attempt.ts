/**
 * One attempt of a request: a fresh request id, the SDK's headers, the send under the SDK's `http.client`
 * span, the status check and the reading of the answer, all under the attempt's timeout.
 *
 * @since 0.1.0
 * @internal
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Tracer from "effect/Tracer"
import type { Operation, ResponseMeta } from "../AppBuilderClient.js"
import type { HttpError } from "../AppBuilderError.js"
import * as Errors from "./errors.js"
import * as Span from "./span.js"
import * as Timeout from "./timeout.js"

/**
 * What an attempt does with a 200 answer, given the request id to report.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export type OnResponse<A, R> = (
  response: HttpClientResponse.HttpClientResponse,
  requestId: string | undefined
) => Effect.Effect<A, HttpError, R>

/**
 * The collectors of `AppBuilderClient.withResponseMeta`: one cell per enclosing `withResponseMeta`, each
 * set to the meta of every response that arrives (so each ends up with the last one).
 *
 * @since 0.1.0
 * @category references
 * @internal
 */
export class ResponseMetaCollectors extends Context.Reference<ResponseMetaCollectors>()(
  "@effect-appbuilder/assistant/AppBuilderClient/ResponseMetaCollectors",
  { defaultValue: (): ReadonlyArray<Ref.Ref<Option.Option<ResponseMeta>>> => [] }
) {}

/**
 * What every response goes through before it is read, then `next`: its meta handed to the collectors of
 * the enclosing `withResponseMeta`s, then the `AppBuilder response` debug log. Both are read from the
 * fiber in one step and skipped when nothing would see them (no collector; `Debug` below the minimum log
 * level, the test the fiber's own `log` makes before writing anything): a hot path, every request of
 * every call, where the usual answer is `next` itself.
 */
const afterResponse = <A, R>(
  operation: Operation,
  response: HttpClientResponse.HttpClientResponse,
  requestId: string,
  next: Effect.Effect<A, HttpError, R>
): Effect.Effect<A, HttpError, R> =>
  Effect.withFiberRuntime((fiber) => {
    const collectors = Context.get(fiber.currentContext, ResponseMetaCollectors)
    const logged = !LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)
    if (collectors.length === 0 && !logged) return next
    const meta: ResponseMeta = { requestId, status: response.status, operation: operation.name }
    const collect = Effect.forEach(collectors, (collector) => Ref.set(collector, Option.some(meta)), {
      discard: true
    })
    const seen = logged
      ? Effect.zipRight(
        collect,
        Effect.logDebug("AppBuilder response").pipe(
          Effect.annotateLogs({ operation: operation.name, status: response.status, requestId })
        )
      )
      : collect
    return Effect.zipRight(seen, next)
  })

/**
 * One attempt of `request` for `operation`.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export type Attempt = <A, R>(
  operation: Operation,
  request: HttpClientRequest.HttpClientRequest,
  execute: Span.Execute<R>,
  onResponse: OnResponse<A, R>
) => Effect.Effect<A, HttpError, R>

/**
 * Makes the attempt function of a client. Every attempt gets its own request id; the timeout is the
 * operation's, else the client's. For a call that changes something, any failure after the request may
 * have been written (including the timeout) is `OutcomeUnknown`. A status other than 200 is a `Status`
 * error; a 200 goes to `onResponse`.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const make = (settings: {
  readonly timeout: Duration.Duration
  readonly prepare: (
    request: HttpClientRequest.HttpClientRequest,
    requestId: string
  ) => HttpClientRequest.HttpClientRequest
}): Attempt =>
(operation, request, execute, onResponse) =>
  Effect.withFiberRuntime((fiber) => {
    const requestId = crypto.randomUUID()
    const timeout = operation.timeout === undefined ? settings.timeout : Duration.decode(operation.timeout)
    // `Effect.annotateCurrentSpan`, without its effects: the span of the operation gets the request id
    const span = Context.getOption(fiber.currentContext, Tracer.ParentSpan)
    if (Option.isSome(span) && span.value._tag === "Span") span.value.attribute("appbuilder.request_id", requestId)
    return Timeout.timeoutFail(
      Effect.flatMap(
        Span.sendTraced(
          settings.prepare(request, requestId),
          execute,
          (error) => Errors.fromClientError(operation, error, requestId)
        ),
        (response) => {
          // the response's headers are rebuilt on every read by some clients: the request id is read once
          const reported = Errors.responseRequestId(response, requestId) ?? requestId
          return afterResponse(
            operation,
            response,
            reported,
            response.status === 200
              ? onResponse(response, reported)
              : Errors.statusError(operation, response, requestId)
          )
        }
      ),
      timeout,
      // the description is formatted only when the attempt times out (not on every attempt)
      () => Errors.attemptTimedOut(operation, `no answer within ${Duration.format(timeout)}`, requestId)
    )
  })
