/**
 * The SDK over the in-process emulator (`AppBuilderTest.layer` of `@effect-appbuilder/testing`), and the
 * weather tool of the official tests (spec §4.1).
 */
import type * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"

/**
 * Every SDK service over a fresh in-process emulator, plus `EmulatorState`: `AppBuilderTest.layer`, the
 * layer users get from the test kit, so that our tests run on exactly what we ship.
 */
export const layer = AppBuilderTest.layer

/** `get_cur_whether`, as the official tests define it. */
export const weatherTool: Assistants.AssistantToolInput = {
  type: "function",
  function: {
    name: "get_cur_whether",
    description: "这是一个获得指定地点天气的工具",
    parameters: {
      type: "object",
      properties: {
        location: { type: "string", description: "省，市名，例如：河北省" },
        unit: { type: "string", enum: ["摄氏度", "华氏度"] }
      },
      required: ["location"]
    }
  }
}
