import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as ScriptedModel from "../src/ScriptedModel.js"
import * as Server from "../src/Server.js"
import { BASE, call } from "./utils/http.js"
import {
  createAssistant,
  createThread,
  fnTool,
  pick,
  pickArray,
  pickString,
  runBody,
  setClock,
  weatherSetup
} from "./utils/runs.js"
import * as Sse from "./utils/sse.js"

const runIdOf = (event: Sse.SseEvent) => pickString(Sse.dataOf(event), "details", "run_object", "id")

const submit = (threadId: string, runId: string, outputs: ReadonlyArray<readonly [string, string]>) =>
  call("/v2/threads/runs/submit_tool_outputs", {
    thread_id: threadId,
    run_id: runId,
    tool_outputs: outputs.map(([id, output]) => ({ tool_call_id: id, output, run_id: "" }))
  })

describe("streamed runs", () => {
  it.scoped("#23: a plain stream ends with run_end completed; message chunks concatenate to the reply", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "hello world" }])
      const events = yield* (yield* Sse.open(runBody(assistantId, threadId, { stream: true }))).rest
      const kinds = Sse.checkGrammar(events)
      assert.deepStrictEqual(kinds.slice(0, 3), ["run_begin", "tool_step_begin", "message_creation"])
      const last = Sse.dataOf(events[events.length - 1]!)
      assert.deepStrictEqual([last["status"], last["event_type"]], ["completed", "run_end"])
      const text = events.filter((e) => e.event === "message").map((e) =>
        pickString(Sse.dataOf(e), "content", 0, "text", "value")
      )
      assert.deepStrictEqual(text, ["你好！我收到了你", "的消息：hell", "o world"])
      const state = yield* EmulatorState.EmulatorState
      const messages = yield* state.messages(threadId)
      assert.strictEqual(messages[1]!.content, "你好！我收到了你的消息：hello world")
      assert.strictEqual(messages[1]!.id, pick(Sse.dataOf(events[2]!), "details", "message_creation", "message_id"))
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("#24: function call with the default rules, submit on another request, the same stream continues", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const events = [yield* Sse.take(stream)]
      assert.strictEqual(Sse.dataOf(events[0]!)["status"], "queued")
      const runId = runIdOf(events[0]!)
      let call0: unknown = undefined
      while (call0 === undefined) {
        const event = yield* Sse.take(stream)
        events.push(event)
        if (Sse.dataOf(event)["status"] === "requires_action") {
          call0 = pick(Sse.dataOf(event), "details", "tool_calls", 0)
        }
      }
      assert.deepStrictEqual(JSON.parse(pickString(call0, "function", "arguments")), {
        location: "北京",
        unit: "摄氏度"
      })
      const answer = yield* submit(threadId, runId, [[pickString(call0, "id"), "北京 的当前温度是30 摄氏度"]])
      assert.strictEqual(answer["object"], "thread.run")
      for (const event of yield* stream.rest) events.push(event)
      const kinds = Sse.checkGrammar(events)
      assert.deepStrictEqual(Sse.withoutPings(kinds), [
        "run_begin",
        "tool_step_begin",
        "tool_calls",
        "tool_submitted_output",
        "tool_step_end",
        "tool_step_begin",
        "message_creation",
        ...kinds.filter((k) => k === "message"),
        "tool_step_end",
        "run_end"
      ])
      const submitted = Sse.dataOf(events[3]!)
      assert.strictEqual(
        pick(submitted, "details", "tool_calls", 0, "function", "output"),
        "北京 的当前温度是30 摄氏度"
      )
      assert.strictEqual(pick(Sse.dataOf(events[5]!), "details", "run_step_object", "id"), "step-2")
      const last = Sse.dataOf(events[events.length - 1]!)
      assert.deepStrictEqual([last["status"], last["event_type"]], ["completed", "run_end"])
      const reply = events.filter((e) => e.event === "message").map((e) =>
        pickString(Sse.dataOf(e), "content", 0, "text", "value")
      ).join("")
      assert.include(reply, "北京 的当前温度是30 摄氏度")
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("(b′) a tool_output continuation with stream:true answers a new stream of the same run", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const first = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      const callId = `call-${threadId}-${runId}-step-1`
      yield* TestClock.adjust("2 seconds")
      const stream = yield* Sse.open(runBody(assistantId, threadId, {
        stream: true,
        tool_output: { tool_call_id: callId, output: "晴，25 度", run_id: runId }
      }))
      const events = yield* stream.rest
      const kinds = Sse.checkGrammar(events)
      assert.deepStrictEqual(Sse.withoutPings(kinds).slice(0, 5), [
        "run_begin",
        "tool_submitted_output",
        "tool_step_end",
        "tool_step_begin",
        "message_creation"
      ])
      const begin = Sse.dataOf(events[0]!)
      assert.strictEqual(begin["send_id"], 1)
      assert.strictEqual(pick(begin, "details", "run_object", "id"), runId)
      assert.strictEqual(pick(begin, "details", "run_object", "status"), "queued")
      assert.strictEqual(Number(pick(begin, "details", "run_object", "started_at")) - Number(first["started_at"]), 2000)
      assert.strictEqual(pick(begin, "details", "run_object", "created_at"), first["created_at"])
      assert.strictEqual(pick(Sse.dataOf(events[2]!), "details", "run_step_object", "id"), "step-1")
      assert.strictEqual(Sse.dataOf(events[events.length - 1]!)["status"], "completed")
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("(b′) the first stream, still waiting, ends without further events when a continuation takes over", () =>
    Effect.gen(function*() {
      const { assistantId, threadId } = yield* weatherSetup
      const firstStream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const head = [yield* Sse.take(firstStream), yield* Sse.take(firstStream), yield* Sse.take(firstStream)]
      const runId = runIdOf(head[0]!)
      const result = yield* call(
        "/v2/threads/runs",
        runBody(assistantId, threadId, {
          tool_output: { tool_call_id: `call-${threadId}-${runId}-step-1`, output: "晴", run_id: runId }
        })
      )
      assert.strictEqual(result["status"], "completed")
      assert.strictEqual(result["object"], "run.result")
      assert.isTrue(Option.isNone(yield* firstStream.next))
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("partial continuation in a stream: run_begin, then tool_calls with the calls still pending", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant({ tools: [fnTool("a"), fnTool("b")] })
      const threadId = yield* createThread([{ content: "call a and call b" }])
      const first = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const runId = pickString(first, "id")
      const stream = yield* Sse.open(runBody(assistantId, threadId, {
        stream: true,
        tool_output: { tool_call_id: `call-${threadId}-${runId}-step-1`, output: "A", run_id: runId }
      }))
      const begin = yield* Sse.take(stream)
      const pending = Sse.dataOf(yield* Sse.take(stream))
      assert.strictEqual(pending["event_type"], "tool_calls")
      assert.deepStrictEqual(pickArray(pending, "details", "tool_calls").map((c) => pick(c, "id")), [
        `call-${threadId}-${runId}-step-1-2`
      ])
      yield* submit(threadId, runId, [[`call-${threadId}-${runId}-step-1-2`, "B"]])
      const events = [begin, ...(yield* stream.rest)]
      assert.strictEqual(Sse.dataOf(events[events.length - 1]!)["status"], "completed")
      const outputs = pickArray(Sse.dataOf(events[1]!), "details", "tool_calls").map((c) =>
        pick(c, "function", "output")
      )
      assert.deepStrictEqual(outputs, ["A", "B"])
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("failure: tool_step_end failed, run_end failed with last_error, failed_at and error_info", () =>
    Effect.gen(function*() {
      yield* setClock
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please fail" }])
      const events = yield* (yield* Sse.open(runBody(assistantId, threadId, { stream: true }))).rest
      const kinds = Sse.checkGrammar(events)
      assert.deepStrictEqual(kinds, ["run_begin", "tool_step_begin", "tool_step_end", "run_end"])
      assert.strictEqual(Sse.dataOf(events[2]!)["status"], "failed")
      const end = Sse.dataOf(events[3]!)
      assert.strictEqual(end["status"], "failed")
      const error = { type: "server_error", message: "the scripted model was asked to fail" }
      assert.deepStrictEqual(pick(end, "details", "run_object", "last_error"), error)
      assert.deepStrictEqual(pick(end, "details", "error_info"), error)
      assert.deepStrictEqual(Object.keys(pick(end, "details") as object), ["type", "run_object", "error_info"])
      assert.notStrictEqual(pick(end, "details", "run_object", "failed_at"), 0)
    }).pipe(Effect.provide(Emulator.layer())))

  it.scoped("a script failure after tool outputs fails the run after the tool step", () =>
    Effect.gen(function*() {
      yield* setClock
      const { assistantId, threadId } = yield* weatherSetup
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const head = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
      const runId = runIdOf(head[0]!)
      yield* submit(threadId, runId, [[`call-${threadId}-${runId}-step-1`, "x"]])
      const events = [...head, ...(yield* stream.rest)]
      assert.deepStrictEqual(Sse.checkGrammar(events).slice(3), [
        "tool_submitted_output",
        "tool_step_end",
        "tool_step_begin",
        "tool_step_end",
        "run_end"
      ])
      assert.strictEqual(pick(Sse.dataOf(events[events.length - 1]!), "details", "error_info", "message"), "quota")
    }).pipe(Effect.provide(Emulator.layer({
      script: ScriptedModel.Script.fromTurns([{ useDefault: true }, {
        fail: { type: "quota_error", message: "quota" }
      }])
    }))))

  it.scoped("chunkDelay paces the chunks on the Clock", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 3 chunks" }])
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      const rest = yield* Effect.fork(stream.rest)
      yield* TestClock.adjust("2999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(rest)))
      yield* TestClock.adjust("1 millis")
      const events = yield* Fiber.join(rest)
      assert.strictEqual(events.filter((e) => e.event === "message").length, 3)
    }).pipe(Effect.provide(Emulator.layer({ chunkDelay: "1 second" }))))

  it.effect("a client that goes away does not stop the run", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 5 chunks" }])
      yield* Effect.scoped(Effect.gen(function*() {
        const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
        yield* Sse.take(stream)
      }))
      yield* TestClock.adjust("10 seconds")
      const state = yield* EmulatorState.EmulatorState
      const [run] = yield* state.runs()
      assert.strictEqual(run!.status, "completed")
      assert.deepStrictEqual((yield* state.messages(threadId)).map((m) => m.content), [
        "please stream 5 chunks",
        "1 2 3 4 5 "
      ])
    }).pipe(Effect.provide(Emulator.layer({ chunkDelay: "1 second" }))))

  it.scoped("please stream 20000 chunks yields 20000 message events, one HTTP chunk each", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 20000 chunks" }])
      const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }))
      let messages = 0
      let last: Sse.SseEvent | undefined
      let previous: Sse.SseEvent | undefined
      while (true) {
        const next = yield* stream.next
        if (Option.isNone(next)) break
        if (next.value.event === "message") {
          messages++
          previous = last
          last = next.value
        }
      }
      assert.strictEqual(messages, 20000)
      assert.strictEqual(pick(Sse.dataOf(last!), "content", 0, "text", "value"), "20000 ")
      assert.strictEqual(Sse.dataOf(last!)["is_end"], 1)
      assert.strictEqual(Sse.dataOf(previous!)["is_end"], 0)
      assert.strictEqual(Sse.dataOf(last!)["send_id"], 20003)
    }).pipe(Effect.provide(Emulator.layer())))

  it.effect("a blocking run of 20000 chunks answers the whole text", () =>
    Effect.gen(function*() {
      const assistantId = yield* createAssistant()
      const threadId = yield* createThread([{ content: "please stream 20000 chunks" }])
      const result = yield* call("/v2/threads/runs", runBody(assistantId, threadId))
      const text = pickString(result, "final_answer", "message", "content", 0, "text", "value")
      assert.isTrue(text.startsWith("1 2 3 "))
      assert.isTrue(text.endsWith(" 19999 20000 "))
    }).pipe(Effect.provide(Emulator.layer())))
})

describe("streams on a real socket", () => {
  it.live("#30: the tool_calls event reaches the client while the server waits (chunked, flushed per event)", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequest(HttpClientRequest.updateUrl((url) => url.replace(BASE, server.url)))
      )
      yield* Effect.gen(function*() {
        const { assistantId, threadId } = yield* weatherSetup
        const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }), "/v2/threads/runs", false)
        assert.strictEqual(stream.headers["transfer-encoding"], "chunked")
        assert.strictEqual(stream.headers["content-type"], "text/event-stream; charset=utf-8")
        const head = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
        assert.strictEqual(Sse.dataOf(head[2]!)["event_type"], "tool_calls")
        const runId = runIdOf(head[0]!)
        yield* submit(threadId, runId, [[`call-${threadId}-${runId}-step-1`, "晴"]])
        const events = [...head, ...(yield* stream.rest)]
        assert.strictEqual(Sse.checkGrammar(events).at(-1), "run_end")
        assert.strictEqual(Sse.dataOf(events[events.length - 1]!)["status"], "completed")
      }).pipe(Effect.provideService(HttpClient.HttpClient, client))
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(Emulator.layerServer({ port: 0 }), FetchHttpClient.layer))
    ))

  it.live("a client that leaves a stream waiting for tools does not keep the server from shutting down", () =>
    Effect.gen(function*() {
      const runId = yield* Effect.gen(function*() {
        const server = yield* Server.EmulatorServer
        const client = (yield* HttpClient.HttpClient).pipe(
          HttpClient.mapRequest(HttpClientRequest.updateUrl((url) => url.replace(BASE, server.url)))
        )
        return yield* Effect.gen(function*() {
          const { assistantId, threadId } = yield* weatherSetup
          const stream = yield* Sse.open(runBody(assistantId, threadId, { stream: true }), "/v2/threads/runs", false)
          const head = [yield* Sse.take(stream), yield* Sse.take(stream), yield* Sse.take(stream)]
          return runIdOf(head[0]!)
        }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      }).pipe(
        Effect.scoped,
        Effect.provide(Layer.merge(Emulator.layerServer({ port: 0 }), FetchHttpClient.layer))
      )
      assert.match(runId, /^run_/)
    }).pipe(Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => new Error("the server did not shut down") })))
})
