/**
 * The test kit: every SDK service over the in-process emulator, in one layer, and the helpers tests
 * reach for (scripted model turns, fault injection, "no run left active").
 *
 * @example
 * ```ts
 * import * as Threads from "@effect-appbuilder/assistant/Threads"
 * import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
 * import * as Console from "effect/Console"
 * import * as Effect from "effect/Effect"
 *
 * // The body of a test: with @effect/vitest, `it.effect("creates a thread", () => createsAThread)`.
 * const createsAThread = Effect.gen(function*() {
 *   const threads = yield* Threads.Threads
 *   const thread = yield* threads.create()
 *   yield* Console.log(thread.id) // thread_…
 *   yield* AppBuilderTest.assertNoActiveRuns
 * }).pipe(Effect.provide(AppBuilderTest.layer()))
 *
 * Effect.runPromise(createsAThread)
 * ```
 *
 * @since 0.1.0
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import type * as Faults from "@effect-appbuilder/emulator/Faults"
import * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * Fault constructors (`Faults.status`, `Faults.latency`, `Faults.dropAfter`, `Faults.malformed`), to use
 * with {@link injectFault} or the `faults` option of {@link layer}.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * as Faults from "@effect-appbuilder/emulator/Faults"

/**
 * The emulator's state (`EmulatorState.EmulatorState`): assistants, threads, messages, runs, the request
 * log.
 *
 * @since 0.1.0
 * @category re-exports
 */
export * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"

/**
 * The scripted model (`ScriptedModel.Turn`, `ScriptedModel.make`, the default rules).
 *
 * @since 0.1.0
 * @category re-exports
 */
export * as ScriptedModel from "@effect-appbuilder/emulator/ScriptedModel"

/**
 * The token the client sends when {@link Options.token} is not set (the emulator then accepts any token).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultToken: string = "bce-v3/ALTAK-emulator/test"

/**
 * The base URL the client uses when {@link Options.baseUrl} is not set. The in-process emulator answers
 * whatever the host.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl: string = "http://emulator.local"

/**
 * Options of {@link layer}: the emulator's options (`script`, `faults`, `chunkDelay`, `pingInterval`,
 * `requiresActionTimeout`, …) plus the client's (`retry`, `timeout`, `streamIdleTimeout`, …). `token`,
 * when set, is both the token the emulator demands and the one the client sends.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends Emulator.Options, Omit<AppBuilderClient.Options, "token"> {}

/**
 * What {@link layer} provides: every SDK service (`AppBuilder.Services`), `EmulatorState` and the
 * in-process `HttpClient` the SDK talks through.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = AppBuilder.Services | EmulatorState.EmulatorState | HttpClient.HttpClient

/**
 * Every SDK service over a fresh in-process emulator, plus `EmulatorState` to inspect it. Requests are
 * served in the caller's runtime, so `TestClock` drives retries, timeouts, pings and expiries. Build it in
 * each test (`Effect.provide(AppBuilderTest.layer())`) so that tests do not share state. Invalid client
 * options are a defect (a test bug).
 *
 * @example
 * ```ts
 * import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
 *
 * const TestLayer = AppBuilderTest.layer({
 *   script: AppBuilderTest.turns({ reply: "hello" }),
 *   retry: false,
 *   timeout: "5 seconds"
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services> => {
  const token = options.token === undefined || options.token === ""
    ? Redacted.make(defaultToken)
    : typeof options.token === "string"
    ? Redacted.make(options.token)
    : options.token
  return AppBuilder.layer({ ...options, token, baseUrl: options.baseUrl ?? defaultBaseUrl }).pipe(
    Layer.provideMerge(Emulator.layer(options)),
    Layer.orDie
  )
}

/**
 * A model script that plays `turns` in order, one per step decision (across all runs), then falls back to
 * the default rules. Pass it as the `script` option of {@link layer}. Each turn is one of
 * `{ toolCalls: [{ name, arguments }] }`, `{ reply: "text" }`, `{ fail: { message } }` or
 * `{ useDefault: true }`, with an optional `delay` (see `ScriptedModel.Turn`).
 *
 * @example
 * ```ts
 * import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
 *
 * const script = AppBuilderTest.turns(
 *   { toolCalls: [{ name: "get_cur_whether", arguments: { location: "北京" } }] },
 *   { reply: "北京今天30度" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const turns = (...turns: ReadonlyArray<ScriptedModel.Turn>): Layer.Layer<ScriptedModel.Script> =>
  ScriptedModel.fromTurns(turns)

/**
 * Installs a fault for the next matching requests on `path` (e.g. `/v2/threads`, `/v2/threads/runs`):
 * build it with {@link Faults} (`Faults.status(503, { retryAfter: 2, times: 1 })`, `Faults.latency(…)`,
 * `Faults.dropAfter(n)`, `Faults.malformed()`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const injectFault = (
  path: string,
  fault: Faults.Fault
): Effect.Effect<void, never, EmulatorState.EmulatorState> =>
  Effect.flatMap(EmulatorState.EmulatorState, (state) => state.injectFault(path, fault))

/**
 * The run statuses {@link assertNoActiveRuns} rejects.
 *
 * @since 0.1.0
 * @category constants
 */
export const activeStatuses: ReadonlyArray<EmulatorState.RunStatus> = ["queued", "in_progress", "requires_action"]

/**
 * A run found active by {@link assertNoActiveRuns}.
 *
 * @since 0.1.0
 * @category models
 */
export const ActiveRun = Schema.Struct({
  id: Schema.String,
  threadId: Schema.String,
  status: Schema.String
})

/**
 * The failure of {@link assertNoActiveRuns}: the runs still `queued`, `in_progress` or
 * `requires_action`, listed in `message`.
 *
 * @since 0.1.0
 * @category errors
 */
export class ActiveRunsError extends Schema.TaggedError<ActiveRunsError>(
  "@effect-appbuilder/testing/ActiveRunsError"
)("ActiveRunsError", { runs: Schema.Array(ActiveRun) }) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const list = this.runs.map((run) => `${run.id} (thread ${run.threadId}): ${run.status}`).join(", ")
    return `${this.runs.length} run(s) still active on the emulator: ${list}`
  }
}

/**
 * Succeeds when no run on the emulator is `queued`, `in_progress` or `requires_action`; otherwise fails
 * with an {@link ActiveRunsError} whose message lists the runs. Runs in `cancelling` are not counted (the
 * cancel was accepted). Use it at the end of an `it.effect` to check that your code cancels or finishes
 * every run it starts.
 *
 * @since 0.1.0
 * @category assertions
 */
export const assertNoActiveRuns: Effect.Effect<void, ActiveRunsError, EmulatorState.EmulatorState> = Effect.flatMap(
  EmulatorState.EmulatorState,
  (state) =>
    Effect.flatMap(state.runs(), (all) => {
      const active = all.filter((run) => activeStatuses.includes(run.status))
      return active.length === 0
        ? Effect.void
        : Effect.fail(
          new ActiveRunsError({
            runs: active.map((run) => ({ id: run.id, threadId: run.threadId, status: run.status }))
          })
        )
    })
)
