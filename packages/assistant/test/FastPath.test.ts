/**
 * The fast paths that decode message chunks and status payloads without the schema must give exactly
 * what the schema gives (same classes, same fields), and leave every unusual payload to the schema.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Common from "../src/Common.js"
import { decodeEvent, slowMessageEvent, slowStatusEvent } from "../src/internal/runEventDecode.js"
import * as RunEvent from "../src/RunEvent.js"

const payloads: ReadonlyArray<Record<string, unknown>> = [
  {
    status: "in_progress",
    send_id: 4,
    is_end: 0,
    message_id: "chatmsg_1",
    message_index: "",
    content: [{ type: "text", text: { value: "我是秦始皇，", annotations: null } }]
  },
  {
    status: "completed",
    send_id: 6,
    is_end: 1,
    message_id: "chatmsg_1",
    message_index: "",
    content: [{ type: "text", text: { value: "见到你。", annotations: null } }],
    metadata: { finish_reason: "normal" }
  },
  {
    status: "completed",
    send_id: 7,
    is_end: true,
    message_id: "m",
    content: [{ type: "text", text: { value: "a", annotations: ["x", "y"] } }, { type: "text", text: null }]
  },
  { status: "in_progress", send_id: 8, is_end: 0, message_id: "m", content: [] },
  // optional parts that are not strings are left out, as the schema path does
  {
    status: "completed",
    send_id: 13,
    is_end: 1,
    message_id: "m",
    message_index: 3,
    content: [{ type: "text", text: { value: "x", annotations: [] } }],
    metadata: { finish_reason: 1 }
  },
  {
    status: "completed",
    send_id: 14,
    is_end: false,
    message_id: "m",
    content: [{ type: "image", text: null }, { type: "text", text: { value: "y", annotations: null } }],
    metadata: null
  },
  // unusual shapes: the schema decides (defaults, or a Decode error)
  { status: "in_progress", send_id: 9, message_id: "m", content: [{ type: "text", text: { value: "no is_end" } }] },
  { status: "in_progress", send_id: 10, is_end: 0, message_id: "m", content: null },
  {
    status: "in_progress",
    send_id: 11,
    is_end: 0,
    message_id: "m",
    content: [{ type: "text", text: { value: "v", annotations: [{ object: true }] } }]
  },
  { send_id: 12, is_end: 0, message_id: "m", content: [{ type: "text", text: { value: "no status" } }] }
]

describe("message chunk fast path", () => {
  for (const payload of payloads) {
    it(`decodes like the schema: ${JSON.stringify(payload).slice(0, 90)}`, () => {
      const data = JSON.stringify(payload)
      const fast = decodeEvent("Runs.stream", { _tag: "Event", event: "message", id: undefined, data })
      const slow = slowMessageEvent("Runs.stream", data, payload)
      assert.strictEqual(
        Either.isRight(fast),
        Either.isRight(slow),
        `${data}\nfast: ${JSON.stringify(fast).slice(0, 200)}\nslow: ${JSON.stringify(slow).slice(0, 200)}`
      )
      if (Either.isRight(fast) && Either.isRight(slow)) {
        const event = Option.getOrThrow(fast.right)
        assert.instanceOf(event, RunEvent.MessageDelta)
        assert.deepStrictEqual(event, slow.right)
        assert.strictEqual(Object.getPrototypeOf(event), Object.getPrototypeOf(slow.right))
        assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), JSON.parse(JSON.stringify(slow.right)))
        if (RunEvent.isMessageDelta(event)) {
          for (const item of event.content) {
            assert.instanceOf(item, Common.Content)
            if (item.text !== null) assert.instanceOf(item.text, Common.Text)
          }
        }
      }
    })
  }
})

const run = {
  id: "run_1",
  object: "thread.run",
  assistant_id: "asst_1",
  thread_id: "thread_1",
  model: "ERNIE-4.0-8K",
  instructions: "",
  thought_instructions: "",
  chat_instructions: "",
  tools: [],
  file_ids: null,
  status: "queued",
  required_action: null,
  last_error: null,
  final_answer: null,
  created_at: 1796049608497,
  started_at: 1796049608497,
  expired_at: 0,
  cancelled_at: 0,
  failed_at: 0,
  completed_at: 0
}
const step = {
  id: "step-1",
  object: "thread.run.step",
  assistant_id: "asst_1",
  thread_id: "thread_1",
  run_id: "run_1",
  status: "in_progress",
  created_at: 1796049608524,
  started_at: 1796049608524,
  expired_at: 0,
  cancelled_at: 0,
  failed_at: 0,
  completed_at: 0,
  last_error: null,
  type: null
}
const toolCalls = [{ id: "call_1", type: "function", function: { name: "weather", arguments: "{\"city\":\"北京\"}" } }]

const statusPayloads: ReadonlyArray<Record<string, unknown>> = [
  {
    status: "queued",
    send_id: 1,
    message: "begin to run",
    event_type: "run_begin",
    details: { type: "run_object", run_object: run }
  },
  {
    status: "in_progress",
    send_id: 2,
    message: "",
    event_type: "tool_step_begin",
    details: { type: "run_step_object", run_step_object: step }
  },
  {
    status: "in_progress",
    send_id: 3,
    message: "message created",
    event_type: "message_creation",
    details: { type: "message_creation", message_creation: { message_id: "chatmsg_1" } }
  },
  {
    status: "requires_action",
    send_id: 5,
    message: "",
    event_type: "tool_calls",
    details: { type: "tool_calls", tool_calls: toolCalls }
  },
  {
    status: "in_progress",
    send_id: 6,
    message: "",
    event_type: "tool_submitted_output",
    details: { type: "tool_calls", tool_calls: null }
  },
  {
    status: "completed",
    send_id: 9,
    message: "",
    event_type: "run_end",
    details: { type: "run_object", run_object: { ...run, status: "completed" } }
  },
  {
    status: "cancelling",
    send_id: 7,
    message: "",
    event_type: "run_cancelling",
    details: { type: "run_object", run_object: run }
  },
  // no details, null details, an event type the SDK does not know
  { status: "in_progress", send_id: 10, message: "", event_type: "something_new" },
  { status: "in_progress", send_id: 11, message: "", event_type: "something_new", details: null },
  // unusual shapes: the schema decides (defaults, error_info, or a Decode error)
  { status: null, send_id: 12, message: "", event_type: "something_new" },
  {
    status: "failed",
    send_id: 13,
    message: "",
    event_type: "run_end",
    details: {
      type: "run_object",
      run_object: { ...run, status: "failed" },
      error_info: { code: "x", message: "boom" }
    }
  },
  { status: "in_progress", send_id: 14, message: "", event_type: "run_begin", details: { type: "run_object" } },
  { status: "in_progress", send_id: 15, message: "", event_type: "run_begin", details: { run_object: run } },
  {
    status: "in_progress",
    send_id: "16",
    message: "",
    event_type: "run_begin",
    details: { type: "run_object", run_object: run }
  },
  {
    status: "in_progress",
    send_id: 17,
    message: "",
    event_type: "tool_step_end",
    details: { type: "run_step_object", run_step_object: { id: 5 } }
  },
  // run and step objects: absent / null scalars take their defaults; nested parts go to the schema
  {
    status: "queued",
    send_id: 18,
    message: "",
    event_type: "run_begin",
    details: {
      type: "run_object",
      run_object: { id: "run_2", status: null, created_at: null, log_id: "log", file_ids: ["f1", "f2"], tools: null }
    }
  },
  {
    status: "queued",
    send_id: 19,
    message: "",
    event_type: "run_begin",
    details: {
      type: "run_object",
      run_object: {
        ...run,
        tools: [{
          type: "function",
          function: { name: "weather", description: "d", parameters: { type: "object", properties: {} } }
        }]
      }
    }
  },
  {
    status: "requires_action",
    send_id: 20,
    message: "",
    event_type: "run_end",
    details: {
      type: "run_object",
      run_object: {
        ...run,
        status: "requires_action",
        required_action: { type: "submit_tool_outputs", submit_tool_outputs: { tool_calls: toolCalls } }
      }
    }
  },
  {
    status: "failed",
    send_id: 21,
    message: "",
    event_type: "run_end",
    details: { type: "run_object", run_object: { ...run, status: "failed", last_error: "" } }
  },
  {
    status: "failed",
    send_id: 22,
    message: "",
    event_type: "run_end",
    details: { type: "run_object", run_object: { ...run, status: "failed", last_error: { code: "c", message: "m" } } }
  },
  {
    status: "completed",
    send_id: 23,
    message: "",
    event_type: "run_end",
    details: {
      type: "run_object",
      run_object: {
        ...run,
        status: "completed",
        final_answer: { type: "message", message: { message_id: "m", content: [] } }
      }
    }
  },
  {
    status: "queued",
    send_id: 24,
    message: "",
    event_type: "run_begin",
    details: { type: "run_object", run_object: { ...run, created_at: "1" } }
  },
  {
    status: "queued",
    send_id: 25,
    message: "",
    event_type: "run_begin",
    details: { type: "run_object", run_object: { ...run, file_ids: [1] } }
  },
  {
    status: "queued",
    send_id: 26,
    message: "",
    event_type: "run_begin",
    details: { type: "run_object", run_object: "not an object" }
  },
  {
    status: "in_progress",
    send_id: 27,
    message: "",
    event_type: "tool_step_begin",
    details: { type: "run_step_object", run_step_object: { ...step, type: "tool_calls", status: null } }
  },
  {
    status: "in_progress",
    send_id: 28,
    message: "",
    event_type: "tool_step_end",
    details: {
      type: "run_step_object",
      run_step_object: { ...step, type: "tool_calls", step_details: { type: "tool_calls", tool_calls: toolCalls } }
    }
  },
  {
    status: "in_progress",
    send_id: 29,
    message: "",
    event_type: "tool_step_end",
    details: {
      type: "run_step_object",
      run_step_object: { ...step, step_datail: { type: "message_creation", message_creation: { message_id: "m" } } }
    }
  },
  {
    status: "in_progress",
    send_id: 30,
    message: "",
    event_type: "tool_step_end",
    details: { type: "run_step_object", run_step_object: { ...step, type: 3 } }
  }
]

describe("status payload fast path", () => {
  for (const payload of statusPayloads) {
    it(`decodes like the schema: ${JSON.stringify(payload).slice(0, 90)}`, () => {
      const data = JSON.stringify(payload)
      const fast = decodeEvent("Runs.stream", { _tag: "Event", event: "status", id: undefined, data })
      const slow = slowStatusEvent("Runs.stream", data, payload)
      assert.strictEqual(
        Either.isRight(fast),
        Either.isRight(slow),
        `${data}\nfast: ${JSON.stringify(fast).slice(0, 200)}\nslow: ${JSON.stringify(slow).slice(0, 200)}`
      )
      if (Either.isRight(fast) && Either.isRight(slow)) {
        const event = Option.getOrThrow(fast.right)
        assert.deepStrictEqual(event, slow.right)
        assert.strictEqual(Object.getPrototypeOf(event), Object.getPrototypeOf(slow.right))
        assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), JSON.parse(JSON.stringify(slow.right)))
      }
      if (Either.isLeft(fast) && Either.isLeft(slow)) assert.strictEqual(fast.left.message, slow.left.message)
    })
  }
})
