/**
 * JSON value types and parsing without exceptions.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"

/** @internal */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | JsonObject

/** @internal */
export interface JsonObject {
  readonly [key: string]: Json
}

/** @internal */
export const isObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export const parse = (text: string): Either.Either<Json, string> =>
  Either.try({
    try: () => JSON.parse(text) as Json,
    catch: (e) => (e instanceof Error ? e.message : String(e))
  })

/** @internal */
export const stringify = (value: Json): string => JSON.stringify(value)
