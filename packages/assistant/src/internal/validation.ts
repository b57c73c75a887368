/**
 * Strict request validation and encoding: every check of spec §2.5 / §3, reported together as one
 * `ValidationError`, and request bodies encoded with every key the official client sends.
 *
 * The checks are written against `unknown`-ish runtime values on purpose: callers from JavaScript (or
 * with casts) get a `ValidationError`, never a crash.
 *
 * @since 0.1.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import { Issue, ValidationError } from "../AppBuilderError.js"
import type {
  AssistantExampleInput,
  AssistantToolInput,
  FunctionJsonSchemaInput,
  ListOptions,
  MessageInput,
  ModelParametersInput,
  UserInfoInput,
  UserLocInput
} from "../Common.js"
import { jsonShapeProblem, problemsOf } from "./toolSchema.js"

/**
 * A field path.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export type Path = ReadonlyArray<string | number>

/**
 * Collects the problems of one request.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export class Collector {
  readonly issues: Array<Issue> = []
  add(path: Path, message: string): void {
    this.issues.push(new Issue({ path: [...path], message }))
  }
}

/**
 * Runs `build` with a fresh collector; fails with one `ValidationError` listing every problem found.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const validate = <A>(operation: string, build: (c: Collector) => A): Effect.Effect<A, ValidationError> =>
  Effect.suspend(() => {
    const c = new Collector()
    const result = build(c)
    return c.issues.length === 0
      ? Effect.succeed(result)
      : Effect.fail(new ValidationError({ operation, issues: c.issues }))
  })

/**
 * The input object itself (an issue, and `{}`, when it is not an object).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const record = <A extends object>(c: Collector, input: A | null | undefined): Partial<A> => {
  if (Predicate.isObject(input) && !Array.isArray(input)) return input
  c.add([], `expected an object, got ${describe(input)}`)
  return {}
}

/**
 * The length of a string in code points (as Python counts it).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const charLength = (value: string): number => {
  let n = 0
  for (const _ of value) n++
  return n
}

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

/**
 * A required string (any content).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const string = (c: Collector, path: Path, value: unknown, maxLength?: number): string => {
  if (!Predicate.isString(value)) {
    c.add(path, `expected a string, got ${describe(value)}`)
    return ""
  }
  if (maxLength !== undefined && charLength(value) > maxLength) {
    c.add(path, `must be at most ${maxLength} characters (got ${charLength(value)})`)
  }
  return value
}

/**
 * An optional string: `undefined` gives `fallback`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const optionalString = <F extends string | null>(
  c: Collector,
  path: Path,
  value: unknown,
  fallback: F,
  maxLength?: number
): string | F => (value === undefined ? fallback : string(c, path, value, maxLength))

/**
 * An optional string that may be `null` (sent as `null` when absent).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const nullableString = (c: Collector, path: Path, value: unknown, maxLength?: number): string | null =>
  value === undefined || value === null ? null : string(c, path, value, maxLength)

/**
 * A required, non-empty id.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const id = (c: Collector, path: Path, value: unknown): string => {
  if (!Predicate.isString(value)) {
    c.add(path, `expected a string id, got ${describe(value)}`)
    return ""
  }
  if (value.trim() === "") c.add(path, "must not be empty")
  return value
}

/**
 * A value among `literals`, with a default for `undefined`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const literal = <const L extends ReadonlyArray<string>>(
  c: Collector,
  path: Path,
  value: unknown,
  literals: L,
  fallback: L[number]
): L[number] => {
  if (value === undefined) return fallback
  for (const literal of literals) {
    if (value === literal) return literal
  }
  c.add(path, `must be one of ${literals.map((l) => JSON.stringify(l)).join(", ")} (got ${JSON.stringify(value)})`)
  return fallback
}

/**
 * An optional boolean.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const boolean = (c: Collector, path: Path, value: unknown, fallback: boolean): boolean => {
  if (value === undefined) return fallback
  if (!Predicate.isBoolean(value)) {
    c.add(path, `expected a boolean, got ${describe(value)}`)
    return fallback
  }
  return value
}

/**
 * A name of an assistant: 1–128 characters among CJK ideographs, ASCII letters, digits, `_` and `-`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const NAME_PATTERN = /^[\u4e00-\u9fa50-9a-zA-Z_-]+$/

/**
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const name = (c: Collector, path: Path, value: unknown): string => {
  if (!Predicate.isString(value)) {
    c.add(path, `expected a string, got ${describe(value)}`)
    return ""
  }
  const length = charLength(value)
  if (length < 1 || length > 128) {
    c.add(path, `must be 1 to 128 characters (got ${length})`)
  } else if (!NAME_PATTERN.test(value)) {
    c.add(path, "may only contain Chinese characters, ASCII letters, digits, '_' and '-'")
  }
  return value
}

/**
 * A list of file ids (at most `max`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const fileIds = (c: Collector, path: Path, value: unknown, max = 10): Array<string> => {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    c.add(path, `expected an array of file ids, got ${describe(value)}`)
    return []
  }
  const out: Array<string> = []
  let typed = true
  for (const item of value) {
    if (Predicate.isString(item)) out.push(item)
    else typed = false
  }
  if (!typed) c.add(path, "every file id must be a string")
  if (value.length > max) c.add(path, `at most ${max} file ids are allowed (got ${value.length})`)
  return out
}

/**
 * Metadata: a string → string map with at most 16 entries, keys ≤ 64 and values ≤ 512 characters.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const metadata = (c: Collector, path: Path, value: unknown): Record<string, string> => {
  if (value === undefined) return {}
  if (!Predicate.isRecord(value) || Array.isArray(value)) {
    c.add(path, `expected an object of strings, got ${describe(value)}`)
    return {}
  }
  const out: Record<string, string> = {}
  const entries = Object.entries(value)
  if (entries.length > 16) c.add(path, `at most 16 entries are allowed (got ${entries.length})`)
  for (const [key, item] of entries) {
    if (charLength(key) > 64) c.add([...path, key], `metadata keys must be at most 64 characters (got ${charLength(key)})`)
    if (!Predicate.isString(item)) {
      c.add([...path, key], `metadata values must be strings, got ${describe(item)}`)
      continue
    }
    if (charLength(item) > 512) {
      c.add([...path, key], `metadata values must be at most 512 characters (got ${charLength(item)})`)
    }
    out[key] = item
  }
  return out
}

/**
 * The wire form of a function JSON schema: only `type`, `properties` and `required` are kept.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const functionSchema = (
  c: Collector,
  path: Path,
  value: FunctionJsonSchemaInput | null | undefined
): Record<string, unknown> | null => {
  if (value === undefined || value === null) return null
  if (!Predicate.isRecord(value)) {
    c.add(path, `expected a JSON schema object, got ${describe(value)}`)
    return null
  }
  // a schema built from an Effect Schema that cannot be sent (see ToolLoop.jsonSchemaOf) says why
  for (const problem of problemsOf(value)) c.add([...path, ...problem.path], problem.message)
  const type = optionalString(c, [...path, "type"], value.type, "object")
  let properties: unknown = value.properties ?? null
  if (properties !== null && (!Predicate.isRecord(properties) || Array.isArray(properties))) {
    c.add([...path, "properties"], `expected an object, got ${describe(properties)}`)
    properties = null
  }
  // the schema object is level 1 and its `properties` level 2: a cyclic value could not be encoded at all,
  // and a very deep one is refused by the service
  const shape = properties === null ? undefined : jsonShapeProblem(properties, 2)
  if (shape !== undefined) {
    c.add(path, shape)
    properties = null
  }
  let required: unknown = value.required ?? null
  if (required !== null && (!Array.isArray(required) || !required.every(Predicate.isString))) {
    c.add([...path, "required"], "expected an array of strings")
    required = null
  }
  return { type, properties, required }
}

const example = (c: Collector, path: Path, value: AssistantExampleInput): Record<string, unknown> => {
  if (!Predicate.isRecord(value)) {
    c.add(path, `expected an example object, got ${describe(value)}`)
    return {}
  }
  const call: unknown = value.functionCall
  let functionCall: Record<string, string> | null = null
  if (!Predicate.isRecord(call)) {
    c.add([...path, "functionCall"], "is required")
  } else {
    functionCall = {
      name: string(c, [...path, "functionCall", "name"], call["name"]),
      arguments: string(c, [...path, "functionCall", "arguments"], call["arguments"])
    }
  }
  return {
    role: optionalString(c, [...path, "role"], value.role, "user"),
    content: string(c, [...path, "content"], value.content),
    function_call: functionCall
  }
}

/**
 * Tools: at most 10, each a function with a name and a description.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const tools = (
  c: Collector,
  path: Path,
  value: ReadonlyArray<AssistantToolInput> | undefined
): Array<Record<string, unknown>> => {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    c.add(path, `expected an array of tools, got ${describe(value)}`)
    return []
  }
  if (value.length > 10) c.add(path, `at most 10 tools are allowed (got ${value.length})`)
  return value.map((tool: AssistantToolInput, index) => {
    const at = [...path, index]
    if (!Predicate.isRecord(tool)) {
      c.add(at, `expected a tool object, got ${describe(tool)}`)
      return {}
    }
    const type = literal(c, [...at, "type"], tool.type, ["function"], "function")
    for (const problem of problemsOf(tool)) c.add([...at, ...problem.path], problem.message)
    const fn = tool.function
    if (!Predicate.isRecord(fn)) {
      c.add([...at, "function"], "is required")
      return { type, function: null }
    }
    const fnName = string(c, [...at, "function", "name"], fn.name)
    if (Predicate.isString(fn.name) && fn.name.trim() === "") c.add([...at, "function", "name"], "must not be empty")
    const examples = fn.examples === undefined || fn.examples === null
      ? null
      : Array.isArray(fn.examples)
      ? fn.examples.map((turns: ReadonlyArray<AssistantExampleInput>, i) =>
        Array.isArray(turns)
          ? turns.map((turn: AssistantExampleInput, j) => example(c, [...at, "function", "examples", i, j], turn))
          : (c.add([...at, "function", "examples", i], "expected an array of examples"), [])
      )
      : (c.add([...at, "function", "examples"], "expected an array"), null)
    return {
      type,
      function: {
        name: fnName,
        description: string(c, [...at, "function", "description"], fn.description),
        parameters: functionSchema(c, [...at, "function", "parameters"], fn.parameters),
        responses: functionSchema(c, [...at, "function", "responses"], fn.responses),
        examples
      }
    }
  })
}

/**
 * Messages given inline (thread creation, run `thread`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const messages = (
  c: Collector,
  path: Path,
  value: ReadonlyArray<MessageInput> | undefined
): Array<Record<string, unknown>> => {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    c.add(path, `expected an array of messages, got ${describe(value)}`)
    return []
  }
  return value.map((message: MessageInput, index) => {
    const at = [...path, index]
    if (!Predicate.isRecord(message)) {
      c.add(at, `expected a message object, got ${describe(message)}`)
      return {}
    }
    return {
      content: string(c, [...at, "content"], message.content),
      role: literal(c, [...at, "role"], message.role, ["user", "assistant"], "user"),
      file_ids: fileIds(c, [...at, "fileIds"], message.fileIds)
    }
  })
}

const range = (
  c: Collector,
  path: Path,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  minExclusive = false
) => {
  if (value === undefined) return fallback
  if (!Predicate.isNumber(value) || Number.isNaN(value)) {
    c.add(path, `expected a number, got ${describe(value)}`)
    return fallback
  }
  if (minExclusive ? value <= min || value > max : value < min || value > max) {
    c.add(path, `must be in ${minExclusive ? "(" : "["}${min}, ${max}] (got ${value})`)
  }
  return value
}

const sampling = (
  c: Collector,
  path: Path,
  value: unknown,
  defaults: { readonly temperature: number; readonly topP: number; readonly penaltyScore: number }
): Record<string, number> => {
  if (value === undefined || value === null) {
    return { temperature: defaults.temperature, top_p: defaults.topP, penalty_score: defaults.penaltyScore }
  }
  if (!Predicate.isRecord(value)) {
    c.add(path, `expected an object, got ${describe(value)}`)
    return { temperature: defaults.temperature, top_p: defaults.topP, penalty_score: defaults.penaltyScore }
  }
  return {
    // temperature 0 is rejected by the service: (0, 1]
    temperature: range(c, [...path, "temperature"], value["temperature"], defaults.temperature, 0, 1, true),
    top_p: range(c, [...path, "topP"], value["topP"], defaults.topP, 0, 1),
    penalty_score: range(c, [...path, "penaltyScore"], value["penaltyScore"], defaults.penaltyScore, 1, 2)
  }
}

/**
 * Model parameters, completed with the official defaults; ranges as the service documents them
 * (temperature in (0, 1], top_p in [0, 1], penalty_score in [1, 2]).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const modelParameters = (
  c: Collector,
  path: Path,
  input: ModelParametersInput | null | undefined
): Record<string, unknown> | null => {
  if (input === undefined || input === null) return null
  const value: unknown = input
  if (!Predicate.isRecord(value)) {
    c.add(path, `expected an object, got ${describe(value)}`)
    return null
  }
  return {
    chat_parameters: sampling(c, [...path, "chatParameters"], value["chatParameters"], {
      temperature: 0.8,
      topP: 0.8,
      penaltyScore: 1.0
    }),
    thought_parameters: sampling(c, [...path, "thoughtParameters"], value["thoughtParameters"], {
      temperature: 0.01,
      topP: 0,
      penaltyScore: 1.0
    })
  }
}

/**
 * User information, every key present (`null` when unset).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const userInfo = (c: Collector, path: Path, value: UserInfoInput | null | undefined) => {
  if (value === undefined || value === null) return null
  if (!Predicate.isRecord(value)) {
    c.add(path, `expected an object, got ${describe(value)}`)
    return null
  }
  return {
    id: nullableString(c, [...path, "id"], value.id),
    name: nullableString(c, [...path, "name"], value.name),
    nickname: nullableString(c, [...path, "nickname"], value.nickname),
    watermark: nullableString(c, [...path, "watermark"], value.watermark),
    intro: nullableString(c, [...path, "intro"], value.intro),
    baidu_id: nullableString(c, [...path, "baiduId"], value.baiduId)
  }
}

/**
 * A user location, every key present (`null` when unset).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const userLoc = (c: Collector, path: Path, value: UserLocInput | null | undefined) => {
  if (value === undefined || value === null) return null
  if (!Predicate.isRecord(value)) {
    c.add(path, `expected an object, got ${describe(value)}`)
    return null
  }
  return {
    loc: nullableString(c, [...path, "loc"], value.loc),
    uip: nullableString(c, [...path, "uip"], value.uip),
    uipv6: nullableString(c, [...path, "uipv6"], value.uipv6)
  }
}

/**
 * Paging fields, with the official defaults (`limit` 20, `order` `desc`, empty cursors).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const listFields = (c: Collector, options: ListOptions | undefined) => {
  const o: ListOptions = options === undefined ? {} : record(c, options)
  let limit = 20
  if (o.limit !== undefined) {
    if (!Number.isInteger(o.limit)) c.add(["limit"], `expected an integer, got ${JSON.stringify(o.limit)}`)
    else limit = o.limit
  }
  return {
    limit,
    order: literal(c, ["order"], o.order, ["asc", "desc"], "desc"),
    after: optionalString(c, ["after"], o.after, ""),
    before: optionalString(c, ["before"], o.before, "")
  }
}

/**
 * Reports every key of `input` that is not in `allowed` (the run request forbids unknown fields).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const noUnknownKeys = (c: Collector, input: object, allowed: ReadonlyArray<string>): void => {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) c.add([key], "unknown field")
  }
}

/**
 * A model name: any non-empty string (the service decides which names it knows). `undefined` (and `null`
 * when `nullable`) gives `fallback`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const model = <F extends string | null>(c: Collector, path: Path, value: unknown, fallback: F): string | F => {
  if (value === undefined || value === null) {
    if (value === null && fallback !== null) c.add(path, "expected a model name, got null")
    return fallback
  }
  if (!Predicate.isString(value)) {
    c.add(path, `expected a model name, got ${describe(value)}`)
    return fallback
  }
  if (value.trim() === "") c.add(path, "must not be empty")
  return value
}

/**
 * An options argument: absent, or an object (an issue, and `{}`, otherwise).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const options = <A extends object>(c: Collector, value: A | undefined): Partial<A> => {
  if (value === undefined) return {}
  if (Predicate.isObject(value) && !Array.isArray(value)) return value
  c.add(["options"], `expected an options object, got ${describe(value)}`)
  return {}
}

/**
 * An optional duration (`Duration.DurationInput`): absent gives `undefined`, anything that is not a
 * duration is an issue.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const duration = (c: Collector, path: Path, value: unknown): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const decoded = Duration.decodeUnknown(value)
  if (Option.isNone(decoded)) {
    c.add(path, `expected a duration (e.g. "30 seconds" or a number of milliseconds), got ${describe(value)}`)
    return undefined
  }
  return decoded.value
}
