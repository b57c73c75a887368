/**
 * The contract between the emulator's router and its endpoint handlers.
 *
 * A route names one path of the API. The router authenticates the request, parses the JSON body
 * (400 `invalid_json` when it is not a JSON object), calls the handler, renders its error in the
 * shape of the route's family (assistant envelope or storage shape), adds `X-Appbuilder-Request-Id`,
 * logs the request and applies fault injection. Handlers only see a parsed body.
 *
 * @since 0.1.0
 */
import type * as Headers from "@effect/platform/Headers"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as Effect from "effect/Effect"
import type { ApiError, StorageError } from "./ApiError.js"
import type { Json, JsonObject } from "./json.js"

/**
 * What a handler sees of the request (an `HttpServerRequest` in process; the Node request's parts on the
 * server's direct path).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestInfo {
  readonly method: string
  /** The request target as sent (path and query). */
  readonly url: string
  readonly headers: Headers.Headers
}

/**
 * What a handler gets.
 *
 * @since 0.1.0
 * @category models
 */
export interface RouteContext {
  /** The parsed JSON body (`{}` for multipart routes). */
  readonly body: JsonObject
  readonly request: RequestInfo
  /** The request id echoed in `X-Appbuilder-Request-Id`. */
  readonly requestId: string
  /** The raw request body, already read by the router (multipart routes parse it themselves). */
  readonly bytes: Uint8Array
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Route<R> {
  /** The path, e.g. `/v2/threads/runs`. */
  readonly path: string
  /** Error shape: the assistant envelope or the storage shape (`{"error": {...}}` or HTTP 200 `{"request_id", "code", "message"}`). */
  readonly family: "assistant" | "storage"
  /** `json` routes get a parsed body; `multipart` routes read the request themselves. */
  readonly body: "json" | "multipart"
  readonly handler: (
    context: RouteContext
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, ApiError | StorageError, R>
}

/**
 * A compact JSON answer with `Content-Type: application/json; charset=utf-8`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const json = (value: Json, status = 200): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(value), { status, contentType: "application/json; charset=utf-8" })

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(
  path: string,
  handler: Route<R>["handler"],
  options: { readonly family?: Route<R>["family"] | undefined; readonly body?: Route<R>["body"] | undefined } = {}
): Route<R> => ({ path, handler, family: options.family ?? "assistant", body: options.body ?? "json" })
