import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as ScriptedModel from "../src/ScriptedModel.js"
import { call } from "./utils/http.js"
import { pick, pickArray, pickString, plainSetup, runBody, setClock, weatherSetup } from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

const compareWith = (name: "a" | "b" | "c", events: ReadonlyArray<Sse.SseEvent>) => {
  Sse.checkGrammar(Sse.transcript(name))
  Sse.checkGrammar(events)
  const expected = Sse.transcript(name).filter((e) => e.event !== "ping").map(Sse.comparable)
  const actual = events.filter((e) => e.event !== "ping").map(Sse.comparable)
  assert.deepStrictEqual(actual, expected)
}

describe("stream transcripts (spec §5.9)", () => {
  it.scoped("(a) plain answer in three chunks", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* plainSetup()
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      assert.strictEqual(stream.status, 200)
      assert.strictEqual(stream.headers["content-type"], "text/event-stream; charset=utf-8")
      assert.strictEqual(stream.headers["cache-control"], "no-cache")
      const events = yield* stream.rest
      compareWith("a", events)
      // the reply is appended to the thread (spec §5.9 (a))
      const messages = yield* call("/v2/threads/messages/list", {
        thread_id: threadId,
        limit: 20,
        order: "asc",
        after: "",
        before: ""
      })
      assert.strictEqual(pickArray(messages, "data").length, 2)
      const reply = pick(messages, "data", 1)
      assert.strictEqual(pick(reply, "id"), pick(Sse.dataOf(events[2]!), "details", "message_creation", "message_id"))
      assert.strictEqual(pick(reply, "role"), "assistant")
      assert.strictEqual(pick(reply, "assistant_id"), assistantId)
      assert.strictEqual(pick(reply, "run_id"), pick(Sse.dataOf(events[0]!), "details", "run_object", "id"))
      assert.deepStrictEqual(pick(reply, "content"), [{
        type: "text",
        text: { value: "我是秦始皇，你好！\n很高兴见到你。", annotations: [] }
      }])
    }).pipe(
      Effect.provide(Emulator.layer({
        script: ScriptedModel.Script.fromTurns([{ reply: ["我是秦始皇，", "你好！\n很高兴", "见到你。"] }])
      }))
    ))

  it.scoped("(b) function call: the stream waits at tool_calls, pings, and continues after submit_tool_outputs", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const part1 = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
      const toolCalls = Sse.dataOf(part1[2]!)
      assert.strictEqual(toolCalls["status"], "requires_action")
      // idle: one ping after 5 s
      const pinged = yield* Effect.fork(Sse.take(stream))
      yield* TestClock.adjust("5 seconds")
      const ping = yield* Fiber.join(pinged)
      assert.strictEqual(ping.raw, "event: ping\ndata: {}\n\n")
      const runId = pickString(Sse.dataOf(part1[0]!), "details", "run_object", "id")
      const callId = pickString(toolCalls, "details", "tool_calls", 0, "id")
      assert.strictEqual(callId, `call-${threadId}-${runId}-step-1`)
      const submitted = yield* call("/v2/threads/runs/submit_tool_outputs", {
        thread_id: threadId,
        run_id: runId,
        tool_outputs: [{ tool_call_id: callId, output: "北京 的当前温度是30 摄氏度", run_id: "" }]
      })
      const expectedSubmit = JSON.parse(SUBMIT_ANSWER)
      assert.strictEqual(JSON.stringify(Sse.normalise(submitted)), JSON.stringify(Sse.normalise(expectedSubmit)))
      const part2 = yield* stream.rest
      compareWith("b", [...part1, ping, ...part2])
    }).pipe(
      Effect.provide(Emulator.layer({
        script: ScriptedModel.Script.fromTurns([{ useDefault: true }, {
          reply: ["北京今天的气温是30摄氏度，", "出门记得防晒哦！"]
        }])
      }))
    ))

  it.scoped("(c) cancelled while the model thinks; repeated cancels answer the current run", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const first = yield* Sse.take(stream)
      const runId = pickString(Sse.dataOf(first), "details", "run_object", "id")
      const events = [first, yield* Sse.take(stream)]
      const cancel = () => call("/v2/threads/runs/cancel", { thread_id: threadId, run_id: runId, sync: false })
      const answer = yield* cancel()
      assert.strictEqual(answer["status"], "cancelling")
      assert.strictEqual(answer["cancelled_at"], 0)
      const statuses: Array<unknown> = []
      for (let i = 0; i < 3; i++) {
        events.push(yield* Sse.take(stream))
        statuses.push((yield* cancel())["status"])
      }
      // the fiber ends the run at once here: later cancels see `cancelled` (never an error)
      for (const status of statuses) assert.include(["cancelling", "cancelled"], status)
      assert.strictEqual(statuses[2], "cancelled")
      assert.isTrue(Option.isNone(yield* stream.next))
      compareWith("c", events)
      const last = Sse.dataOf(events[4]!)
      assert.notStrictEqual(pick(last, "details", "run_object", "cancelled_at"), 0)
    }).pipe(
      Effect.provide(Emulator.layer({
        script: ScriptedModel.Script.fromTurns([{ useDefault: true, delay: "1 second" }])
      }))
    ))
})

/** The answer of submit_tool_outputs in transcript (b). */
const SUBMIT_ANSWER =
  `{"id":"run_7c2d9e4f1a3b45c6d7e8f90a1b2c3d4e","object":"thread.run","assistant_id":"asst_3f6b2a1c9d8e4f70a1b2c3d4e5f60718","thread_id":"thread_9c8d7e6f5a4b43c2b1a0f9e8d7c6b5a4","model":"ERNIE-4.0T-8K","instructions":"请用友善的语气回答问题","thought_instructions":"","chat_instructions":"","tools":[{"type":"function","function":{"name":"get_cur_whether","description":"这是一个获得指定地点天气的工具","parameters":{"type":"object","properties":{"location":{"type":"string","description":"省，市名，例如：河北省"},"unit":{"type":"string","enum":["摄氏度","华氏度"]}},"required":["location"]},"responses":null,"examples":null}}],"file_ids":null,"status":"in_progress","required_action":null,"last_error":null,"final_answer":null,"created_at":1717646001100,"started_at":1717646001131,"expired_at":0,"cancelled_at":0,"failed_at":0,"completed_at":0}`
