/**
 * Building blocks of the request Schemas, and the one function that turns a caller's input into a wire
 * body: {@link encodeRequest}.
 *
 * A request Schema's Type side is what the caller passes (camelCase, optional fields); its Encoded side
 * is the body sent, with every key the official client sends, in its order (a `Schema.Struct` encodes
 * its fields in the order they are declared). Encoding the input checks the Type side, filters
 * included, and reports every problem at once, each with its field path, as one `ValidationError`.
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import { Issue, ValidationError } from "../AppBuilderError.js"
import { KnownModel, ListOrder, type Model } from "../Common.js"
import { problemsOf } from "./toolSchema.js"

// -----------------------------------------------------------------------------
// immutable values: encoded once
// -----------------------------------------------------------------------------

const immutableValues = new WeakSet<object>()

const freezeDeep = (value: unknown, seen: Set<object>): void => {
  if (typeof value !== "object" || value === null || seen.has(value)) return
  seen.add(value)
  for (const key of Reflect.ownKeys(value)) freezeDeep(Reflect.get(value, key), seen)
  Object.freeze(value)
}

/**
 * Freezes a value that the SDK built (every object in it, deeply) and marks it immutable: a Schema
 * wrapped with {@link encodedOnce} then encodes it once, not once per request. Only for values made of
 * fresh objects (a tool definition built by `ToolLoop.tool`, a toolkit's list of definitions): freezing
 * a caller's object would change what the caller can do with it.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const immutable = <A extends object>(value: A): A => {
  freezeDeep(value, new Set())
  immutableValues.add(value)
  return value
}

/**
 * Whether every value is marked by {@link immutable}.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const allImmutable = (values: ReadonlyArray<unknown>): boolean =>
  values.every((value) => Predicate.isObject(value) && immutableValues.has(value))

/**
 * `schema`, whose successful encoding of a value marked by {@link immutable} is kept and reused (a tool
 * loop sends the same toolkit definitions with every run: their encoding, the costliest part of a run
 * request, is done once). Other values, and failures, are encoded every time. Decoding an immutable
 * value is kept the same way (a wire body is never one: only what {@link immutable} marked is).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const encodedOnce = <A, I>(schema: Schema.Schema<A, I>): Schema.Schema<A, I> =>
  Schema.declare<A, I, readonly [Schema.Schema<A, I>]>(
    [schema],
    {
      // decoding is cached too: a filter on an enclosing Struct checks its Type side (a decoding of this
      // Schema's Type side) before the Struct is encoded
      decode: (item) => once(ParseResult.decodeUnknownEither(item)),
      encode: (item) => once(ParseResult.encodeUnknownEither(item))
    },
    { title: "encoded once when immutable" }
  )

// one cache per parser: `Schema.encodedSchema` and `Schema.typeSchema` of an `encodedOnce` Schema reuse its
// functions for their own sides
const once = <Out>(
  parse: (input: unknown, options?: SchemaAST.ParseOptions) => Either.Either<Out, ParseResult.ParseIssue>
) => {
  const results = new WeakMap<object, Out>()
  return (input: unknown, options: SchemaAST.ParseOptions): Either.Either<Out, ParseResult.ParseIssue> => {
    const cacheable = Predicate.isObject(input) && immutableValues.has(input)
    const hit = cacheable ? results.get(input) : undefined
    if (hit !== undefined) return Either.right(hit)
    const result = parse(input, options)
    if (cacheable && Either.isRight(result)) {
      // immutable too: the same value goes into every request from now on, and the checks of the wire
      // side (the Encoded side of an optional field with a default) then find it here
      if (Predicate.isObject(result.right)) immutable(result.right)
      results.set(input, result.right)
    }
    return result
  }
}

// -----------------------------------------------------------------------------
// fields
// -----------------------------------------------------------------------------

/**
 * The length of a string in code points (as the service, written in Python, counts it).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const charLength = (value: string): number => {
  let length = 0
  for (const _ of value) length++
  return length
}

/**
 * The parse options handed to a value inside an optional field: every option but `onExcessProperty`,
 * which a request may set for its own keys only (the value's Schema decides for its keys).
 */
const ownKeysOnly = (options: SchemaAST.ParseOptions): SchemaAST.ParseOptions => {
  const { onExcessProperty: _, ...rest } = options
  return rest
}

/**
 * `schema`, or a value that `passes` lets through as it is (`undefined`, `null`). Unlike a
 * `Schema.Union`, a problem of the value is reported once, without an "Expected undefined, actual …"
 * next to it (which would also print the whole value, however deep).
 */
const orPassing = <A, I, P extends null | undefined>(
  schema: Schema.Schema<A, I>,
  passes: (input: unknown) => input is P,
  title: string
) =>
  Schema.declare<A | P, I | P, readonly [Schema.Schema<A, I>]>(
    [schema],
    {
      decode: (item) => (input, options) =>
        passes(input) ? ParseResult.succeed(input) : ParseResult.decodeUnknown(item)(input, ownKeysOnly(options)),
      encode: (item) => (input, options) =>
        passes(input) ? ParseResult.succeed(input) : ParseResult.encodeUnknown(item)(input, ownKeysOnly(options))
    },
    { title }
  )

/**
 * `schema` or `undefined`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const orUndefined = <A, I>(schema: Schema.Schema<A, I>) =>
  orPassing(schema, (input): input is undefined => input === undefined, "or undefined")

/**
 * `schema` or `null`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const orNullValue = <A, I>(schema: Schema.Schema<A, I>) =>
  orPassing(schema, (input): input is null => input === null, "or null")

/**
 * `schema`, `null` or `undefined`.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const orNullish = <A, I>(schema: Schema.Schema<A, I>) =>
  orPassing(schema, (input): input is null | undefined => input == null, "or nullish")

/**
 * A field that the caller may omit (or set to `undefined`) and that is always sent: `fallback` (a wire
 * value) when it is absent.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const withDefault = <A, I>(schema: Schema.Schema<A, I>, fallback: NoInfer<I>) =>
  Schema.requiredToOptional(Schema.encodedSchema(schema), orUndefined(schema), {
    decode: Option.some,
    encode: (value) => Option.getOrElse(Option.filter(value, Predicate.isNotUndefined), () => fallback)
  })

/**
 * Like {@link withDefault}, but `null` is also accepted and means "absent".
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const withNullishDefault = <A, I>(schema: Schema.Schema<A, I>, fallback: NoInfer<I>) =>
  Schema.requiredToOptional(Schema.encodedSchema(schema), orNullish(schema), {
    decode: Option.some,
    encode: (value) => Option.getOrElse(Option.filter(value, Predicate.isNotNullable), () => fallback)
  })

/**
 * A field that may be omitted, set to `undefined` or to `null`, and is sent as `null` then.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const orNull = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.requiredToOptional(orNullValue(Schema.encodedSchema(schema)), orNullish(schema), {
    decode: Option.some,
    encode: (value) => Option.getOrElse(Option.filter(value, Predicate.isNotUndefined), () => null)
  })

/**
 * A required field sent under another key (`fromKey` on a required property).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const required = <A, I, const Key extends PropertyKey>(schema: Schema.Schema<A, I>, key: Key) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

/**
 * Annotations of a filter that runs even when the value's own shape has problems, so that every problem
 * is reported together (e.g. "too many tools" and "tool 3 has no name", or a rule across two fields next
 * to a bad field). Such a filter then sees the input as given, parts of it invalid: it must read it
 * defensively. This is the annotation Effect's own `Schema.maxItems` carries (`StableFilterAnnotationId`
 * in `effect/SchemaAST`, which its type declarations do not expose); the symbol is registered globally under
 * this key.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const alwaysChecked = { [Symbol.for("effect/annotation/StableFilter")]: true }

/**
 * Annotations of a struct whose unknown keys are ignored (dropped), even inside a request that forbids
 * them (a request Schema annotated with `parseOptions: { onExcessProperty: "error" }` passes that option
 * down to the structs it contains).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const ignoringUnknownKeys = { parseOptions: { onExcessProperty: "ignore" } } as const

/**
 * Any string of at most `max` characters (code points).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const text = (max: number) =>
  Schema.String.pipe(
    Schema.filter((value) => {
      const length = charLength(value)
      return length <= max || `must be at most ${max} characters (got ${length})`
    })
  )

/**
 * An id: a string that is not empty (nor only spaces).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const Id = Schema.String.pipe(Schema.filter((value) => value.trim() !== "" || "must not be empty"))

/**
 * A model name: any non-empty string (the service decides which names it knows; the known ones are
 * suggested by the type).
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const ModelName = Schema.declare((u): u is Model => Predicate.isString(u), {
  title: "a model name",
  description: `a model name, e.g. ${KnownModel.literals.join(", ")}`
}).pipe(Schema.filter((value) => value.trim() !== "" || "must not be empty"))

/**
 * At most 10 file ids.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const FileIds = Schema.Array(Schema.String).pipe(
  Schema.filter(
    (ids) => ids.length <= 10 || `at most 10 file ids are allowed (got ${ids.length})`,
    alwaysChecked
  )
)

/**
 * Metadata: at most 16 entries, keys of at most 64 and values of at most 512 characters.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const Metadata = Schema.Record({ key: Schema.String, value: Schema.String }).pipe(
  Schema.filter((metadata) => {
    const issues: Array<Schema.FilterIssue> = []
    const entries = Object.entries(metadata)
    if (entries.length > 16) {
      issues.push({ path: [], message: `at most 16 entries are allowed (got ${entries.length})` })
    }
    for (const [key, value] of entries) {
      const keyLength = charLength(key)
      // checked even when some values are not strings (reported by the Record itself)
      const valueLength = Predicate.isString(value) ? charLength(value) : 0
      if (keyLength > 64) {
        issues.push({ path: [key], message: `metadata keys must be at most 64 characters (got ${keyLength})` })
      }
      if (valueLength > 512) {
        issues.push({ path: [key], message: `metadata values must be at most 512 characters (got ${valueLength})` })
      }
    }
    return issues
  }, alwaysChecked)
)

/**
 * The paging fields of every list request, with the official client's defaults (`limit` 20, `order`
 * `desc`, empty cursors), in its order.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const listFields = {
  /** Page size (the service clamps it). Default 20. */
  limit: withDefault(Schema.Int, 20),
  /** `desc` (default, newest first) or `asc`. */
  order: withDefault(ListOrder, "desc"),
  /** Only objects after this id in the chosen order. */
  after: withDefault(Schema.String, ""),
  /** Only objects before this id in the chosen order. */
  before: withDefault(Schema.String, "")
}

// -----------------------------------------------------------------------------
// encoding a request
// -----------------------------------------------------------------------------

const describe = (value: unknown): string => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value

const startsWith = (path: ReadonlyArray<PropertyKey>, prefix: ReadonlyArray<PropertyKey>): boolean =>
  prefix.length <= path.length && prefix.every((key, i) => path[i] === key)

/**
 * The problems of a parse error, readable: a value that matches none of a list of literals gets one
 * problem naming them all.
 */
const issuesOf = (error: ParseResult.ParseError): ReadonlyArray<ParseResult.ArrayFormatterIssue> => {
  const merged: Array<ParseResult.ArrayFormatterIssue> = []
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const expected = expectedOf(issue)
    const previous = merged.findIndex((other) =>
      other.path.length === issue.path.length && startsWith(other.path, issue.path) && expectedOf(other) !== undefined
    )
    const before = previous === -1 ? undefined : merged[previous]
    const beforeExpected = before === undefined ? undefined : expectedOf(before)
    if (
      before !== undefined && beforeExpected !== undefined && expected !== undefined &&
      beforeExpected.actual === expected.actual
    ) {
      merged[previous] = {
        ...before,
        message: `Expected ${beforeExpected.expected} | ${expected.expected}, actual ${expected.actual}`
      }
    } else {
      merged.push(issue)
    }
  }
  return merged
}

/** `Expected X, actual Y` of a type problem. */
const expectedOf = (issue: ParseResult.ArrayFormatterIssue) => {
  if (issue._tag !== "Type") return undefined
  const match = /^Expected (.*), actual (.*)$/s.exec(issue.message)
  return match === null ? undefined : { expected: match[1]!, actual: match[2]! }
}

const toIssue = (path: ReadonlyArray<PropertyKey>, message: string): Issue =>
  new Issue({ path: path.map((key) => (Predicate.isSymbol(key) ? String(key) : key)), message })

/**
 * The problems that tool definitions built by `ToolLoop.tool` carry (a parameters Schema that cannot be
 * sent, a bad timeout, …), wherever such a definition sits in the input. The walk is bounded: tool
 * definitions sit a few levels deep (`tools.<i>`).
 */
const cleanImmutables = new WeakMap<object, boolean>()
const isCleanImmutable = (value: object): boolean => {
  if (!immutableValues.has(value)) return false
  let clean = cleanImmutables.get(value)
  if (clean === undefined) {
    const seen = new Set<object>()
    const hasProblems = (item: unknown): boolean => {
      if (!Predicate.isObject(item) || seen.has(item)) return false
      seen.add(item)
      if (problemsOf(item).length > 0) return true
      return Reflect.ownKeys(item).some((key) => hasProblems(Reflect.get(item, key)))
    }
    clean = !hasProblems(value)
    cleanImmutables.set(value, clean)
  }
  return clean
}

const definitionProblems = (input: unknown): ReadonlyArray<Issue> => {
  const issues: Array<Issue> = []
  const seen = new Set<object>()
  const walk = (value: unknown, path: ReadonlyArray<string | number>): void => {
    if (!Predicate.isObject(value) || seen.has(value) || path.length > 4) return
    seen.add(value)
    // an immutable value without problems anywhere inside (a toolkit's definitions, sent with every run)
    if (isCleanImmutable(value)) return
    for (const problem of problemsOf(value)) issues.push(toIssue([...path, ...problem.path], problem.message))
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]))
    else if (Predicate.isRecord(value)) { for (const [key, item] of Object.entries(value)) walk(item, [...path, key]) }
  }
  try {
    walk(input, [])
  } catch {
    // a getter that throws: the Schema reports the value itself
  }
  return issues
}

/**
 * Checks `input` against the Type side of `schema` and encodes it: the wire body, or one
 * `ValidationError` for `operation` listing every problem. Never throws, whatever a JavaScript caller
 * passes.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const encodeRequest = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  input: unknown
): Effect.Effect<I, ValidationError> => Effect.suspend(() => encodeRequestEither(operation, schema, input))

/**
 * {@link encodeRequest} as a plain function: the wire body, or the `ValidationError`. Never throws.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const encodeRequestEither = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  input: unknown
): Either.Either<I, ValidationError> => {
  if (!Predicate.isRecord(input)) {
    return Either.left(
      new ValidationError({ operation, issues: [toIssue([], `expected an object, got ${describe(input)}`)] })
    )
  }
  const problems = definitionProblems(input)
  const encoded = Schema.encodeUnknownEither(schema, { errors: "all" })(input)
  const issues = Either.match(encoded, {
    onLeft: (error) => issuesOf(error).map((issue) => toIssue(issue.path, issue.message)),
    onRight: () => []
  })
  if (issues.length === 0 && problems.length === 0 && Either.isRight(encoded)) return Either.right(encoded.right)
  return Either.left(new ValidationError({ operation, issues: sortIssues([...issues, ...problems]) }))
}

/** Groups issues by top-level field (first appearance), the field's own issues first. */
const sortIssues = (issues: ReadonlyArray<Issue>): ReadonlyArray<Issue> => {
  const groups: Array<string | number | undefined> = []
  for (const issue of issues) if (!groups.includes(issue.path[0])) groups.push(issue.path[0])
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) =>
      groups.indexOf(a.issue.path[0]) - groups.indexOf(b.issue.path[0]) ||
      a.issue.path.length - b.issue.path.length ||
      a.index - b.index
    )
    .map(({ issue }) => issue)
}
