/**
 * `content` as the service sends it (a list, a single object, or `null`), decoded as a list of
 * `Common.Content`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"
import { Content } from "../../Common.js"

/**
 * `content` given either as a list (current service) or a single object (before 2024-10).
 *
 * @since 0.1.0
 * @category models
 */
export const ContentList = Schema.Union(
  Schema.Array(Content),
  Schema.transform(Content, Schema.Array(Schema.typeSchema(Content)), {
    strict: true,
    decode: (item) => [item],
    encode: (items) => items[0] ?? new Content({ type: "text", text: null })
  }),
  Schema.transform(Schema.Null, Schema.Array(Schema.typeSchema(Content)), {
    strict: true,
    decode: () => [],
    encode: () => null
  })
)
