import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { envelope, json, type JsonRecord, type JsonValue, post, upload } from "./utils/http.js"
import { createAssistant, createThread, pickString, runBody, weatherSetup } from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

interface Case {
  readonly name: string
  readonly body: (
    ids: { readonly assistantId: string; readonly threadId: string; readonly fileId: string }
  ) => JsonRecord
  readonly code: string
  readonly param: string
}

const mp = (chat: JsonRecord, thought: JsonRecord = {}): JsonValue => ({
  chat_parameters: { temperature: 0.8, top_p: 0.8, penalty_score: 1.0, ...chat },
  thought_parameters: { temperature: 0.01, top_p: 0, penalty_score: 1.0, ...thought }
})

const tools = (n: number): JsonValue =>
  Array.from({ length: n }, (_, i) => ({ type: "function", function: { name: `f${i}`, description: "d" } }))

const base = (ids: { readonly assistantId: string; readonly threadId: string }, extra: JsonRecord = {}) =>
  runBody(ids.assistantId, ids.threadId, extra)

const cases: ReadonlyArray<Case> = [
  {
    name: "assistant_id missing",
    body: (ids) => ({ ...base(ids), assistant_id: null }),
    code: "invalid_argument",
    param: "assistant_id"
  },
  {
    name: "assistant_id empty",
    body: (ids) => base({ ...ids, assistantId: "" }),
    code: "invalid_argument",
    param: "assistant_id"
  },
  {
    name: "unknown assistant",
    body: (ids) => base({ ...ids, assistantId: "asst_nope" }),
    code: "not_found",
    param: "assistant_id"
  },
  {
    name: "unknown thread",
    body: (ids) => base({ ...ids, threadId: "thread_nope" }),
    code: "not_found",
    param: "thread_id"
  },
  {
    name: "no thread_id and no thread",
    body: (ids) => base({ ...ids, threadId: "" }),
    code: "invalid_argument",
    param: "thread_id"
  },
  {
    name: "thread_id not a string",
    body: (ids) => base(ids, { thread_id: 3 }),
    code: "invalid_argument",
    param: "thread_id"
  },
  {
    name: "thread not an object",
    body: (ids) => base(ids, { thread: "x" }),
    code: "invalid_argument",
    param: "thread"
  },
  {
    name: "thread.messages not an array",
    body: (ids) => base(ids, { thread: { messages: {} } }),
    code: "invalid_argument",
    param: "thread.messages"
  },
  {
    name: "thread message without content",
    body: (ids) => base(ids, { thread_id: "", thread: { messages: [{ role: "user" }] } }),
    code: "invalid_argument",
    param: "thread.messages.0.content"
  },
  {
    name: "thread message with a bad role",
    body: (ids) => base(ids, { thread: { messages: [{ content: "x", role: "custom" }] } }),
    code: "invalid_argument",
    param: "thread.messages.0.role"
  },
  {
    name: "thread message with 11 files",
    body: (ids) =>
      base(ids, { thread: { messages: [{ content: "x", file_ids: Array.from({ length: 11 }, () => ids.fileId) }] } }),
    code: "invalid_argument",
    param: "thread.messages.0.file_ids"
  },
  {
    name: "thread message with an unknown file",
    body: (ids) => base(ids, { thread: { messages: [{ content: "x", file_ids: ["file-000000000000000"] }] } }),
    code: "not_found",
    param: "thread.messages.0.file_ids"
  },
  { name: "unknown model", body: (ids) => base(ids, { model: "gpt-4" }), code: "invalid_argument", param: "model" },
  {
    name: "bad response_format",
    body: (ids) => base(ids, { response_format: "json" }),
    code: "invalid_argument",
    param: "response_format"
  },
  {
    name: "instructions too long",
    body: (ids) => base(ids, { instructions: "x".repeat(4097) }),
    code: "invalid_argument",
    param: "instructions"
  },
  {
    name: "thought_instructions too long",
    body: (ids) => base(ids, { thought_instructions: "x".repeat(4097) }),
    code: "invalid_argument",
    param: "thought_instructions"
  },
  {
    name: "chat_instructions too long",
    body: (ids) => base(ids, { chat_instructions: "x".repeat(4097) }),
    code: "invalid_argument",
    param: "chat_instructions"
  },
  {
    name: "metadata with 17 entries",
    body: (ids) => base(ids, { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }),
    code: "invalid_argument",
    param: "metadata"
  },
  {
    name: "metadata key too long",
    body: (ids) => base(ids, { metadata: { ["key".repeat(64)]: "v" } }),
    code: "invalid_argument",
    param: "metadata"
  },
  {
    name: "metadata value too long",
    body: (ids) => base(ids, { metadata: { k: "value".repeat(512) } }),
    code: "invalid_argument",
    param: "metadata"
  },
  { name: "11 tools", body: (ids) => base(ids, { tools: tools(11) }), code: "invalid_argument", param: "tools" },
  {
    name: "tool without a name",
    body: (ids) => base(ids, { tools: [{ type: "function", function: { description: "d" } }] }),
    code: "invalid_argument",
    param: "tools.0.function.name"
  },
  {
    name: "tool of another type",
    body: (ids) => base(ids, { tools: [{ type: "code", function: { name: "a", description: "d" } }] }),
    code: "invalid_argument",
    param: "tools.0.type"
  },
  {
    name: "stream not a boolean",
    body: (ids) => base(ids, { stream: "yes" }),
    code: "invalid_argument",
    param: "stream"
  },
  {
    name: "chat temperature 0 (DOC range (0, 1])",
    body: (ids) => base(ids, { model_parameters: mp({ temperature: 0 }) }),
    code: "invalid_argument",
    param: "model_parameters.chat_parameters.temperature"
  },
  {
    name: "chat temperature 10",
    body: (ids) => base(ids, { model_parameters: mp({ temperature: 10 }) }),
    code: "invalid_argument",
    param: "model_parameters.chat_parameters.temperature"
  },
  {
    name: "chat top_p 10",
    body: (ids) => base(ids, { model_parameters: mp({ top_p: 10 }) }),
    code: "invalid_argument",
    param: "model_parameters.chat_parameters.top_p"
  },
  {
    name: "chat penalty_score 10",
    body: (ids) => base(ids, { model_parameters: mp({ penalty_score: 10 }) }),
    code: "invalid_argument",
    param: "model_parameters.chat_parameters.penalty_score"
  },
  {
    name: "chat penalty_score 0.5",
    body: (ids) => base(ids, { model_parameters: mp({ penalty_score: 0.5 }) }),
    code: "invalid_argument",
    param: "model_parameters.chat_parameters.penalty_score"
  },
  {
    name: "thought temperature -1",
    body: (ids) => base(ids, { model_parameters: mp({}, { temperature: -1 }) }),
    code: "invalid_argument",
    param: "model_parameters.thought_parameters.temperature"
  },
  {
    name: "thought top_p -0.1",
    body: (ids) => base(ids, { model_parameters: mp({}, { top_p: -0.1 }) }),
    code: "invalid_argument",
    param: "model_parameters.thought_parameters.top_p"
  },
  {
    name: "chat_parameters not an object",
    body: (ids) => base(ids, { model_parameters: { chat_parameters: 1 } }),
    code: "invalid_argument",
    param: "model_parameters.chat_parameters"
  },
  {
    name: "tool_output without tool_call_id",
    body: (ids) => base(ids, { tool_output: { output: "x", run_id: "run_x" } }),
    code: "invalid_argument",
    param: "tool_output.tool_call_id"
  },
  {
    name: "tool_output with a non-string output",
    body: (ids) => base(ids, { tool_output: { tool_call_id: "c", output: 1, run_id: "run_x" } }),
    code: "invalid_argument",
    param: "tool_output.output"
  },
  {
    name: "tool_output naming an unknown run",
    body: (ids) => base(ids, { tool_output: { tool_call_id: "c", output: "x", run_id: "run_nope" } }),
    code: "invalid_run_state",
    param: "run_id"
  },
  {
    name: "user_info not an object",
    body: (ids) => base(ids, { user_info: "u" }),
    code: "invalid_argument",
    param: "user_info"
  }
]

const setup = Effect.gen(function*() {
  const assistantId = yield* createAssistant()
  const threadId = yield* createThread([{ content: "hello" }])
  const fileId = pickString(json(yield* upload("a.txt", "abc")), "id")
  return { assistantId, threadId, fileId }
})

/** Everything a rejected request could have changed. */
const footprint = Effect.gen(function*() {
  const state = yield* EmulatorState.EmulatorState
  const threads = yield* state.threads
  const messages = threads.reduce((n, t) => n + t.messages.length, 0)
  return { threads: threads.length, messages, runs: (yield* state.runs()).length }
})

describe("run request validation (spec §2.6, §3.24)", () => {
  it.effect("every invalid field is rejected with its param, in blocking and in stream requests, and nothing changes", () =>
    Effect.gen(function*() {
      const ids = yield* setup
      const before = yield* footprint
      for (const c of cases) {
        for (const stream of [false, true]) {
          const body = { ...c.body(ids), ...(c.body(ids)["stream"] === "yes" ? {} : { stream }) }
          const response = yield* post("/v2/threads/runs", body)
          assert.strictEqual(response.status, 200, c.name)
          assert.strictEqual(response.headers["content-type"], "application/json; charset=utf-8", c.name)
          const error = envelope(response)
          assert.deepStrictEqual([error["code"], error["param"]], [c.code, c.param], `${c.name}: ${response.text}`)
          assert.strictEqual(error["type"], "invalid_request_error")
          assert.isString(error["message"])
        }
      }
      assert.deepStrictEqual(yield* footprint, before)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("state errors: thread_busy, invalid_conversation, invalid_run_state — nothing changes", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const first = json(yield* post("/v2/threads/runs", runBody(assistantId, threadId)))
      const runId = pickString(first, "id")
      const callId = `call-${threadId}-${runId}-step-1`
      const before = yield* footprint
      const expectations: ReadonlyArray<readonly [JsonRecord, string, string]> = [
        [runBody(assistantId, threadId, { thread: { messages: [{ content: "again" }] } }), "thread_busy", "thread_id"],
        [runBody(assistantId, threadId, { stream: true }), "thread_busy", "thread_id"],
        [
          runBody(assistantId, threadId, { tool_output: { tool_call_id: "call-nope", output: "x", run_id: runId } }),
          "invalid_run_state",
          "tool_call_id"
        ],
        [
          runBody(assistantId, "", {
            thread: { messages: [{ content: "x" }] },
            tool_output: { tool_call_id: callId, output: "x", run_id: runId }
          }),
          "invalid_run_state",
          "run_id"
        ]
      ]
      for (const [body, code, param] of expectations) {
        const error = envelope(yield* post("/v2/threads/runs", body))
        assert.deepStrictEqual([error["code"], error["param"]], [code, param], JSON.stringify(error))
      }
      const submit = (tool_outputs: JsonValue, run = runId) =>
        post("/v2/threads/runs/submit_tool_outputs", { thread_id: threadId, run_id: run, tool_outputs })
      const submitCases: ReadonlyArray<readonly [JsonValue, string, string]> = [
        [null, "invalid_argument", "tool_outputs"],
        [[], "invalid_argument", "tool_outputs"],
        ["x", "invalid_argument", "tool_outputs"],
        [[{ output: "x" }], "invalid_argument", "tool_outputs.0.tool_call_id"],
        [[{ tool_call_id: "call-nope", output: "x", run_id: "" }], "invalid_run_state", "tool_call_id"],
        [
          [{ tool_call_id: callId, output: "a" }, { tool_call_id: callId, output: "b" }],
          "invalid_argument",
          "tool_outputs"
        ]
      ]
      for (const [outputs, code, param] of submitCases) {
        const error = envelope(yield* submit(outputs))
        assert.deepStrictEqual([error["code"], error["param"]], [code, param], JSON.stringify(error))
      }
      const unknownRun = envelope(yield* submit([{ tool_call_id: callId, output: "x" }], "run_nope"))
      assert.deepStrictEqual([unknownRun["code"], unknownRun["param"]], ["not_found", "run_id"])
      const unknownThread = envelope(
        yield* post("/v2/threads/runs/submit_tool_outputs", {
          thread_id: "thread_nope",
          run_id: runId,
          tool_outputs: []
        })
      )
      assert.strictEqual(unknownThread["code"], "invalid_argument")
      assert.deepStrictEqual(yield* footprint, before)
      // still waiting, then answered
      const ok = json(yield* submit([{ tool_call_id: callId, output: "晴", run_id: "" }]))
      assert.strictEqual(ok["status"], "in_progress")
      const late = envelope(yield* submit([{ tool_call_id: callId, output: "晴" }]))
      assert.deepStrictEqual([late["code"], late["param"]], ["invalid_run_state", "run_id"])
      const lateContinuation = envelope(
        yield* post(
          "/v2/threads/runs",
          runBody(assistantId, threadId, {
            tool_output: { tool_call_id: callId, output: "x", run_id: runId }
          })
        )
      )
      assert.deepStrictEqual([lateContinuation["code"], lateContinuation["param"]], ["invalid_run_state", "run_id"])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("submit with missing outputs is invalid_run_state naming tool_outputs", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant({
        tools: [{ type: "function", function: { name: "a", description: "d" } }, {
          type: "function",
          function: { name: "b", description: "d" }
        }]
      })
      const threadId = yield* createThread([{ content: "call a, call b" }])
      const first = json(yield* post("/v2/threads/runs", runBody(assistantId, threadId)))
      const runId = pickString(first, "id")
      const error = envelope(
        yield* post("/v2/threads/runs/submit_tool_outputs", {
          thread_id: threadId,
          run_id: runId,
          tool_outputs: [{ tool_call_id: `call-${threadId}-${runId}-step-1`, output: "x", run_id: "" }]
        })
      )
      assert.deepStrictEqual([error["code"], error["param"]], ["invalid_run_state", "tool_outputs"])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("list/query/steps/cancel: required ids, unknown ids, bad paging", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const runId = pickString(json(yield* post("/v2/threads/runs", runBody(assistantId, threadId))), "id")
      const cases: ReadonlyArray<readonly [string, JsonRecord, string, string]> = [
        ["/v2/threads/runs/list", { thread_id: "" }, "invalid_argument", "thread_id"],
        ["/v2/threads/runs/list", { thread_id: "thread_nope" }, "not_found", "thread_id"],
        ["/v2/threads/runs/list", { thread_id: threadId, order: "up" }, "invalid_argument", "order"],
        ["/v2/threads/runs/query", { thread_id: threadId }, "invalid_argument", "run_id"],
        ["/v2/threads/runs/query", { thread_id: threadId, run_id: "run_nope" }, "not_found", "run_id"],
        ["/v2/threads/runs/query", { thread_id: "thread_nope", run_id: runId }, "not_found", "thread_id"],
        ["/v2/threads/runs/steps/list", { thread_id: threadId, run_id: "run_nope" }, "not_found", "run_id"],
        [
          "/v2/threads/runs/steps/query",
          { thread_id: threadId, run_id: runId, step_id: "step-9" },
          "not_found",
          "step_id"
        ],
        ["/v2/threads/runs/steps/query", { thread_id: threadId, run_id: runId }, "invalid_argument", "step_id"],
        ["/v2/threads/runs/cancel", { thread_id: threadId, run_id: "run_nope", sync: false }, "not_found", "run_id"],
        ["/v2/threads/runs/cancel", { thread_id: threadId, run_id: runId, sync: "no" }, "invalid_argument", "sync"]
      ]
      for (const [path, body, code, param] of cases) {
        const error = envelope(yield* post(path, body))
        assert.deepStrictEqual([error["code"], error["param"]], [code, param], `${path} ${JSON.stringify(body)}`)
      }
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("a validation error on a stream request is a JSON envelope, not SSE", () =>
    Effect.gen(function*() {
      const stream = yield* Sse.open(
        runBody("asst_nope", "", { stream: true, thread: { messages: [{ content: "x" }] } })
      )
      assert.strictEqual(stream.status, 200)
      assert.strictEqual(stream.headers["content-type"], "application/json; charset=utf-8")
      assert.deepStrictEqual(JSON.parse(yield* stream.text), {
        error: {
          code: "not_found",
          message: "assistant asst_nope not found",
          type: "invalid_request_error",
          param: "assistant_id"
        }
      })
    }).pipe(Effect.provide(Emulator.layer())))
})
