/**
 * Validation and normalisation of function tools. Tools are stored exactly as they are
 * echoed: `{"type":"function","function":{"name","description","parameters","responses","examples"}}`,
 * with each schema reduced to `{type, properties, required}` (or null).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ApiError from "./ApiError.js"
import type { Json, JsonObject } from "./json.js"
import { isObject } from "./json.js"
import type * as Store from "./Store.js"
import * as Validate from "./Validate.js"

type Result<A> = Either.Either<A, ApiError.ApiError>

const fail = (param: string, message: string): Result<never> => Either.left(ApiError.invalidArgument(param, message))

const requiredObject = (obj: JsonObject, key: string, path: string): Result<JsonObject> =>
  Either.flatMap(
    Validate.optionalObject(obj, key, path),
    (value) => value === undefined ? fail(`${path}.${key}`, `${path}.${key} is required`) : Either.right(value)
  )

const schema = (obj: JsonObject, key: string, path: string): Result<Json> =>
  Either.gen(function*() {
    const value = yield* Validate.optionalObject(obj, key, path)
    if (value === undefined) return null
    const at = `${path}.${key}`
    const type = yield* Validate.optionalString(value, "type", { path: at })
    const properties = yield* Validate.optionalObject(value, "properties", at)
    const required = yield* Validate.optionalStringArray(value, "required", { path: at })
    return { type: type ?? "object", properties: properties ?? null, required: required ?? null }
  })

const example = (value: Json, path: string): Result<Json> =>
  Either.gen(function*() {
    if (!isObject(value)) return yield* fail(path, `${path} must be an object`)
    const role = yield* Validate.optionalString(value, "role", { path })
    const content = yield* Validate.requiredString(value, "content", { path })
    const call = yield* requiredObject(value, "function_call", path)
    const name = yield* Validate.requiredString(call, "name", { path: `${path}.function_call` })
    const args = yield* Validate.requiredString(call, "arguments", { path: `${path}.function_call` })
    return { role: role ?? "user", content, function_call: { name, arguments: args } }
  })

const examples = (obj: JsonObject, path: string): Result<Json> =>
  Either.gen(function*() {
    const dialogues = yield* Validate.optionalArray(obj, "examples", { path })
    if (dialogues === undefined) return null
    const out: Array<Json> = []
    for (const [i, dialogue] of dialogues.entries()) {
      const at = `${path}.examples.${i}`
      if (!Array.isArray(dialogue)) return yield* fail(at, `${at} must be an array`)
      const items: ReadonlyArray<Json> = dialogue
      const normalised: Array<Json> = []
      for (const [j, item] of items.entries()) normalised.push(yield* example(item, `${at}.${j}`))
      out.push(normalised)
    }
    return out
  })

const tool = (value: Json, path: string): Result<Store.ToolJson> =>
  Either.gen(function*() {
    if (!isObject(value)) return yield* fail(path, `${path} must be an object`)
    yield* Validate.optionalString(value, "type", { path, oneOf: ["function"] })
    const fn = yield* requiredObject(value, "function", path)
    const at = `${path}.function`
    const name = yield* Validate.requiredString(fn, "name", { path: at, nonEmpty: true })
    const description = yield* Validate.requiredString(fn, "description", { path: at })
    const parameters = yield* schema(fn, "parameters", at)
    const responses = yield* schema(fn, "responses", at)
    const exampleList = yield* examples(fn, at)
    return {
      type: "function",
      function: { name, description, parameters, responses, examples: exampleList }
    }
  })

/**
 * Reads a `tools` field: at most 10 function tools, normalised.
 *
 * @internal
 */
export const tools = (obj: JsonObject, key = "tools"): Result<Array<Store.ToolJson> | undefined> =>
  Either.gen(function*() {
    const list = yield* Validate.optionalArray(obj, key, { max: 10 })
    if (list === undefined) return undefined
    const out: Array<Store.ToolJson> = []
    for (const [i, item] of list.entries()) out.push(yield* tool(item, `${key}.${i}`))
    return out
  })
