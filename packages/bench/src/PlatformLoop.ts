/**
 * The floor under the SDK's per-loop figure: the same requests as the bare baseline loop (see
 * {@link BaselineUndici.toolLoop}) made through `@effect/platform`'s `HttpClient` over the same
 * transport (`NodeHttpClient.layerUndici`), with nothing of the SDK: no validation, no retries, no
 * timeouts, no Schema, the events read with `eventsource-parser` and `JSON.parse` as the baseline does.
 * What this loop costs above the bare one is the HttpClient's own price (its request and response
 * objects, abort controller, span and the Effect runtime under it), which any client built on it pays.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { createParser, type EventSourceMessage } from "eventsource-parser"
import * as BaselineUndici from "./BaselineUndici.js"

/**
 * Where and as whom to call the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  readonly token: string
}

const request = (target: Target, path: string, body: unknown) =>
  HttpClientRequest.post(`${target.origin}${path}`).pipe(
    HttpClientRequest.setHeaders({
      authorization: `Bearer ${target.token}`,
      "x-appbuilder-authorization": `Bearer ${target.token}`
    }),
    HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
  )

const postJson = (client: HttpClient.HttpClient, target: Target, path: string, body: unknown) =>
  Effect.flatMap(client.execute(request(target, path, body)), (response) => response.json)

/**
 * One streamed tool loop: create a thread, stream a run with `tools`, answer each `tool_calls` event
 * with `submit_tool_outputs`, read the stream to its end. Succeeds with the number of events.
 *
 * @since 0.1.0
 * @category loops
 */
export const toolLoop = (
  target: Target,
  options: BaselineUndici.LoopOptions
): Effect.Effect<number, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const thread = (yield* postJson(client, target, "/v2/threads", {
      messages: [{ role: "user", content: options.message }]
    })) as { readonly id: string }
    const loop = BaselineUndici.loopEvents(options, thread.id)
    // the submissions the parser found in the last chunk, sent before the next one is read (the run's
    // stream has nothing more to say until they arrive)
    let pending: Array<Record<string, unknown>> = []
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (event.event === "ping") return
        const submit = loop.onEvent(JSON.parse(event.data) as Record<string, unknown>)
        if (submit !== undefined) pending.push(submit)
      }
    })
    const decoder = new TextDecoder()
    const response = yield* client.execute(request(target, "/v2/threads/runs", {
      assistant_id: options.assistantId,
      thread_id: thread.id,
      tools: options.tools,
      stream: true
    }))
    yield* Stream.runForEach(response.stream, (bytes) => {
      parser.feed(decoder.decode(bytes, { stream: true }))
      if (pending.length === 0) return Effect.void
      const submits = pending
      pending = []
      return Effect.forEach(
        submits,
        (submit) => postJson(client, target, "/v2/threads/runs/submit_tool_outputs", submit),
        { discard: true }
      )
    })
    parser.feed(decoder.decode())
    return loop.events()
  })
