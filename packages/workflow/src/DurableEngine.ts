/**
 * Workflow engines for durable tool loops.
 *
 * - `WorkflowEngine.layerMemory` (from `@effect/workflow`): in memory, for tests and the simplest use;
 *   nothing survives the process.
 * - {@link layerSqlite}: single machine, durable. `@effect/cluster`'s workflow engine on one runner, its
 *   messages (workflow executions, activity results, durable clocks) in a SQLite file
 *   (`@effect/sql-sqlite-node`). A process that dies and starts again on the same file resumes every
 *   unfinished execution where its last persisted activity left it.
 *
 * This module needs the optional peer dependencies `@effect/cluster`, `@effect/sql` and
 * `@effect/sql-sqlite-node` (which brings `better-sqlite3`, a native module).
 *
 * @since 0.1.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import type * as MessageStorage from "@effect/cluster/MessageStorage"
import type * as Sharding from "@effect/cluster/Sharding"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"

/**
 * Options of {@link layerSqlite}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteOptions {
  /** The database file (created when missing). */
  readonly filename: string
  /**
   * How often the runner looks for messages it has not processed yet (durable clocks that fired,
   * executions left by a process that died): default 250 ms. Durable sleeps wake up on this beat.
   */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** More `@effect/cluster` sharding options. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * `@effect/cluster`'s workflow engine on a single runner whose storage is a SQLite file: durable on one
 * machine, the embedded default. Also provides the `Sharding` and `MessageStorage` it runs on.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (
  options: SqliteOptions
): Layer.Layer<WorkflowEngine.WorkflowEngine | Sharding.Sharding | MessageStorage.MessageStorage, ConfigError.ConfigError> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(SingleRunner.layer({
      // one runner: the shard locks need no table, the messages are in SQLite
      runnerStorage: "memory",
      shardingConfig: {
        entityMessagePollInterval: Duration.decode(options.pollInterval ?? "250 millis"),
        refreshAssignmentsInterval: Duration.millis(250),
        ...options.shardingConfig
      }
    })),
    Layer.provide(SqliteClient.layer({ filename: options.filename }))
  )
