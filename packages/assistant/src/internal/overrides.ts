/**
 * The per-call overrides of the client's retry policy and per-attempt timeout: context references read by
 * the client when a request is made, set by `AppBuilderClient.withRetry` / `withTimeout` (and their
 * `Stream` variants).
 *
 * @since 0.1.0
 * @internal
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import type { RetryPolicy } from "../AppBuilderClient.js"

/**
 * The retry policy that replaces the client's for the requests made where it is provided.
 *
 * @since 0.1.0
 * @category references
 * @internal
 */
export class CurrentRetry extends Context.Reference<CurrentRetry>()(
  "@effect-appbuilder/assistant/AppBuilderClient/CurrentRetry",
  { defaultValue: (): Option.Option<RetryPolicy> => Option.none() }
) {}

/**
 * The per-attempt timeout that replaces the client's for the requests made where it is provided.
 *
 * @since 0.1.0
 * @category references
 * @internal
 */
export class CurrentTimeout extends Context.Reference<CurrentTimeout>()(
  "@effect-appbuilder/assistant/AppBuilderClient/CurrentTimeout",
  { defaultValue: (): Option.Option<Duration.Duration> => Option.none() }
) {}
