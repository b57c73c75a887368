/**
 * One layer for everything: the {@link AppBuilderClient} and every resource service.
 *
 * @example
 * ```ts
 * import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
 * import * as Assistants from "@effect-appbuilder/assistant/Assistants"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import * as Effect from "effect/Effect"
 * import * as Layer from "effect/Layer"
 *
 * const program = Effect.gen(function*() {
 *   const assistants = yield* Assistants.Assistants
 *   return yield* assistants.create({ name: "demo", description: "a demo" })
 * })
 *
 * program.pipe(
 *   Effect.provide(AppBuilder.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici)))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as AppBuilderClient from "./AppBuilderClient.js"
import type { ValidationError } from "./AppBuilderError.js"
import * as Assistants from "./Assistants.js"
import * as Files from "./Files.js"
import * as Messages from "./Messages.js"
import * as Runs from "./Runs.js"
import * as RunSteps from "./RunSteps.js"
import * as Threads from "./Threads.js"

/**
 * Every service the SDK provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services =
  | AppBuilderClient.AppBuilderClient
  | Assistants.Assistants
  | Files.Files
  | Threads.Threads
  | Messages.Messages
  | Runs.Runs
  | RunSteps.RunSteps

/**
 * The resource services, given an {@link AppBuilderClient.AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices: Layer.Layer<
  Exclude<Services, AppBuilderClient.AppBuilderClient>,
  never,
  AppBuilderClient.AppBuilderClient
> = Layer.mergeAll(Assistants.layer, Files.layer, Threads.layer, Messages.layer, Runs.layer, RunSteps.layer)

/**
 * The client and every service, from explicit options. Needs an `HttpClient`.
 *
 * @example
 * ```ts
 * import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import * as Layer from "effect/Layer"
 * import * as Redacted from "effect/Redacted"
 *
 * const MainLayer = AppBuilder.layer({ token: Redacted.make("bce-v3/ALTAK-…"), timeout: "30 seconds" }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: AppBuilderClient.Options
): Layer.Layer<Services, ValidationError, HttpClient.HttpClient> =>
  layerServices.pipe(Layer.provideMerge(AppBuilderClient.layer(options)))

/**
 * The client and every service, configured from `Config` values: every option may be a `Config` or a
 * plain value; the token defaults to `APPBUILDER_TOKEN` and the base URL to `GATEWAY_URL` (see
 * {@link AppBuilderClient.layerConfig}). A missing token is a `ConfigError` saying how to provide it.
 * Needs an `HttpClient`.
 *
 * @example
 * ```ts
 * import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
 * import * as Config from "effect/Config"
 *
 * const MainLayer = AppBuilder.layerConfig({
 *   token: Config.redacted("MY_APPBUILDER_TOKEN"),
 *   timeout: Config.duration("APPBUILDER_TIMEOUT").pipe(Config.withDefault("30 seconds"))
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options?: AppBuilderClient.ConfigOptions
): Layer.Layer<Services, ConfigError.ConfigError | ValidationError, HttpClient.HttpClient> =>
  layerServices.pipe(Layer.provideMerge(AppBuilderClient.layerConfig(options)))
