/**
 * The bare baselines over undici, the transport of `NodeHttpClient.layerUndici`: `Dispatcher.request`,
 * `eventsource-parser` and `JSON.parse`. No Effect, no validation beyond what the count needs: this is
 * the least a client can do, the yardstick of the SDK's CPU per event and per loop.
 *
 * @since 0.1.0
 */
import { createParser, type EventSourceMessage } from "eventsource-parser"
import type * as Undici from "undici"

/**
 * Where and as whom to call the emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Target {
  readonly dispatcher: Undici.Dispatcher
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  readonly token: string
}

const headers = (token: string) => ({
  "content-type": "application/json",
  authorization: `Bearer ${token}`,
  "x-appbuilder-authorization": `Bearer ${token}`
})

const post = (target: Target, path: string, body: unknown) =>
  target.dispatcher.request({
    origin: target.origin,
    path,
    method: "POST",
    headers: headers(target.token),
    body: JSON.stringify(body),
    headersTimeout: 0,
    bodyTimeout: 0
  })

/**
 * A JSON call; throws on a status other than 200.
 *
 * @since 0.1.0
 * @category requests
 */
export const postJson = async (target: Target, path: string, body: unknown): Promise<Record<string, unknown>> => {
  const response = await post(target, path, body)
  const text = await response.body.text()
  if (response.statusCode !== 200) throw new Error(`${path}: status ${response.statusCode}: ${text.slice(0, 200)}`)
  return JSON.parse(text) as Record<string, unknown>
}

/**
 * Streams one run (`stream: true`) and hands every event but pings to `onEvent`, parsed; resolves when
 * the body ends.
 *
 * @since 0.1.0
 * @category requests
 */
export const stream = async (
  target: Target,
  body: Record<string, unknown>,
  onEvent: (type: string, data: Record<string, unknown>) => void
): Promise<void> => {
  const response = await post(target, "/v2/threads/runs", { ...body, stream: true })
  if (response.statusCode !== 200) {
    const text = await response.body.text()
    throw new Error(`baseline (undici): status ${response.statusCode}: ${text.slice(0, 200)}`)
  }
  const parser = createParser({
    onEvent: (event: EventSourceMessage) => {
      if (event.event === "ping") return
      onEvent(event.event ?? "message", JSON.parse(event.data) as Record<string, unknown>)
    }
  })
  const decoder = new TextDecoder()
  for await (const bytes of response.body) parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }))
  parser.feed(decoder.decode())
}

/**
 * Counts the events of one streamed run (pings excluded), reading the message text as a client would.
 *
 * @since 0.1.0
 * @category requests
 */
export const streamRun = async (target: Target, body: Record<string, unknown>): Promise<number> => {
  let events = 0
  let textLength = 0
  await stream(target, body, (_type, data) => {
    const content = data["content"] as Array<{ text?: { value?: string } }> | undefined
    textLength += content?.[0]?.text?.value?.length ?? 0
    events++
  })
  return textLength >= 0 ? events : 0
}

/**
 * One tool loop: the assistant, the user's message, the tool definitions sent with the run, and the
 * answer to a tool call (by the tool's name and its parsed arguments).
 *
 * @since 0.1.0
 * @category models
 */
export interface LoopOptions {
  readonly assistantId: string
  readonly message: string
  readonly tools: ReadonlyArray<unknown>
  readonly answer: (name: string, args: Record<string, unknown>) => string
}

interface ToolCallWire {
  readonly id: string
  readonly function: { readonly name: string; readonly arguments: string }
}

/**
 * The client's side of one loop's events (shared by the bare and the platform loops): counts them,
 * remembers the run's id and, for a `tool_calls` event, gives the `submit_tool_outputs` body that
 * answers it (`undefined` for any other event).
 *
 * @since 0.1.0
 * @category requests
 */
export const loopEvents = (options: LoopOptions, threadId: string): {
  readonly events: () => number
  readonly onEvent: (data: Record<string, unknown>) => Record<string, unknown> | undefined
} => {
  let runId = ""
  let events = 0
  return {
    events: () => events,
    onEvent: (data) => {
      events++
      const details = data["details"] as Record<string, unknown> | undefined
      if (data["event_type"] === "run_begin") {
        runId = (details?.["run_object"] as { id: string }).id
        return undefined
      }
      if (data["event_type"] !== "tool_calls") return undefined
      const calls = details?.["tool_calls"] as ReadonlyArray<ToolCallWire>
      return {
        thread_id: threadId,
        run_id: runId,
        tool_outputs: calls.map((call) => ({
          tool_call_id: call.id,
          output: options.answer(call.function.name, JSON.parse(call.function.arguments) as Record<string, unknown>)
        }))
      }
    }
  }
}

/**
 * One streamed tool loop, the same requests as `ToolLoop.run` after `Threads.create`: create a thread
 * with `message`, stream a run with `tools`, answer each `tool_calls` event with `submit_tool_outputs`
 * (the output from `answer`), read the stream to its end. Resolves with the number of events.
 *
 * @since 0.1.0
 * @category requests
 */
export const toolLoop = async (target: Target, options: LoopOptions): Promise<number> => {
  const thread = await postJson(target, "/v2/threads", { messages: [{ role: "user", content: options.message }] })
  const threadId = thread["id"] as string
  const loop = loopEvents(options, threadId)
  const submits: Array<Promise<unknown>> = []
  await stream(
    target,
    { assistant_id: options.assistantId, thread_id: threadId, tools: options.tools },
    (_type, data) => {
      const submit = loop.onEvent(data)
      if (submit !== undefined) submits.push(postJson(target, "/v2/threads/runs/submit_tool_outputs", submit))
    }
  )
  await Promise.all(submits)
  return loop.events()
}
