/**
 * The paging options shared by the `list` commands: `--limit`, `--order`, `--after`, `--before`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Options from "@effect/cli/Options"
import * as Option from "effect/Option"

/** @internal */
export const options = {
  limit: Options.integer("limit").pipe(
    Options.withDescription("Page size (the service clamps it; default 20)."),
    Options.optional
  ),
  order: Options.choice("order", ["asc", "desc"]).pipe(
    Options.withDescription("desc (default, newest first) or asc."),
    Options.optional
  ),
  after: Options.text("after").pipe(Options.withDescription("Only objects after this id."), Options.optional),
  before: Options.text("before").pipe(Options.withDescription("Only objects before this id."), Options.optional)
}

/** @internal */
export interface Paging {
  readonly limit: Option.Option<number>
  readonly order: Option.Option<"asc" | "desc">
  readonly after: Option.Option<string>
  readonly before: Option.Option<string>
}

/** The SDK's list options (absent fields keep the SDK defaults). @internal */
export const toInput = (paging: Paging) => ({
  limit: Option.getOrUndefined(paging.limit),
  order: Option.getOrUndefined(paging.order),
  after: Option.getOrUndefined(paging.after),
  before: Option.getOrUndefined(paging.before)
})
