/**
 * Checking and resolving the client's options: the token and the header values must be sendable, the
 * base URL must parse, and every default is filled in.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import type { Options } from "../AppBuilderClient.js"
import { Issue, ValidationError } from "../AppBuilderError.js"
import * as RequestHeaders from "./headers.js"
import * as Retry from "./retry.js"
import * as Transport from "./transport.js"

/**
 * The base URL used when none is configured.
 *
 * @since 0.1.0
 * @category constants
 * @internal
 */
export const DEFAULT_BASE_URL = "https://appbuilder.baidu.com"

/**
 * Normalises a base URL as the official client does: empty means the default, `https://` is prepended
 * when the value does not start with `http`; trailing slashes are removed so that paths never start
 * with `//`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const normalizeBaseUrl = (baseUrl: string | undefined): string => {
  const trimmed = (baseUrl ?? "").trim()
  if (trimmed === "") return DEFAULT_BASE_URL
  const withScheme = trimmed.startsWith("http") ? trimmed : `https://${trimmed}`
  return withScheme.replace(/\/+$/, "")
}

/**
 * The options with every default filled in.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export interface ResolvedOptions extends RequestHeaders.RequestSettings {
  readonly timeout: Duration.Duration
  readonly streamIdleTimeout: Duration.Duration
  readonly retry: Retry.ResolvedRetry | undefined
}

const NOT_A_HEADER = "contains a character that cannot be sent in an HTTP header"

/** The messages never show the token: it is a secret, and the offending character could be anywhere in it. */
const tokenIssue = (token: unknown): Issue | undefined => {
  const value = Redacted.isRedacted(token) ? Redacted.value(token) : undefined
  if (!Predicate.isString(value)) {
    return new Issue({ path: ["token"], message: "the token must be a string wrapped in Redacted" })
  }
  if (value.trim() === "") return new Issue({ path: ["token"], message: "the token must not be empty" })
  if (!Transport.isHeaderSafe(value)) {
    return new Issue({
      path: ["token"],
      message:
        "the token contains a character that cannot be sent in an HTTP header (a line break, another control character or a non-ASCII character); only visible ASCII, spaces and tabs are allowed"
    })
  }
  return undefined
}

const issuesOf = (options: Options, baseUrl: string): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const token = tokenIssue(options.token)
  if (token !== undefined) issues.push(token)
  if (options.secretKeyPrefix !== undefined && !Transport.isHeaderSafe(options.secretKeyPrefix)) {
    issues.push(new Issue({ path: ["secretKeyPrefix"], message: NOT_A_HEADER }))
  }
  if (options.platform !== undefined && !Transport.isHeaderSafe(options.platform)) {
    issues.push(new Issue({ path: ["platform"], message: NOT_A_HEADER }))
  }
  if (!URL.canParse(baseUrl)) issues.push(new Issue({ path: ["baseUrl"], message: "not a valid URL" }))
  return issues
}

/**
 * Checks the options (every problem at once, as a {@link ValidationError} of `AppBuilderClient.make`)
 * and fills in the defaults: 60 s per attempt, 90 s between stream events, the default retry policy,
 * the `Bearer` prefix and the `unknown` platform.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const resolve = (options: Options): Effect.Effect<ResolvedOptions, ValidationError> =>
  Effect.suspend(() => {
    const baseUrl = normalizeBaseUrl(options.baseUrl)
    const issues = issuesOf(options, baseUrl)
    if (issues.length > 0) return Effect.fail(new ValidationError({ operation: "AppBuilderClient.make", issues }))
    return Effect.succeed({
      baseUrl,
      authorization: RequestHeaders.authorizationValue(options.token, options.secretKeyPrefix ?? "Bearer"),
      platform: options.platform ?? "unknown",
      timeout: Duration.decode(options.timeout ?? "60 seconds"),
      streamIdleTimeout: Duration.decode(options.streamIdleTimeout ?? "90 seconds"),
      retry: Retry.resolveRetry(options.retry)
    })
  })
