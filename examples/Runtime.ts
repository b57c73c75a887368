/**
 * The layer every example runs on: the in-process emulator by default (no account, no network), or
 * the real AppBuilder service when `APPBUILDER_TOKEN` is set (then `GATEWAY_URL` is honoured too).
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** True when the examples talk to the real service. */
export const live: boolean = (process.env["APPBUILDER_TOKEN"] ?? "") !== ""

/** Options of the in-process emulator: slow enough to watch a stream arrive. */
export interface EmulatorOptions extends Emulator.Options {}

/**
 * Every AppBuilder service, against the emulator (default) or the real service, plus `live`.
 */
export const layer = (emulator: EmulatorOptions = {}) =>
  live
    ? AppBuilder.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.orDie)
    : AppBuilder.layer({ token: Redacted.make("emulator-token"), baseUrl: "http://emulator.local" }).pipe(
      Layer.provide(Emulator.layer(emulator)),
      Layer.orDie
    )
