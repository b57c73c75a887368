/**
 * The hand-written decode of thread answers gives exactly what the `Thread` schema decodes (the same
 * class, the same own properties in the same order, the same values), and every shape it does not take
 * is left to the schema: a thread answer the schema rejects is still the same typed `Decode` error.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AppBuilderClient from "../src/AppBuilderClient.js"
import { HttpError } from "../src/AppBuilderError.js"
import { fastDecode } from "../src/internal/responses.js"
import * as Threads from "../src/Threads.js"
import { shape } from "./utils/Shape.js"

const usual = { id: "thread_1", object: "thread", created_at: 1700000000, metadata: { k: "v" } }

/** The usual answer and variations of each field: absent, `null`, another type, unusual contents. */
const answers: ReadonlyArray<unknown> = [
  usual,
  { ...usual, extra: 1 },
  { id: "thread_1" },
  {},
  { id: null, object: null, created_at: null, metadata: null },
  { ...usual, metadata: {} },
  { ...usual, metadata: { a: "1", b: "2" } },
  { ...usual, metadata: { a: 1 } },
  { ...usual, metadata: [] },
  { ...usual, metadata: "x" },
  JSON.parse(`{"id":"t","metadata":{"__proto__":"x"}}`),
  { ...usual, id: 1 },
  { ...usual, object: false },
  { ...usual, created_at: "1700000000" },
  { ...usual, created_at: 1.5 },
  null,
  [],
  "thread",
  1
]

describe("thread answer fast path", () => {
  for (const json of answers) {
    it(`decodes like the schema: ${JSON.stringify(json)}`, () => {
      const fast = fastDecode(Threads.Thread, json)
      const slow = Schema.decodeUnknownEither(Threads.Thread)(json)
      if (fast === undefined) return
      assert.isTrue(Either.isRight(slow), "the fast path took what the schema rejects")
      if (Either.isRight(slow)) {
        assert.deepStrictEqual(shape(fast), shape(slow.right))
        assert.deepStrictEqual(fast, slow.right)
        assert.instanceOf(fast, Threads.Thread)
      }
    })
  }

  it("takes the usual answer", () => {
    assert.isDefined(fastDecode(Threads.Thread, usual))
    assert.isDefined(fastDecode(Threads.Thread, { id: "t" }))
  })

  /** `Threads.create` against a client that answers `body`. */
  const createWith = (body: string) =>
    Effect.flatMap(Threads.Threads, (threads) => threads.create()).pipe(
      Effect.provide(
        Threads.layer.pipe(
          Layer.provide(
            AppBuilderClient.layer({ token: Redacted.make("t"), baseUrl: "http://127.0.0.1:1", retry: false })
          ),
          Layer.provide(Layer.succeed(
            HttpClient.HttpClient,
            HttpClient.make((request) =>
              Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status: 200 })))
            )
          ))
        )
      )
    )

  it.effect("a thread through the client is the schema's value", () =>
    Effect.gen(function*() {
      const thread = yield* createWith(JSON.stringify(usual))
      assert.deepStrictEqual(thread, Schema.decodeUnknownSync(Threads.Thread)(usual))
    }))

  it.effect("a malformed thread answer is the schema's typed Decode error", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(createWith(JSON.stringify({ ...usual, metadata: { a: 1 } })))
      assert.instanceOf(error, HttpError)
      if (error instanceof HttpError) {
        assert.strictEqual(error.reason, "Decode")
        assert.include(error.message, "metadata")
      }
    }))
})
