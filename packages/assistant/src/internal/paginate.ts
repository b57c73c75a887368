/**
 * `listAll`: a stream of every item, following `after` / `has_more`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { ListOptions, ListPage } from "../Common.js"

/**
 * Streams every item by fetching pages until `has_more` is false (or the service stops giving a cursor).
 *
 * Input that is not an options object (`null`, a number, … from a JavaScript caller) is handed to `fetch`
 * unchanged for the first page only, so that `fetch`'s own validation reports it: nothing is read from it
 * here, and nothing is thrown.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const paginate = <A, E, R, O extends ListOptions>(
  options: O,
  fetch: (options: O) => Effect.Effect<ListPage<A>, E, R>
): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    if (!Predicate.isRecord(options)) {
      return Stream.flatMap(Stream.fromEffect(fetch(options)), (page) => Stream.fromIterable(page.data))
    }
    return Stream.paginateChunkEffect(options.after, (after) =>
      Effect.map(fetch({ ...options, after }), (page) => {
        const next = page.hasMore && page.lastId !== "" && page.lastId !== after && page.data.length > 0
          ? Option.some(page.lastId)
          : Option.none()
        return [Chunk.fromIterable(page.data), next] as const
      }))
  })
