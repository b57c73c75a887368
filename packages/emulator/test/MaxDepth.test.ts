/**
 * `Validate.maxDepth` decides with a walk that allocates nothing and only walks a too-deep body again to
 * name its field: for any body and any limit, it accepts exactly the bodies nested at most `max` levels
 * (objects and arrays; the body is level 1), and a refusal names the field as the full walk does.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import type * as Json from "../src/internal/json.js"
import * as Validate from "../src/internal/Validate.js"

/** The nesting depth of a value: 0 for a scalar, 1 + the deepest member for an object or array. */
const depthOf = (value: Json.Json): number => {
  if (value === null || typeof value !== "object") return 0
  const members: ReadonlyArray<Json.Json> = Array.isArray(value) ? value : Object.values(value)
  return 1 + members.reduce<number>((deepest, member) => Math.max(deepest, depthOf(member)), 0)
}

const bodies = FastCheck.dictionary(FastCheck.string({ maxLength: 6 }), FastCheck.jsonValue({ maxDepth: 6 }), {
  maxKeys: 5
}) as FastCheck.Arbitrary<Json.JsonObject>

describe("Validate.maxDepth", () => {
  it.prop("accepts a body iff it nests at most max levels", [bodies, FastCheck.integer({ min: 1, max: 8 })], ([
    body,
    max
  ]) => {
    const result = Validate.maxDepth(body, max)
    assert.strictEqual(Either.isRight(result), depthOf(body) <= max)
    if (Either.isRight(result)) assert.strictEqual(result.right, body)
  })

  it("names the field holding the value nested too deeply", () => {
    const body: Json.JsonObject = { name: "x", tools: [{ function: { parameters: { a: { b: { c: {} } } } } }] }
    const result = Validate.maxDepth(body, 5)
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) {
      assert.strictEqual(result.left.param, "tools.0.function.parameters")
      assert.include(result.left.message, "nested deeper than 5 levels")
    }
  })
})
