/**
 * The command line paces streamed answers like a model, so that the official client's cancel scenario
 * (cancel right after the first event that follows `queued`) reaches a run that is still producing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Cli from "../src/Cli.js"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as Server from "../src/Server.js"

const AUTH = { authorization: "Bearer pacing-token", "content-type": "application/json" }

interface Event {
  readonly event: string
  readonly data: Record<string, unknown>
}

const object = (u: unknown): Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? Object.fromEntries(Object.entries(u)) : {}

/** Streams a run, cancels it right after the first event that follows `queued`, reads to the end. */
const cancelAfterQueued = (url: string) =>
  Effect.promise(async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: "POST", headers: AUTH, body: JSON.stringify(body) })
    const assistant = object(
      await (await post("/v2/assistants", { model: "ERNIE-4.0T-8K", name: "pacing", instructions: "i" })).json()
    )
    const response = await post("/v2/threads/runs", {
      assistant_id: assistant["id"],
      thread: { messages: [{ role: "user", content: "请给我讲一个关于长城的故事，越详细越好，谢谢你！" }] },
      stream: true
    })
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    const events: Array<Event> = []
    let buffer = ""
    let cancelled: Promise<Response> | undefined
    let ids: { thread_id: unknown; run_id: unknown } | undefined
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const [eventLine, dataLine] = buffer.slice(0, end).split("\n")
        buffer = buffer.slice(end + 2)
        const event = { event: eventLine!.slice(7), data: object(JSON.parse(dataLine!.slice(6))) }
        if (event.event === "ping") continue
        events.push(event)
        if (ids === undefined && event.data["status"] === "queued") {
          const run = object(object(event.data["details"])["run_object"])
          ids = { thread_id: run["thread_id"], run_id: run["id"] }
        } else if (ids !== undefined && cancelled === undefined) {
          cancelled = post("/v2/threads/runs/cancel", ids)
        }
      }
    }
    await cancelled
    return events
  })

describe("pacing", () => {
  it("the command's default pause between chunks is realistic (20–50 ms)", () => {
    const millis = Duration.toMillis(Cli.DEFAULT_CHUNK_DELAY)
    assert.isAtLeast(millis, 20)
    assert.isAtMost(millis, 50)
  })

  it.live(
    "cancelling after the first event that follows queued ends cancelled at the command's pace",
    () =>
      Effect.gen(function*() {
        const { url } = yield* Server.EmulatorServer
        const events = yield* cancelAfterQueued(url)
        const last = events[events.length - 1]!
        assert.strictEqual(last.data["event_type"], "run_end")
        assert.strictEqual(last.data["status"], "cancelled")
        assert.isTrue(events.some((e) => e.data["event_type"] === "run_cancelling"))
        const runs = yield* (yield* EmulatorState.EmulatorState).runs()
        assert.deepStrictEqual(runs.map((run) => run.status), ["cancelled"])
      }).pipe(
        Effect.provide(Emulator.layerServer({ token: "pacing-token", chunkDelay: Cli.DEFAULT_CHUNK_DELAY }))
      ),
    10_000
  )
})
