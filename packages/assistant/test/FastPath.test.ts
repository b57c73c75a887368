/**
 * The fast path that decodes message chunks without the schema must give exactly what the schema
 * gives (same classes, same fields), and leave every unusual payload to the schema.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Common from "../src/Common.js"
import { decodeEvent, slowMessageEvent } from "../src/internal/runEventDecode.js"
import * as RunEvent from "../src/RunEvent.js"

const payloads: ReadonlyArray<Record<string, unknown>> = [
  { status: "in_progress", send_id: 4, is_end: 0, message_id: "chatmsg_1", message_index: "", content: [{ type: "text", text: { value: "我是秦始皇，", annotations: null } }] },
  { status: "completed", send_id: 6, is_end: 1, message_id: "chatmsg_1", message_index: "", content: [{ type: "text", text: { value: "见到你。", annotations: null } }], metadata: { finish_reason: "normal" } },
  { status: "completed", send_id: 7, is_end: true, message_id: "m", content: [{ type: "text", text: { value: "a", annotations: ["x", "y"] } }, { type: "text", text: null }] },
  { status: "in_progress", send_id: 8, is_end: 0, message_id: "m", content: [] },
  // optional parts that are not strings are left out, as the schema path does
  { status: "completed", send_id: 13, is_end: 1, message_id: "m", message_index: 3, content: [{ type: "text", text: { value: "x", annotations: [] } }], metadata: { finish_reason: 1 } },
  { status: "completed", send_id: 14, is_end: false, message_id: "m", content: [{ type: "image", text: null }, { type: "text", text: { value: "y", annotations: null } }], metadata: null },
  // unusual shapes: the schema decides (defaults, or a Decode error)
  { status: "in_progress", send_id: 9, message_id: "m", content: [{ type: "text", text: { value: "no is_end" } }] },
  { status: "in_progress", send_id: 10, is_end: 0, message_id: "m", content: null },
  { status: "in_progress", send_id: 11, is_end: 0, message_id: "m", content: [{ type: "text", text: { value: "v", annotations: [{ object: true }] } }] },
  { send_id: 12, is_end: 0, message_id: "m", content: [{ type: "text", text: { value: "no status" } }] }
]

describe("message chunk fast path", () => {
  for (const payload of payloads) {
    it(`decodes like the schema: ${JSON.stringify(payload).slice(0, 90)}`, () => {
      const data = JSON.stringify(payload)
      const fast = decodeEvent("Runs.stream", { _tag: "Event", event: "message", id: undefined, data })
      const slow = slowMessageEvent("Runs.stream", data, payload)
      assert.strictEqual(Either.isRight(fast), Either.isRight(slow), `${data}\nfast: ${JSON.stringify(fast).slice(0, 200)}\nslow: ${JSON.stringify(slow).slice(0, 200)}`)
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
