/**
 * The emulator's settings: auth token, timings, limits.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * Options accepted by every way of running the emulator. Every field is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** When set, only `Bearer <token>` is accepted; otherwise any non-empty bearer token passes. */
  readonly token?: Redacted.Redacted<string> | string | undefined
  /**
   * Delay before each message chunk of a streamed answer (default 0: the in-process layer streams as
   * fast as the caller's clock allows; the command line defaults to 30 milliseconds).
   */
  readonly chunkDelay?: Duration.DurationInput | undefined
  /** Interval of `ping` events while a stream is idle (default 5 seconds). */
  readonly pingInterval?: Duration.DurationInput | undefined
  /** How long a run may wait in `requires_action` before it expires (default 10 minutes). */
  readonly requiresActionTimeout?: Duration.DurationInput | undefined
  /** Largest accepted upload in bytes (default 10 MiB). */
  readonly maxUploadBytes?: number | undefined
  /** Number of characters per streamed message chunk (default 8). */
  readonly chunkSize?: number | undefined
  /** The `classification_id` reported for uploaded files (default `42685563`). */
  readonly classificationId?: string | undefined
  /** The audit status (`censored`) reported for files (default 1, approved). */
  readonly censored?: number | undefined
  /**
   * How many requests the request log keeps (default 10,000); older ones are dropped first, so that a
   * long-running server keeps flat memory.
   */
  readonly requestLogSize?: number | undefined
}

/**
 * Options with every default applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  readonly token: Option.Option<Redacted.Redacted<string>>
  readonly chunkDelay: Duration.Duration
  readonly pingInterval: Duration.Duration
  readonly requiresActionTimeout: Duration.Duration
  readonly maxUploadBytes: number
  readonly chunkSize: number
  readonly classificationId: string
  readonly censored: number
  readonly requestLogSize: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class EmulatorConfig extends Context.Tag("@effect-appbuilder/emulator/EmulatorConfig")<
  EmulatorConfig,
  Resolved
>() {}

/**
 * Applies the defaults to a set of options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (options: Options = {}): Resolved => ({
  token: options.token === undefined || options.token === ""
    ? Option.none()
    : Option.some(typeof options.token === "string" ? Redacted.make(options.token) : options.token),
  chunkDelay: Duration.decode(options.chunkDelay ?? Duration.zero),
  pingInterval: Duration.decode(options.pingInterval ?? "5 seconds"),
  requiresActionTimeout: Duration.decode(options.requiresActionTimeout ?? "10 minutes"),
  maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024,
  chunkSize: Math.max(1, options.chunkSize ?? 8),
  classificationId: options.classificationId ?? "42685563",
  censored: options.censored ?? 1,
  requestLogSize: options.requestLogSize ?? 10_000
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<EmulatorConfig> =>
  Layer.succeed(EmulatorConfig, resolve(options))
