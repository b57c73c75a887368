/**
 * A toolkit's definitions are sent with every run of a loop: the SDK freezes the definitions it builds
 * and encodes them once. What a caller sees: the definitions are frozen, every request carries the same
 * wire form, and a definition written by hand (not frozen) is read again for every request.
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { text, withMock } from "./utils/MockHttp.js"

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location }) => Effect.succeed(`${location} 30`)
})

const wireWeather = {
  type: "function",
  function: {
    name: "get_cur_whether",
    description: "这是一个获得指定地点天气的工具",
    parameters: {
      type: "object",
      properties: { location: { type: "string" }, unit: { type: "string" } },
      required: ["location"]
    },
    responses: null,
    examples: null
  }
}

const isDeeplyFrozen = (value: unknown): boolean =>
  typeof value !== "object" || value === null ||
  (Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen))

/** Sends one `Assistants.create` per tool list (answered with a 500: only the request matters). */
const sentTools = (toolLists: ReadonlyArray<() => ReadonlyArray<Assistants.AssistantToolInput>>) =>
  Effect.gen(function*() {
    const { exit, requests } = yield* withMock(
      () => text("unavailable", 500),
      Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        for (const tools of toolLists) {
          yield* Effect.exit(assistants.create({ name: "loop", tools: tools() }))
        }
      }),
      { retry: false }
    )
    assert.isTrue(Exit.isSuccess(exit))
    return requests.map((request) => (request.json as { readonly tools: unknown }).tools)
  })

describe("tool definitions", () => {
  it("the definitions built by ToolLoop.tool and a toolkit's list are frozen, deeply", () => {
    const toolkit = ToolLoop.toolkit(weather)
    assert.isTrue(isDeeplyFrozen(weather.definition))
    assert.isTrue(isDeeplyFrozen(toolkit.definitions))
    // a frozen object refuses the change (a strict-mode assignment would throw)
    assert.isFalse(Reflect.set(weather.definition, "type", "code"))
    assert.strictEqual(weather.definition.type, "function")
  })

  it.effect("a toolkit sent again and again: the same wire form every time", () =>
    Effect.gen(function*() {
      const toolkit = ToolLoop.toolkit(weather)
      const sent = yield* sentTools([() => toolkit.definitions, () => toolkit.definitions, () => toolkit.definitions])
      assert.deepStrictEqual(sent, [[wireWeather], [wireWeather], [wireWeather]])
    }))

  it.effect("a definition written by hand and changed between two requests is sent as changed", () =>
    Effect.gen(function*() {
      const handMade = {
        type: "function",
        function: { name: "lookup", description: "first", parameters: null, responses: null, examples: null }
      }
      const tools = [handMade]
      assert.isFalse(Object.isFrozen(handMade))
      const sent = yield* sentTools([
        () => tools,
        () => {
          handMade.function.description = "second"
          return tools
        }
      ])
      const descriptions = sent.map((list) =>
        (list as ReadonlyArray<{ readonly function: { readonly description: string } }>)[0]?.function.description
      )
      assert.deepStrictEqual(descriptions, ["first", "second"])
    }))

  it.effect("a toolkit whose definition is broken is still refused before anything is sent, every time", () =>
    Effect.gen(function*() {
      const broken = ToolLoop.tool("broken", {
        description: "parameters with no JSON Schema form",
        parameters: Schema.Struct({ n: Schema.BigIntFromSelf }),
        handler: () => Effect.void
      })
      const toolkit = ToolLoop.toolkit(broken)
      const { requests } = yield* withMock(
        () => text("unavailable", 500),
        Effect.gen(function*() {
          const assistants = yield* Assistants.Assistants
          for (let i = 0; i < 2; i++) {
            const exit = yield* Effect.exit(assistants.create({ name: "loop", tools: toolkit.definitions }))
            assert.isTrue(Exit.isFailure(exit))
          }
        }),
        { retry: false }
      )
      assert.strictEqual(requests.length, 0)
    }))
})
