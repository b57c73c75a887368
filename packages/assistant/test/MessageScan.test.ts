/**
 * The message chunk read straight from its text (no JSON.parse) must give exactly what the JSON path
 * gives, take the service's layout, and leave every other text, valid or not, to JSON.parse (so that an
 * invalid payload still fails with the same `Decode` error).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import { HttpError } from "../src/AppBuilderError.js"
import * as Common from "../src/Common.js"
import { decodeEventParts, scannedMessageEvent, slowMessageEvent } from "../src/internal/runEventDecode.js"
import * as RunEvent from "../src/RunEvent.js"

const chunk = (value: string, rest = "") =>
  `{"status":"in_progress","send_id":7,"is_end":0,"message_id":"chatmsg_1","message_index":"",` +
  `"content":[{"type":"text","text":{"value":${JSON.stringify(value)},"annotations":null}}]${rest}}`

// the layout the service and the emulator write: read by the scanner
const scanned: ReadonlyArray<string> = [
  chunk("hello "),
  chunk(""),
  chunk("我是秦始皇，见到你。😀"),
  chunk("done", `,"metadata":{"finish_reason":"normal"}`),
  `{"status":"completed","send_id":123456789012345,"is_end":1,"message_id":"m","message_index":"3",` +
  `"content":[{"type":"text","text":{"value":"x","annotations":null}}]}`,
  `{"status":"completed","send_id":0,"is_end":true,"message_id":"m",` +
  `"content":[{"type":"image","text":{"value":"y","annotations":null}}]}`,
  `{"status":"","send_id":9,"is_end":false,"message_id":"","message_index":"",` +
  `"content":[{"type":"text","text":{"value":"z","annotations":null}}],"metadata":{"finish_reason":""}}`
]

// valid JSON in another layout, escapes, numbers the scanner does not read, and invalid JSON
const notScanned: ReadonlyArray<string> = [
  chunk("line\nbreak"),
  chunk("a \"quote\""),
  chunk("back\\slash"),
  chunk("x").replace(`"value":"x"`, `"value":"\\u0078"`),
  chunk("x").replace(`"value":"x"`, "\"value\":\"a\u0001b\""),
  chunk("x").replace(`"send_id":7`, `"send_id":07`),
  chunk("x").replace(`"send_id":7`, `"send_id":-7`),
  chunk("x").replace(`"send_id":7`, `"send_id":7.5`),
  chunk("x").replace(`"send_id":7`, `"send_id":1e3`),
  chunk("x").replace(`"send_id":7`, `"send_id":1234567890123456`),
  chunk("x").replace(`"is_end":0`, `"is_end":null`),
  chunk("x").replace(`"is_end":0`, `"is_end":00`),
  chunk("x").replace(`"message_id":"chatmsg_1"`, `"message_id":"chat\\u006dsg_1"`),
  chunk("x").replace(`"message_index":""`, `"message_index":"\t"`),
  chunk("x").replace(`"annotations":null`, `"annotations":[]`),
  chunk("x").replace(`"status":"in_progress",`, `"status": "in_progress",`),
  chunk("x") + " ",
  chunk("x") + "}",
  chunk("x").slice(0, -1),
  chunk("x", `,"metadata":{"finish_reason":"normal","other":1}`),
  chunk("x", `,"metadata":null`),
  chunk("x", `,"extra":1`),
  `{"status":"in_progress","send_id":7,"is_end":0,"message_id":"m","content":[{"type":"text","text":{"value":"a","annotations":null}},{"type":"text","text":null}]}`,
  `{"status":"in_progress","send_id":7,"is_end":0,"message_id":"m","content":[]}`,
  `{"status":"in_progress","send_id":7,"is_end":0,"message_id":"m","content":[{"type":"text","text":{"value":"a"`
]

/** What the JSON path gives for `data`: the event, or the `HttpError` of an invalid payload. */
const viaJson = (data: string): RunEvent.RunEvent | HttpError => {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return HttpError.decode({ operation: "Runs.stream", description: "invalid JSON", body: data })
  }
  const decoded = slowMessageEvent("Runs.stream", data, json)
  return Either.isRight(decoded) ? decoded.right : decoded.left
}

describe("message chunk scanner", () => {
  for (const data of scanned) {
    it(`reads the service's layout like JSON.parse and the schema: ${data.slice(0, 80)}`, () => {
      const event = scannedMessageEvent(data)
      assert.isDefined(event)
      const reference = viaJson(data)
      assert.instanceOf(reference, RunEvent.MessageDelta)
      assert.deepStrictEqual(event, reference)
      assert.strictEqual(Object.getPrototypeOf(event), Object.getPrototypeOf(reference))
      assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), JSON.parse(JSON.stringify(reference)))
      for (const item of event!.content) {
        assert.instanceOf(item, Common.Content)
        assert.instanceOf(item.text, Common.Text)
      }
      assert.deepStrictEqual(decodeEventParts("Runs.stream", "message", data), reference)
    })
  }
  for (const data of notScanned) {
    it(`leaves any other text to JSON.parse: ${JSON.stringify(data).slice(0, 90)}`, () => {
      assert.isUndefined(scannedMessageEvent(data))
      const decoded = decodeEventParts("Runs.stream", "message", data)
      const reference = viaJson(data)
      if (reference instanceof HttpError) {
        assert.instanceOf(decoded, HttpError)
        if (decoded instanceof HttpError) assert.strictEqual(decoded.reason, "Decode")
      } else {
        assert.deepStrictEqual(decoded, reference)
      }
    })
  }
})
