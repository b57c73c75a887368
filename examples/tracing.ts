/**
 * Exporting the SDK's spans with OpenTelemetry. Every SDK call runs in a span (`Runs.stream`,
 * `Runs.submitToolOutputs`, `Threads.create`, …) carrying the AppBuilder ids as `appbuilder.*` attributes;
 * a tool loop adds `ToolLoop.run` around the whole loop and `ToolLoop.toolCalls` around each round of tool
 * calls; every HTTP request is an `http.client` span (`http.client POST`) under the call that sent it, with
 * the authorization headers redacted. `@effect/opentelemetry` turns those Effect spans into OpenTelemetry
 * spans: give it a span processor and an exporter, and provide the layer to your program.
 *
 * Here the exporter is OpenTelemetry's `ConsoleSpanExporter` (each span printed as an object when the
 * batch is flushed, at the latest when the program ends); use `OTLPTraceExporter` of
 * `@opentelemetry/exporter-trace-otlp-http` to send them to a collector (Jaeger, Tempo, Honeycomb, …), or
 * `@effect/opentelemetry/OtlpTracer` without the OpenTelemetry SDK at all. `tracing.test.ts` checks the
 * span tree of one loop with an `InMemorySpanExporter`.
 *
 * Run it (against the in-process emulator, or the real service when `APPBUILDER_TOKEN` is set):
 *
 *   node --conditions=@effect-appbuilder/source --import tsx examples/tracing.ts
 */
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as Resource from "@effect/opentelemetry/Resource"
import * as Tracer from "@effect/opentelemetry/Tracer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanProcessor
} from "@opentelemetry/sdk-trace-base"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Runtime from "./Runtime.js"

/**
 * Routes every Effect span to OpenTelemetry, through `processor`. The tracer provider is shut down when
 * the layer is released, which flushes the spans a `BatchSpanProcessor` still holds.
 *
 * (`NodeSdk.layer` of `@effect/opentelemetry` does the same, but needs `@opentelemetry/sdk-trace-node`
 * installed; the provider of `@opentelemetry/sdk-trace-base` is enough.)
 */
export const layerTracing = (processor: SpanProcessor): Layer.Layer<never> => {
  const provider = Layer.scoped(
    Tracer.OtelTracerProvider,
    Effect.flatMap(Resource.Resource, (resource) =>
      Effect.acquireRelease(
        Effect.sync(() => new BasicTracerProvider({ resource, spanProcessors: [processor] })),
        (provider) => Effect.promise(() => provider.shutdown())
      ))
  )
  return Layer.discard(Tracer.layer).pipe(
    Layer.provide(provider),
    Layer.provide(Resource.layer({ serviceName: "effect-appbuilder-examples" }))
  )
}

const weather = ToolLoop.tool("get_cur_whether", {
  description: "这是一个获得指定地点天气的工具",
  parameters: Schema.Struct({ location: Schema.String, unit: Schema.optional(Schema.String) }),
  handler: ({ location, unit = "摄氏度" }) => Effect.succeed(`${location}今天晴，30${unit}`)
})

/** The toolkit of the loop. */
export const toolkit = ToolLoop.toolkit(weather)

/** One tool loop (stream mode): its spans are the ones exported. */
export const program = Effect.gen(function*() {
  const assistants = yield* Assistants.Assistants
  const threads = yield* Threads.Threads

  const assistant = yield* Effect.acquireRelease(
    assistants.create({
      name: "weather_assistant",
      instructions: "请用友善的语气回答问题",
      tools: toolkit.definitions
    }),
    (created) => Effect.ignore(assistants.delete(created.id))
  )
  const thread = yield* threads.create({ messages: [{ content: "今天北京的天气怎么样？" }] })
  const result = yield* ToolLoop.run({ assistantId: assistant.id, threadId: thread.id }, { toolkit })
  yield* Console.log(`answer: ${result.text}`)
  yield* Console.log(`run ${result.run.id} ${result.run.status} after ${result.steps} tool round(s)`)
}).pipe(Effect.scoped, Effect.withSpan("tracing-example"))

/**
 * The services this example runs on (see Runtime.ts), with every span exported to the console in
 * batches.
 */
export const layer = Layer.merge(Runtime.layer(), layerTracing(new BatchSpanProcessor(new ConsoleSpanExporter())))

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program.pipe(Effect.provide(layer)))
}
