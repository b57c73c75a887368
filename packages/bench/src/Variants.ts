/**
 * The ways of consuming one streamed run that the benchmark compares: the baseline, the SDK's
 * `Runs.stream`, and (as a diagnostic) the SDK's HTTP layer alone.
 *
 * Every variant adds the events it sees to a {@link Tracker} as they arrive, so that a run stopped by
 * the harness' time limit still tells how far it got. The Effect-based variants call
 * {@link Tracker.onChunk} after each chunk: it samples the memory and says when the time limit is
 * passed, which works even when the consumer starves the event loop (a timer-based timeout would not
 * fire then).
 *
 * @since 0.1.0
 */
import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as AppBuilderClient from "@effect-appbuilder/assistant/AppBuilderClient"
import type * as AppBuilderError from "@effect-appbuilder/assistant/AppBuilderError"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Baseline from "./Baseline.js"
import * as BaselineUndici from "./BaselineUndici.js"

/**
 * A failure of the harness itself (not an SDK error).
 *
 * @since 0.1.0
 * @category errors
 */
export class BenchError extends Data.TaggedError("BenchError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * @since 0.1.0
 * @category errors
 */
export type RunError = BenchError | AppBuilderError.AppBuilderError

/**
 * The run was stopped at the time limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeLimitReached extends Data.TaggedError("TimeLimitReached")<{
  readonly events: number
}> {}

/**
 * What one run reports while it streams.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tracker {
  /** The events seen so far (pings excluded). */
  events: number
  /** Called after each chunk: samples the memory when due; `true` once the time limit is passed. */
  readonly onChunk: () => boolean
}

/**
 * One way of consuming a streamed run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Variant {
  readonly name: string
  /** `transport` is a diagnostic row: the SDK's HTTP layer only (bytes, no decoding). */
  readonly kind: "baseline" | "sdk" | "transport"
  /** Streams the run of `threadId`, counting its events (pings excluded) into `tracker`. */
  readonly stream: (
    assistantId: string,
    threadId: string,
    tracker: Tracker
  ) => Effect.Effect<void, RunError | TimeLimitReached>
}

/**
 * `a: b: c` from an error and its chain of causes.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (error: unknown): string => {
  const parts: Array<string> = []
  for (let current = error; current !== undefined && parts.length < 5;) {
    if (current instanceof Error) {
      parts.push(current.message)
      current = current.cause
    } else {
      parts.push(String(current))
      current = undefined
    }
  }
  return parts.join(": ")
}

/**
 * `fetch` rejects with `TypeError: fetch failed` when the request could not be sent or no response
 * arrived: typically a keep-alive connection that the server closed while this process' event loop was
 * busy, the next request then going out on it. The SDK retries such transport failures; the baseline
 * has no retry, so the harness retries these (nothing was streamed yet).
 */
const isConnectionFailure = (error: BenchError): boolean =>
  error.cause instanceof TypeError && error.cause.message === "fetch failed"

/**
 * The baseline ({@link Baseline.streamRun}): plain `fetch`, `eventsource-parser`, `JSON.parse`.
 *
 * @since 0.1.0
 * @category variants
 */
export const baseline = (baseUrl: string, token: string): Variant => ({
  name: "baseline (fetch)",
  kind: "baseline",
  // a plain promise, never stopped (its loop awaits every read, so the memory timer runs)
  stream: (assistantId, threadId, tracker) =>
    Effect.tryPromise({
      try: () => Baseline.streamRun(baseUrl, token, { assistant_id: assistantId, thread_id: threadId }),
      catch: (cause) => new BenchError({ message: `baseline failed: ${describe(cause)}`, cause })
    }).pipe(
      Effect.tapError((error) =>
        isConnectionFailure(error) ? Console.log(`(baseline: ${describe(error.cause)}; retried)`) : Effect.void
      ),
      Effect.retry({ times: 2, while: isConnectionFailure }),
      Effect.map((events) => {
        tracker.events = events
      })
    )
})

/**
 * The baseline over undici ({@link BaselineUndici.streamRun}): `Dispatcher.request`,
 * `eventsource-parser`, `JSON.parse`; the yardstick of the per-event targets.
 *
 * @since 0.1.0
 * @category variants
 */
export const baselineUndici = (target: BaselineUndici.Target): Variant => ({
  name: "baseline (undici)",
  kind: "baseline",
  stream: (assistantId, threadId, tracker) =>
    Effect.tryPromise({
      try: () => BaselineUndici.streamRun(target, { assistant_id: assistantId, thread_id: threadId }),
      catch: (cause) => new BenchError({ message: `baseline (undici) failed: ${describe(cause)}`, cause })
    }).pipe(
      Effect.map((events) => {
        tracker.events = events
      })
    )
})

/**
 * The SDK: `Runs.stream`, every event counted (one effect per chunk, not per event).
 *
 * @since 0.1.0
 * @category variants
 */
export const sdk = (name: string, runs: Runs.Service): Variant => ({
  name,
  kind: "sdk",
  stream: (assistantId, threadId, tracker) =>
    Stream.runForEachChunk(runs.stream({ assistantId, threadId }), (chunk) => {
      tracker.events += chunk.length
      return tracker.onChunk() ? new TimeLimitReached({ events: tracker.events }) : Effect.void
    })
})

/**
 * The SDK's HTTP layer alone (`AppBuilderClient.stream`: request, status check, body bytes), events
 * counted as blank lines (the emulator writes LF line endings only).
 *
 * @since 0.1.0
 * @category variants
 */
export const transport = (name: string, client: AppBuilderClient.Service): Variant => ({
  name,
  kind: "transport",
  stream: (assistantId, threadId, tracker) =>
    Schema.encode(Runs.StreamRunRequest)({ assistantId, threadId }).pipe(
      Effect.mapError((cause) => new BenchError({ message: "the run request could not be encoded", cause })),
      Effect.flatMap((body) =>
        Effect.suspend(() => {
          let last = 0
          return Stream.runForEach(
            client.stream({ name: "bench", idempotent: false }, "/v2/threads/runs", body),
            (bytes) => {
              for (let i = 0; i < bytes.length; i++) {
                const byte = bytes[i]!
                if (byte === 10 && last === 10) tracker.events++
                last = byte
              }
              return tracker.onChunk() ? new TimeLimitReached({ events: tracker.events }) : Effect.void
            }
          )
        })
      )
    )
})

/**
 * The SDK's services over one `HttpClient`. Build it once, in the caller's scope.
 *
 * @since 0.1.0
 * @category layers
 */
export const sdkLayer = (
  baseUrl: string,
  token: string,
  http: Layer.Layer<HttpClient.HttpClient>,
  timeouts?: {
    /** The timeout of one attempt (`AppBuilder.layer`'s `timeout`). */
    readonly timeout: Duration.DurationInput
    /** The longest silence between two events of a run stream. */
    readonly streamIdleTimeout: Duration.DurationInput
  }
): Layer.Layer<AppBuilder.Services, AppBuilderError.ValidationError> =>
  AppBuilder.layer({ token: Redacted.make(token), baseUrl, ...timeouts }).pipe(Layer.provide(http))
