import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Common from "@effect-appbuilder/assistant/Common"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Schema.decodeUnknown(schema)(value)

describe("response models decode leniently (spec §4)", () => {
  it.effect("a completed run.result with a final answer", () =>
    Effect.gen(function*() {
      const run = yield* decode(
        Runs.Run,
        JSON.parse(
          `{"id":"run_ce12","object":"run.result","status":"completed","log_id":"48c6","created_at":1717645517234,"assistant_id":"asst_9839","thread_id":"thread_3afc","started_at":1717645517270,"expired_at":0,"cancelled_at":0,"failed_at":0,"completed_at":1717645529254,"required_action":null,"final_answer":{"type":"message","message":{"message_id":"chatmsg_8b02","content":[{"type":"text","text":{"value":"我是秦始皇，你好呀！","annotations":null}}]}},"last_error":null}`
        )
      )
      assert.strictEqual(run.status, "completed")
      assert.strictEqual(run.model, "")
      assert.isNull(run.tools)
      assert.strictEqual(run.logId, "48c6")
      assert.strictEqual(run.finalAnswer?.text, "我是秦始皇，你好呀！")
      assert.strictEqual(run.finalAnswer?.message?.messageId, "chatmsg_8b02")
      assert.isTrue(run.isTerminal)
    }))

  it.effect("final_answer content given as a single object (before 2024-10)", () =>
    Effect.gen(function*() {
      const answer = yield* decode(Runs.FinalAnswer, {
        type: "message",
        message: { message_id: "m", content: { type: "text", text: { value: "hi" } } }
      })
      assert.strictEqual(answer.message?.content.length, 1)
      assert.strictEqual(answer.text, "hi")
    }))

  it.effect("a requires_action run exposes its tool calls", () =>
    Effect.gen(function*() {
      const run = yield* decode(
        Runs.Run,
        JSON.parse(
          `{"id":"run_b7a1","object":"run.result","status":"requires_action","required_action":{"type":"submit_tool_outputs","submit_tool_outputs":{"tool_calls":[{"id":"call-1","type":"function","function":{"name":"get_cur_whether","arguments":"{\\"location\\":\\"北京\\",\\"unit\\":\\"摄氏度\\"}"}}]}},"final_answer":null,"last_error":null}`
        )
      )
      assert.strictEqual(run.toolCalls.length, 1)
      assert.strictEqual(run.toolCalls[0]!.function?.name, "get_cur_whether")
      assert.deepStrictEqual(JSON.parse(run.toolCalls[0]!.function!.arguments), { location: "北京", unit: "摄氏度" })
      assert.strictEqual(run.toolCalls[0]!.function?.output, "")
      assert.strictEqual(run.createdAt, 0)
      assert.isFalse(run.isTerminal)
    }))

  it.effect("unknown statuses and fields are kept / ignored; last_error as object, \"\" or string", () =>
    Effect.gen(function*() {
      const run = yield* decode(Runs.Run, {
        id: "r",
        status: "paused_by_moon",
        brand_new_field: 1,
        last_error: { type: "server_error", message: "boom" }
      })
      assert.strictEqual(run.status, "paused_by_moon")
      assert.strictEqual(run.lastError?.message, "boom")
      const empty = yield* decode(Runs.Run, { last_error: "" })
      assert.isNull(empty.lastError)
      const text = yield* decode(Runs.Run, { last_error: "something broke" })
      assert.strictEqual(text.lastError?.message, "something broke")
    }))

  it.effect("a run step: last_error \"\", type null, step_details or the misspelled step_datail", () =>
    Effect.gen(function*() {
      const step = yield* decode(
        RunSteps.RunStep,
        JSON.parse(
          `{"id":"step-1","object":"thread.run.step","assistant_id":null,"thread_id":"thread_3afc","run_id":"run_ce12","status":"completed","created_at":1717645529259,"started_at":0,"expired_at":0,"cancelled_at":0,"failed_at":0,"completed_at":1717645529254,"last_error":"","type":null}`
        )
      )
      assert.strictEqual(step.id, "step-1")
      assert.strictEqual(step.assistantId, "")
      assert.isNull(step.type)
      assert.isNull(step.lastError)
      assert.isNull(step.details)
      const detailed = yield* decode(RunSteps.RunStep, {
        id: "step-2",
        type: "message_creation",
        step_details: { type: "message_creation", message_creation: { message_id: "chatmsg_1" } }
      })
      assert.strictEqual(detailed.details?.messageCreation?.messageId, "chatmsg_1")
      const misspelled = yield* decode(RunSteps.RunStep, {
        id: "step-1",
        step_datail: {
          type: "tool_calls",
          tool_calls: [{ id: "call-1", function: { name: "f", arguments: "{}", output: "x" } }],
          action_info: { toolName: "t", actionName: null }
        }
      })
      assert.strictEqual(misspelled.details?.type, "tool_calls")
      assert.strictEqual(misspelled.details?.toolCalls?.[0]?.function?.output, "x")
      assert.strictEqual(misspelled.details?.actionInfo?.toolName, "t")
    }))

  it.effect("an assistant with metadata null; a thread; a message with null ids", () =>
    Effect.gen(function*() {
      const assistant = yield* decode(Assistants.Assistant, {
        id: "asst_1",
        object: "assistant",
        name: "n",
        instructions: null,
        metadata: null,
        tools: null,
        created_at: 1717645100200
      })
      assert.deepStrictEqual(assistant.metadata, {})
      assert.deepStrictEqual(assistant.tools, [])
      assert.strictEqual(assistant.responseFormat, "text")
      assert.strictEqual(assistant.createdAt, 1717645100200)
      const thread = yield* decode(Threads.Thread, { id: "thread_1", object: "thread", created_at: 1, metadata: null })
      assert.deepStrictEqual(thread.metadata, {})
      const message = yield* decode(
        Messages.Message,
        JSON.parse(
          `{"id":"msg_6476","object":"thread.message","role":"user","content":[{"type":"text","text":{"value":"地球是圆的吗?","annotations":[]}}],"created_at":1708660019145,"thread_id":"thread_aab1","assistant_id":null,"run_id":null,"file_ids":[]}`
        )
      )
      assert.strictEqual(message.text, "地球是圆的吗?")
      assert.strictEqual(message.assistantId, "")
    }))

  it.effect("a stored file: create_at in seconds, censored and file_type", () =>
    Effect.gen(function*() {
      const file = yield* decode(
        Files.File,
        JSON.parse(
          `{"id":"file-555044143673413","bytes":96130,"object":"file","purpose":"assistant","censored":1,"create_at":1717645226,"filename":"test01.png","classification_id":"42685563","file_type":"image"}`
        )
      )
      assert.strictEqual(file.createAt, 1717645226)
      assert.strictEqual(file.censored, 1)
      assert.strictEqual(file.fileType, "image")
      assert.strictEqual(file.classificationId, "42685563")
    }))

  it.effect("a list page: has_more defaults to false, first/last ids to \"\"", () =>
    Effect.gen(function*() {
      const page = yield* decode(Common.ListPage(Threads.Thread), {
        object: "list",
        data: [{ id: "thread_1" }],
        first_id: null
      })
      assert.strictEqual(page.data.length, 1)
      assert.strictEqual(page.firstId, "")
      assert.isFalse(page.hasMore)
    }))

  it("Files.filenameFromContentDisposition takes the text after the last filename=", () => {
    assert.strictEqual(Files.filenameFromContentDisposition("attachment; filename=test01.png"), "test01.png")
    assert.strictEqual(Files.filenameFromContentDisposition("attachment; filename=\"a b.txt\""), "a b.txt")
    assert.strictEqual(Files.filenameFromContentDisposition("attachment; filename=../../etc/passwd"), "passwd")
    assert.strictEqual(Files.filenameFromContentDisposition("attachment"), undefined)
    assert.strictEqual(Files.filenameFromContentDisposition(undefined), undefined)
  })
})
