/**
 * One smoke test per real HttpClient against the emulator on a loopback socket.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as Server from "@effect-appbuilder/emulator/Server"
import { NodeHttpClient } from "@effect/platform-node"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const TOKEN = "bce-v3/ALTAK-loopback/secret"

const sdkOver = (http: Layer.Layer<HttpClient.HttpClient>) =>
  Layer.unwrapEffect(
    Effect.map(Server.EmulatorServer, (server) =>
      AppBuilder.layer({ token: Redacted.make(TOKEN), baseUrl: `${server.url}/` }).pipe(
        Layer.provide(http),
        Layer.orDie
      ))
  ).pipe(Layer.provide(Emulator.layerServer({ port: 0, token: TOKEN })), Layer.orDie)

const scenario = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const files = yield* Files.Files
  const runs = yield* Runs.Runs
  const assistant = yield* assistants.create({
    name: "loopback",
    description: "",
    instructions: "每句话回复前都加上我是秦始皇"
  })
  const bytes = new TextEncoder().encode("hello loopback 你好\n")
  const file = yield* files.upload({ bytes, filename: "hello.txt" })
  const content = yield* files.content(file.id)
  assert.strictEqual(new TextDecoder().decode(content.content), "hello loopback 你好\n")
  const run = yield* runs.run({
    assistantId: assistant.id,
    thread: { messages: [{ content: "hello world", fileIds: [file.id] }] }
  })
  assert.strictEqual(run.status, "completed")
  assert.include(run.finalAnswer?.text ?? "", "我是秦始皇")
  // a streamed tool call on a real socket: the stream pauses at tool_calls, the output goes over another
  // connection, the same stream continues to run_end
  const weather = ToolLoop.tool("get_cur_whether", {
    description: "weather",
    parameters: Schema.Struct({ location: Schema.String }),
    handler: ({ location }) => Effect.succeed(`${location} 的当前温度是30 摄氏度`)
  })
  const toolkit = ToolLoop.toolkit(weather)
  const thread = yield* (yield* Threads.Threads).create({ messages: [{ content: "今天北京的天气怎么样？" }] })
  const tags = yield* ToolLoop.stream({ assistantId: assistant.id, threadId: thread.id, tools: toolkit.definitions }, {
    toolkit
  }).pipe(
    Stream.map((event) => event._tag),
    Stream.runCollect
  )
  assert.includeMembers([...tags], ["ToolCalls", "ToolSubmittedOutput", "MessageDelta", "RunEnd"])
  const missing = yield* Effect.flip(assistants.query("asst_missing"))
  assert.strictEqual(missing._tag, "HttpError")
})

describe("real HttpClients over a loopback emulator", () => {
  it.live("NodeHttpClient.layerUndici", () => scenario.pipe(Effect.provide(sdkOver(NodeHttpClient.layerUndici))))
  it.live("FetchHttpClient.layer", () => scenario.pipe(Effect.provide(sdkOver(FetchHttpClient.layer))))
})
