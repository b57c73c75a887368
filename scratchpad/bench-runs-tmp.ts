import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Emulator from "@effect-appbuilder/emulator/Emulator"

const N = Number(process.argv[2] ?? 100000)
const post = (path: string, body: unknown) =>
  Effect.flatMap(HttpClient.HttpClient, (c) =>
    c.execute(HttpClientRequest.post(`http://e.test${path}`).pipe(
      HttpClientRequest.setHeaders({ authorization: "Bearer x" }),
      HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
    )))
const program = Effect.gen(function*() {
  const a = (yield* (yield* post("/v2/assistants", { name: "a", description: "d", model: "ERNIE-4.0T-8K" })).json) as { id: string }
  for (const stream of [false, true]) {
    const t = (yield* (yield* post("/v2/threads", { messages: [{ content: `please stream ${N} chunks` }] })).json) as { id: string }
    const t0 = performance.now()
    const res = yield* post("/v2/threads/runs", { assistant_id: a.id, thread_id: t.id, stream })
    let bytes = 0
    let chunks = 0
    yield* res.stream.pipe(Stream.runForEach((c) => Effect.sync(() => { bytes += c.length; chunks++ })))
    const ms = performance.now() - t0
    console.log(stream ? "stream" : "blocking", N, "chunks", chunks, "bytes", bytes, "ms", ms.toFixed(0), "heapMB", (process.memoryUsage().heapUsed / 1e6).toFixed(0))
  }
}).pipe(Effect.scoped, Effect.provide(Emulator.layer({ pingInterval: process.env.NOPING ? 0 : undefined })))
Effect.runPromise(program)
