import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ScriptedModel from "../src/ScriptedModel.js"
import { fnTool, WEATHER_TOOL } from "./utils/runs.js"

const input = (
  text: string,
  options: Partial<ScriptedModel.TurnInput> = {}
): ScriptedModel.TurnInput => ({
  runId: "run_1",
  threadId: "thread_1",
  assistantId: "asst_1",
  model: "ERNIE-4.0T-8K",
  instructions: "",
  thoughtInstructions: "",
  chatInstructions: "",
  tools: [],
  messages: [{ role: "user", content: text }],
  toolResults: [],
  stepIndex: 0,
  chunkSize: 8,
  ...options
})

const replyText = (decision: ScriptedModel.Decision): string => {
  if (decision._tag !== "Reply") throw new Error(`expected a reply, got ${decision._tag}`)
  return [...decision.chunks].join("")
}

const calls = (decision: ScriptedModel.Decision) => {
  if (decision._tag !== "ToolCalls") throw new Error(`expected tool calls, got ${decision._tag}`)
  return decision.calls
}

describe("ScriptedModel default rules", () => {
  it("rule 0: 每句话回复前都加上X prefixes every answer with X", () => {
    assert.strictEqual(ScriptedModel.replyPrefix("每句话回复前都加上我是秦始皇"), "我是秦始皇")
    assert.strictEqual(ScriptedModel.replyPrefix("你是助手。每句话回复前都加上喵喵。然后回答"), "喵喵")
    assert.strictEqual(ScriptedModel.replyPrefix("每句话回复前都加上「好的」"), "「好的」")
    assert.isUndefined(ScriptedModel.replyPrefix("请用友善的语气回答问题"))
    const text = replyText(ScriptedModel.decide(input("hello world", { instructions: "每句话回复前都加上我是秦始皇" })))
    assert.strictEqual(text, "我是秦始皇，你好！我收到了你的消息：hello world")
  })

  it("rule 3: the weather question calls get_cur_whether with the exact arguments", () => {
    const decision = ScriptedModel.decide(input("今天北京的天气怎么样？", { tools: [WEATHER_TOOL] }))
    assert.deepStrictEqual(calls(decision), [{
      name: "get_cur_whether",
      arguments: "{\"location\":\"北京\",\"unit\":\"摄氏度\"}"
    }])
    // without the tool, or without 北京, it is a plain answer
    assert.strictEqual(ScriptedModel.decide(input("今天北京的天气怎么样？"))._tag, "Reply")
    assert.strictEqual(ScriptedModel.decide(input("今天上海的天气怎么样？", { tools: [WEATHER_TOOL] }))._tag, "Reply")
  })

  it("rule 4: explicit calls by name, with or without JSON arguments, several per message", () => {
    const tools = [fnTool("get_time"), fnTool("lookup")]
    assert.deepStrictEqual(calls(ScriptedModel.decide(input("call get_time with {\"zone\": \"UTC\"}", { tools }))), [
      { name: "get_time", arguments: "{\"zone\":\"UTC\"}" }
    ])
    assert.deepStrictEqual(calls(ScriptedModel.decide(input("please call lookup", { tools }))), [
      { name: "lookup", arguments: "{}" }
    ])
    assert.deepStrictEqual(calls(ScriptedModel.decide(input("调用 get_time", { tools }))), [
      { name: "get_time", arguments: "{}" }
    ])
    assert.deepStrictEqual(
      calls(
        ScriptedModel.decide(
          input("call get_time {\"zone\":\"东八区\"} and then Call lookup with {\"q\":\"a}b\"}", { tools })
        )
      ),
      [{ name: "get_time", arguments: "{\"zone\":\"东八区\"}" }, { name: "lookup", arguments: "{\"q\":\"a}b\"}" }]
    )
    // invalid JSON → {}; unknown names and "recall" are ignored
    assert.deepStrictEqual(calls(ScriptedModel.decide(input("call lookup with {oops}", { tools }))), [
      { name: "lookup", arguments: "{}" }
    ])
    assert.strictEqual(ScriptedModel.decide(input("call unknown_tool", { tools }))._tag, "Reply")
    assert.strictEqual(ScriptedModel.decide(input("recall lookup", { tools }))._tag, "Reply")
    assert.deepStrictEqual(ScriptedModel.explicitCalls("call a call b", ["a", "b"]).map((c) => c.name), ["a", "b"])
  })

  it("rule 2: after tool outputs the answer quotes every output", () => {
    const text = replyText(ScriptedModel.decide(input("今天北京的天气怎么样？", {
      tools: [WEATHER_TOOL],
      instructions: "每句话回复前都加上小助手",
      toolResults: [
        { id: "c1", name: "get_cur_whether", arguments: "{}", output: "北京 的当前温度是30 摄氏度" },
        { id: "c2", name: "x", arguments: "{}", output: "second" }
      ]
    })))
    assert.strictEqual(text, "小助手，根据工具的结果：北京 的当前温度是30 摄氏度；second")
  })

  it("rule 5: please stream N chunks yields exactly N lazy chunks", () => {
    const decision = ScriptedModel.decide(input("please stream 100000 chunks"))
    if (decision._tag !== "Reply") throw new Error("expected a reply")
    let count = 0
    let last = ""
    for (const chunk of decision.chunks) {
      count++
      last = chunk
    }
    assert.strictEqual(count, 100000)
    assert.strictEqual(last, "100000 ")
    assert.deepStrictEqual([...replyText(ScriptedModel.decide(input("please stream 3 chunks")))].join(""), "1 2 3 ")
    const prefixed = ScriptedModel.decide(input("please stream 2 chunks", { instructions: "每句话回复前都加上X" }))
    if (prefixed._tag !== "Reply") throw new Error("expected a reply")
    assert.deepStrictEqual([...prefixed.chunks], ["X，1 ", "2 "])
  })

  it("rule 1: please fail fails the run", () => {
    const decision = ScriptedModel.decide(input("Please FAIL now"))
    assert.strictEqual(decision._tag, "Fail")
    if (decision._tag === "Fail") assert.strictEqual(decision.error.type, "server_error")
  })

  it("rule 6: the default answer echoes the user text, chunked by chunkSize code points", () => {
    const decision = ScriptedModel.decide(input("hi", { chunkSize: 4 }))
    if (decision._tag !== "Reply") throw new Error("expected a reply")
    assert.deepStrictEqual([...decision.chunks], ["你好！我", "收到了你", "的消息：", "hi"])
    assert.deepStrictEqual([...ScriptedModel.chunkText("a😀b", 1)], ["a", "😀", "b"])
    assert.deepStrictEqual([...ScriptedModel.chunkText("", 3)], [""])
  })

  it("uses the last user message", () => {
    const text = replyText(ScriptedModel.decide(input("", {
      messages: [{ role: "user", content: "first" }, { role: "assistant", content: "x" }, {
        role: "user",
        content: "second"
      }]
    })))
    assert.isTrue(text.endsWith("second"))
  })
})

describe("Script service", () => {
  it.effect("the default layer applies the rules", () =>
    Effect.gen(function*() {
      const script = yield* ScriptedModel.Script
      const decision = yield* script.decide(input("hello"))
      assert.strictEqual(replyText(decision), "你好！我收到了你的消息：hello")
    }).pipe(Effect.provide(ScriptedModel.Script.Default)))

  it.effect("fromTurns plays the turns in order, then falls back to the rules", () =>
    Effect.gen(function*() {
      const script = yield* ScriptedModel.Script
      const first = yield* script.decide(input("x"))
      assert.deepStrictEqual(calls(first), [
        { name: "a", arguments: "{\"k\":1}" },
        { name: "b", arguments: "raw" },
        { name: "c", arguments: "{}" }
      ])
      assert.strictEqual(Duration.toMillis(first.delay), 1500)
      assert.deepStrictEqual([...((yield* script.decide(input("x"))) as { chunks: Iterable<string> }).chunks], [
        "p",
        "q"
      ])
      const third = yield* script.decide(input("x", { chunkSize: 2 }))
      assert.deepStrictEqual([...(third as { chunks: Iterable<string> }).chunks], ["ab", "c"])
      const fourth = yield* script.decide(input("x"))
      assert.deepStrictEqual(fourth._tag === "Fail" ? fourth.error : undefined, { type: "boom", message: "no" })
      assert.strictEqual(replyText(yield* script.decide(input("y"))), "你好！我收到了你的消息：y")
      assert.strictEqual(replyText(yield* script.decide(input("z"))), "你好！我收到了你的消息：z")
    }).pipe(Effect.provide(ScriptedModel.Script.fromTurns([
      {
        toolCalls: [{ name: "a", arguments: { k: 1 } }, { name: "b", arguments: "raw" }, { name: "c" }],
        delay: "1.5 seconds"
      },
      { reply: ["p", "q"] },
      { reply: "abc" },
      { fail: { type: "boom", message: "no" } },
      { useDefault: true }
    ]))))

  it.effect("make builds a script from a function", () =>
    Effect.gen(function*() {
      const script = yield* ScriptedModel.Script
      const decision = yield* script.decide(input("x", { stepIndex: 3 }))
      assert.strictEqual(replyText(decision), "step 3")
    }).pipe(Effect.provide(ScriptedModel.Script.make((i) =>
      Effect.succeed({ _tag: "Reply", chunks: [`step ${i.stepIndex}`], delay: Duration.zero })
    ))))
})
