import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import * as Server from "@effect-appbuilder/emulator/Server"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Harness from "./utils/harness.js"

/** A loopback emulator that accepts only `Bearer server-token`, standing in for the service. */
const remote = Effect.gen(function*() {
  const context = yield* Layer.build(Emulator.layerServer({ port: 0, token: "server-token" }))
  return {
    url: Context.get(context, Server.EmulatorServer).url,
    state: Context.get(context, EmulatorState.EmulatorState)
  }
})

describe("connection options", () => {
  it.scopedLive("a token from APPBUILDER_TOKEN and GATEWAY_URL select that gateway", () =>
    Effect.gen(function*() {
      const server = yield* remote
      const cli = yield* Harness.make
      const env = ConfigProvider.fromJson({ APPBUILDER_TOKEN: "server-token", GATEWAY_URL: server.url })
      const created = yield* cli.run(["assistants", "create", "--name", "remote"]).pipe(Effect.withConfigProvider(env))
      assert.strictEqual(created.code, 0, created.stderr)
      assert.deepStrictEqual((yield* server.state.assistants).map((a) => a.name), ["remote"])
      assert.deepStrictEqual(yield* cli.state.assistants, [], "the in-process emulator was not used")

      // --emulator wins over a configured token
      const local = yield* cli.run(["assistants", "create", "--name", "local", "--emulator"]).pipe(
        Effect.withConfigProvider(env)
      )
      assert.strictEqual(local.code, 0, local.stderr)
      assert.deepStrictEqual((yield* cli.state.assistants).map((a) => a.name), ["local"])
      assert.strictEqual((yield* server.state.assistants).length, 1)
    }))

  it.scopedLive("--token and --gateway-url override the environment; a refused token is one line, not printed", () =>
    Effect.gen(function*() {
      const server = yield* remote
      const cli = yield* Harness.make
      const env = ConfigProvider.fromJson({ APPBUILDER_TOKEN: "server-token", GATEWAY_URL: "http://127.0.0.1:9" })
      const refused = yield* cli.run(["assistants", "list", "--token", "wrong-token", "--gateway-url", server.url])
        .pipe(Effect.withConfigProvider(env))
      assert.strictEqual(refused.code, 1)
      assert.strictEqual(refused.stderr.split("\n").length, 1)
      assert.match(refused.stderr, /^appbuilder: error: Assistants\.list: .*request_id=\S+/)
      assert.notInclude(refused.stderr + refused.stdout, "wrong-token")
      assert.notInclude(refused.stderr + refused.stdout, "server-token")
    }))

  it.scoped("no token, or an empty one, means the in-process emulator", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      const empty = yield* cli.run(["assistants", "create", "--name", "offline"]).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ APPBUILDER_TOKEN: "", GATEWAY_URL: "http://127.0.0.1:9" }))
      )
      assert.strictEqual(empty.code, 0, empty.stderr)
      const none = yield* cli.run(["assistants", "list", "--json"]).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({}))
      )
      assert.strictEqual(JSON.parse(none.stdout).data[0].name, "offline")
    }))
})
