/**
 * Durable tool loops for `@effect-appbuilder/assistant` on `@effect/workflow`.
 *
 * @since 0.1.0
 */

// `DurableEngine` is not re-exported here: it loads `@effect/cluster` and `@effect/sql-sqlite-node`
// (optional peers, the latter with a native module). Import it as `@effect-appbuilder/workflow/DurableEngine`.

/**
 * A durable tool loop: `ToolLoop` as an `@effect/workflow` `Workflow`, exactly once across crashes.
 *
 * @since 0.1.0
 */
export * as DurableToolLoop from "./DurableToolLoop.js"
