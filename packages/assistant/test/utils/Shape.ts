import * as Predicate from "effect/Predicate"

/** A value as a plain tree that shows each object's class and its own keys in order. */
export const shape = (value: unknown): unknown => {
  if (Array.isArray(value)) return (value as ReadonlyArray<unknown>).map(shape)
  if (Predicate.isRecord(value)) {
    const proto: unknown = Object.getPrototypeOf(value)
    const name = Predicate.isRecord(proto) && Predicate.isFunction(proto.constructor) ? proto.constructor.name : "null"
    return { class: name, entries: Object.keys(value).map((key) => [key, shape(value[key])]) }
  }
  return value
}
