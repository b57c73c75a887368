/**
 * The span tree of one tool loop, as an OpenTelemetry exporter receives it (`tracing.ts` wires
 * `@effect/opentelemetry`; here the exporter keeps the spans in memory). It checks what a user of a
 * tracing backend sees: the span names, which span is under which, the AppBuilder ids as attributes, and
 * that the token appears nowhere (no attribute, no event, no resource attribute).
 */
import * as AppBuilderTest from "@effect-appbuilder/testing/AppBuilderTest"
import { assert, describe, it } from "@effect/vitest"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracing from "./tracing.js"

/** A token no span has any reason to contain, in any form. */
const token = "bce-v3/ALTAK-tracing-test-9f3c/a1b2c3d4e5f6SECRET"

/** Runs the example's loop with its spans exported to memory, and returns them (ended, in end order). */
const exportedSpans = Effect.gen(function*() {
  const exporter = new InMemorySpanExporter()
  const layer = Layer.merge(AppBuilderTest.layer({ token }), Tracing.layerTracing(new SimpleSpanProcessor(exporter)))
  // read before the layer is released: shutting the provider down empties the in-memory exporter
  return yield* Effect.provide(Effect.zipRight(Tracing.program, Effect.sync(() => exporter.getFinishedSpans())), layer)
})

const idOf = (span: ReadableSpan): string => span.spanContext().spanId

/** The one span named `name`. */
const only = (spans: ReadonlyArray<ReadableSpan>, name: string): ReadableSpan => {
  const found = spans.filter((span) => span.name === name)
  assert.strictEqual(found.length, 1, `one span ${name} in ${spans.map((span) => span.name).join(", ")}`)
  return found[0]!
}

/** The spans whose parent is `parent`, by name. */
const childrenOf = (spans: ReadonlyArray<ReadableSpan>, parent: ReadableSpan): Array<string> =>
  spans.filter((span) => span.parentSpanContext?.spanId === idOf(parent)).map((span) => span.name).sort()

describe("tracing", () => {
  it.effect("one tool loop: the span tree, the AppBuilder ids as attributes, no token anywhere", () =>
    Effect.gen(function*() {
      const spans = yield* exportedSpans
      const root = only(spans, "tracing-example")
      const loop = only(spans, "ToolLoop.run")
      const stream = only(spans, "Runs.stream")
      const toolCalls = only(spans, "ToolLoop.toolCalls")
      const submit = only(spans, "Runs.submitToolOutputs")

      // one trace, rooted at the program's own span
      assert.isUndefined(root.parentSpanContext)
      assert.deepStrictEqual(new Set(spans.map((span) => span.spanContext().traceId)).size, 1)

      // the tree: the calls under the program, the run, the tool round and the submit under the loop
      assert.deepStrictEqual(childrenOf(spans, root), [
        "Assistants.create",
        "Assistants.delete",
        "Threads.create",
        "ToolLoop.run"
      ])
      assert.deepStrictEqual(childrenOf(spans, loop), ["Runs.stream", "Runs.submitToolOutputs", "ToolLoop.toolCalls"])
      // every HTTP request is a client span under the SDK call that sent it, and only there
      const http = spans.filter((span) => span.name === "http.client POST")
      assert.deepStrictEqual(http.map((span) => span.attributes["url.path"]).sort(), [
        "/v2/assistants",
        "/v2/assistants/delete",
        "/v2/threads",
        "/v2/threads/runs",
        "/v2/threads/runs/submit_tool_outputs"
      ])
      const parentName = (span: ReadableSpan) =>
        spans.find((candidate) => idOf(candidate) === span.parentSpanContext?.spanId)?.name
      assert.deepStrictEqual(
        Object.fromEntries(http.map((span) => [String(span.attributes["url.path"]), parentName(span)])),
        {
          "/v2/assistants": "Assistants.create",
          "/v2/assistants/delete": "Assistants.delete",
          "/v2/threads": "Threads.create",
          "/v2/threads/runs": "Runs.stream",
          "/v2/threads/runs/submit_tool_outputs": "Runs.submitToolOutputs"
        }
      )
      // one span per tool call, under the round's span
      assert.deepStrictEqual(childrenOf(spans, toolCalls), ["ToolLoop.toolCall"])
      const toolCall = only(spans, "ToolLoop.toolCall")

      // the AppBuilder ids, as the service gave them
      const streamed = stream.attributes
      const assistantId = String(only(spans, "Assistants.create").attributes["appbuilder.assistant_id"])
      const threadId = String(only(spans, "Threads.create").attributes["appbuilder.thread_id"])
      assert.match(assistantId, /^asst_/)
      assert.match(threadId, /^thread_/)
      assert.strictEqual(loop.attributes["appbuilder.assistant_id"], assistantId)
      assert.strictEqual(loop.attributes["appbuilder.mode"], "stream")
      assert.strictEqual(streamed["appbuilder.assistant_id"], assistantId)
      assert.strictEqual(streamed["appbuilder.thread_id"], threadId)
      assert.strictEqual(streamed["appbuilder.run_status"], "completed")
      const runId = String(streamed["appbuilder.run_id"])
      assert.match(runId, /^run_/)
      assert.strictEqual(submit.attributes["appbuilder.thread_id"], threadId)
      assert.strictEqual(submit.attributes["appbuilder.run_id"], runId)
      assert.strictEqual(toolCalls.attributes["appbuilder.tool_calls"], 1)
      assert.strictEqual(toolCall.attributes["appbuilder.tool"], "get_cur_whether")
      assert.match(String(toolCall.attributes["appbuilder.tool_call_id"]), /./)
      assert.strictEqual(loop.attributes["appbuilder.thread_id"], threadId)
      assert.strictEqual(loop.attributes["appbuilder.run_id"], runId)
      // every call span carries the request id of its (last) HTTP request
      for (const span of [stream, submit]) {
        const request = spans.find((candidate) => candidate.parentSpanContext?.spanId === idOf(span))
        assert.strictEqual(
          span.attributes["appbuilder.request_id"],
          request?.attributes["http.request.header.x-appbuilder-request-id"]
        )
      }
      // the authorization headers are recorded, redacted
      for (const span of http) {
        assert.strictEqual(span.attributes["http.request.header.authorization"], "<redacted>")
        assert.strictEqual(span.attributes["http.request.header.x-appbuilder-authorization"], "<redacted>")
      }

      // the token (or its secret part) is nowhere: names, attributes, events, status, resource
      const everything = JSON.stringify(spans.map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
        links: span.links,
        resource: span.resource.attributes
      })))
      assert.isAbove(everything.length, 1000)
      assert.notInclude(everything, token)
      assert.notInclude(everything, "a1b2c3d4e5f6SECRET")
      assert.notInclude(everything, "ALTAK-tracing-test")
    }))
})
