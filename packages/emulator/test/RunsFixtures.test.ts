/**
 * Replays the run-related requests of the official Python client (spec fixtures) byte for byte — same
 * body text, same headers — with the placeholder ids replaced by real ones, following the official
 * tests' flows (a stream paused at tool_calls is answered by the next submit_tool_outputs request, a
 * cancel lands while its stream is open).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Emulator from "../src/Emulator.js"
import * as ScriptedModel from "../src/ScriptedModel.js"
import { type FixtureRequest, loadFixtures } from "./utils/fixtures.js"
import { BASE, execute, isRecord, json } from "./utils/http.js"
import { addMessage, createAssistant, createThread, pickString, WEATHER_TOOL } from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

const isRunFixture = (f: FixtureRequest) =>
  f.path.startsWith("/v2/threads/runs") ||
  (f.label.startsWith("(setup") && f.path === "/v2/threads/messages")

const placeholder = (kind: string, n: number) => `${kind}_${String(n).padStart(32, "0")}`

/** Which run placeholder the answer of each run fixture defines. */
const RUN_OF_LABEL: Readonly<Record<string, string>> = {
  "runs.run[defaults]": placeholder("run", 1),
  "runs.run[funccall_first]": placeholder("run", 2),
  "runs.stream_run[funccall]": placeholder("run", 5),
  "runs.stream_run_with_handler[funccall]": placeholder("run", 6),
  "runs.stream_run[cancelled]": placeholder("run", 7)
}

const substitute = (text: string, map: ReadonlyMap<string, string>): string =>
  text.replace(/\b(?:asst|thread|msg|run|step|file)_[0-9a-f]{32}\b/g, (id) => map.get(id) ?? id)

const request = (fixture: FixtureRequest, map: ReadonlyMap<string, string>) => {
  const contentType = fixture.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "application/json"
  const headers = Object.fromEntries(fixture.headers.filter(([k]) => k.toLowerCase() !== "content-type"))
  return HttpClientRequest.make("POST")(`${BASE}${fixture.path}`).pipe(
    HttpClientRequest.setHeaders(headers),
    HttpClientRequest.bodyUint8Array(new TextEncoder().encode(substitute(fixture.body_text, map)), contentType)
  )
}

/** The default rules, thinking for a second on "long story" so that the cancel lands mid-run. */
const script = ScriptedModel.Script.make((input) =>
  Effect.sync(() => {
    const decision = ScriptedModel.decide(input)
    const last = input.messages[input.messages.length - 1]?.content ?? ""
    return last.includes("long story") ? { ...decision, delay: Duration.seconds(1) } : decision
  })
)

describe("official client fixtures: runs", () => {
  it.scoped("every run request of the official client is accepted", () =>
    Effect.gen(function*() {
      const fixtures = loadFixtures().filter(isRunFixture)
      assert.strictEqual(fixtures.filter((f) => !f.label.startsWith("(setup")).length, 17)
      const map = new Map<string, string>()
      map.set(placeholder("asst", 1), yield* createAssistant())
      map.set(
        placeholder("asst", 2),
        yield* createAssistant({ instructions: "请用友善的语气回答问题", tools: [WEATHER_TOOL] })
      )
      for (const n of [2, 4, 6, 7, 8]) map.set(placeholder("thread", n), yield* createThread())
      map.set(placeholder("step", 1), "step-1")
      const thread2 = map.get(placeholder("thread", 2))!
      let open: Sse.OpenStream | undefined = undefined
      const seen: Array<string> = []
      for (const fixture of fixtures) {
        seen.push(fixture.label)
        if (
          fixture.body_text.includes(placeholder("thread", 2)) && fixture.label.startsWith("runs.") &&
          (fixture.label.includes("run[defaults]") || fixture.label.includes("stream_run[text]"))
        ) {
          yield* addMessage(thread2, "hello world")
        }
        const isStream = fixture.path === "/v2/threads/runs" && fixture.body_text.includes("\"stream\": true")
        if (isStream) {
          const stream = yield* Sse.openRequest(request(fixture, map))
          assert.strictEqual(stream.status, 200, fixture.label)
          assert.strictEqual(stream.headers["content-type"], "text/event-stream; charset=utf-8", fixture.label)
          const first = yield* Sse.take(stream)
          const runId = pickString(Sse.dataOf(first), "details", "run_object", "id")
          const key = RUN_OF_LABEL[fixture.label]
          if (key !== undefined) map.set(key, runId)
          if (fixture.label.includes("funccall")) {
            // read up to tool_calls: the next fixture submits the outputs
            while (Sse.dataOf(yield* Sse.take(stream))["event_type"] !== "tool_calls") {
              // waiting
            }
            open = stream
          } else if (fixture.label.includes("cancelled")) {
            open = stream
          } else {
            const events = [first, ...(yield* stream.rest)]
            assert.strictEqual(Sse.checkGrammar(events).at(-1), "run_end", fixture.label)
          }
          continue
        }
        const response = yield* execute(request(fixture, map))
        assert.strictEqual(response.status, 200, `${fixture.label}: ${response.text}`)
        const body = json(response)
        assert.isUndefined(body["error"], `${fixture.label}: ${response.text}`)
        const key = RUN_OF_LABEL[fixture.label]
        if (key !== undefined) map.set(key, pickString(body, "id"))
        if (fixture.label === "runs.run[funccall_first]") assert.strictEqual(body["status"], "requires_action")
        if (fixture.label === "runs.run[tool_output]") assert.strictEqual(body["status"], "completed")
        if (fixture.label.startsWith("runs.run[")) assert.strictEqual(body["object"], "run.result", fixture.label)
        if (fixture.label.startsWith("runs.submit_tool_outputs")) assert.strictEqual(body["status"], "in_progress")
        if (fixture.label === "runs.cancel") assert.strictEqual(body["status"], "cancelling")
        if (fixture.label === "runs.cancel[sync=True]") assert.strictEqual(body["status"], "completed")
        if (fixture.label === "steps.query") assert.strictEqual(body["id"], "step-1")
        if (fixture.label === "runs.list[defaults]") {
          const data = body["data"]
          assert.isTrue(Array.isArray(data) && data.length === 2 && data.every(isRecord))
        }
        if (
          open !== undefined &&
          (fixture.label.startsWith("runs.submit_tool_outputs") || fixture.label === "runs.cancel")
        ) {
          const rest = yield* open.rest
          const last = Sse.dataOf(rest[rest.length - 1]!)
          assert.strictEqual(last["status"], fixture.label === "runs.cancel" ? "cancelled" : "completed", fixture.label)
          assert.isTrue(Option.isNone(yield* open.next))
          open = undefined
        }
      }
      assert.isUndefined(open)
      assert.strictEqual(seen.length, fixtures.length)
    }).pipe(Effect.provide(Emulator.layer({ script }))))
})
