/**
 * Replays every request the official Python client sends (spec fixtures), in order and byte for byte:
 * same body text, same headers. Placeholder ids are replaced by the ids of real resources: created
 * beforehand (the first assistants, thread, message and file), taken from the answers of the setup
 * requests (threads), or from the runs the replay starts. Streamed runs stay open while the next
 * fixture (submit_tool_outputs / cancel) is sent on another request, as the official client does.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import * as Emulator from "../src/Emulator.js"
import { loadFixtures } from "./utils/fixtures.js"
import type { FixtureRequest } from "./utils/fixtures.js"
import { BASE, call, execute, isRecord, json, str, upload } from "./utils/http.js"
import type { JsonRecord } from "./utils/http.js"

const fixtures = loadFixtures()

const PLACEHOLDER = /\b(?:asst|thread|msg|run|step|file)_(?:[0-9a-f]{32}|x)\b/g
const placeholder = (kind: string, n: number) => `${kind}_${String(n).padStart(32, "0")}`

/** Which run placeholder the run started by a fixture stands for (the capture's numbering). */
const RUN_OF_LABEL: Readonly<Record<string, string>> = {
  "runs.run[defaults]": placeholder("run", 1),
  "runs.run[funccall_first]": placeholder("run", 2),
  "runs.stream_run[funccall]": placeholder("run", 5),
  "runs.stream_run_with_handler[funccall]": placeholder("run", 6),
  "runs.stream_run[cancelled]": placeholder("run", 7)
}

const substitute = (text: string, map: ReadonlyMap<string, string>): string =>
  text.replace(PLACEHOLDER, (id) => map.get(id) ?? id)

const request = (fixture: FixtureRequest, map: ReadonlyMap<string, string>) => {
  const query = Object.entries(fixture.query).flatMap(([k, vs]) => vs.map((v) => `${k}=${encodeURIComponent(v)}`))
  const url = `${BASE}${fixture.path}${query.length > 0 ? `?${query.join("&")}` : ""}`
  const contentType = fixture.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "application/json"
  const headers = Object.fromEntries(fixture.headers.filter(([k]) => k.toLowerCase() !== "content-type"))
  return HttpClientRequest.make("POST")(url).pipe(
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.bodyUint8Array(new TextEncoder().encode(substitute(fixture.body_text, map)), contentType)
  )
}

const requestIdOf = (fixture: FixtureRequest) => fixture.headers.find(([k]) => k === "X-Appbuilder-Request-Id")?.[1]

interface Event {
  readonly event: string
  readonly data: JsonRecord
}

const parseEvent = (text: string): Event => {
  const match = /^event: (\w+)\ndata: (.*)\n\n$/.exec(text)
  if (match === null) throw new Error(`not exactly one SSE event: ${JSON.stringify(text)}`)
  const data: unknown = JSON.parse(match[2]!)
  if (!isRecord(data)) throw new Error(`bad data: ${text}`)
  return { event: match[1]!, data }
}

interface OpenStream {
  readonly events: Queue.Queue<Event | "end">
  readonly fiber: Fiber.RuntimeFiber<void, unknown>
}

/** Sends a streamed-run fixture; its events (one per HTTP chunk) are queued as they arrive. */
const openStream = (fixture: FixtureRequest, map: ReadonlyMap<string, string>) =>
  Effect.gen(function*() {
    const events = yield* Queue.unbounded<Event | "end">()
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request(fixture, map))
    assert.strictEqual(response.status, 200, fixture.label)
    assert.strictEqual(response.headers["content-type"], "text/event-stream; charset=utf-8", fixture.label)
    assert.strictEqual(response.headers["x-appbuilder-request-id"], requestIdOf(fixture), fixture.label)
    const fiber = yield* response.stream.pipe(
      Stream.runForEach((chunk) => Queue.offer(events, parseEvent(new TextDecoder().decode(chunk)))),
      Effect.zipRight(Queue.offer(events, "end")),
      Effect.asVoid,
      Effect.forkScoped
    )
    return { events, fiber } satisfies OpenStream
  })

/** Takes events until one satisfies `predicate`; returns it. */
const takeUntil = (stream: OpenStream, predicate: (event: Event) => boolean) =>
  Effect.gen(function*() {
    for (;;) {
      const event = yield* Queue.take(stream.events)
      if (event === "end") throw new Error("the stream ended early")
      if (predicate(event)) return event
    }
  })

const isRunEnd = (event: Event) => event.data["event_type"] === "run_end"

const runIdOf = (event: Event): string => {
  const details = event.data["details"]
  const run = isRecord(details) ? details["run_object"] : undefined
  return isRecord(run) ? str(run, "id") : ""
}

describe("official client fixtures", () => {
  it("covers every fixture line", () => {
    assert.strictEqual(fixtures.length, 60)
  })

  it.scoped("every request of the official client is accepted, in order", () =>
    Effect.gen(function*() {
      const map = new Map<string, string>([[placeholder("step", 1), "step-1"]])
      // resources the first fixtures refer to
      const file = str(json(yield* upload("capture_upload.txt", "hello conformance")), "id")
      map.set(placeholder("file", 1), file).set("file_x", file)
      const minimal = fixtures.find((f) => f.label === "assistants.create[minimal]")!
      const withTool = fixtures.find((f) => f.label === "assistants.create[function_tool]")!
      map.set(placeholder("asst", 1), str(json(yield* execute(request(minimal, map))), "id"))
      map.set(placeholder("asst", 2), str(json(yield* execute(request(withTool, map))), "id"))
      const thread = str(yield* call("/v2/threads", { messages: [] }), "id")
      map.set(placeholder("thread", 2), thread)
      const message = yield* call("/v2/threads/messages", {
        thread_id: thread,
        role: "user",
        content: "hi",
        file_ids: []
      })
      map.set(placeholder("msg", 3), str(message, "id"))

      let open: OpenStream | undefined
      for (const [index, fixture] of fixtures.entries()) {
        const next = fixtures[index + 1]
        if (fixture.label === "runs.stream_run[text]") {
          // the blocking run before answered the last user message: the thread needs a new one
          yield* call("/v2/threads/messages", { thread_id: thread, role: "user", content: "again", file_ids: [] })
        }
        if (fixture.body_text.includes("\"stream\": true")) {
          const stream = yield* openStream(fixture, map)
          const begin = yield* takeUntil(stream, () => true)
          assert.strictEqual(begin.data["event_type"], "run_begin", fixture.label)
          const runPlaceholder = RUN_OF_LABEL[fixture.label]
          if (runPlaceholder !== undefined) map.set(runPlaceholder, runIdOf(begin))
          if (next?.path === "/v2/threads/runs/submit_tool_outputs") {
            const calls = yield* takeUntil(stream, (e) => e.data["event_type"] === "tool_calls")
            assert.strictEqual(calls.data["status"], "requires_action")
            open = stream
          } else if (next?.path === "/v2/threads/runs/cancel") {
            open = stream
          } else {
            const end = yield* takeUntil(stream, isRunEnd)
            assert.strictEqual(end.data["status"], "completed", fixture.label)
            assert.strictEqual(yield* Queue.take(stream.events), "end")
          }
          continue
        }
        const response = yield* execute(request(fixture, map))
        assert.strictEqual(response.status, 200, `${fixture.label}: ${response.text}`)
        assert.strictEqual(response.headers["x-appbuilder-request-id"], requestIdOf(fixture), fixture.label)
        if (fixture.path === "/v2/storage/files/download" || fixture.path === "/v2/storage/files/content") continue
        const body = json(response)
        assert.isUndefined(body["error"], `${fixture.label}: ${response.text}`)
        if (fixture.path.startsWith("/v2/storage")) {
          assert.isUndefined(body["code"], `${fixture.label}: ${response.text}`)
        }
        const runPlaceholder = RUN_OF_LABEL[fixture.label]
        if (runPlaceholder !== undefined) map.set(runPlaceholder, str(body, "id"))
        if (fixture.label === "runs.run[funccall_first]") assert.strictEqual(body["status"], "requires_action")
        if (fixture.label === "runs.run[tool_output]") {
          assert.strictEqual(body["status"], "completed")
          assert.strictEqual(body["id"], map.get(placeholder("run", 2)))
        }
        if (fixture.label.startsWith("(setup") && fixture.path === "/v2/threads" && next !== undefined) {
          const unmapped = (next.body_text.match(PLACEHOLDER) ?? []).find((id) =>
            id.startsWith("thread_") && !map.has(id)
          )
          if (unmapped !== undefined) map.set(unmapped, str(body, "id"))
        }
        if (open !== undefined) {
          // the stream left open by the previous fixture ends now
          const end = yield* takeUntil(open, isRunEnd)
          const expected = fixture.path.endsWith("/cancel") ? ["cancelled", "completed"] : ["completed"]
          assert.include(expected, end.data["status"], fixture.label)
          assert.strictEqual(yield* Queue.take(open.events), "end")
          yield* Fiber.join(open.fiber)
          open = undefined
        }
      }
      assert.isUndefined(open)
    }).pipe(Effect.provide(Emulator.layer())))
})
