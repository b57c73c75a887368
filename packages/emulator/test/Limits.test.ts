import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as Validate from "../src/internal/Validate.js"
import { assistantBody, call, data, expectApiError, json, post, postText, str } from "./utils/http.js"
import type { JsonRecord, JsonValue } from "./utils/http.js"
import { createAssistant, createThread, runBody } from "./utils/runs.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>, options: Emulator.Options = {}) =>
  Effect.provide(effect, Emulator.layer(options))

/** `{type: "object", properties: {a: {...}}}` nested `levels` objects deep, as JSON text (no recursion). */
const deepSchemaText = (levels: number): string =>
  "{\"type\":\"object\",\"properties\":{\"a\":".repeat(levels) + "{\"type\":\"string\"}" + "}}".repeat(levels)

/** An object nested `levels` deep, built iteratively. */
const deepObject = (levels: number): JsonRecord => {
  let value: JsonRecord = { leaf: true }
  for (let i = 0; i < levels; i++) value = { a: value }
  return value
}

const weatherTool = (parametersText: string): string =>
  `{"type":"function","function":{"name":"deep","description":"d","parameters":${parametersText}}}`

const assistantWithTools = (toolsText: string): string =>
  `{"model":"ERNIE-4.0T-8K","name":"deep","description":"","instructions":"i","tools":[${toolsText}]}`

describe("deep JSON", () => {
  it.effect("a tool schema nested 5,000 levels deep is refused naming the field; list still answers", () =>
    withEmulator(Effect.gen(function*() {
      yield* createAssistant()
      const response = yield* postText("/v2/assistants", assistantWithTools(weatherTool(deepSchemaText(5000))))
      const error = expectApiError(response, "invalid_argument", "tools.0.function.parameters")
      assert.include(String(error["message"]), `deeper than ${Validate.MAX_JSON_DEPTH} levels`)
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual((yield* state.assistants).length, 1)
      const listed = yield* post("/v2/assistants/list", {})
      assert.strictEqual(listed.status, 200)
      assert.strictEqual(data(json(listed)).length, 1)
    })))

  it.effect("the limit is exactly MAX_JSON_DEPTH levels (body = level 1)", () =>
    withEmulator(Effect.gen(function*() {
      // body > tools > tool > function > parameters (5 levels), then 2 per schema level, then the leaf
      const fits = (Validate.MAX_JSON_DEPTH - 6) / 2
      const ok = yield* postText("/v2/assistants", assistantWithTools(weatherTool(deepSchemaText(fits))))
      assert.strictEqual(ok.status, 200)
      assert.isUndefined(json(ok)["error"], ok.text)
      const tooDeep = yield* postText("/v2/assistants", assistantWithTools(weatherTool(deepSchemaText(fits + 1))))
      expectApiError(tooDeep, "invalid_argument", "tools.0.function.parameters")
      const listed = yield* post("/v2/assistants/list", {})
      assert.strictEqual(data(json(listed)).length, 1)
    })))

  it.effect("every route that stores client JSON refuses a too-deep body and stores nothing", () =>
    withEmulator(Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread()
      const deep = deepObject(200)
      const deepTool: JsonValue = {
        type: "function",
        function: { name: "f", description: "d", parameters: deep }
      }
      const cases: ReadonlyArray<readonly [string, JsonRecord, string]> = [
        ["/v2/assistants", assistantBody({ metadata: deep }), "metadata"],
        ["/v2/assistants/update", { assistant_id: assistantId, tools: [deepTool] }, "tools.0.function.parameters"],
        ["/v2/assistants/update", { assistant_id: assistantId, metadata: deep }, "metadata"],
        ["/v2/threads", { messages: [{ role: "user", content: "hi", extra: deep }] }, "messages.0.extra"],
        ["/v2/threads/update", { thread_id: threadId, metadata: deep }, "metadata"],
        ["/v2/threads/messages", { thread_id: threadId, content: "hi", file_ids: [deep] }, "file_ids.0.a"],
        ["/v2/threads/runs", runBody(assistantId, threadId, { tools: [deepTool] }), "tools.0.function.parameters"],
        ["/v2/threads/runs", runBody(assistantId, threadId, { metadata: deep }), "metadata"],
        ["/v2/threads/runs/submit_tool_outputs", {
          thread_id: threadId,
          run_id: "run_x",
          tool_outputs: [{ tool_call_id: "c", output: "o", extra: deep }]
        }, "tool_outputs.0.extra"]
      ]
      for (const [path, body, param] of cases) {
        expectApiError(yield* post(path, body), "invalid_argument", param)
      }
      assert.strictEqual((yield* state.assistants).length, 1)
      assert.strictEqual((yield* state.threads).length, 1)
      assert.strictEqual((yield* state.messages(threadId)).length, 0)
      assert.strictEqual((yield* state.runs()).length, 0)
      const queried = yield* call("/v2/assistants/query", { assistant_id: assistantId })
      assert.deepStrictEqual(queried["metadata"], {})
    })))

  it.effect("a storage route answers the storage shape", () =>
    withEmulator(Effect.gen(function*() {
      const response = yield* post("/v2/storage/files/query", { file_id: deepObject(100) })
      const body = json(response)
      assert.strictEqual(body["code"], "InvalidParameter")
      assert.include(str(body, "message"), "file_id")
    })))
})

describe("request log", () => {
  it.effect("is a ring of requestLogSize entries, oldest dropped; clearRequests empties it", () =>
    withEmulator(
      Effect.gen(function*() {
        const state = yield* EmulatorState.EmulatorState
        for (let i = 0; i < 7; i++) yield* post("/v2/assistants/list", { limit: i + 1 })
        const kept = yield* state.requests
        assert.deepStrictEqual(kept.map((r) => JSON.parse(r.body).limit), [5, 6, 7])
        yield* state.clearRequests
        assert.deepStrictEqual(yield* state.requests, [])
        yield* post("/v2/assistants/list", { limit: 42 })
        assert.deepStrictEqual((yield* state.requests).map((r) => JSON.parse(r.body).limit), [42])
        assert.strictEqual(state.requestLogSize, 3)
      }),
      { requestLogSize: 3 }
    ))

  it.effect("keeps 10,000 entries by default", () =>
    withEmulator(Effect.gen(function*() {
      const state = yield* EmulatorState.EmulatorState
      assert.strictEqual(state.requestLogSize, 10_000)
    })))
})

describe("validity rules shared with the SDK", () => {
  const MODELS = ["ERNIE-4.0T-8K", "DeepSeek-V3.1", "ERNIE-4.0-8K", "ERNIE-3.5-8K"]
  const mp = (chat: JsonRecord): JsonRecord => ({ chat_parameters: chat, thought_parameters: chat })

  it.effect("models: the four known names on create, update and runs (null on runs); others name model", () =>
    withEmulator(Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      for (const model of MODELS) {
        assert.strictEqual((yield* call("/v2/assistants", assistantBody({ model })))["model"], model)
        assert.strictEqual((yield* call("/v2/assistants/update", { assistant_id: assistantId, model }))["model"], model)
        const threadId = yield* createThread([{ role: "user", content: "hi" }])
        const run = yield* call("/v2/threads/runs", runBody(assistantId, threadId, { model }))
        assert.isUndefined(run["error"])
      }
      const threadId = yield* createThread([{ role: "user", content: "hi" }])
      assert.isUndefined((yield* call("/v2/threads/runs", runBody(assistantId, threadId, { model: null })))["error"])
      for (const model of ["ERNIE-Bot", "gpt-4", ""]) {
        expectApiError(yield* post("/v2/assistants", assistantBody({ model })), "invalid_argument", "model")
        expectApiError(
          yield* post("/v2/assistants/update", { assistant_id: assistantId, model }),
          "invalid_argument",
          "model"
        )
        expectApiError(
          yield* post("/v2/threads/runs", runBody(assistantId, threadId, { model })),
          "invalid_argument",
          "model"
        )
      }
    })))

  it.effect("model parameters: temperature in (0, 1], top_p in [0, 1], penalty_score in [1, 2]", () =>
    withEmulator(Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const accepted: ReadonlyArray<JsonRecord> = [
        { temperature: 1, top_p: 0, penalty_score: 1 },
        { temperature: 0.01, top_p: 1, penalty_score: 2 }
      ]
      for (const chat of accepted) {
        const threadId = yield* createThread([{ role: "user", content: "hi" }])
        const run = yield* call("/v2/threads/runs", runBody(assistantId, threadId, { model_parameters: mp(chat) }))
        assert.isUndefined(run["error"], JSON.stringify(chat))
      }
      const threadId = yield* createThread([{ role: "user", content: "hi" }])
      const rejected: ReadonlyArray<readonly [JsonRecord, string]> = [
        [{ temperature: 0 }, "temperature"],
        [{ temperature: 1.01 }, "temperature"],
        [{ top_p: -0.01 }, "top_p"],
        [{ top_p: 1.01 }, "top_p"],
        [{ penalty_score: 0.99 }, "penalty_score"],
        [{ penalty_score: 2.01 }, "penalty_score"]
      ]
      for (const [chat, field] of rejected) {
        const response = yield* post("/v2/threads/runs", runBody(assistantId, threadId, { model_parameters: mp(chat) }))
        expectApiError(response, "invalid_argument", `model_parameters.chat_parameters.${field}`)
        const thought = yield* post(
          "/v2/threads/runs",
          runBody(assistantId, threadId, { model_parameters: { thought_parameters: chat } })
        )
        expectApiError(thought, "invalid_argument", `model_parameters.thought_parameters.${field}`)
      }
    })))

  it.effect("tool types: only function, on create, update and runs", () =>
    withEmulator(Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ role: "user", content: "hi" }])
      const other = { type: "code_interpreter", function: { name: "f", description: "d" } }
      expectApiError(
        yield* post("/v2/assistants", assistantBody({ tools: [other] })),
        "invalid_argument",
        "tools.0.type"
      )
      expectApiError(
        yield* post("/v2/assistants/update", { assistant_id: assistantId, tools: [other] }),
        "invalid_argument",
        "tools.0.type"
      )
      expectApiError(
        yield* post("/v2/threads/runs", runBody(assistantId, threadId, { tools: [other] })),
        "invalid_argument",
        "tools.0.type"
      )
    })))
})
