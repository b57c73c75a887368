import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import { assistantBody, call, data, expectApiError, json, PNG, post, postText, str, upload } from "./utils/http.js"
import type { JsonRecord } from "./utils/http.js"

const withEmulator = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, Emulator.layer())

const assistantCount = Effect.flatMap(
  EmulatorState.EmulatorState,
  (state) => Effect.map(state.assistants, (a) => a.length)
)

const uploadFile = (name = "test01.png") => Effect.map(upload(name, PNG), (r) => str(json(r), "id"))

describe("assistants", () => {
  it.effect("#1 create answers the exact Assistant object", () =>
    withEmulator(Effect.gen(function*() {
      yield* TestClock.setTime(1717645100200)
      const response = yield* post("/v2/assistants", assistantBody({ name: "Abc-_123", description: "test" }))
      assert.strictEqual(response.status, 200)
      const body = json(response)
      const id = str(body, "id")
      assert.match(id, /^asst_[0-9a-f]{32}$/)
      assert.strictEqual(
        response.text,
        `{"id":"${id}","object":"assistant","name":"Abc-_123","description":"test","model":"ERNIE-4.0T-8K",` +
          `"instructions":"你是百度制作的AI助手","thought_instructions":"","chat_instructions":"","response_format":"text",` +
          `"tools":[],"file_ids":[],"metadata":{},"created_at":1717645100200}`
      )
    })))

  it.effect("#2 every value the official client rejects is rejected by the server too", () =>
    withEmulator(Effect.gen(function*() {
      const fileIds = Array.from({ length: 11 }, (_, i) => `file-${i}`)
      const cases: ReadonlyArray<readonly [JsonRecord, string]> = [
        [{ name: "Abc-_123@" }, "name"],
        [{ description: "d".repeat(2048) }, "description"],
        [{ response_format: "other" }, "response_format"],
        [{ instructions: "i".repeat(16384) }, "instructions"],
        [{ thought_instructions: "i".repeat(16384) }, "thought_instructions"],
        [{ chat_instructions: "i".repeat(16384) }, "chat_instructions"],
        [{ file_ids: fileIds }, "file_ids"]
      ]
      for (const [override, param] of cases) {
        expectApiError(yield* post("/v2/assistants", assistantBody(override)), "invalid_argument", param)
      }
      assert.strictEqual(yield* assistantCount, 0)
    })))

  it.effect("#3 an over-long metadata entry is rejected naming metadata", () =>
    withEmulator(Effect.gen(function*() {
      const response = yield* post(
        "/v2/assistants",
        assistantBody({ metadata: { ["key".repeat(64)]: "value".repeat(512) } })
      )
      const error = expectApiError(response, "invalid_argument", "metadata")
      assert.include(str(error, "message"), "metadata")
      assert.strictEqual(yield* assistantCount, 0)
    })))

  it.effect("#4 a Chinese name and metadata are accepted (escaped or raw UTF-8)", () =>
    withEmulator(Effect.gen(function*() {
      const escaped = yield* postText(
        "/v2/assistants",
        "{\"model\": \"ERNIE-4.0T-8K\", \"name\": \"\\u6d4b\\u8bd5\", \"description\": \"test\", \"metadata\": {\"key\": \"value\"}}"
      )
      assert.strictEqual(escaped.status, 200)
      assert.strictEqual(json(escaped)["name"], "测试")
      assert.deepStrictEqual(json(escaped)["metadata"], { key: "value" })
      const raw = yield* post("/v2/assistants", assistantBody({ name: "测试", metadata: { key: "value" } }))
      assert.strictEqual(json(raw)["name"], "测试")
    })))

  it.effect("#5 lifecycle: create, update, list, query, mount, unmount, delete", () =>
    withEmulator(Effect.gen(function*() {
      const created = yield* call("/v2/assistants", assistantBody({ metadata: { key: "value" } }))
      const id = str(created, "id")
      // update with the official client's defaults: instructions "" replaces, metadata {} keeps
      const updated = yield* call("/v2/assistants/update", {
        assistant_id: id,
        model: "ERNIE-4.0T-8K",
        name: "Test_Name",
        description: "test",
        response_format: "text",
        instructions: "",
        thought_instructions: "",
        chat_instructions: "",
        tools: [],
        file_ids: [],
        metadata: {}
      })
      assert.strictEqual(updated["name"], "Test_Name")
      assert.strictEqual(updated["instructions"], "")
      assert.deepStrictEqual(updated["metadata"], { key: "value" })
      assert.strictEqual(updated["created_at"], created["created_at"])
      const list = yield* call("/v2/assistants/list", { limit: 20, order: "desc", after: "", before: "" })
      assert.deepStrictEqual(data(list).map((a) => a["id"]), [id])
      const queried = yield* call("/v2/assistants/query", { assistant_id: id })
      assert.strictEqual(queried["name"], "Test_Name")
      const fileId = yield* uploadFile()
      expectApiError(
        yield* post("/v2/assistants/files", { assistant_id: id, file_id: "test_not_exist" }),
        "not_found",
        "file_id"
      )
      const mounted = yield* call("/v2/assistants/files", { assistant_id: id, file_id: fileId })
      assert.deepStrictEqual(Object.keys(mounted), ["id", "object", "created_at", "assistant_id"])
      assert.strictEqual(mounted["id"], fileId)
      assert.strictEqual(mounted["object"], "assistant.file")
      assert.strictEqual(mounted["assistant_id"], id)
      const mountedList = yield* call("/v2/assistants/files/list", {
        assistant_id: id,
        limit: 2147483647,
        order: "desc",
        after: "",
        before: ""
      })
      assert.strictEqual(data(mountedList).length, 1)
      assert.deepStrictEqual((yield* call("/v2/assistants/query", { assistant_id: id }))["file_ids"], [fileId])
      expectApiError(
        yield* post("/v2/assistants/files/delete", { assistant_id: id, file_id: "test_not_exist" }),
        "not_found",
        "file_id"
      )
      const unmounted = yield* call("/v2/assistants/files/delete", { assistant_id: id, file_id: fileId })
      assert.deepStrictEqual(unmounted, { id: fileId, object: "assistant.file.deleted", deleted: true })
      // the stored file itself stays
      assert.strictEqual((yield* call("/v2/storage/files/query", { file_id: fileId }))["id"], fileId)
      const deleted = yield* call("/v2/assistants/delete", { assistant_id: id })
      assert.deepStrictEqual(deleted, { id, object: "assistant.deleted", deleted: true })
      expectApiError(yield* post("/v2/assistants/query", { assistant_id: id }), "not_found", "assistant_id")
      expectApiError(yield* post("/v2/assistants/delete", { assistant_id: id }), "not_found", "assistant_id")
    })))

  it.effect("#28 an unknown assistant id answers HTTP 200 with the error envelope", () =>
    withEmulator(Effect.gen(function*() {
      const response = yield* post("/v2/assistants/query", { assistant_id: "asst_unknown" })
      assert.strictEqual(response.status, 200)
      assert.deepStrictEqual(json(response), {
        error: {
          code: "not_found",
          message: "assistant asst_unknown not found",
          type: "invalid_request_error",
          param: "assistant_id"
        }
      })
      assert.isString(response.headers["x-appbuilder-request-id"])
    })))

  it.effect("validates every field, naming the offending param", () =>
    withEmulator(Effect.gen(function*() {
      const tool = (fn: JsonRecord, type: JsonRecord = {}) => ({ type: "function", ...type, function: fn })
      const cases: ReadonlyArray<readonly [JsonRecord, string, string?]> = [
        [{ model: "gpt-4" }, "model"],
        [{ model: null }, "model"],
        [{ model: 4 }, "model"],
        [{ name: null }, "name"],
        [{ name: "" }, "name"],
        [{ name: "a".repeat(129) }, "name"],
        [{ name: "has space" }, "name"],
        [{ name: 123 }, "name"],
        [{ description: 5 }, "description"],
        [{ response_format: "json" }, "response_format"],
        [{ instructions: "x".repeat(4097) }, "instructions"],
        [{ tools: {} }, "tools"],
        [{ tools: Array.from({ length: 11 }, () => tool({ name: "f", description: "d" })) }, "tools"],
        [{ tools: [tool({ name: "f", description: "d" }, { type: "code_interpreter" })] }, "tools.0.type"],
        [{ tools: [tool({ description: "d" })] }, "tools.0.function.name"],
        [{ tools: [tool({ name: "", description: "d" })] }, "tools.0.function.name"],
        [{ tools: [tool({ name: "f" })] }, "tools.0.function.description"],
        [{ tools: [{ type: "function" }] }, "tools.0.function"],
        [{ tools: ["f"] }, "tools.0"],
        [{ tools: [tool({ name: "f", description: "d", parameters: "x" })] }, "tools.0.function.parameters"],
        [
          { tools: [tool({ name: "f", description: "d", parameters: { type: "object", required: [1] } })] },
          "tools.0.function.parameters.required"
        ],
        [
          { tools: [tool({ name: "f", description: "d", examples: [[{ role: "user" }]] })] },
          "tools.0.function.examples.0.0.content"
        ],
        [{ file_ids: "file-1" }, "file_ids"],
        [{ file_ids: [1] }, "file_ids"],
        [{ file_ids: ["file-000000000000001"] }, "file_ids", "not_found"],
        [{ metadata: [] }, "metadata"],
        [{ metadata: { k: 1 } }, "metadata"],
        [{ metadata: { ["k".repeat(65)]: "v" } }, "metadata"],
        [{ metadata: { k: "v".repeat(513) } }, "metadata"],
        [{ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) }, "metadata"]
      ]
      for (const [override, param, code] of cases) {
        expectApiError(yield* post("/v2/assistants", assistantBody(override)), code ?? "invalid_argument", param)
      }
      assert.strictEqual(yield* assistantCount, 0)
      // the limits themselves pass
      const ok = yield* call(
        "/v2/assistants",
        assistantBody({
          name: "a".repeat(128),
          description: "d".repeat(512),
          instructions: "x".repeat(4096),
          metadata: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${"k".repeat(60)}${i}`, "v".repeat(512)]))
        })
      )
      assert.strictEqual(ok["object"], "assistant")
      for (const model of ["ERNIE-4.0T-8K", "ERNIE-4.0-8K", "ERNIE-3.5-8K", "DeepSeek-V3.1"]) {
        assert.strictEqual((yield* call("/v2/assistants", assistantBody({ model })))["model"], model)
      }
      // absent optional fields take the documented defaults
      const minimal = yield* call("/v2/assistants", { model: "ERNIE-4.0T-8K", name: "n" })
      assert.strictEqual(minimal["instructions"], "你是百度制作的AI助手")
      assert.strictEqual(minimal["description"], "")
      assert.strictEqual(minimal["response_format"], "text")
    })))

  it.effect("stores tools normalised (schemas keep only type/properties/required)", () =>
    withEmulator(Effect.gen(function*() {
      const created = yield* call(
        "/v2/assistants",
        assistantBody({
          tools: [{
            function: {
              name: "get_cur_whether",
              description: "weather",
              parameters: {
                type: "object",
                description: "dropped",
                additionalProperties: false,
                properties: { location: { type: "string", description: "kept" } },
                required: ["location"]
              },
              examples: [[{ content: "hi", function_call: { name: "get_cur_whether", arguments: "{}" } }]]
            }
          }, {
            type: "function",
            function: { name: "g", description: "", parameters: { properties: {} } }
          }]
        })
      )
      assert.deepStrictEqual(created["tools"], [
        {
          type: "function",
          function: {
            name: "get_cur_whether",
            description: "weather",
            parameters: {
              type: "object",
              properties: { location: { type: "string", description: "kept" } },
              required: ["location"]
            },
            responses: null,
            examples: [[{ role: "user", content: "hi", function_call: { name: "get_cur_whether", arguments: "{}" } }]]
          }
        },
        {
          type: "function",
          function: {
            name: "g",
            description: "",
            parameters: { type: "object", properties: {}, required: null },
            responses: null,
            examples: null
          }
        }
      ])
    })))

  it.effect("update: strings replace, empty lists and objects leave values unchanged", () =>
    withEmulator(Effect.gen(function*() {
      const fileA = yield* uploadFile("a.txt")
      const fileB = yield* uploadFile("b.txt")
      const tool = { type: "function", function: { name: "f", description: "d" } }
      const created = yield* call(
        "/v2/assistants",
        assistantBody({
          tools: [tool],
          file_ids: [fileA],
          metadata: { a: "1" },
          chat_instructions: "chat"
        })
      )
      const id = str(created, "id")
      const same = yield* call("/v2/assistants/update", {
        assistant_id: id,
        tools: [],
        file_ids: [],
        metadata: {},
        chat_instructions: null
      })
      assert.deepStrictEqual(same["file_ids"], [fileA])
      assert.deepStrictEqual(same["metadata"], { a: "1" })
      assert.strictEqual((same["tools"] as ReadonlyArray<unknown>).length, 1)
      assert.strictEqual(same["chat_instructions"], "chat")
      const replaced = yield* call("/v2/assistants/update", {
        assistant_id: id,
        model: "ERNIE-3.5-8K",
        name: "renamed",
        description: "",
        response_format: "json_object",
        chat_instructions: "",
        file_ids: [fileB],
        metadata: { b: "2" },
        tools: [tool, { type: "function", function: { name: "g", description: "e" } }]
      })
      assert.strictEqual(replaced["model"], "ERNIE-3.5-8K")
      assert.strictEqual(replaced["name"], "renamed")
      assert.strictEqual(replaced["description"], "")
      assert.strictEqual(replaced["response_format"], "json_object")
      assert.strictEqual(replaced["chat_instructions"], "")
      assert.deepStrictEqual(replaced["file_ids"], [fileB])
      assert.deepStrictEqual(replaced["metadata"], { b: "2" })
      assert.strictEqual((replaced["tools"] as ReadonlyArray<unknown>).length, 2)
      const mounts = yield* call("/v2/assistants/files/list", { assistant_id: id })
      assert.deepStrictEqual(data(mounts).map((m) => m["id"]), [fileB])
      // validation and unknown ids change nothing
      expectApiError(
        yield* post("/v2/assistants/update", { model: "ERNIE-3.5-8K" }),
        "invalid_argument",
        "assistant_id"
      )
      expectApiError(yield* post("/v2/assistants/update", { assistant_id: "asst_x" }), "not_found", "assistant_id")
      expectApiError(
        yield* post("/v2/assistants/update", { assistant_id: id, name: "bad name!" }),
        "invalid_argument",
        "name"
      )
      expectApiError(
        yield* post("/v2/assistants/update", { assistant_id: id, name: "ok", file_ids: ["file-nope"] }),
        "not_found",
        "file_ids"
      )
      const after = yield* call("/v2/assistants/query", { assistant_id: id })
      assert.strictEqual(after["name"], "renamed")
    })))

  it.effect("list pages by created_at with cursors", () =>
    withEmulator(Effect.gen(function*() {
      const ids: Array<string> = []
      for (let i = 0; i < 3; i++) {
        ids.push(str(yield* call("/v2/assistants", assistantBody({ name: `a${i}` })), "id"))
        yield* TestClock.adjust(1)
      }
      const page1 = yield* call("/v2/assistants/list", { limit: 2, order: "desc", after: "", before: "" })
      assert.deepStrictEqual(data(page1).map((a) => a["id"]), [ids[2], ids[1]])
      assert.strictEqual(page1["first_id"], ids[2])
      assert.strictEqual(page1["last_id"], ids[1])
      assert.strictEqual(page1["has_more"], true)
      assert.strictEqual(page1["object"], "list")
      const page2 = yield* call("/v2/assistants/list", { limit: 2, order: "desc", after: ids[1]!, before: "" })
      assert.deepStrictEqual(data(page2).map((a) => a["id"]), [ids[0]])
      assert.strictEqual(page2["has_more"], false)
      const asc = yield* call("/v2/assistants/list", { limit: 5, order: "asc", after: ids[0]!, before: "" })
      assert.deepStrictEqual(data(asc).map((a) => a["id"]), [ids[1], ids[2]])
      const before = yield* call("/v2/assistants/list", { order: "asc", before: ids[2]! })
      assert.deepStrictEqual(data(before).map((a) => a["id"]), [ids[0], ids[1]])
      // [OBS] assistants without metadata are listed with "metadata": null
      assert.strictEqual(data(page1)[0]!["metadata"], null)
      const empty = yield* call("/v2/assistants/list", { limit: 0, order: "desc", after: ids[0]!, before: "" })
      assert.deepStrictEqual(empty, { object: "list", data: [], first_id: "", last_id: "", has_more: false })
      const huge = yield* call("/v2/assistants/list", { limit: 2147483647 })
      assert.strictEqual(data(huge).length, 3)
      expectApiError(yield* post("/v2/assistants/list", { order: "up" }), "invalid_argument", "order")
      expectApiError(yield* post("/v2/assistants/list", { limit: "20" }), "invalid_argument", "limit")
      expectApiError(yield* post("/v2/assistants/list", { limit: 1.5 }), "invalid_argument", "limit")
      expectApiError(yield* post("/v2/assistants/list", { after: "asst_nope" }), "not_found", "after")
      expectApiError(yield* post("/v2/assistants/list", { before: "asst_nope" }), "not_found", "before")
    })))

  it.effect("mounting: duplicates, the 10-file limit, unknown ids, all assistants' mounts", () =>
    withEmulator(Effect.gen(function*() {
      const a = str(yield* call("/v2/assistants", assistantBody()), "id")
      const b = str(yield* call("/v2/assistants", assistantBody()), "id")
      const files: Array<string> = []
      for (let i = 0; i < 11; i++) files.push(yield* uploadFile(`f${i}.txt`))
      for (let i = 0; i < 10; i++) yield* call("/v2/assistants/files", { assistant_id: a, file_id: files[i]! })
      expectApiError(
        yield* post("/v2/assistants/files", { assistant_id: a, file_id: files[0]! }),
        "invalid_argument",
        "file_id"
      )
      expectApiError(
        yield* post("/v2/assistants/files", { assistant_id: a, file_id: files[10]! }),
        "invalid_argument",
        "file_id"
      )
      expectApiError(
        yield* post("/v2/assistants/files", { assistant_id: "asst_x", file_id: files[0]! }),
        "not_found",
        "assistant_id"
      )
      expectApiError(
        yield* post("/v2/assistants/files", { assistant_id: a, file_id: "" }),
        "invalid_argument",
        "file_id"
      )
      expectApiError(yield* post("/v2/assistants/files", { assistant_id: a }), "invalid_argument", "file_id")
      expectApiError(yield* post("/v2/assistants/files/list", { assistant_id: "asst_x" }), "not_found", "assistant_id")
      expectApiError(
        yield* post("/v2/assistants/files/delete", { assistant_id: "asst_x", file_id: files[0]! }),
        "not_found",
        "assistant_id"
      )
      yield* call("/v2/assistants/files", { assistant_id: b, file_id: files[10]! })
      const all = yield* call("/v2/assistants/files/list", { assistant_id: "", limit: 100, order: "asc" })
      assert.strictEqual(data(all).length, 11)
      assert.strictEqual(data(all)[10]!["assistant_id"], b)
      const mine = yield* call("/v2/assistants/files/list", { assistant_id: a, limit: 3, order: "asc" })
      assert.deepStrictEqual(data(mine).map((m) => m["id"]), files.slice(0, 3))
      assert.strictEqual(mine["has_more"], true)
      assert.strictEqual((yield* call("/v2/assistants/query", { assistant_id: a }))["file_ids"] instanceof Array, true)
    })))
})
