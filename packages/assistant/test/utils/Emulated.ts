/**
 * The SDK over the in-process emulator (`AppBuilderTest.layer` of `@effect-appbuilder/testing`), and the
 * weather tool of the official tests (spec §4.1).
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import type * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import type * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Server from "@effect-appbuilder/emulator/Server"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
 * Every SDK service over a fresh in-process emulator, plus `EmulatorState`: `AppBuilderTest.layer`, the
 * layer users get from the test kit, so that our tests run on exactly what we ship.
 */
export const layer = AppBuilderTest.layer

/**
 * Every SDK service over `http` (a real transport), talking to an emulator server on a loopback port
 * (`Emulator.layerServer`, port 0) that demands `token`, plus `EmulatorState`.
 */
export const overServer = (
  http: Layer.Layer<HttpClient.HttpClient>,
  options: { readonly token: string; readonly retry: AppBuilderClient.Options["retry"] }
): Layer.Layer<AppBuilder.Services | EmulatorState.EmulatorState | Server.EmulatorServer> =>
  Layer.unwrapEffect(
    Effect.map(Server.EmulatorServer, (server) =>
      AppBuilder.layer({ token: Redacted.make(options.token), baseUrl: server.url, retry: options.retry }).pipe(
        Layer.provide(http)
      ))
  ).pipe(Layer.provideMerge(Emulator.layerServer({ port: 0, token: options.token })), Layer.orDie)

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
