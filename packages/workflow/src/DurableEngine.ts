/**
 * Workflow engines for durable tool loops.
 *
 * - `WorkflowEngine.layerMemory` (from `@effect/workflow`): in memory, for tests and the simplest use;
 *   nothing survives the process.
 * - {@link layerSqlite}: single machine, durable. `@effect/cluster`'s workflow engine on one runner, its
 *   messages (workflow executions, activity results, durable clocks) in a SQLite file
 *   (`@effect/sql-sqlite-node`). A process that dies and starts again on the same file resumes every
 *   unfinished execution where its last persisted activity left it.
 * - {@link layerPg}: several machines. `@effect/cluster`'s workflow engine on runners that talk to each
 *   other over TCP sockets (`@effect/platform-node`'s `NodeClusterSocket`), with their shard locks,
 *   runner table and messages in PostgreSQL (`@effect/sql-pg`). When a runner dies, the survivors take
 *   its shards over within seconds ({@link PgOptions}' timings) and resume its executions.
 *
 * This module needs the optional peer dependencies `@effect/cluster` and `@effect/sql`, plus
 * `@effect/sql-sqlite-node` (which brings `better-sqlite3`, a native module) for {@link layerSqlite}, or
 * `@effect/sql-pg` and `@effect/platform-node` for {@link layerPg}.
 *
 * @since 0.1.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import type * as MessageStorage from "@effect/cluster/MessageStorage"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import type * as Runners from "@effect/cluster/Runners"
import type * as Sharding from "@effect/cluster/Sharding"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import type * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import type * as SocketServer from "@effect/platform/SocketServer"
import type * as PgClient from "@effect/sql-pg/PgClient"
import type * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as SqlError from "@effect/sql/SqlError"
import type * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

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

// The drivers are loaded when a layer is built, not when this module is imported: each is an optional peer
// dependency, and a SQLite user need not install `@effect/sql-pg` (nor a PostgreSQL user `better-sqlite3`).
const loadSqliteClient: Effect.Effect<typeof SqliteClient> = Effect.promise(() =>
  import("@effect/sql-sqlite-node/SqliteClient")
)
const loadPgClient: Effect.Effect<typeof PgClient> = Effect.promise(() => import("@effect/sql-pg/PgClient"))
const loadNodeClusterSocket: Effect.Effect<typeof NodeClusterSocket> = Effect.promise(() =>
  import("@effect/platform-node/NodeClusterSocket")
)

/**
 * `@effect/cluster`'s workflow engine on a single runner whose storage is a SQLite file: durable on one
 * machine, the embedded default. Also provides the `Sharding` and `MessageStorage` it runs on.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (
  options: SqliteOptions
): Layer.Layer<
  WorkflowEngine.WorkflowEngine | Sharding.Sharding | MessageStorage.MessageStorage,
  ConfigError.ConfigError
> =>
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
    Layer.provide(
      Layer.unwrapEffect(Effect.map(loadSqliteClient, (sqlite) => sqlite.layer({ filename: options.filename })))
    )
  )

/**
 * Options of {@link layerPg}.
 *
 * The shard-lock and health timings default to values that let the survivors take the shards of a dead
 * runner over in a few seconds (`@effect/cluster`'s own defaults are tuned for Kubernetes and take about
 * a minute). Every runner of a cluster must use the same `shardsPerGroup`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PgOptions {
  /**
   * The PostgreSQL connection URL (`postgres://user:password@host:port/database`), as a string, a
   * `Redacted` string or a `Config` (e.g. `Config.redacted("DATABASE_URL")`).
   */
  readonly url: string | Redacted.Redacted | Config.Config<Redacted.Redacted>
  /**
   * Where the other runners reach this one (host and port of its socket server). The server listens there
   * too, unless `listenAddress` says otherwise. Not used when `clientOnly`.
   */
  readonly runnerAddress?: { readonly host: string; readonly port: number } | undefined
  /** Where the socket server listens, when it differs from `runnerAddress` (e.g. `0.0.0.0` behind NAT). */
  readonly listenAddress?: { readonly host: string; readonly port: number } | undefined
  /**
   * A client that runs no executions: it starts, polls and interrupts loops that the runners execute
   * (a web server in front of a pool of workers). Default `false`.
   */
  readonly clientOnly?: boolean | undefined
  /** How often a runner looks for unprocessed messages in the database: default 500 ms. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /**
   * How often a runner refreshes its shard locks: default 5 seconds. It also bounds how long acquiring
   * shards (and resetting their messages for the new owner) may take: keep it a few seconds on a busy
   * machine, or a takeover can time out half done.
   */
  readonly shardLockRefreshInterval?: Duration.DurationInput | undefined
  /**
   * After how long without a refresh a shard lock counts as abandoned: default 15 seconds. (PostgreSQL
   * advisory locks, the default, are released as soon as the dead runner's connection closes, so a
   * takeover waits for the health check, not for this.)
   */
  readonly shardLockExpiration?: Duration.DurationInput | undefined
  /** How often runners ping each other to find dead ones: default 1 second. */
  readonly runnerHealthCheckInterval?: Duration.DurationInput | undefined
  /** How often a runner re-reads the shard assignments: default 1 second. */
  readonly refreshAssignmentsInterval?: Duration.DurationInput | undefined
  /** The maximum number of PostgreSQL connections of this process: default 10. */
  readonly maxConnections?: number | undefined
  /** More `@effect/cluster` sharding options. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

const urlConfig = (url: PgOptions["url"]): Config.Config<Redacted.Redacted> =>
  typeof url === "string" ? Config.succeed(Redacted.make(url)) : Redacted.isRedacted(url) ? Config.succeed(url) : url

/**
 * `@effect/cluster`'s workflow engine on a runner of a cluster whose runners talk over TCP sockets and
 * share one PostgreSQL database (shard locks, runner table, workflow messages, activity results, durable
 * clocks): several processes on several machines execute the loops, each execution on the runner that owns
 * its shard. A runner that dies loses its shards to the survivors, which resume its unfinished executions
 * from their last persisted activity. Also provides the `Sharding`, `Runners` and `MessageStorage` it
 * runs on.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (
  options: PgOptions
): Layer.Layer<
  WorkflowEngine.WorkflowEngine | Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage,
  ConfigError.ConfigError | SqlError.SqlError | SocketServer.SocketServerError
> => {
  const shardingConfig: Partial<ShardingConfig.ShardingConfig["Type"]> = {
    ...(options.runnerAddress === undefined
      ? {}
      : { runnerAddress: Option.some(RunnerAddress.make(options.runnerAddress.host, options.runnerAddress.port)) }),
    ...(options.listenAddress === undefined
      ? {}
      : {
        runnerListenAddress: Option.some(RunnerAddress.make(options.listenAddress.host, options.listenAddress.port))
      }),
    entityMessagePollInterval: Duration.decode(options.pollInterval ?? "500 millis"),
    shardLockRefreshInterval: Duration.decode(options.shardLockRefreshInterval ?? "5 seconds"),
    shardLockExpiration: Duration.decode(options.shardLockExpiration ?? "15 seconds"),
    runnerHealthCheckInterval: Duration.decode(options.runnerHealthCheckInterval ?? "1 second"),
    refreshAssignmentsInterval: Duration.decode(options.refreshAssignmentsInterval ?? "1 second"),
    ...options.shardingConfig
  }
  const sql = Layer.unwrapEffect(Effect.map(loadPgClient, (pg) =>
    pg.layerConfig({
      url: urlConfig(options.url),
      maxConnections: Config.succeed(options.maxConnections ?? 10)
    })))
  const sharding = Layer.unwrapEffect(Effect.map(loadNodeClusterSocket, (socket) =>
    options.clientOnly === true
      ? socket.layer({ clientOnly: true, storage: "sql", shardingConfig })
      : socket.layer({ storage: "sql", shardingConfig })))
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(sharding),
    Layer.provide(sql)
  )
}
