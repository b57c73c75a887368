/**
 * The emulator as a real HTTP server, and the SDK talking to it over the network. `Emulator.layerServer`
 * serves the emulator on 127.0.0.1 (port 0: any free port; read the bound URL from
 * `Server.EmulatorServer`), and the SDK is built with `AppBuilder.layer({ token, baseUrl })` over Node's
 * HTTP client, exactly as for the real service: real sockets, JSON bodies, chunked SSE streams. This is
 * what `pnpm emulator` runs (then point any client, in any language, at it with `GATEWAY_URL`); here the
 * server lives as long as the layer, and stops by itself when the program ends.
 *
 * Run it (always on a loopback emulator, whatever `APPBUILDER_TOKEN` says):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/loopback-server.ts
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as RunEvent from "@effect-appbuilder/assistant/RunEvent"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Server from "@effect-appbuilder/emulator/Server"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Runtime from "./Runtime.js"

/** The token the emulator demands (any bearer token passes when none is set), and the client sends. */
const token = Redacted.make("bce-v3/ALTAK-loopback/example")

export const program = Effect.gen(function*() {
  const server = yield* Server.EmulatorServer
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads
  const messages = yield* Messages.Messages
  const runs = yield* Runs.Runs
  yield* Console.log(`emulator listening on ${server.url} (host ${server.host}, port ${server.port})`)

  const assistant = yield* Effect.acquireRelease(
    assistants.create({ name: "emperor", instructions: "你是秦始皇，请用秦始皇的口吻回答问题" }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  const thread = yield* Effect.acquireRelease(
    threads.create({ messages: [{ content: "你好，你是谁？" }] }),
    (created) => Effect.ignore(threads.delete(created.id))
  )

  // a blocking run: one JSON request and answer
  const run = yield* runs.run({ assistantId: assistant.id, threadId: thread.id })
  yield* Console.log(`blocking run ${run.status}: ${run.finalAnswer?.text ?? ""}`)

  // a streamed run (after a new question): server-sent events over a chunked HTTP answer
  yield* messages.create({ threadId: thread.id, content: "你的功绩是什么？" })
  const streamed = yield* runs.stream({ assistantId: assistant.id, threadId: thread.id }).pipe(
    Stream.runFold({ events: 0, text: "", status: "" }, (sofar, event) => ({
      events: sofar.events + 1,
      text: event._tag === "MessageDelta" ? sofar.text + event.text : sofar.text,
      status: RunEvent.isRunEnd(event) ? event.status : sofar.status
    }))
  )
  yield* Console.log(`streamed run ${streamed.status} after ${streamed.events} events: ${streamed.text}`)

  // what the server received, as its request log tells it (authorization headers redacted)
  const requests = yield* Effect.flatMap(EmulatorState.EmulatorState, (state) => state.requests)
  yield* Console.log(
    `the server answered ${requests.length} requests: ${
      requests.map((request) => `${request.method} ${request.path} ${request.status}`).join(", ")
    }`
  )
  yield* Console.log(`authorization as logged: ${requests[0]?.headers["authorization"]}`)
}).pipe(Effect.scoped)

/** The emulator on 127.0.0.1 with any free port, and the SDK pointed at its URL over Node's HTTP client. */
export const layer = Layer.unwrapEffect(
  Effect.map(
    Server.EmulatorServer,
    (server) => AppBuilder.layer({ token, baseUrl: server.url }).pipe(Layer.provide(NodeHttpClient.layerUndici))
  )
).pipe(
  Layer.provideMerge(Emulator.layerServer({ host: "127.0.0.1", port: 0, token })),
  Layer.orDie
)

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
