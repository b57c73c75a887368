/**
 * Setup helpers of the run tests: assistants, threads and run bodies as the official client sends them.
 */
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { call, type JsonRecord, type JsonValue } from "./http.js"

/** A realistic "now" for tests (TestClock starts at 0, which the wire reserves for "not set"). */
export const EPOCH = 1717645517234

export const setClock = TestClock.setTime(EPOCH)

export const WEATHER_TOOL: JsonRecord = {
  type: "function",
  function: {
    name: "get_cur_whether",
    description: "这是一个获得指定地点天气的工具",
    parameters: {
      type: "object",
      properties: {
        location: { type: "string", description: "省，市名，例如：河北省" },
        unit: { type: "string", enum: ["摄氏度", "华氏度"] }
      },
      required: ["location"]
    },
    responses: null,
    examples: null
  }
}

export const fnTool = (name: string, description = `the ${name} tool`): JsonRecord => ({
  type: "function",
  function: {
    name,
    description,
    parameters: { type: "object", properties: {}, required: [] },
    responses: null,
    examples: null
  }
})

export const createAssistant = (overrides: JsonRecord = {}) =>
  call("/v2/assistants", {
    model: "ERNIE-4.0T-8K",
    name: "test_assistant",
    description: "test assistant",
    response_format: "text",
    instructions: "你是百度制作的AI助手",
    thought_instructions: "",
    chat_instructions: "",
    tools: [],
    file_ids: [],
    metadata: {},
    ...overrides
  }).pipe(Effect.map((a) => String(a["id"])))

export const createThread = (messages: ReadonlyArray<JsonValue> = []) =>
  call("/v2/threads", { messages }).pipe(Effect.map((t) => String(t["id"])))

export const addMessage = (threadId: string, content: string, role = "user") =>
  call("/v2/threads/messages", { thread_id: threadId, role, content, file_ids: [] })

/** A run body with every key the official client sends, defaults included. */
export const runBody = (assistantId: string, threadId: string, overrides: JsonRecord = {}): JsonRecord => ({
  thread_id: threadId,
  model: null,
  assistant_id: assistantId,
  metadata: {},
  response_format: "text",
  instructions: null,
  thought_instructions: null,
  chat_instructions: null,
  stream: false,
  model_parameters: null,
  thread: null,
  tools: [],
  tool_output: null,
  user_info: null,
  user_loc: null,
  ...overrides
})

/** The weather setup of transcripts (b) and (c): assistant with the tool, thread with the question. */
export const weatherSetup = Effect.gen(function*() {
  const assistantId = yield* createAssistant({ instructions: "请用友善的语气回答问题", tools: [WEATHER_TOOL] })
  const threadId = yield* createThread()
  yield* addMessage(threadId, "今天北京的天气怎么样？")
  return { assistantId, threadId }
})

/** The plain setup of transcript (a). */
export const plainSetup = (content = "hello world") =>
  Effect.gen(function*() {
    const assistantId = yield* createAssistant({ instructions: "每句话回复前都加上我是秦始皇" })
    const threadId = yield* createThread([{ content, role: "user", file_ids: [] }])
    return { assistantId, threadId }
  })

/** Walks into a JSON value (`undefined` when a key is missing). */
export const pick = (value: unknown, ...keys: ReadonlyArray<string | number>): unknown => {
  let current = value
  for (const key of keys) {
    if (typeof current !== "object" || current === null) return undefined
    current = (current as Record<string | number, unknown>)[key]
  }
  return current
}

/** {@link pick}, expecting a string. */
export const pickString = (value: unknown, ...keys: ReadonlyArray<string | number>): string => {
  const found = pick(value, ...keys)
  if (typeof found !== "string") throw new Error(`${keys.join(".")} is not a string: ${JSON.stringify(found)}`)
  return found
}

/** {@link pick}, expecting an array. */
export const pickArray = (value: unknown, ...keys: ReadonlyArray<string | number>): ReadonlyArray<unknown> => {
  const found = pick(value, ...keys)
  if (!Array.isArray(found)) throw new Error(`${keys.join(".")} is not an array: ${JSON.stringify(found)}`)
  return found
}
