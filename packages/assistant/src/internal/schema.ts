/**
 * Helpers for the lenient response schemas: client defaults for absent keys, nulls tolerated, open enums.
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * A string field: absent or `null` decodes to `""`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const lenientString = Schema.optionalWith(Schema.String, { default: () => "", nullable: true })

/**
 * A numeric field (integers on the wire, timestamps): absent or `null` decodes to `0`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const lenientNumber = Schema.optionalWith(Schema.Number, { default: () => 0, nullable: true })

/**
 * A field whose absence means `null`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const nullOr = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/**
 * An array field: absent or `null` decodes to `[]`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const lenientArray = <S extends Schema.Schema.Any>(item: S) =>
  Schema.optionalWith(Schema.Array(item), { default: () => [], nullable: true })

/**
 * A string → string map: absent or `null` decodes to `{}`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const lenientMetadata = Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
  default: () => ({}),
  nullable: true
})

/**
 * An open enumeration: the known literals, or any other string (kept as is).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const openEnum = <const Literals extends readonly [string, ...Array<string>]>(...literals: Literals) =>
  Schema.Union(Schema.Literal(...literals), Schema.String)

/**
 * An open enumeration field with a default for absent / `null`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const openEnumField = <const Literals extends readonly [string, ...Array<string>]>(
  fallback: Literals[number] | "",
  ...literals: Literals
) => Schema.optionalWith(openEnum(...literals), { default: () => fallback, nullable: true })
