/**
 * The minimal baseline: plain `fetch`, `eventsource-parser`, `JSON.parse`. No Effect.
 *
 * @since 0.1.0
 */
import { createParser } from "eventsource-parser"

/**
 * Counts the `message` and `status` events of one streamed run; resolves when the body ends.
 *
 * @since 0.1.0
 * @category benchmarks
 */
export const streamRun = async (
  baseUrl: string,
  token: string,
  body: Record<string, unknown>
): Promise<number> => {
  const response = await fetch(`${baseUrl}/v2/threads/runs`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-appbuilder-authorization": `Bearer ${token}`
    },
    body: JSON.stringify({ ...body, stream: true })
  })
  if (response.status !== 200 || response.body === null) {
    throw new Error(`baseline: unexpected status ${response.status}`)
  }
  let events = 0
  let textLength = 0
  const parser = createParser({
    onEvent: (event) => {
      if (event.event === "ping") return
      const payload = JSON.parse(event.data) as { content?: Array<{ text?: { value?: string } }> }
      textLength += payload.content?.[0]?.text?.value?.length ?? 0
      events++
    }
  })
  const decoder = new TextDecoder()
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    parser.feed(decoder.decode(value, { stream: true }))
  }
  parser.feed(decoder.decode())
  return textLength >= 0 ? events : 0
}
