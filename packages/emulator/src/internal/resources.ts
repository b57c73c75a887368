/**
 * Lookups and checks shared by the resource routes.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ApiError from "./ApiError.js"
import type { JsonObject } from "./json.js"
import type * as Store from "./Store.js"
import * as Validate from "./Validate.js"

type Result<A> = Either.Either<A, ApiError.ApiError>

/** @internal */
export const ASSISTANT_MODELS: ReadonlyArray<string> = [
  "ERNIE-4.0T-8K",
  "ERNIE-4.0-8K",
  "ERNIE-3.5-8K",
  "DeepSeek-V3.1"
]

/** @internal */
export const NAME_PATTERN = /^[\u4e00-\u9fa50-9a-zA-Z_-]+$/

/** @internal */
export const ROLES: ReadonlyArray<string> = ["user", "assistant"]

/** A required, non-empty id field. @internal */
export const requiredId = (body: JsonObject, key: string): Result<string> =>
  Validate.requiredString(body, key, { nonEmpty: true })

/** @internal */
export const findAssistant = (store: Store.Service, id: string): Result<Store.AssistantRecord> => {
  const assistant = store.assistants.get(id)
  return assistant === undefined || assistant.deleted
    ? Either.left(ApiError.notFound("assistant_id", `assistant ${id} not found`))
    : Either.right(assistant)
}

/** @internal */
export const findThread = (store: Store.Service, id: string): Result<Store.ThreadRecord> => {
  const thread = store.threads.get(id)
  return thread === undefined
    ? Either.left(ApiError.notFound("thread_id", `thread ${id} not found`))
    : Either.right(thread)
}

/** @internal */
export const findMessage = (thread: Store.ThreadRecord, id: string): Result<Store.MessageRecord> => {
  const message = thread.messages.find((m) => m.id === id)
  return message === undefined
    ? Either.left(ApiError.notFound("message_id", `message ${id} not found in thread ${thread.id}`))
    : Either.right(message)
}

/** Every id must name an existing file (`not_found` naming `param`). Duplicates are kept once. @internal */
export const existingFiles = (
  store: Store.Service,
  ids: ReadonlyArray<string>,
  param: string
): Result<Array<string>> => {
  const unknown = ids.find((id) => !store.files.has(id))
  return unknown !== undefined
    ? Either.left(ApiError.notFound(param, `file ${unknown} not found`))
    : Either.right([...new Set(ids)])
}

/** `file_ids`: at most 10 strings, each an existing file. @internal */
export const fileIds = (
  store: Store.Service,
  body: JsonObject,
  key: string,
  path?: string
): Result<Array<string> | undefined> =>
  Either.flatMap(Validate.optionalStringArray(body, key, { path, max: 10 }), (ids) =>
    ids === undefined
      ? Either.right(undefined)
      : existingFiles(store, ids, path === undefined || path === "" ? key : `${path}.${key}`))
