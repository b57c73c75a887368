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

interface ToolCallWire {
  readonly id: string
  readonly function: { readonly name: string; readonly arguments: string }
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
  options: {
    readonly assistantId: string
    readonly message: string
    readonly tools: ReadonlyArray<unknown>
    readonly answer: (name: string, args: Record<string, unknown>) => string
  }
): Effect.Effect<number, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const thread = (yield* postJson(client, target, "/v2/threads", {
      messages: [{ role: "user", content: options.message }]
    })) as { readonly id: string }
    let runId = ""
    let events = 0
    // the submissions the parser found in the last chunk, sent before the next one is read (the run's
    // stream has nothing more to say until they arrive)
    let pending: Array<{ tool_call_id: string; output: string }> = []
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        if (event.event === "ping") return
        events++
        const data = JSON.parse(event.data) as Record<string, unknown>
        const details = data["details"] as Record<string, unknown> | undefined
        if (data["event_type"] === "run_begin") {
          runId = (details?.["run_object"] as { id: string }).id
        } else if (data["event_type"] === "tool_calls") {
          for (const call of details?.["tool_calls"] as ReadonlyArray<ToolCallWire>) {
            pending.push({
              tool_call_id: call.id,
              output: options.answer(call.function.name, JSON.parse(call.function.arguments) as Record<string, unknown>)
            })
          }
        }
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
      const outputs = pending
      pending = []
      return postJson(client, target, "/v2/threads/runs/submit_tool_outputs", {
        thread_id: thread.id,
        run_id: runId,
        tool_outputs: outputs
      })
    })
    parser.feed(decoder.decode())
    return events
  })
