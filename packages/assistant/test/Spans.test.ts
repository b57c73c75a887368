/**
 * Every operation is a span named after it, carrying the AppBuilder ids it touched and the request id.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"
import * as Assistants from "../src/Assistants.js"
import * as Runs from "../src/Runs.js"
import * as Threads from "../src/Threads.js"
import * as Emulated from "./utils/Emulated.js"
import { recordSpans } from "./utils/RecordSpans.js"

const attribute = (spans: ReadonlyArray<Tracer.Span>, name: string, key: string): unknown =>
  spans.find((span) => span.name === name)?.attributes.get(key)

describe("spans", () => {
  it.effect("operations are spans with the assistant, thread and run ids and the request id", () =>
    Effect.gen(function*() {
      const { spans, recording } = yield* recordSpans
      const { assistant, thread, run } = yield* Effect.gen(function*() {
        const assistant = yield* (yield* Assistants.Assistants).create({ name: "spans" })
        const thread = yield* (yield* Threads.Threads).create({ messages: [{ content: "hello" }] })
        const run = yield* (yield* Runs.Runs).run({ assistantId: assistant.id, threadId: thread.id })
        yield* (yield* Assistants.Assistants).query(assistant.id)
        return { assistant, thread, run }
      }).pipe(Effect.withTracer(recording))
      assert.strictEqual(attribute(spans, "Assistants.create", "appbuilder.assistant_id"), assistant.id)
      assert.strictEqual(attribute(spans, "Assistants.query", "appbuilder.assistant_id"), assistant.id)
      assert.strictEqual(attribute(spans, "Runs.run", "appbuilder.thread_id"), thread.id)
      assert.strictEqual(attribute(spans, "Runs.run", "appbuilder.run_id"), run.id)
      for (const name of ["Assistants.create", "Threads.create", "Runs.run", "Assistants.query"]) {
        assert.match(String(attribute(spans, name, "appbuilder.request_id")), /^[0-9a-f-]{36}$/, name)
      }
    }).pipe(Effect.provide(Emulated.layer())))
})
