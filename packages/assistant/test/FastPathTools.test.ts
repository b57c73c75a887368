/**
 * The hand-written decode of run objects with function tools, required actions, tool calls and
 * message creation details (the events of a tool loop), and of the run answers of JSON calls, gives exactly what the schema decodes: the same classes, the same own
 * properties in the same order, the same values; and for malformed parts the same typed error. Checked
 * on the spec's transcripts, on the events the in-process emulator writes for a tool loop, and on
 * variations of them.
 */
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Run } from "../src/internal/models/run.js"
import { fastDecode } from "../src/internal/responses.js"
import { decodeEvent, slowStatusEvent } from "../src/internal/runEventDecode.js"
import { text } from "./fixtures/transcripts.js"
import { weatherTool } from "./utils/Emulated.js"
import { shape } from "./utils/Shape.js"

/** Asserts that the decoding of one `status` payload equals the schema's (value or error message). */
const assertSameDecode = (data: string): void => {
  const json: unknown = JSON.parse(data)
  const fast = decodeEvent("Runs.stream", { _tag: "Event", event: "status", id: undefined, data })
  const slow = slowStatusEvent("Runs.stream", data, json)
  if (Either.isRight(slow)) {
    assert.isTrue(Either.isRight(fast), `${data}\nfast failed: ${JSON.stringify(fast).slice(0, 300)}`)
    if (Either.isRight(fast)) {
      const event = Option.getOrThrow(fast.right)
      assert.deepStrictEqual(shape(event), shape(slow.right), data)
      assert.deepStrictEqual(event, slow.right)
    }
  } else {
    assert.isTrue(Either.isLeft(fast), `${data}\nfast succeeded where the schema failed`)
    if (Either.isLeft(fast)) {
      assert.strictEqual(fast.left._tag, slow.left._tag)
      assert.strictEqual(fast.left.reason, slow.left.reason)
      assert.strictEqual(fast.left.message, slow.left.message)
    }
  }
}

/** Asserts that a JSON answer read as a run gives what the schema decodes, whenever the fast path takes it. */
const assertSameRun = (json: unknown, taken: boolean): void => {
  const fast = fastDecode(Run, json)
  const slow = Schema.decodeUnknownEither(Run)(json)
  if (taken) assert.isDefined(fast, JSON.stringify(json))
  if (fast !== undefined) {
    assert.isTrue(Either.isRight(slow), `${JSON.stringify(json)}\nthe fast path took what the schema rejects`)
    if (Either.isRight(slow)) {
      assert.deepStrictEqual(shape(fast), shape(slow.right))
      assert.deepStrictEqual(fast, slow.right)
    }
  }
}

/** The `data` of every `status` event of an SSE text. */
const statusData = (sse: string): Array<string> => {
  const out: Array<string> = []
  let event = ""
  for (const line of sse.split(/\r?\n/)) {
    if (line.startsWith("event:")) event = line.slice(6).trim()
    else if (line.startsWith("data:") && event === "status") out.push(line.slice(5).trimStart())
    else if (line === "") event = ""
  }
  return out
}

const toolLoopTypes = new Set(["run_begin", "run_end", "run_cancelling", "tool_calls", "tool_submitted_output"])

/** The tool loop's payloads of a transcript, by `event_type`. */
const toolLoopPayloads = (sse: string): Array<Record<string, unknown>> =>
  statusData(sse).map((data): unknown => JSON.parse(data)).filter(
    (json): json is Record<string, unknown> =>
      Predicate.isRecord(json) && typeof json["event_type"] === "string" && toolLoopTypes.has(json["event_type"])
  )

describe("tool loop fast path: spec transcripts", () => {
  for (const name of ["a", "b", "c"] as const) {
    it(`transcript ${name}: every status event decodes like the schema`, () => {
      const all = statusData(text(name))
      assert.isAbove(all.length, 0)
      for (const data of all) assertSameDecode(data)
    })
  }
})

// -----------------------------------------------------------------------------
// variations of the tool loop's payloads (each field: absent, null, another type)
// -----------------------------------------------------------------------------

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** `value` with the part at `path` replaced by `replacement` (`undefined`: removed). */
const replaceAt = (value: Json, path: ReadonlyArray<string | number>, replacement: Json | undefined): Json => {
  if (path.length === 0) return replacement === undefined ? null : replacement
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const items = value as ReadonlyArray<Json>
    return items.map((item, i) => (i === head ? replaceAt(item, rest, replacement) : item))
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const record = value as { readonly [key: string]: Json }
    const out: Record<string, Json> = {}
    for (const key of Object.keys(record)) {
      if (key === head) {
        if (rest.length === 0 && replacement === undefined) continue
        out[key] = replaceAt(record[key] ?? null, rest, replacement)
      } else out[key] = record[key] ?? null
    }
    if (typeof head === "string" && !(head in record) && rest.length === 0 && replacement !== undefined) {
      out[head] = replacement
    }
    return out
  }
  return value
}

/** Every path into `value` (objects and arrays), the root excluded. */
const paths = (value: Json, prefix: ReadonlyArray<string | number> = []): Array<ReadonlyArray<string | number>> => {
  const out: Array<ReadonlyArray<string | number>> = []
  if (Array.isArray(value)) {
    ;(value as ReadonlyArray<Json>).forEach((item, i) => {
      out.push([...prefix, i])
      for (const path of paths(item, [...prefix, i])) out.push(path)
    })
  } else if (value !== null && typeof value === "object") {
    const record = value as { readonly [key: string]: Json }
    for (const key of Object.keys(record)) {
      out.push([...prefix, key])
      for (const path of paths(record[key] ?? null, [...prefix, key])) out.push(path)
    }
  }
  return out
}

const replacements: ReadonlyArray<Json | undefined> = [undefined, null, 1, "x", [], {}, [{}]]

const toolCall = {
  id: "call-1",
  type: "function",
  function: { name: "get_cur_whether", arguments: "{\"location\":\"北京\"}", output: "" }
}

/** The run object of the spec's transcript b with a required action and a tool of every optional part. */
const richRun = (base: Record<string, unknown>): Json => {
  const json = JSON.parse(JSON.stringify({
    ...base,
    status: "requires_action",
    tools: [
      ...(Array.isArray(base["tools"]) ? base["tools"] : []),
      { type: "function", function: { name: "n", description: "d", parameters: null, responses: { properties: {} } } }
    ],
    required_action: { type: "submit_tool_outputs", submit_tool_outputs: { tool_calls: [toolCall] } }
  }))
  return json
}

describe("tool loop fast path: variations", () => {
  const payloads = toolLoopPayloads(text("b"))
  const runBegin = payloads.find((payload) => payload["event_type"] === "run_begin")
  const toolCalls = payloads.find((payload) => payload["event_type"] === "tool_calls")

  it("the transcript has a run with tools and a tool_calls event", () => {
    assert.isDefined(runBegin)
    assert.isDefined(toolCalls)
  })

  it("run objects: every part absent, null or of another type decodes like the schema", () => {
    const details = Predicate.isRecord(runBegin?.["details"]) ? runBegin["details"] : {}
    const runObject = Predicate.isRecord(details["run_object"]) ? details["run_object"] : {}
    const run = richRun(runObject)
    const payload = JSON.parse(JSON.stringify(runBegin)) as Json
    const base = replaceAt(payload, ["details", "run_object"], run)
    assertSameDecode(JSON.stringify(base))
    assertSameRun(run, true)
    let count = 0
    for (const path of paths(run)) {
      for (const replacement of replacements) {
        assertSameDecode(JSON.stringify(replaceAt(base, ["details", "run_object", ...path], replacement)))
        assertSameRun(replaceAt(run, path, replacement), false)
        count++
      }
    }
    assert.isAbove(count, 300)
  })

  it("tool_calls events: every part absent, null or of another type decodes like the schema", () => {
    const payload = JSON.parse(JSON.stringify(toolCalls)) as Json
    const calls: Json = [toolCall, { id: null, type: "other", function: null }, {}]
    const base = replaceAt(payload, ["details", "tool_calls"], calls)
    assertSameDecode(JSON.stringify(base))
    for (const path of paths(calls)) {
      for (const replacement of replacements) {
        assertSameDecode(JSON.stringify(replaceAt(base, ["details", "tool_calls", ...path], replacement)))
      }
    }
    for (const replacement of replacements) {
      assertSameDecode(JSON.stringify(replaceAt(base, ["details", "tool_calls"], replacement)))
    }
  })

  it("message_creation events: details absent, null or of another type decode like the schema", () => {
    const creation = statusData(text("b")).map((data): unknown => JSON.parse(data)).find(
      (json) => Predicate.isRecord(json) && json["event_type"] === "message_creation"
    )
    assert.isDefined(creation)
    const base = JSON.parse(JSON.stringify(creation)) as Json
    assertSameDecode(JSON.stringify(base))
    for (const replacement of replacements) {
      assertSameDecode(JSON.stringify(replaceAt(base, ["details", "message_creation"], replacement)))
      assertSameDecode(JSON.stringify(replaceAt(base, ["details", "message_creation", "message_id"], replacement)))
    }
  })

  it("a properties map with a __proto__ key, examples and an unknown tool type decode like the schema", () => {
    const details = Predicate.isRecord(runBegin?.["details"]) ? runBegin["details"] : {}
    const runObject = Predicate.isRecord(details["run_object"]) ? details["run_object"] : {}
    const data = JSON.stringify({ ...runBegin, details: { ...details, run_object: { ...runObject, tools: "TOOLS" } } })
    const tools = [
      `{"type":"function","function":{"name":"a","parameters":{"properties":{"__proto__":{"type":"string"},"b":1}}}}`,
      `{"type":"function","function":{"name":"a","examples":[[{"role":"user","content":"hi"}]]}}`,
      `{"type":"code_interpreter","function":null}`,
      `{"type":"function","function":{"name":"a","examples":[]}}`
    ]
    for (const tool of tools) assertSameDecode(data.replace(`"TOOLS"`, `[${tool}]`))
  })
})

// -----------------------------------------------------------------------------
// the emulator's events of a tool loop
// -----------------------------------------------------------------------------

const BASE_URL = "https://qianfan.baidubce.com"

const post = (path: string, body: unknown) =>
  HttpClientRequest.post(`${BASE_URL}${path}`).pipe(
    HttpClientRequest.bearerToken("test-token"),
    HttpClientRequest.bodyUnsafeJson(body)
  )

const record = (value: unknown): Record<string, unknown> => (Predicate.isRecord(value) ? value : {})

describe("tool loop fast path: the emulator's events", () => {
  it.live("a streamed tool loop's status events and the submit answer decode like the schema", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const json = (path: string, body: unknown) =>
        client.execute(post(path, body)).pipe(Effect.flatMap((response) => response.json), Effect.map(record))
      const assistant = yield* json("/v2/assistants", {
        name: "weather",
        description: "",
        model: "ERNIE-4.0-8K",
        instructions: "请用友善的语气回答问题",
        tools: [weatherTool]
      })
      const thread = yield* json("/v2/threads", { messages: [{ role: "user", content: "今天北京的天气怎么样？" }] })
      const response = yield* client.execute(
        post("/v2/threads/runs", { assistant_id: assistant["id"], thread_id: thread["id"], stream: true })
      )
      let runId: unknown = ""
      const lines = yield* response.stream.pipe(
        Stream.decodeText(),
        Stream.splitLines,
        Stream.tap((line) => {
          if (!line.startsWith("data:")) return Effect.void
          const payload = record(JSON.parse(line.slice(5)))
          const details = record(payload["details"])
          if (payload["event_type"] === "run_begin") runId = record(details["run_object"])["id"]
          if (payload["event_type"] !== "tool_calls") return Effect.void
          const calls = details["tool_calls"]
          const first = record(Array.isArray(calls) ? calls[0] : undefined)
          return json("/v2/threads/runs/submit_tool_outputs", {
            thread_id: thread["id"],
            run_id: runId,
            tool_outputs: [{ tool_call_id: first["id"], output: "北京 的当前温度是30 摄氏度", run_id: "" }]
          }).pipe(Effect.map((answer) => assertSameRun(answer, true)))
        }),
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
      const sse = lines.join("\n")
      const types = toolLoopPayloads(sse).map((payload) => payload["event_type"])
      assert.includeMembers(types, ["run_begin", "tool_calls", "tool_submitted_output", "run_end"])
      const all = statusData(sse)
      assert.isAbove(all.length, 4)
      for (const data of all) assertSameDecode(data)
    }).pipe(Effect.provide(Emulator.layer({ chunkDelay: "0 millis" }))))
})
