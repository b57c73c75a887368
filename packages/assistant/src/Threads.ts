/**
 * Threads (`/v2/threads*`): create, query, update, delete.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { AppBuilderClient } from "./AppBuilderClient.js"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import { DeletionStatus } from "./Common.js"
import * as Endpoint from "./internal/endpoint.js"
import { Id, Metadata, required, withDefault } from "./internal/requestSchema.js"
import * as Responses from "./internal/responses.js"
import { lenientMetadata, lenientNumber, lenientString } from "./internal/schema.js"
import { InlineMessage } from "./internal/sharedRequests.js"

/**
 * A thread. `metadata` is `{}` when the service sends `null` (as it does after an update with empty
 * metadata).
 *
 * @since 0.1.0
 * @category models
 */
export class Thread extends Schema.Class<Thread>("@effect-appbuilder/assistant/Thread")({
  id: lenientString,
  object: lenientString,
  createdAt: lenientNumber.pipe(Schema.fromKey("created_at")),
  metadata: lenientMetadata
}) {}

/** A field of the lenient answer schemas: absent or `null` gives `fallback`; `undefined` when it is not of `type`. */
const lenientField = <T extends string | number>(value: unknown, type: "string" | "number", fallback: T) =>
  value === undefined || value === null ? fallback : typeof value === type ? value as T : undefined

/** Lenient metadata: absent or `null` is `{}`; a copy when every value is a string, else `undefined`. */
const lenientMetadataField = (value: unknown): Record<string, string> | undefined => {
  if (value === undefined || value === null) return {}
  if (!Predicate.isRecord(value)) return undefined
  const out: Record<string, string> = {}
  for (const key of Object.keys(value)) {
    const item = value[key]
    // `__proto__` would be read differently by the schema: the schema decodes it
    if (typeof item !== "string" || key === "__proto__") return undefined
    out[key] = item
  }
  return out
}

/**
 * A thread answer decoded without the schema (what `Schema.decodeUnknown(Thread)` gives), `undefined` for
 * any unusual shape (the schema then decodes it, with its errors). A test asserts that both agree.
 */
const fastThread = (json: unknown): Thread | undefined => {
  if (!Predicate.isRecord(json)) return undefined
  const id = lenientField(json["id"], "string", "")
  const object = lenientField(json["object"], "string", "")
  const createdAt = lenientField(json["created_at"], "number", 0)
  const metadata = lenientMetadataField(json["metadata"])
  if (id === undefined || object === undefined || createdAt === undefined || metadata === undefined) return undefined
  return Object.assign(Object.create(Thread.prototype), { id, object, createdAt, metadata })
}

Responses.registerFastDecoder(Thread, fastThread)

/**
 * A message given inline to `Threads.create` or in a run's `thread`: role `user` by default, at most
 * 10 file ids.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface MessageInput extends Schema.Schema.Type<typeof InlineMessage> {}

/**
 * The request of {@link Service.create}.
 *
 * @since 0.1.0
 * @category requests
 */
export const CreateRequest = Schema.Struct({
  /** The first messages of the thread (role `user` by default). */
  messages: withDefault(Schema.Array(InlineMessage), [])
})

/**
 * The input of {@link Service.create}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CreateInput extends Schema.Schema.Type<typeof CreateRequest> {}

/**
 * The request of {@link Service.update}.
 *
 * @since 0.1.0
 * @category requests
 */
export const UpdateRequest = Schema.Struct({
  threadId: required(Id, "thread_id"),
  /**
   * The new metadata (at most 16 entries, keys ≤ 64 and values ≤ 512 characters). Unlike the official
   * client, which drops it, it is really sent. Default `{}`.
   */
  metadata: withDefault(Metadata, {})
})

/**
 * The input of {@link Service.update}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UpdateInput extends Schema.Schema.Type<typeof UpdateRequest> {}

/**
 * The threads service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly create: (input?: CreateInput) => Effect.Effect<Thread, HttpError | ValidationError>
  readonly query: (threadId: string) => Effect.Effect<Thread, HttpError | ValidationError>
  readonly update: (input: UpdateInput) => Effect.Effect<Thread, HttpError | ValidationError>
  readonly delete: (threadId: string) => Effect.Effect<DeletionStatus, HttpError | ValidationError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Threads extends Context.Tag("@effect-appbuilder/assistant/Threads")<Threads, Service>() {}

const ThreadRef = Schema.Struct({ threadId: required(Id, "thread_id") })

/**
 * The operations of the threads service.
 */
const endpoints = {
  create: Endpoint.make({
    name: "Threads.create",
    path: "/v2/threads",
    idempotent: false,
    request: CreateRequest,
    response: Thread,
    resultAttributes: (thread) => ({ "appbuilder.thread_id": thread.id })
  }),
  query: Endpoint.make({
    name: "Threads.query",
    path: "/v2/threads/query",
    idempotent: true,
    request: ThreadRef,
    response: Thread,
    spanAttributes: ["thread_id"]
  }),
  update: Endpoint.make({
    name: "Threads.update",
    path: "/v2/threads/update",
    idempotent: false,
    request: UpdateRequest,
    response: Thread,
    spanAttributes: ["thread_id"]
  }),
  delete: Endpoint.make({
    name: "Threads.delete",
    path: "/v2/threads/delete",
    idempotent: false,
    request: ThreadRef,
    response: DeletionStatus,
    spanAttributes: ["thread_id"]
  })
}

/**
 * Builds the threads service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient
  const create = Endpoint.call(client, endpoints.create)
  const query = Endpoint.call(client, endpoints.query)
  const delete_ = Endpoint.call(client, endpoints.delete)
  return Threads.of({
    // absent input is the defaults; anything else (`null` included) is checked by the request Schema
    create: (input) => create(input === undefined ? {} : input),
    query: (threadId) => query({ threadId }),
    update: Endpoint.call(client, endpoints.update),
    delete: (threadId) => delete_({ threadId })
  })
})

/**
 * The threads service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Threads, never, AppBuilderClient> = Layer.effect(Threads, make)
