/**
 * Threads (`/v2/threads*`): create, query, update, delete.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { HttpError, ValidationError } from "./AppBuilderError.js"
import { AppBuilderClient, type Operation } from "./AppBuilderClient.js"
import { DeletionStatus, type MessageInput, type Metadata } from "./Common.js"
import { metadata, num, str } from "./internal/schema.js"
import * as V from "./internal/validation.js"

/**
 * A thread. `metadata` is `{}` when the service sends `null` (as it does after an update with empty
 * metadata).
 *
 * @since 0.1.0
 * @category models
 */
export class Thread extends Schema.Class<Thread>("@effect-appbuilder/assistant/Thread")({
  id: str,
  object: str,
  createdAt: num.pipe(Schema.fromKey("created_at")),
  metadata
}) {}

/**
 * The input of {@link Service.create}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface CreateInput {
  /** The first messages of the thread (role `user` by default). */
  readonly messages?: ReadonlyArray<MessageInput> | undefined
}

/**
 * The input of {@link Service.update}.
 *
 * @since 0.1.0
 * @category inputs
 */
export interface UpdateInput {
  readonly threadId: string
  /**
   * The new metadata (at most 16 entries, keys ≤ 64 and values ≤ 512 characters). Unlike the official
   * client, which drops it, it is really sent. Default `{}`.
   */
  readonly metadata?: Metadata | undefined
}

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

const op = (name: string, idempotent: boolean): Operation => ({ name, idempotent })

/**
 * Validates a create request and encodes its body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeCreate = (input: CreateInput = {}) =>
  V.validate("Threads.create", (c) => {
    const fields = V.record(c, input)
    return { messages: V.messages(c, ["messages"], fields.messages) }
  })

/**
 * Validates an update request and encodes its body.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeUpdate = (input: UpdateInput) =>
  V.validate("Threads.update", (c) => {
    const fields = V.record(c, input)
    return {
      thread_id: V.id(c, ["threadId"], fields.threadId),
      metadata: V.metadata(c, ["metadata"], fields.metadata)
    }
  })

/**
 * Builds the threads service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Service, never, AppBuilderClient> = Effect.gen(function*() {
  const client = yield* AppBuilderClient

  const idBody = (operation: string, threadId: string) =>
    V.validate(operation, (c) => ({ thread_id: V.id(c, ["threadId"], threadId) }))

  const create = Effect.fn("Threads.create")(function*(input?: CreateInput) {
    const body = yield* encodeCreate(input)
    const thread = yield* client.post(op("Threads.create", false), "/v2/threads", body, Thread)
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": thread.id })
    return thread
  })

  const query = Effect.fn("Threads.query")(function*(threadId: string) {
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": threadId })
    const body = yield* idBody("Threads.query", threadId)
    return yield* client.post(op("Threads.query", true), "/v2/threads/query", body, Thread)
  })

  const update = Effect.fn("Threads.update")(function*(input: UpdateInput) {
    const body = yield* encodeUpdate(input)
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": body.thread_id })
    return yield* client.post(op("Threads.update", false), "/v2/threads/update", body, Thread)
  })

  const delete_ = Effect.fn("Threads.delete")(function*(threadId: string) {
    yield* Effect.annotateCurrentSpan({ "appbuilder.thread_id": threadId })
    const body = yield* idBody("Threads.delete", threadId)
    return yield* client.post(op("Threads.delete", false), "/v2/threads/delete", body, DeletionStatus)
  })

  return Threads.of({ create, query, update, delete: delete_ })
})

/**
 * The threads service, built on the {@link AppBuilderClient}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Threads, never, AppBuilderClient> = Layer.effect(Threads, make)
