/**
 * A tool's timeout on the live clock is a `setTimeout` watching the handler's fiber (no racing sleeper
 * fiber, see `timeout.ts`): a handler that outlives it becomes an `error: …` output naming the timeout, or
 * fails with `TimeoutException` under `onToolError: "fail"`, exactly as `Effect.timeout` would; a handler
 * that answers in time gives its output. (The `TestClock` path is covered in `ToolLoop.test.ts`.)
 */
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { FunctionCall, ToolCall } from "../src/internal/models/run.js"
import { toolOutputFor } from "../src/internal/toolCalls.js"

const Place = Schema.Struct({ location: Schema.String })

const call = new ToolCall({
  id: "call_1",
  type: "function",
  function: new FunctionCall({ name: "get_cur_whether", arguments: JSON.stringify({ location: "北京" }) })
})

const toolWith = (handler: (input: { readonly location: string }) => Effect.Effect<string>) =>
  ToolLoop.toolkit(
    ToolLoop.tool("get_cur_whether", { description: "weather", parameters: Place, timeout: "30 millis", handler })
  )

describe("tool timeout (live clock)", () => {
  it.live("a handler that outlives its timeout gives an error output, or TimeoutException under \"fail\"", () =>
    Effect.gen(function*() {
      const toolkit = toolWith(() => Effect.never)
      const output = yield* toolOutputFor({ toolkit }, call)
      assert.deepStrictEqual(output, { toolCallId: "call_1", output: "error: Operation timed out after '30ms'" })
      const exit = yield* Effect.exit(toolOutputFor({ toolkit, onToolError: "fail" }, call))
      assert.isTrue(Exit.isFailure(exit) && Cause.isTimeoutException(Cause.squash(exit.cause)))
    }))

  it.live("a handler that answers in time gives its output", () =>
    Effect.gen(function*() {
      const output = yield* toolOutputFor(
        { toolkit: toolWith(({ location }) => Effect.succeed(`${location} 30°`)) },
        call
      )
      assert.deepStrictEqual(output, { toolCallId: "call_1", output: "北京 30°" })
    }))
})
