/**
 * The layer every example runs on: the in-process emulator by default (no account, no network), or
 * the real AppBuilder service when `APPBUILDER_TOKEN` is set (then `GATEWAY_URL` is honoured too).
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"
import { realpathSync } from "node:fs"
import { pathToFileURL } from "node:url"

/** True when the examples talk to the real service. */
export const live: boolean = (process.env["APPBUILDER_TOKEN"] ?? "") !== ""

/** Options of the in-process emulator: slow enough to watch a stream arrive. */
export interface EmulatorOptions extends Emulator.Options {}

/**
 * Every AppBuilder service, against the emulator (default: `AppBuilderTest.layer` of
 * `@effect-appbuilder/testing`, the SDK over the in-process emulator) or the real service.
 */
export const layer = (emulator: EmulatorOptions = {}): Layer.Layer<AppBuilder.Services> =>
  live
    ? AppBuilder.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.orDie)
    : AppBuilderTest.layer(emulator)

/**
 * True when the module whose `import.meta.url` is given is the script node was started with (and not
 * merely imported, e.g. by `run-all.ts` or a test). Symlinks in the script path are resolved.
 */
export const isMain = (moduleUrl: string): boolean => {
  const script = process.argv[1]
  if (script === undefined) return false
  let path = script
  try {
    path = realpathSync(script)
  } catch {
    // not a file on disk: compare the path as given
  }
  return moduleUrl === pathToFileURL(path).href
}
