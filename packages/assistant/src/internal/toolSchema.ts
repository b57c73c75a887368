/**
 * Tool definitions that can always be built: the JSON schema of a parameters Schema is computed without
 * throwing, and a problem (a recursive Schema, a Schema with no JSON form, nesting deeper than
 * {@link MAX_SCHEMA_DEPTH}) is attached to the definition, to be reported as a `ValidationError` by the
 * request that sends the definition, before anything is sent.
 *
 * @since 0.1.0
 * @internal
 */
import * as Either from "effect/Either"
import * as JSONSchema from "effect/JSONSchema"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type { FunctionJsonSchemaInput } from "../Assistants.js"
import { MAX_SCHEMA_DEPTH } from "./models/tool.js"

/**
 * One problem of a tool definition, with its path relative to the tool (e.g. `["function", "parameters"]`).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export interface DefinitionProblem {
  readonly path: ReadonlyArray<string>
  readonly message: string
}

/**
 * The key under which a tool definition carries its problems. A symbol: it is never sent (JSON ignores
 * symbol keys) and it survives an object spread of the definition.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const DefinitionProblems: unique symbol = Symbol.for("@effect-appbuilder/assistant/DefinitionProblems")

/**
 * The problems attached to a tool definition (none for an ordinary value).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const problemsOf = (tool: object): ReadonlyArray<DefinitionProblem> => {
  const value: unknown = Reflect.get(tool, DefinitionProblems)
  return Array.isArray(value) ? value : []
}

/**
 * Attaches problems to a tool definition (returns the same object).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const withProblems = <A extends object>(definition: A, problems: ReadonlyArray<DefinitionProblem>): A => {
  if (problems.length > 0) {
    Object.defineProperty(definition, DefinitionProblems, { value: problems, enumerable: true })
  }
  return definition
}

/**
 * What is wrong with a JSON value used in a schema: a reference cycle, or nesting deeper than `limit`
 * levels (the value itself being at level `level`). `undefined` when it is fine. The walk stops at the
 * limit, so it is safe on any input.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const jsonShapeProblem = (value: unknown, level = 1, limit = MAX_SCHEMA_DEPTH): string | undefined => {
  const seen = new Set<object>()
  const go = (item: unknown, at: number): string | undefined => {
    if (typeof item !== "object" || item === null) return undefined
    if (seen.has(item)) return "is cyclic: an object contains itself"
    if (at > limit) return `is nested deeper than ${limit} levels`
    seen.add(item)
    const children: ReadonlyArray<unknown> = Array.isArray(item) ? item : Object.values(item)
    for (const child of children) {
      const problem = go(child, at + 1)
      if (problem !== undefined) return problem
    }
    seen.delete(item)
    return undefined
  }
  try {
    return go(value, level)
  } catch (error) {
    // a getter or a proxy that throws while it is read
    return `cannot be read: ${error instanceof Error ? error.message : String(error)}`
  }
}

const REF_PREFIX = "#/$defs/"

/**
 * Replaces every `$ref` to `#/$defs/…` by the definition it names. A definition that refers to itself,
 * directly or not, cannot be written without references (the service does not resolve them): it is
 * reported as a `Left` naming the definition.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const inlineRefs = (
  value: unknown,
  defs: Readonly<Record<string, unknown>>
): Either.Either<unknown, string> => {
  const expanding: Array<string> = []
  const go = (item: unknown, depth: number): unknown => {
    // bounded recursion whatever the input: deeper values are rejected by the depth check anyway
    if (depth > MAX_SCHEMA_DEPTH + 1) return {}
    if (Array.isArray(item)) return item.map((child) => go(child, depth + 1))
    if (!Predicate.isRecord(item)) return item
    const ref = item["$ref"]
    if (typeof ref === "string" && ref.startsWith(REF_PREFIX)) {
      const name = ref.slice(REF_PREFIX.length)
      if (expanding.includes(name)) throw new RecursiveSchema(name)
      expanding.push(name)
      const inlined = go(defs[name], depth)
      expanding.pop()
      return inlined
    }
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(item)) out[key] = go(child, depth + 1)
    return out
  }
  try {
    return Either.right(go(value, 1))
  } catch (error) {
    if (error instanceof RecursiveSchema) {
      return Either.left(`is recursive (${error.name} refers to itself); only finite schemas can be sent`)
    }
    return Either.left(`cannot be converted: ${error instanceof Error ? error.message : String(error)}`)
  }
}

class RecursiveSchema {
  constructor(readonly name: string) {}
}

/**
 * The JSON Schema of a parameters Schema, reduced to what the service keeps (`type`, `properties`,
 * `required`), with `$ref`s inlined; or why it cannot be sent (a recursive Schema, a Schema with no JSON
 * Schema form, nesting deeper than {@link MAX_SCHEMA_DEPTH}, something that is not a Schema).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const functionJsonSchema = (parameters: unknown): Either.Either<FunctionJsonSchemaInput, string> => {
  if (!Schema.isSchema(parameters)) return Either.left("expected a Schema")
  const defs: Record<string, JSONSchema.JsonSchema7> = {}
  let root: JSONSchema.JsonSchema7
  try {
    root = JSONSchema.fromAST(parameters.ast, { definitions: defs, topLevelReferenceStrategy: "skip" })
  } catch (error) {
    // e.g. a `Schema.suspend` without an identifier, or a type with no JSON form (bigint, Date…)
    const message = error instanceof Error ? error.message.split("\n").join(" ") : String(error)
    return Either.left(`has no JSON Schema form: ${message}`)
  }
  return Either.flatMap(inlineRefs(root, defs), (resolved) => {
    const schema = Predicate.isRecord(resolved) ? resolved : {}
    const properties = schema["properties"]
    const required = schema["required"]
    const result: FunctionJsonSchemaInput = {
      type: typeof schema["type"] === "string" ? schema["type"] : "object",
      properties: Predicate.isRecord(properties) ? properties : {},
      required: Array.isArray(required) ? required.filter(Predicate.isString) : []
    }
    const problem = jsonShapeProblem(result)
    return problem === undefined ? Either.right(result) : Either.left(problem)
  })
}
