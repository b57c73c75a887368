/**
 * A scripted `HttpClient` for SDK tests: records every request and answers with a handler.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"

export const TOKEN = "bce-v3/ALTAK-test/s3cr3t-t0ken-value"

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly path: string
  readonly query: URLSearchParams
  readonly headers: Readonly<Record<string, string>>
  readonly bytes: Uint8Array
  readonly text: string
  readonly json: unknown
}

export type Reply = Response | "transport-error"

export type Handler = (request: Recorded, index: number) => Effect.Effect<Reply> | Reply

export const json = (body: unknown, init: ResponseInit = {}): Response =>
  new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { "content-type": "application/json; charset=utf-8", ...(init.headers ?? {}) }
  })

export const text = (body: string, status: number, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers })

const decoder = new TextDecoder()

export interface Mock {
  readonly requests: Ref.Ref<ReadonlyArray<Recorded>>
  readonly client: HttpClient.HttpClient
}

export const makeMock = (handler: Handler): Effect.Effect<Mock> =>
  Effect.gen(function*() {
    const requests = yield* Ref.make<ReadonlyArray<Recorded>>([])
    const client = HttpClient.make((request, url) =>
      Effect.gen(function*() {
        const body = request.body
        const bytes = body._tag === "Uint8Array" ? body.body : new Uint8Array(0)
        const text = decoder.decode(bytes)
        let parsed: unknown = undefined
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = undefined
        }
        const recorded: Recorded = {
          method: request.method,
          url: url.toString(),
          path: url.pathname,
          query: url.searchParams,
          headers: request.headers,
          bytes,
          text,
          json: parsed
        }
        const index = (yield* Ref.getAndUpdate(requests, (list) => [...list, recorded])).length
        const result = handler(recorded, index)
        const reply = Effect.isEffect(result) ? yield* result : result
        if (reply === "transport-error") {
          return yield* new HttpClientError.RequestError({
            request,
            reason: "Transport",
            cause: new Error("connection refused")
          })
        }
        return HttpClientResponse.fromWeb(request, reply)
      })
    )
    return { requests, client }
  })

export const layerWith = (
  mock: Mock,
  options: Partial<AppBuilderClient.Options> = {}
) =>
  AppBuilder.layer({ token: Redacted.make(TOKEN), baseUrl: "http://mock.test", ...options }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, mock.client)),
    Layer.orDie
  )

/** Runs `effect` with the SDK over a mock answering with `handler`; returns the result and the requests. */
export const withMock = <A, E, R>(
  handler: Handler,
  effect: Effect.Effect<A, E, R>,
  options: Partial<AppBuilderClient.Options> = {}
) =>
  Effect.gen(function*() {
    const mock = yield* makeMock(handler)
    const exit = yield* effect.pipe(Effect.provide(layerWith(mock, options)), Effect.exit)
    const requests = yield* Ref.get(mock.requests)
    return { exit, requests }
  })
