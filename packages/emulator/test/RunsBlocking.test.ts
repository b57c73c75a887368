import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as ScriptedModel from "../src/ScriptedModel.js"
import { call, envelope, json, post, upload } from "./utils/http.js"
import {
  addMessage,
  createAssistant,
  createThread,
  fnTool,
  pick,
  pickArray,
  pickString,
  plainSetup,
  runBody,
  setClock,
  weatherSetup
} from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

const RUN_RESULT_KEYS = [
  "id",
  "object",
  "status",
  "log_id",
  "created_at",
  "assistant_id",
  "thread_id",
  "started_at",
  "expired_at",
  "cancelled_at",
  "failed_at",
  "completed_at",
  "required_action",
  "final_answer",
  "last_error"
]

const RUN_KEYS = [
  "id",
  "object",
  "assistant_id",
  "thread_id",
  "model",
  "instructions",
  "thought_instructions",
  "chat_instructions",
  "tools",
  "file_ids",
  "status",
  "required_action",
  "last_error",
  "final_answer",
  "created_at",
  "started_at",
  "expired_at",
  "cancelled_at",
  "failed_at",
  "completed_at"
]

const listBody = (threadId: string, extra: Record<string, string | number> = {}) => ({
  thread_id: threadId,
  limit: 20,
  order: "desc",
  after: "",
  before: "",
  ...extra
})

const run = (body: Parameters<typeof post>[1]) => call("/v2/threads/runs", body)

describe("blocking runs", () => {
  it.effect("#13: instructions 每句话回复前都加上我是秦始皇, file attached, model parameters → completed", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant({ instructions: "每句话回复前都加上我是秦始皇" })
      const fileId = pickString(json(yield* upload("test01.png", "png bytes")), "id")
      const threadId = yield* createThread()
      yield* call("/v2/threads/messages", {
        thread_id: threadId,
        role: "user",
        content: "hello world",
        file_ids: [fileId]
      })
      const result = yield* run(runBody(assistantId, threadId, {
        model_parameters: {
          chat_parameters: { temperature: 0.8, top_p: 0.8, penalty_score: 1.0 },
          thought_parameters: { temperature: 0.01, top_p: 0.0, penalty_score: 1.0 }
        }
      }))
      assert.deepStrictEqual(Object.keys(result), RUN_RESULT_KEYS)
      assert.strictEqual(result["object"], "run.result")
      assert.strictEqual(result["status"], "completed")
      assert.strictEqual(result["assistant_id"], assistantId)
      assert.strictEqual(result["thread_id"], threadId)
      assert.match(pickString(result, "id"), /^run_[0-9a-f]{32}$/)
      assert.match(pickString(result, "log_id"), /^[0-9a-f-]{36}$/)
      assert.strictEqual(result["required_action"], null)
      assert.strictEqual(result["last_error"], null)
      assert.notStrictEqual(result["completed_at"], 0)
      const text = pickString(result, "final_answer", "message", "content", 0, "text", "value")
      assert.include(text, "我是秦始皇")
      assert.strictEqual(pick(result, "final_answer", "type"), "message")
      assert.strictEqual(pick(result, "final_answer", "message", "content", 0, "text", "annotations"), null)
      assert.match(pickString(result, "final_answer", "message", "message_id"), /^chatmsg_[0-9a-f]{32}$/)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("#16: after one run, runs list has 1 run, query is completed, steps list has 1 step, steps query", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* plainSetup()
      const result = yield* run(runBody(assistantId, threadId))
      const runId = pickString(result, "id")
      const runs = yield* call("/v2/threads/runs/list", listBody(threadId, { limit: 5 }))
      assert.strictEqual(pickArray(runs, "data").length, 1)
      assert.strictEqual(runs["has_more"], false)
      assert.strictEqual(runs["first_id"], runId)
      const listed = pick(runs, "data", 0)
      assert.deepStrictEqual(Object.keys(listed as object), RUN_KEYS)
      assert.strictEqual(pick(listed, "object"), "thread.run")
      assert.strictEqual(pick(listed, "model"), "ERNIE-4.0T-8K")
      assert.strictEqual(pick(listed, "instructions"), "每句话回复前都加上我是秦始皇")
      assert.strictEqual(pick(listed, "final_answer"), null)
      const queried = yield* call("/v2/threads/runs/query", { thread_id: threadId, run_id: runId })
      assert.strictEqual(queried["status"], "completed")
      assert.strictEqual(queried["object"], "thread.run")
      const steps = yield* call("/v2/threads/runs/steps/list", { ...listBody(threadId), run_id: runId })
      assert.strictEqual(pickArray(steps, "data").length, 1)
      const step = pick(steps, "data", 0)
      assert.strictEqual(pick(step, "id"), "step-1")
      assert.strictEqual(pick(step, "object"), "thread.run.step")
      assert.strictEqual(pick(step, "status"), "completed")
      assert.strictEqual(pick(step, "last_error"), "")
      assert.strictEqual(pick(step, "type"), "message_creation")
      assert.deepStrictEqual(pick(step, "step_details"), {
        type: "message_creation",
        message_creation: { message_id: pick(result, "final_answer", "message", "message_id") }
      })
      assert.notStrictEqual(pick(step, "completed_at"), 0)
      const queriedStep = yield* call("/v2/threads/runs/steps/query", {
        thread_id: threadId,
        run_id: runId,
        step_id: "step-1"
      })
      assert.strictEqual(queriedStep["id"], "step-1")
      assert.deepStrictEqual(queriedStep, step)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("#17: thread created with [{content}] (role defaults to user) → completed, ids echo", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "hello world" }])
      const result = yield* run(runBody(assistantId, threadId))
      assert.strictEqual(result["status"], "completed")
      assert.strictEqual(result["assistant_id"], assistantId)
      assert.strictEqual(result["thread_id"], threadId)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("a run with an empty thread_id creates a thread, persists the user messages and the reply", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const result = yield* run(runBody(assistantId, "", {
        thread: { messages: [{ content: "hi", role: "user", file_ids: [] }] }
      }))
      assert.strictEqual(result["status"], "completed")
      const threadId = pickString(result, "thread_id")
      assert.match(threadId, /^thread_[0-9a-f]{32}$/)
      const messages = yield* call("/v2/threads/messages/list", { ...listBody(threadId), order: "asc" })
      const data = pickArray(messages, "data")
      assert.strictEqual(data.length, 2)
      assert.match(pickString(data[0], "id"), /^msg_[0-9a-f]{32}$/)
      assert.strictEqual(pick(data[0], "role"), "user")
      assert.strictEqual(pick(data[0], "run_id"), "")
      assert.strictEqual(pick(data[1], "id"), pick(result, "final_answer", "message", "message_id"))
      assert.strictEqual(pick(data[1], "role"), "assistant")
      assert.strictEqual(pick(data[1], "run_id"), result["id"])
      assert.strictEqual(pick(data[1], "assistant_id"), assistantId)
      assert.strictEqual(pick(data[1], "content", 0, "text", "value"), "你好！我收到了你的消息：hi")
      assert.deepStrictEqual(pick(data[1], "file_ids"), [])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("thread messages are appended after the history; overrides apply to this run only", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant({ instructions: "orig" })
      const threadId = yield* createThread([{ content: "first", role: "user" }, { content: "ok", role: "assistant" }])
      const result = yield* run(runBody(assistantId, threadId, {
        instructions: "每句话回复前都加上喵",
        model: "DeepSeek-V3.1",
        tools: [fnTool("lookup")],
        thread: { messages: [{ content: "second", role: "user", file_ids: [] }] }
      }))
      assert.strictEqual(
        pick(result, "final_answer", "message", "content", 0, "text", "value"),
        "喵，你好！我收到了你的消息：second"
      )
      const queried = yield* call("/v2/threads/runs/query", { thread_id: threadId, run_id: result["id"] ?? "" })
      assert.strictEqual(queried["model"], "DeepSeek-V3.1")
      assert.strictEqual(queried["instructions"], "每句话回复前都加上喵")
      assert.strictEqual(pick(queried, "tools", 0, "function", "name"), "lookup")
      const assistant = yield* call("/v2/assistants/query", { assistant_id: assistantId })
      assert.strictEqual(assistant["instructions"], "orig")
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.messages(threadId)).map((m) => m.role), [
        "user",
        "assistant",
        "user",
        "assistant"
      ])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("a second run without a new user message is an invalid_conversation; so is an empty thread", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* plainSetup()
      yield* run(runBody(assistantId, threadId))
      const again = envelope(yield* post("/v2/threads/runs", runBody(assistantId, threadId)))
      assert.deepStrictEqual([again["code"], again["param"]], ["invalid_conversation", "thread"])
      const empty = yield* createThread()
      const error = envelope(yield* post("/v2/threads/runs", runBody(assistantId, empty)))
      assert.deepStrictEqual([error["code"], error["param"]], ["invalid_conversation", "thread"])
      const assistantLast = yield* createThread([{ content: "x", role: "user" }, { content: "y", role: "assistant" }])
      const third = envelope(yield* post("/v2/threads/runs", runBody(assistantId, assistantLast)))
      assert.strictEqual(third["code"], "invalid_conversation")
      // a new user message makes the next run possible
      yield* addMessage(threadId, "more")
      assert.strictEqual((yield* run(runBody(assistantId, threadId)))["status"], "completed")
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("#22: function call, then a tool_output continuation of the same run", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* run(runBody(assistantId, threadId))
      assert.deepStrictEqual(Object.keys(first), RUN_RESULT_KEYS)
      assert.strictEqual(first["status"], "requires_action")
      assert.strictEqual(first["final_answer"], null)
      assert.strictEqual(pick(first, "required_action", "type"), "submit_tool_outputs")
      const calls = pickArray(first, "required_action", "submit_tool_outputs", "tool_calls")
      assert.strictEqual(calls.length, 1)
      const runId = pickString(first, "id")
      assert.deepStrictEqual(calls[0], {
        id: `call-${threadId}-${runId}-step-1`,
        type: "function",
        function: { name: "get_cur_whether", arguments: "{\"location\":\"北京\",\"unit\":\"摄氏度\"}", output: "" }
      })
      // busy meanwhile
      const busy = envelope(
        yield* post("/v2/threads/messages", { thread_id: threadId, role: "user", content: "x", file_ids: [] })
      )
      assert.deepStrictEqual([busy["code"], busy["param"]], ["thread_busy", "thread_id"])
      yield* TestClock.adjust("3 seconds")
      const second = yield* run(runBody(assistantId, threadId, {
        tool_output: {
          tool_call_id: `call-${threadId}-${runId}-step-1`,
          output: "北京 的当前温度是30 摄氏度",
          run_id: runId
        }
      }))
      assert.strictEqual(second["id"], runId)
      assert.strictEqual(second["status"], "completed")
      assert.strictEqual(second["required_action"], null)
      assert.strictEqual(second["assistant_id"], assistantId)
      assert.strictEqual(second["thread_id"], threadId)
      assert.strictEqual(second["created_at"], first["created_at"])
      assert.strictEqual(Number(second["started_at"]) - Number(first["started_at"]), 3000)
      assert.include(
        pickString(second, "final_answer", "message", "content", 0, "text", "value"),
        "北京 的当前温度是30 摄氏度"
      )
      const steps = yield* call("/v2/threads/runs/steps/list", { ...listBody(threadId), order: "asc", run_id: runId })
      const data = pickArray(steps, "data")
      assert.deepStrictEqual(data.map((s) => [pick(s, "id"), pick(s, "type"), pick(s, "status")]), [
        ["step-1", "tool_calls", "completed"],
        ["step-2", "message_creation", "completed"]
      ])
      assert.strictEqual(
        pick(data[0], "step_details", "tool_calls", 0, "function", "output"),
        "北京 的当前温度是30 摄氏度"
      )
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.messages(threadId)).map((m) => m.role), ["user", "assistant"])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("several calls: one continuation per call; the run stays requires_action until all are answered", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant({ tools: [fnTool("get_time"), fnTool("lookup")] })
      const threadId = yield* createThread([{ content: "call get_time with {\"zone\":\"UTC\"} and call lookup" }])
      const first = yield* run(runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      const calls = pickArray(first, "required_action", "submit_tool_outputs", "tool_calls")
      assert.deepStrictEqual(calls.map((c) => pick(c, "id")), [
        `call-${threadId}-${runId}-step-1`,
        `call-${threadId}-${runId}-step-1-2`
      ])
      assert.deepStrictEqual(calls.map((c) => pick(c, "function", "arguments")), ["{\"zone\":\"UTC\"}", "{}"])
      const second = yield* run(runBody(assistantId, threadId, {
        tool_output: { tool_call_id: pickString(calls[1], "id"), output: "found", run_id: runId }
      }))
      assert.strictEqual(second["status"], "requires_action")
      assert.deepStrictEqual(
        pickArray(second, "required_action", "submit_tool_outputs", "tool_calls").map((c) => pick(c, "id")),
        [pick(calls[0], "id")]
      )
      // the answered call cannot be answered again
      const again = envelope(
        yield* post(
          "/v2/threads/runs",
          runBody(assistantId, threadId, {
            tool_output: { tool_call_id: pickString(calls[1], "id"), output: "x", run_id: runId }
          })
        )
      )
      assert.deepStrictEqual([again["code"], again["param"]], ["invalid_run_state", "tool_call_id"])
      const third = yield* run(runBody(assistantId, threadId, {
        tool_output: { tool_call_id: pickString(calls[0], "id"), output: "12:00", run_id: runId }
      }))
      assert.strictEqual(third["status"], "completed")
      const answer = pickString(third, "final_answer", "message", "content", 0, "text", "value")
      assert.include(answer, "12:00")
      assert.include(answer, "found")
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("tool_output without run_id continues the thread's waiting run", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* run(runBody(assistantId, threadId))
      const callId = pickString(first, "required_action", "submit_tool_outputs", "tool_calls", 0, "id")
      const second = yield* run(runBody(assistantId, threadId, { tool_output: { tool_call_id: callId, output: "晴" } }))
      assert.strictEqual(second["status"], "completed")
      assert.strictEqual(second["id"], first["id"])
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("submit_tool_outputs on a blocking run resumes it in the background", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* run(runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      const callId = pickString(first, "required_action", "submit_tool_outputs", "tool_calls", 0, "id")
      const submitted = yield* call("/v2/threads/runs/submit_tool_outputs", {
        thread_id: threadId,
        run_id: runId,
        tool_outputs: [{ tool_call_id: callId, output: "晴", run_id: "ignored" }]
      })
      assert.strictEqual(submitted["status"], "in_progress")
      assert.strictEqual(submitted["required_action"], null)
      assert.strictEqual(submitted["object"], "thread.run")
      const queried = yield* call("/v2/threads/runs/query", { thread_id: threadId, run_id: runId })
      assert.strictEqual(queried["status"], "completed")
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("please fail: the run ends failed with last_error and failed_at", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please fail" }])
      const result = yield* run(runBody(assistantId, threadId))
      assert.strictEqual(result["status"], "failed")
      assert.deepStrictEqual(result["last_error"], {
        type: "server_error",
        message: "the scripted model was asked to fail"
      })
      assert.notStrictEqual(result["failed_at"], 0)
      assert.strictEqual(result["final_answer"], null)
      const steps = yield* call("/v2/threads/runs/steps/list", { ...listBody(threadId), run_id: result["id"] ?? "" })
      assert.strictEqual(pick(steps, "data", 0, "status"), "failed")
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.messages(threadId)).map((m) => m.role), ["user"])
      // a failed run is terminal: the thread is free, the conversation still ends with the user message
      assert.strictEqual((yield* post("/v2/threads/runs", runBody(assistantId, threadId))).status, 200)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("a pluggable script dictates tool rounds and the reply", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant({ tools: [fnTool("a"), fnTool("b")] })
      const threadId = yield* createThread([{ content: "anything" }])
      const first = yield* run(runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      assert.deepStrictEqual(
        pickArray(first, "required_action", "submit_tool_outputs", "tool_calls").map((c) => pick(c, "function")),
        [{ name: "a", arguments: "{\"n\":1}", output: "" }]
      )
      const second = yield* run(runBody(assistantId, threadId, {
        tool_output: { tool_call_id: `call-${threadId}-${runId}-step-1`, output: "A", run_id: runId }
      }))
      assert.strictEqual(second["status"], "requires_action")
      assert.strictEqual(
        pick(second, "required_action", "submit_tool_outputs", "tool_calls", 0, "id"),
        `call-${threadId}-${runId}-step-2`
      )
      const third = yield* run(runBody(assistantId, threadId, {
        tool_output: { tool_call_id: `call-${threadId}-${runId}-step-2`, output: "B", run_id: runId }
      }))
      assert.strictEqual(pick(third, "final_answer", "message", "content", 0, "text", "value"), "done: A,B")
      const steps = yield* call("/v2/threads/runs/steps/list", { ...listBody(threadId), run_id: runId, order: "asc" })
      assert.deepStrictEqual(pickArray(steps, "data").map((s) => pick(s, "id")), ["step-1", "step-2", "step-3"])
    }).pipe(Effect.provide(Emulator.layer({
      script: ScriptedModel.Script.make((input) =>
        Effect.succeed<ScriptedModel.Decision>(
          input.stepIndex === 0
            ? { _tag: "ToolCalls", calls: [{ name: "a", arguments: "{\"n\":1}" }], delay: ScriptedModel.noDelay }
            : input.stepIndex === 1
            ? { _tag: "ToolCalls", calls: [{ name: "b", arguments: "{}" }], delay: ScriptedModel.noDelay }
            : {
              _tag: "Reply",
              chunks: [`done: ${input.toolResults.map((r) => r.output).join(",")}`],
              delay: ScriptedModel.noDelay
            }
        )
      )
    }))))

  it.effect("runs list pages with after/before; unknown cursors are not_found", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* plainSetup()
      const ids: Array<string> = []
      for (let i = 0; i < 3; i++) {
        ids.push(pickString(yield* run(runBody(assistantId, threadId)), "id"))
        yield* addMessage(threadId, `again ${i}`)
      }
      const asc = yield* call("/v2/threads/runs/list", listBody(threadId, { order: "asc", limit: 1, after: ids[0]! }))
      assert.deepStrictEqual(pickArray(asc, "data").map((r) => pick(r, "id")), [ids[1]])
      assert.strictEqual(asc["has_more"], true)
      const desc = yield* call("/v2/threads/runs/list", listBody(threadId, { before: ids[0]! }))
      assert.deepStrictEqual(pickArray(desc, "data").map((r) => pick(r, "id")), [ids[2], ids[1]])
      const bad = envelope(yield* post("/v2/threads/runs/list", listBody(threadId, { after: "run_nope" })))
      assert.deepStrictEqual([bad["code"], bad["param"]], ["not_found", "after"])
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("#27: non-stream and stream runs on a thread whose user message has a file attached", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const fileId = pickString(json(yield* upload("trace.txt", "trace me")), "id")
      const threadId = yield* createThread([{ content: "看看这个文件", role: "user", file_ids: [fileId] }])
      const result = yield* run(runBody(assistantId, threadId))
      assert.strictEqual(result["status"], "completed")
      yield* call("/v2/threads/messages", { thread_id: threadId, role: "user", content: "再看看", file_ids: [fileId] })
      const events = yield* (yield* Sse.open(runBody(assistantId, threadId, { stream: true }))).rest
      assert.strictEqual(Sse.checkGrammar(events).at(-1), "run_end")
      assert.strictEqual(Sse.dataOf(events[events.length - 1]!)["status"], "completed")
      // run-request thread messages may carry files too
      const third = yield* run(runBody(assistantId, "", {
        thread: { messages: [{ content: "and this", role: "user", file_ids: [fileId] }] }
      }))
      assert.strictEqual(third["status"], "completed")
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.messages(pickString(third, "thread_id")))[0]!.fileIds, [fileId])
    }).pipe(Effect.provide(Emulator.layer())))
})
