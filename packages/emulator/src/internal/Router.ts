/**
 * The emulator's HTTP application: it turns a list of {@link Route.Route}s into one `HttpApp` that
 *
 * - answers `POST` on the known paths only (anything else: 404 envelope), after collapsing duplicate
 *   slashes (`//v2/...`, as the service accepts them);
 * - applies the injected faults of the path ({@link Faults});
 * - authenticates (`Authorization: Bearer <token>`, else `X-Appbuilder-Authorization`; with a configured
 *   token only that token passes; else 401);
 * - reads the body (400 `invalid_json` unless a JSON object, for JSON routes; `invalid_argument` naming
 *   the field when it nests deeper than {@link Validate.MAX_JSON_DEPTH} levels);
 * - renders handler errors in the family's shape, and any defect as a 500 `internal_error` envelope;
 * - echoes `X-Appbuilder-Request-Id` (a fresh UUID when the request has none) on every answer;
 * - records every request in {@link Store.Service.requests}, a bounded ring (secret headers redacted).
 *
 * The routes see the request as a small record ({@link Request}): built from an `HttpServerRequest`
 * in process and on the platform's pipeline, or straight from the Node request on the server's direct
 * path (see `DirectApp`), so that both answer alike.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import { Readable } from "node:stream"
import * as EmulatorConfig from "../EmulatorConfig.js"
import * as Faults from "../Faults.js"
import * as Server from "../Server.js"
import * as ApiError from "./ApiError.js"
import { breakConnection } from "./connection.js"
import * as DirectApp from "./directApp.js"
import * as Json from "./json.js"
import type * as Route from "./Route.js"
import { ServerShutdown } from "./shutdown.js"
import * as Store from "./Store.js"
import * as Validate from "./Validate.js"

/**
 * The services every router needs besides the routes' own.
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements = Store.Store | EmulatorConfig.EmulatorConfig | Faults.Faults

const SECRET_HEADERS = new Set(["authorization", "x-appbuilder-authorization"])
const JSON_BODY_LIMIT = 16 * 1024 * 1024
const MULTIPART_OVERHEAD = 64 * 1024

/**
 * The token of a `Bearer <token>` header value, if it is one.
 *
 * @since 0.1.0
 * @category auth
 */
export const bearerToken = (value: string | undefined): Option.Option<string> => {
  if (value === undefined) return Option.none()
  const match = /^Bearer\s+(\S.*)$/i.exec(value.trim())
  return match === null ? Option.none() : Option.some(match[1]!.trim())
}

/**
 * The check of a request's token against the configured one (read once, not per request): with no
 * configured token any bearer token passes; else the token, or the token of a configured `Bearer <token>`.
 */
const authorizer = (configured: Option.Option<Redacted.Redacted<string>>) => {
  const expected = Option.map(configured, (token) => {
    const value = Redacted.value(token)
    return { value, bare: Option.getOrElse(bearerToken(value), () => value) }
  })
  return (headers: Headers.Headers): boolean => {
    const token = Option.orElse(
      bearerToken(headers["authorization"]),
      () => bearerToken(headers["x-appbuilder-authorization"])
    )
    if (Option.isNone(token)) return false
    if (Option.isNone(expected)) return true
    return token.value === expected.value.value || token.value === expected.value.bare
  }
}

const redactHeaders = (headers: Headers.Headers): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) out[key] = SECRET_HEADERS.has(key) ? "<redacted>" : value
  return out
}

const concat = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  const out = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * A request body as the router reads it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Body {
  readonly bytes: Uint8Array
  readonly tooLarge: boolean
  /** The size of the whole body, even when it was too large to keep. */
  readonly total: number
}

/**
 * What the router needs of a request: an `HttpServerRequest` ({@link fromServerRequest}) or a Node
 * request served directly ({@link fromNode}).
 *
 * @since 0.1.0
 * @category models
 */
export interface Request extends Route.RequestInfo {
  /** The transport's own request (a Node `IncomingMessage` on a server): a drop fault ends its socket. */
  readonly source: unknown
  /** Reads the body, keeping at most `limit` bytes (a larger body is read to its end and discarded). */
  readonly readBody: (limit: number) => Effect.Effect<Body>
}

const emptyBody: Body = { bytes: new Uint8Array(0), tooLarge: false, total: 0 }

/**
 * {@link readBody} on a Node request, with its events: a `Stream` over the request costs several fibers
 * per request, a good part of the emulator's CPU per call.
 */
const readNodeBody = (source: Readable, limit: number): Effect.Effect<Body> =>
  Effect.async<Body>((resume) => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    let total = 0
    const onData = (chunk: Uint8Array) => {
      total += chunk.length
      if (total > limit) {
        chunks.length = 0
        size = 0
      } else {
        chunks.push(chunk)
        size = total
      }
    }
    const cleanup = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onFailure)
      source.off("close", onFailure)
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed({ bytes: concat(chunks, size), tooLarge: total > limit, total }))
    }
    const onFailure = () => {
      cleanup()
      resume(Effect.succeed(emptyBody))
    }
    source.on("data", onData)
    source.on("end", onEnd)
    source.on("error", onFailure)
    source.on("close", onFailure)
    return Effect.sync(cleanup)
  })

/**
 * Reads the body, keeping at most `limit` bytes: a larger body is still read to its end (and
 * discarded), so that the connection stays usable for the answer. An absent or unreadable body is empty.
 */
const readBody = (request: HttpServerRequest.HttpServerRequest, limit: number): Effect.Effect<Body> =>
  request.source instanceof Readable ? readNodeBody(request.source, limit) : Stream.runFold(
    request.stream,
    { chunks: Chunk.empty<Uint8Array>(), size: 0, total: 0 },
    (acc, chunk) => {
      const total = acc.total + chunk.length
      return total > limit
        ? { chunks: Chunk.empty<Uint8Array>(), size: 0, total }
        : { chunks: Chunk.append(acc.chunks, chunk), size: total, total }
    }
  ).pipe(
    Effect.map((acc) => ({
      bytes: concat(Chunk.toReadonlyArray(acc.chunks), acc.size),
      tooLarge: acc.total > limit,
      total: acc.total
    })),
    Effect.orElseSucceed(() => emptyBody)
  )

/**
 * The router's view of an `HttpServerRequest` (in process, or served by the platform).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromServerRequest = (request: HttpServerRequest.HttpServerRequest): Request => ({
  method: request.method,
  url: request.url,
  headers: request.headers,
  source: request.source,
  readBody: (limit) => readBody(request, limit)
})

/**
 * The router's view of a Node request (the server's direct path): its parts, and its body read from
 * its events.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromNode = (request: Http.IncomingMessage): Request => ({
  method: request.method === undefined ? "GET" : request.method.toUpperCase(),
  url: request.url ?? "/",
  headers: Headers.fromInput(request.headers),
  source: request,
  readBody: (limit) => readNodeBody(request, limit)
})

const decoder = new TextDecoder()

const injectedStatus = (fault: Faults.StatusFault): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(
    Option.getOrElse(fault.body, () =>
      JSON.stringify({
        error: {
          code: "injected_fault",
          message: `injected fault: HTTP ${fault.status}`,
          type: "server_error",
          param: ""
        }
      })),
    {
      status: fault.status,
      contentType: "application/json; charset=utf-8",
      headers: Option.match(fault.retryAfter, { onNone: () => ({}), onSome: (value) => ({ "retry-after": value }) })
    }
  )

const errorResponse = (
  error: ApiError.ApiError | ApiError.StorageError,
  requestId: string
): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(ApiError.toJson(error, requestId), {
    status: error.status,
    contentType: "application/json; charset=utf-8"
  })

class ConnectionDropped {
  readonly _tag = "ConnectionDropped"
}

/**
 * Cuts the body after `chunks` chunks: the stream fails (and the Node socket is ended). An empty chunk is
 * sent first so that, in process, the failure waits until the reader has taken the chunks before it
 * (a web `ReadableStream` drops unread chunks when it errors).
 */
const dropBody = (
  response: HttpServerResponse.HttpServerResponse,
  chunks: number,
  source: unknown
): HttpServerResponse.HttpServerResponse => {
  const body = response.body
  const original: Stream.Stream<Uint8Array, unknown> = body._tag === "Stream"
    ? body.stream
    : body._tag === "Uint8Array"
    ? Stream.make(body.body)
    : Stream.empty
  const cut = Stream.take(original, chunks).pipe(
    Stream.concat(Stream.make(new Uint8Array(0))),
    Stream.concat(Stream.suspend(() => {
      breakConnection(source)
      return Stream.fail(new ConnectionDropped())
    }))
  )
  return HttpServerResponse.stream(cut, {
    status: response.status,
    headers: Headers.remove(response.headers, ["content-length", "content-type"]),
    ...(body._tag === "Empty" || body.contentType === undefined ? {} : { contentType: body.contentType })
  })
}

/** The JSON object of a JSON route (`{}` for multipart routes), or the error to answer. */
const parseBody = (
  kind: Route.Route<unknown>["body"],
  family: Route.Route<unknown>["family"],
  body: Body,
  text: string,
  maxUploadBytes: number
): Either.Either<Json.JsonObject, ApiError.ApiError | ApiError.StorageError> => {
  if (kind === "multipart") {
    return body.tooLarge
      ? Either.left(ApiError.storageInvalid(`file is larger than ${maxUploadBytes} bytes`))
      : Either.right({})
  }
  if (body.tooLarge) return Either.left(ApiError.invalidJson("request body too large"))
  return Json.parse(text).pipe(
    Either.mapLeft((message) => ApiError.invalidJson(`request body is not valid JSON: ${message}`)),
    Either.filterOrLeft(Json.isObject, () => ApiError.invalidJson("request body must be a JSON object")),
    // a value nested too deeply could be stored but not served back: refuse it before any handler runs
    Either.flatMap((object) =>
      Either.mapLeft(
        Validate.maxDepth(object),
        (error): ApiError.ApiError | ApiError.StorageError =>
          family === "storage" ? ApiError.storageInvalid(error.message) : error
      )
    )
  )
}

/**
 * The request path without its query, duplicate slashes collapsed.
 *
 * @since 0.1.0
 * @category utils
 */
export const splitUrl = (url: string): { readonly path: string; readonly query: string } => {
  const index = url.indexOf("?")
  const rawPath = index < 0 ? url : url.slice(0, index)
  return { path: Faults.normalizePath(rawPath === "" ? "/" : rawPath), query: index < 0 ? "" : url.slice(index + 1) }
}

/** The answer of a fault that answers in the route's place (a status or a malformed body). */
const faultAnswer = (fault: Faults.StatusFault | Faults.MalformedFault): HttpServerResponse.HttpServerResponse =>
  fault._tag === "Status"
    ? injectedStatus(fault)
    : HttpServerResponse.text(fault.body, {
      status: fault.status,
      contentType: "application/json; charset=utf-8"
    })

/**
 * Answers one request with `routes`, given the router's services (resolved once by {@link handler}).
 *
 * Written as a chain of `flatMap`s rather than generators: this runs for every request, and each
 * generator layer costs an iterator and a step per `yield*`.
 */
const handle = <R>(
  table: ReadonlyMap<string, Route.Route<R>>,
  store: Store.Service,
  config: EmulatorConfig.Resolved,
  faults: Faults.Service,
  authorize: (headers: Headers.Headers) => boolean,
  request: Request
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> =>
  Effect.flatMap(Clock.currentTimeMillis, (startedAt) => {
    const echoed = request.headers["x-appbuilder-request-id"]
    const requestId = echoed !== undefined && echoed.trim() !== "" ? echoed : Store.Ids.requestId()
    const { path, query } = splitUrl(request.url)
    const route = request.method === "POST" ? table.get(path) : undefined
    const limit = route?.body === "multipart" ? config.maxUploadBytes + MULTIPART_OVERHEAD : JSON_BODY_LIMIT
    return Effect.flatMap(request.readBody(limit), (body) => {
      // decoded once: kept in the request log and parsed (JSON routes)
      const text = route?.body === "multipart" ? `<multipart ${body.total} bytes>` : decoder.decode(body.bytes)
      const entry: Store.RequestLogEntry = {
        method: request.method,
        path,
        query,
        requestId,
        headers: redactHeaders(request.headers),
        body: text,
        status: 0,
        errorCode: undefined,
        at: startedAt
      }
      store.requests.push(entry)

      const fail = (error: ApiError.ApiError | ApiError.StorageError) => {
        entry.errorCode = error.code
        return errorResponse(error, requestId)
      }

      const answer = (
        route: Route.Route<R>,
        plan: Faults.Plan
      ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> => {
        if (Option.isSome(plan.answer)) {
          entry.errorCode = "injected_fault"
          return Effect.succeed(faultAnswer(plan.answer.value))
        }
        if (!authorize(request.headers)) {
          return Effect.succeed(fail(ApiError.unauthorized("missing or invalid Authorization header")))
        }
        const json = parseBody(route.body, route.family, body, text, config.maxUploadBytes)
        if (Either.isLeft(json)) return Effect.succeed(fail(json.left))
        const handled = Effect.catchAll(
          route.handler({ body: json.right, request, requestId, bytes: body.bytes }),
          (error) => Effect.succeed(fail(error))
        )
        const dropAfter = plan.dropAfter
        return Option.isNone(dropAfter)
          ? handled
          : Effect.map(handled, (response) => dropBody(response, dropAfter.value, request.source))
      }

      const respond: Effect.Effect<HttpServerResponse.HttpServerResponse, never, R> = route === undefined
        ? Effect.sync(() => fail(ApiError.unknownPath(path)))
        : Effect.flatMap(faults.take(path), (plan) =>
          Duration.greaterThan(plan.latency, Duration.zero)
            ? Effect.zipRight(Effect.sleep(plan.latency), Effect.suspend(() => answer(route, plan)))
            : answer(route, plan))

      return Effect.map(
        Effect.catchAllCause(respond, (cause) =>
          Effect.logDebug("emulator handler defect", cause).pipe(
            Effect.as(fail(ApiError.internal("internal error")))
          )),
        (response) => {
          entry.status = response.status
          return HttpServerResponse.setHeader(response, "x-appbuilder-request-id", requestId)
        }
      )
    })
  })

/**
 * The function answering requests with `routes`, built with the router's services of the context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const handler = <R>(
  routes: ReadonlyArray<Route.Route<R>>
): Effect.Effect<
  (request: Request) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>,
  never,
  Requirements
> => {
  const table = new Map(routes.map((route) => [route.path, route] as const))
  return Effect.map(
    Effect.all([Store.Store, EmulatorConfig.EmulatorConfig, Faults.Faults]),
    ([store, config, faults]) => {
      const authorize = authorizer(config.token)
      return (request) => handle(table, store, config, faults, authorize, request)
    }
  )
}

/**
 * Builds the HTTP application serving `routes`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <R>(
  routes: ReadonlyArray<Route.Route<R>>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  R | Requirements | HttpServerRequest.HttpServerRequest
> => {
  const answer = handler(routes)
  return Effect.flatMap(
    HttpServerRequest.HttpServerRequest,
    (request) => Effect.flatMap(answer, (respond) => respond(fromServerRequest(request)))
  )
}

/**
 * The app serving `routes`, built with the services of the layer's context. The app is registered with
 * its direct entry point (see {@link DirectApp}): a server runs it on the Node request, in a runtime
 * merging the server's with the services of this layer's context, built once per server.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = <R>(routes: ReadonlyArray<Route.Route<R>>): Layer.Layer<Server.App, never, R | Requirements> =>
  Layer.effect(
    Server.App,
    Effect.gen(function*() {
      const context = yield* Effect.context<R | Requirements>()
      const respond = yield* handler(routes)
      const app = Effect.provide(
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => respond(fromServerRequest(request))),
        context
      )
      return DirectApp.register(app, (runtime, shutdown) => {
        const run = Runtime.runFork(Runtime.make({
          context: Context.add(Context.merge(runtime.context, context), ServerShutdown, shutdown),
          fiberRefs: runtime.fiberRefs,
          runtimeFlags: runtime.runtimeFlags
        }))
        return (request, around) => {
          const info = fromNode(request)
          return run(around(info, respond(info)))
        }
      })
    })
  )
