/**
 * The global options of the `appbuilder` command (`--token`, `--gateway-url`, `--emulator`, `--json`) and
 * the layer they select: the SDK over the real service when a token is configured, else over the
 * in-process emulator (so the command works on a fresh machine with no account).
 *
 * @since 0.1.0
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import type { ValidationError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as Options from "@effect/cli/Options"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * The parsed global options.
 *
 * @since 0.1.0
 * @category models
 */
export interface GlobalOptions {
  /** `--token`, else `APPBUILDER_TOKEN`. */
  readonly token: Option.Option<Redacted.Redacted<string>>
  /** `--gateway-url`, else `GATEWAY_URL`. */
  readonly gatewayUrl: Option.Option<string>
  /** `--emulator`: use the in-process emulator even if a token is configured. */
  readonly emulator: boolean
  /** `--json`: print the wire objects as JSON. */
  readonly json: boolean
}

/**
 * The global options as `@effect/cli` options (the root command's config).
 *
 * @since 0.1.0
 * @category options
 */
export const options: { readonly [K in keyof GlobalOptions]: Options.Options<GlobalOptions[K]> } = {
  token: Options.redacted("token").pipe(
    Options.withDescription("The AppBuilder token (default: $APPBUILDER_TOKEN). Never printed."),
    Options.withFallbackConfig(Config.redacted("APPBUILDER_TOKEN")),
    Options.optional
  ),
  gatewayUrl: Options.text("gateway-url").pipe(
    Options.withDescription("The service's base URL (default: $GATEWAY_URL, else https://appbuilder.baidu.com)."),
    Options.withFallbackConfig(Config.string("GATEWAY_URL")),
    Options.optional
  ),
  emulator: Options.boolean("emulator").pipe(
    Options.withDescription("Talk to the in-process emulator (the default when no token is configured).")
  ),
  json: Options.boolean("json").pipe(
    Options.withDescription("Print the wire objects as JSON (for scripts).")
  )
}

/**
 * Which service a command talks to.
 *
 * @since 0.1.0
 * @category models
 */
export type Target =
  | { readonly _tag: "Emulator" }
  | { readonly _tag: "Service"; readonly baseUrl: string }

/**
 * Where progress bars are drawn (stderr): drawn only when it is a terminal.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProgressSink {
  readonly isTTY: boolean
  readonly write: (text: string) => void
}

/**
 * What the command needs from its surroundings, fixed per process: where progress bars go, and the
 * emulator layer used in emulator mode (a fresh `Emulator.layer()` per invocation by default; tests pass
 * one shared layer so that several invocations see the same state).
 *
 * @since 0.1.0
 * @category models
 */
export interface Environment {
  readonly stderr: ProgressSink
  readonly emulator: Layer.Layer<HttpClient.HttpClient>
}

/**
 * The default {@link Environment}: the process's stderr and a fresh in-process emulator.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultEnvironment = (): Environment => ({
  stderr: {
    isTTY: process.stderr.isTTY === true,
    write: (text) => {
      process.stderr.write(text)
    }
  },
  emulator: Emulator.layer()
})

/**
 * What every subcommand may read: the global options and the chosen target.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly json: boolean
  readonly target: Target
  readonly stderr: ProgressSink
}

/**
 * The {@link Settings} of the current invocation.
 *
 * @since 0.1.0
 * @category tags
 */
export class CliSettings extends Context.Tag("@effect-appbuilder/cli/CliSettings")<CliSettings, Settings>() {}

/**
 * The token the client sends to the in-process emulator (which accepts any non-empty token).
 *
 * @since 0.1.0
 * @category constants
 */
export const emulatorToken: Redacted.Redacted<string> = Redacted.make("bce-v3/ALTAK-emulator/cli")

/**
 * The base URL used for the in-process emulator (it answers whatever the host).
 *
 * @since 0.1.0
 * @category constants
 */
export const emulatorBaseUrl: string = "http://emulator.local"

/** The token, unless absent or empty (an empty `APPBUILDER_TOKEN` means "no token"). */
const configuredToken = (global: GlobalOptions): Option.Option<Redacted.Redacted<string>> =>
  Option.filter(global.token, (token) => Redacted.value(token).trim() !== "")

/**
 * The target the options select: the emulator when `--emulator` is given or no (non-empty) token is
 * configured.
 *
 * @since 0.1.0
 * @category constructors
 */
export const target = (global: GlobalOptions): Target =>
  global.emulator || Option.isNone(configuredToken(global))
    ? { _tag: "Emulator" }
    : { _tag: "Service", baseUrl: Option.getOrElse(global.gatewayUrl, () => AppBuilderClient.DEFAULT_BASE_URL) }

/**
 * The SDK services (and {@link CliSettings}) for the given global options: over the in-process emulator
 * (`Emulator.layer()`, or the environment's) or over Node's HTTP client to the service. An invalid option
 * (e.g. a malformed `--gateway-url`) is an SDK `ValidationError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  global: GlobalOptions,
  environment: Environment = defaultEnvironment()
): Layer.Layer<AppBuilder.Services | CliSettings, ValidationError> => {
  const chosen = target(global)
  const settings = Layer.succeed(CliSettings, { json: global.json, target: chosen, stderr: environment.stderr })
  const token = configuredToken(global)
  const sdk = chosen._tag === "Emulator" || Option.isNone(token)
    ? AppBuilder.layer({ token: emulatorToken, baseUrl: emulatorBaseUrl, retry: false }).pipe(
      Layer.provide(environment.emulator)
    )
    : AppBuilder.layer({ token: token.value, baseUrl: chosen.baseUrl }).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    )
  return Layer.merge(sdk, settings)
}
