/**
 * The SDK over the in-process emulator, and the weather tool of the official tests (spec §4.1).
 */
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** Every SDK service over a fresh in-process emulator, plus `EmulatorState`. */
export const layer = (options: Emulator.Options = {}) =>
  AppBuilder.layer({ token: Redacted.make("bce-v3/ALTAK-emulator/test"), baseUrl: "http://emulator.local" }).pipe(
    Layer.provideMerge(Emulator.layer(options)),
    Layer.orDie
  )

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
