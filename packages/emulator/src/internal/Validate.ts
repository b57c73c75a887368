/**
 * Readers for request fields. Each one checks a field of a JSON object and either returns its value
 * or fails with an `invalid_argument` {@link ApiError} naming the field (dotted path for nested
 * fields). `null` is treated exactly like an absent field. Readers return `Either`, which
 * can be `yield*`-ed inside `Effect.gen`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ApiError from "./ApiError.js"
import type { Json, JsonObject } from "./json.js"
import { isObject } from "./json.js"

type Result<A> = Either.Either<A, ApiError.ApiError>

const at = (
  prefix: string | undefined,
  key: string
): string => (prefix === undefined || prefix === "" ? key : `${prefix}.${key}`)

const fail = (param: string, message: string): Result<never> => Either.left(ApiError.invalidArgument(param, message))

/**
 * Common options of the string readers.
 *
 * @since 0.1.0
 * @category models
 */
export interface StringOptions {
  /** Dotted path of the enclosing object, e.g. `thread.messages.0`. */
  readonly path?: string | undefined
  readonly nonEmpty?: boolean | undefined
  readonly min?: number | undefined
  readonly max?: number | undefined
  readonly pattern?: RegExp | undefined
  readonly oneOf?: ReadonlyArray<string> | undefined
}

const checkString = (param: string, value: string, options: StringOptions): Result<string> => {
  const length = [...value].length
  if (options.nonEmpty === true && value.length === 0) return fail(param, `${param} must not be empty`)
  if (options.min !== undefined && length < options.min) {
    return fail(param, `${param} must have at least ${options.min} characters`)
  }
  if (options.max !== undefined && length > options.max) {
    return fail(param, `${param} length must be <= ${options.max}`)
  }
  if (options.pattern !== undefined && !options.pattern.test(value)) {
    return fail(param, `${param} must match ${options.pattern.source}`)
  }
  if (options.oneOf !== undefined && !options.oneOf.includes(value)) {
    return fail(param, `${param} must be one of ${options.oneOf.join(", ")}`)
  }
  return Either.right(value)
}

/**
 * An optional string field (`undefined` when absent or null).
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalString = (
  obj: JsonObject,
  key: string,
  options: StringOptions = {}
): Result<string | undefined> => {
  const param = at(options.path, key)
  const value = obj[key]
  if (value === undefined || value === null) return Either.right(undefined)
  if (typeof value !== "string") return fail(param, `${param} must be a string`)
  return checkString(param, value, options)
}

/**
 * A required string field.
 *
 * @since 0.1.0
 * @category readers
 */
export const requiredString = (obj: JsonObject, key: string, options: StringOptions = {}): Result<string> => {
  const param = at(options.path, key)
  const value = obj[key]
  if (value === undefined || value === null) return fail(param, `${param} is required`)
  if (typeof value !== "string") return fail(param, `${param} must be a string`)
  return checkString(param, value, options)
}

/**
 * Options of the number reader.
 *
 * @since 0.1.0
 * @category models
 */
export interface NumberOptions {
  readonly path?: string | undefined
  readonly integer?: boolean | undefined
  readonly min?: number | undefined
  /** Values must be strictly greater than this. */
  readonly exclusiveMin?: number | undefined
  readonly max?: number | undefined
}

/**
 * An optional number field.
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalNumber = (
  obj: JsonObject,
  key: string,
  options: NumberOptions = {}
): Result<number | undefined> => {
  const param = at(options.path, key)
  const value = obj[key]
  if (value === undefined || value === null) return Either.right(undefined)
  if (typeof value !== "number" || !Number.isFinite(value)) return fail(param, `${param} must be a number`)
  if (options.integer === true && !Number.isInteger(value)) return fail(param, `${param} must be an integer`)
  if (options.min !== undefined && value < options.min) return fail(param, `${param} must be >= ${options.min}`)
  if (options.exclusiveMin !== undefined && value <= options.exclusiveMin) {
    return fail(param, `${param} must be > ${options.exclusiveMin}`)
  }
  if (options.max !== undefined && value > options.max) return fail(param, `${param} must be <= ${options.max}`)
  return Either.right(value)
}

/**
 * An optional boolean field.
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalBoolean = (obj: JsonObject, key: string, path?: string): Result<boolean | undefined> => {
  const param = at(path, key)
  const value = obj[key]
  if (value === undefined || value === null) return Either.right(undefined)
  if (typeof value !== "boolean") return fail(param, `${param} must be a boolean`)
  return Either.right(value)
}

/**
 * An optional object field.
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalObject = (obj: JsonObject, key: string, path?: string): Result<JsonObject | undefined> => {
  const param = at(path, key)
  const value = obj[key]
  if (value === undefined || value === null) return Either.right(undefined)
  if (!isObject(value)) return fail(param, `${param} must be an object`)
  return Either.right(value)
}

/**
 * An optional array field, with an optional maximum length.
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalArray = (
  obj: JsonObject,
  key: string,
  options: { readonly path?: string | undefined; readonly max?: number | undefined } = {}
): Result<ReadonlyArray<Json> | undefined> => {
  const param = at(options.path, key)
  const value = obj[key]
  if (value === undefined || value === null) return Either.right(undefined)
  if (!Array.isArray(value)) return fail(param, `${param} must be an array`)
  const array: ReadonlyArray<Json> = value
  if (options.max !== undefined && array.length > options.max) {
    return fail(param, `${param} must have at most ${options.max} items`)
  }
  return Either.right(array)
}

/**
 * An optional array of strings (e.g. `file_ids`), with an optional maximum length.
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalStringArray = (
  obj: JsonObject,
  key: string,
  options: { readonly path?: string | undefined; readonly max?: number | undefined } = {}
): Result<ReadonlyArray<string> | undefined> =>
  Either.flatMap(optionalArray(obj, key, options), (array) => {
    if (array === undefined) return Either.right(undefined)
    const strings: Array<string> = []
    for (const item of array) {
      if (typeof item !== "string") {
        return fail(at(options.path, key), `${at(options.path, key)} must contain only strings`)
      }
      strings.push(item)
    }
    return Either.right(strings)
  })

/**
 * An optional metadata object: at most 16 entries, string values, keys ≤ 64 and values ≤ 512 characters.
 *
 * @since 0.1.0
 * @category readers
 */
export const optionalMetadata = (
  obj: JsonObject,
  key: string,
  path?: string
): Result<Record<string, string> | undefined> =>
  Either.flatMap(optionalObject(obj, key, path), (value) => {
    if (value === undefined) return Either.right(undefined)
    const param = at(path, key)
    const entries = Object.entries(value)
    if (entries.length > 16) return fail(param, `${param} must have at most 16 entries`)
    const out: Record<string, string> = {}
    for (const [k, v] of entries) {
      if (typeof v !== "string") return fail(param, `${param} values must be strings`)
      if ([...k].length > 64) return fail(param, `${param} key length must be <= 64`)
      if ([...v].length > 512) return fail(param, `${param} value length must be <= 512`)
      out[k] = v
    }
    return Either.right(out)
  })

/**
 * The list parameters (`limit`, `order`, `after`, `before`), with the emulator's clamping of `limit` to 1..100
 * (`limit <= 0` means 20).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListParams {
  readonly limit: number
  readonly order: "asc" | "desc"
  readonly after: string
  readonly before: string
}

/**
 * Reads `limit`, `order`, `after` and `before`.
 *
 * @since 0.1.0
 * @category readers
 */
export const listParams = (obj: JsonObject): Result<ListParams> =>
  Either.gen(function*() {
    const limit = yield* optionalNumber(obj, "limit", { integer: true })
    const order = yield* optionalString(obj, "order", { oneOf: ["asc", "desc"] })
    const after = yield* optionalString(obj, "after")
    const before = yield* optionalString(obj, "before")
    return {
      limit: limit === undefined || limit <= 0 ? 20 : Math.min(limit, 100),
      order: order === "asc" ? "asc" : "desc",
      after: after ?? "",
      before: before ?? ""
    } as const
  })

/**
 * One page of a list, in the list envelope (`data`, `first_id`, `last_id`, `has_more`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Page<A> {
  readonly data: ReadonlyArray<A>
  readonly firstId: string
  readonly lastId: string
  readonly hasMore: boolean
}

/**
 * Cuts a page out of `items` (given oldest first) following `order`, `after`, `before` and `limit`.
 * An unknown cursor fails with `not_found` naming `after` / `before`.
 *
 * @since 0.1.0
 * @category pagination
 */
export const paginate = <A>(
  items: ReadonlyArray<A>,
  params: ListParams,
  idOf: (a: A) => string
): Result<Page<A>> => {
  const ordered = params.order === "asc" ? items : [...items].reverse()
  let start = 0
  let end = ordered.length
  if (params.after !== "") {
    const index = ordered.findIndex((a) => idOf(a) === params.after)
    if (index < 0) return Either.left(ApiError.notFound("after", `after ${params.after} not found`))
    start = index + 1
  }
  if (params.before !== "") {
    const index = ordered.findIndex((a) => idOf(a) === params.before)
    if (index < 0) return Either.left(ApiError.notFound("before", `before ${params.before} not found`))
    end = Math.min(end, index)
  }
  const window = ordered.slice(start, Math.max(start, end))
  const data = window.slice(0, params.limit)
  return Either.right({
    data,
    firstId: data.length > 0 ? idOf(data[0]!) : "",
    lastId: data.length > 0 ? idOf(data[data.length - 1]!) : "",
    hasMore: window.length > data.length
  })
}

/**
 * How deeply a JSON request body may nest: the body object itself is level 1, so a tool whose
 * `parameters` schema nests 60 objects deep still passes. Deeper bodies are rejected before anything
 * is stored, so that nothing is kept that could not be served back.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_JSON_DEPTH = 64

/** At most this many path segments name a too-deep field, e.g. `tools.0.function.parameters`. */
const DEPTH_PATH_SEGMENTS = 4

const isIndex = (segment: string | undefined): boolean => segment !== undefined && /^\d+$/.test(segment)

/**
 * Whether `key` still belongs to the name of a field below `path`: array indices, the key right after
 * an index (`messages.0.content`) and the key right after `function` (`tools.0.function.parameters`).
 * Keys inside a free-form value (a schema, metadata) do not.
 */
const namesField = (path: ReadonlyArray<string>, key: string): boolean => {
  if (path.length === 0) return true
  if (path.length >= DEPTH_PATH_SEGMENTS) return false
  const last = path[path.length - 1]
  return isIndex(key) || isIndex(last) || last === "function"
}

/**
 * Checks that a request body nests at most `max` levels (objects and arrays). A deeper body fails
 * with `invalid_argument` naming the field that holds the too-deep value: the top-level field, followed
 * through array items and tool definitions (`tools.0.function.parameters`, `messages.0.extra`,
 * `metadata`), at most four segments. Iterative: any depth is safe to check.
 *
 * @since 0.1.0
 * @category readers
 */
export const maxDepth = (body: JsonObject, max: number = MAX_JSON_DEPTH): Result<JsonObject> =>
  // nearly every body is shallow: a walk that allocates nothing tells so; only a deeper one is walked again
  // below to name its field
  deeperThan(body, 1, max) ? deepField(body, max) : Either.right(body)

/**
 * Whether `value` (at `depth`) holds objects or arrays nested more than `max` levels. Recursive, but never
 * deeper than `max + 1` calls: it stops as soon as a value is too deep.
 */
const deeperThan = (value: JsonObject | ReadonlyArray<Json>, depth: number, max: number): boolean => {
  if (depth > max) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: Json = value[i]
      if (item !== null && typeof item === "object" && deeperThan(item, depth + 1, max)) return true
    }
    return false
  }
  const object = value as JsonObject
  for (const key in object) {
    const item = object[key]!
    if (item !== null && typeof item === "object" && deeperThan(item, depth + 1, max)) return true
  }
  return false
}

/** {@link maxDepth} naming the field of the value nested too deeply (iterative: any depth is safe). */
const deepField = (body: JsonObject, max: number): Result<JsonObject> => {
  const stack: Array<{ readonly value: Json; readonly depth: number; readonly path: ReadonlyArray<string> }> = [
    { value: body, depth: 1, path: [] }
  ]
  while (stack.length > 0) {
    const { depth, path, value } = stack.pop()!
    if (value === null || typeof value !== "object") continue
    if (depth > max) {
      const param = path.join(".")
      return fail(param, `${param === "" ? "the request body" : param} is nested deeper than ${max} levels`)
    }
    const entries: ReadonlyArray<readonly [string, Json]> = Array.isArray(value)
      ? value.map((item: Json, i: number) => [String(i), item] as const)
      : Object.entries(value)
    for (const [key, item] of entries) {
      if (item === null || typeof item !== "object") continue
      stack.push({ value: item, depth: depth + 1, path: namesField(path, key) ? [...path, key] : path })
    }
  }
  return Either.right(body)
}
