/**
 * `AppBuilderClient.layerConfig` / `AppBuilder.layerConfig`: every option as a `Config` value (or a plain
 * value), the environment defaults, and a missing token explained.
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import { HttpError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Faults from "@effect-appbuilder/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"

const withEnv = (entries: ReadonlyArray<readonly [string, string]>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))

/** The emulator accepts only `Bearer <token>` when `token` is given. */
const emulated = (options?: AppBuilderClient.ConfigOptions, token?: string) =>
  AppBuilder.layerConfig(options).pipe(Layer.provideMerge(Emulator.layer({ token })))

const asHttpError = (error: unknown): HttpError => {
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`)
  return error
}

const QUERY = "/v2/assistants/query"

describe("layerConfig: a missing token", () => {
  it.effect("says which variable to set, for AppBuilderClient.layerConfig and AppBuilder.layerConfig", () =>
    Effect.gen(function*() {
      const client = yield* Effect.flip(
        Effect.provide(AppBuilderClient.AppBuilderClient, AppBuilderClient.layerConfig()).pipe(
          Effect.provide(Emulator.layer()),
          withEnv([["GATEWAY_URL", "emulator.local"]])
        )
      )
      assert.include(String(client), "APPBUILDER_TOKEN is not set: set it to your AppBuilder token, or pass `token`")
      const all = yield* Effect.flip(
        Effect.provide(Assistants.Assistants, AppBuilder.layerConfig()).pipe(
          Effect.provide(Emulator.layer()),
          withEnv([])
        )
      )
      assert.include(String(all), "APPBUILDER_TOKEN is not set")
      assert.include(String(all), "AppBuilder.layerConfig")
    }))

  it.effect("a token given as a Config names its own variable when missing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        AppBuilderClient.config({ token: Config.redacted("MY_TOKEN") }).pipe(withEnv([["APPBUILDER_TOKEN", "t"]]))
      )
      assert.include(String(error), "MY_TOKEN")
    }))
})

describe("layerConfig: every option as a Config", () => {
  it.effect("token, base URL, timeout, stream idle timeout, prefix, platform and retry read from Config", () =>
    Effect.gen(function*() {
      const options = yield* AppBuilderClient.config({
        token: Config.redacted("MY_TOKEN"),
        baseUrl: Config.string("MY_URL"),
        timeout: Config.duration("MY_TIMEOUT"),
        streamIdleTimeout: Config.duration("MY_IDLE"),
        secretKeyPrefix: Config.string("MY_PREFIX"),
        platform: Config.string("MY_PLATFORM"),
        retry: {
          maxRetries: Config.integer("MY_RETRIES"),
          baseDelay: Config.duration("MY_BASE"),
          maxRetryAfter: "5 seconds"
        }
      }).pipe(withEnv([
        ["MY_TOKEN", "tok"],
        ["MY_URL", "http://gateway.test"],
        ["MY_TIMEOUT", "3 seconds"],
        ["MY_IDLE", "7 seconds"],
        ["MY_PREFIX", "Token"],
        ["MY_PLATFORM", "tests"],
        ["MY_RETRIES", "2"],
        ["MY_BASE", "1 second"]
      ]))
      assert.strictEqual(Redacted.value(options.token), "tok")
      assert.strictEqual(options.baseUrl, "http://gateway.test")
      assert.isTrue(Duration.equals(Duration.decode(options.timeout ?? 0), Duration.seconds(3)))
      assert.isTrue(Duration.equals(Duration.decode(options.streamIdleTimeout ?? 0), Duration.seconds(7)))
      assert.strictEqual(options.secretKeyPrefix, "Token")
      assert.strictEqual(options.platform, "tests")
      assert.deepStrictEqual(options.retry, {
        maxRetries: 2,
        baseDelay: Duration.seconds(1),
        maxDelay: undefined,
        maxRetryAfter: "5 seconds",
        schedule: undefined
      })
    }))

  it.effect("the defaults read APPBUILDER_TOKEN, GATEWAY_URL, SECRET_KEY_PREFIX and APPBUILDER_SDK_PLATFORM", () =>
    Effect.gen(function*() {
      const options = yield* AppBuilderClient.config().pipe(withEnv([
        ["APPBUILDER_TOKEN", "env-token"],
        ["GATEWAY_URL", "gw.example"],
        ["SECRET_KEY_PREFIX", "Key"],
        ["APPBUILDER_SDK_PLATFORM", "ci"]
      ]))
      assert.strictEqual(Redacted.value(options.token), "env-token")
      assert.strictEqual(options.baseUrl, "gw.example")
      assert.strictEqual(options.secretKeyPrefix, "Key")
      assert.strictEqual(options.platform, "ci")
      assert.isUndefined(options.timeout)
      assert.isUndefined(options.retry)
    }))

  it.effect("plain values are still accepted (the former overrides), and win over the environment", () =>
    Effect.gen(function*() {
      const options = yield* AppBuilderClient.config({ token: Redacted.make("plain"), baseUrl: "http://plain.test" })
        .pipe(
          withEnv([["APPBUILDER_TOKEN", "env"], ["GATEWAY_URL", "env.test"]])
        )
      assert.strictEqual(Redacted.value(options.token), "plain")
      assert.strictEqual(options.baseUrl, "http://plain.test")
    }))

  it.effect("an invalid value is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        AppBuilderClient.config({ timeout: Config.duration("MY_TIMEOUT") }).pipe(
          withEnv([["APPBUILDER_TOKEN", "t"], ["MY_TIMEOUT", "soon"]])
        )
      )
      assert.include(String(error), "MY_TIMEOUT")
    }))

  it.effect("the layer applies them: the token from Config, the timeout from Config (2 s), no retry from Config", () =>
    Effect.gen(function*() {
      // the emulator accepts the create only with the token read from MY_TOKEN
      const state = yield* EmulatorState.EmulatorState
      const assistants = yield* Assistants.Assistants
      const created = yield* assistants.create({ name: "n" })
      yield* state.injectFault(QUERY, Faults.latency("5 seconds"))
      const fiber = yield* Effect.fork(Effect.flip(assistants.query(created.id)))
      yield* TestClock.adjust("1999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 millis")
      const error = asHttpError(yield* Fiber.join(fiber))
      assert.strictEqual(error.reason, "Timeout")
      yield* TestClock.adjust("1 minute")
      const queries = (yield* state.requests).filter((r) => r.path === QUERY)
      assert.strictEqual(queries.length, 1)
    }).pipe(
      Effect.provide(emulated({
        token: Config.redacted("MY_TOKEN"),
        timeout: Config.duration("MY_TIMEOUT"),
        retry: Config.boolean("MY_RETRY").pipe(Config.map((on) => (on ? Schedule.spaced("1 second") : false)))
      }, "from-config")),
      withEnv([["MY_TOKEN", "from-config"], ["MY_TIMEOUT", "2 seconds"], ["MY_RETRY", "false"]])
    ))
})
