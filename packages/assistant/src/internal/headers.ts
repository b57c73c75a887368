/**
 * The headers the client sends with every request: both authorization headers (the same value), the SDK
 * description, and a fresh request id per attempt. Also the names of the headers whose values are secrets.
 *
 * @since 0.1.0
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Redacted from "effect/Redacted"

/**
 * The SDK version sent in `X-Appbuilder-Sdk-Config`.
 *
 * @since 0.1.0
 * @category constants
 * @internal
 */
export const SDK_VERSION = "0.1.0"

/**
 * Header names whose values are secrets: they are redacted in spans and logs (`authorization` is
 * redacted by the platform already).
 *
 * @since 0.1.0
 * @category constants
 * @internal
 */
export const SECRET_HEADERS: ReadonlyArray<string> = ["authorization", "x-appbuilder-authorization"]

/**
 * The value of both authorization headers: the token with the prefix (default `Bearer`) prepended
 * unless the token already starts with it.
 *
 * @since 0.1.0
 * @category headers
 * @internal
 */
export const authorizationValue = (token: Redacted.Redacted<string>, prefix = "Bearer"): Redacted.Redacted<string> => {
  const value = Redacted.value(token)
  return Redacted.make(value.startsWith(prefix) ? value : `${prefix} ${value}`)
}

/**
 * The value of `X-Appbuilder-Sdk-Config`, as the official client sends it.
 *
 * @since 0.1.0
 * @category headers
 * @internal
 */
export const sdkConfig = (platform: string): string =>
  JSON.stringify({
    appbuilder_sdk_version: SDK_VERSION,
    appbuilder_sdk_language: "typescript",
    appbuilder_sdk_platform: platform
  })

/**
 * What every request of one client has in common.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export interface RequestSettings {
  readonly baseUrl: string
  readonly authorization: Redacted.Redacted<string>
  readonly platform: string
}

/**
 * Makes the function that completes a request for one attempt: the base URL before the path, the SDK
 * headers, both authorization headers, and the attempt's request id under both of its names.
 *
 * @since 0.1.0
 * @category headers
 * @internal
 */
export const makePrepare = (settings: RequestSettings) => {
  const config = sdkConfig(settings.platform)
  return (request: HttpClientRequest.HttpClientRequest, requestId: string): HttpClientRequest.HttpClientRequest =>
    request.pipe(
      HttpClientRequest.prependUrl(settings.baseUrl),
      HttpClientRequest.setHeaders({
        "x-appbuilder-sdk-config": config,
        "x-appbuilder-origin": "appbuilder_sdk",
        "authorization": Redacted.value(settings.authorization),
        "x-appbuilder-authorization": Redacted.value(settings.authorization),
        "x-appbuilder-request-id": requestId,
        "x-bce-request-id": requestId
      })
    )
}

/**
 * The redacted names with the secret headers added (see {@link SECRET_HEADERS}), so that neither
 * authorization header shows up in clear in a span or a log. Built once per list of names (almost always
 * the platform's default list, the same array on every call) rather than on every request. The lists are
 * never mutated, so sharing one is safe.
 *
 * @since 0.1.0
 * @category headers
 * @internal
 */
export const withSecrets = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
  let extended = withSecretHeaders.get(names)
  if (extended === undefined) {
    extended = [...names, ...SECRET_HEADERS]
    withSecretHeaders.set(names, extended)
  }
  return extended
}

const withSecretHeaders = new WeakMap<ReadonlyArray<string | RegExp>, ReadonlyArray<string | RegExp>>()
