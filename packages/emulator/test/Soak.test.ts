/**
 * A long-running server keeps flat memory: 100,000 (`SOAK_REQUESTS`; 2,000 by default) mixed requests against the loopback server with a
 * plain HTTP client (node:http, keep-alive), resources deleted as the soak goes, no 500 anywhere, and
 * the heap after a full GC at the end within a generous bound of the heap after warm-up (a quarter of
 * the requests; the request log is a
 * bounded ring).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Http from "node:http"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorState from "../src/EmulatorState.js"
import * as Server from "../src/Server.js"

// 100,000 is the full soak (`SOAK_REQUESTS=100000`, which CI runs as its own step: it is the memory
// check). `pnpm test` runs 2,000: enough for every request kind to run hundreds of times on a warm
// server, to fill and wrap the request log, and to delete all it created; the memory bound is the same
// but only the full soak makes it meaningful.
const TOTAL = Number(process.env["SOAK_REQUESTS"] ?? 2_000)
// smaller than the default ring and than the short soak, so that even the short soak drops old entries
const LOG_SIZE = 1_000
const WARM_UP = TOTAL / 4
const CONCURRENCY = 16
const BOUND_BYTES = 32 * 1024 * 1024

/** A full garbage collection (exposes `gc` at run time when the process was started without it). */
const collect = (): () => void => {
  const exposed: unknown = Reflect.get(globalThis, "gc")
  if (typeof exposed === "function") return () => exposed()
  v8.setFlagsFromString("--expose-gc")
  const gc: unknown = vm.runInNewContext("gc")
  return typeof gc === "function" ? () => gc() : () => undefined
}

interface Answer {
  readonly status: number
  readonly text: string
}

const makeClient = (url: string) => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const target = new URL(url)
  const post = (path: string, body: unknown): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body)
      const request = Http.request({
        agent,
        host: target.hostname,
        port: target.port,
        method: "POST",
        path,
        headers: {
          authorization: "Bearer soak-token",
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload)
        }
      }, (response) => {
        const chunks: Array<Buffer> = []
        response.on("data", (chunk: Buffer) => chunks.push(chunk))
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }))
        response.on("error", reject)
      })
      request.on("error", reject)
      request.end(payload)
    })
  return { post, close: () => agent.destroy() }
}

const idOf = (answer: Answer): string => {
  const parsed: unknown = JSON.parse(answer.text)
  const id: unknown = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "id") : undefined
  if (typeof id !== "string") throw new Error(`no id in ${answer.text}`)
  return id
}

/** One cycle: 10 requests of every kind; what it creates it deletes. */
const cycle = async (
  post: (path: string, body: unknown) => Promise<Answer>,
  check: (a: Answer) => Answer,
  n: number
) => {
  const assistantId = idOf(
    check(await post("/v2/assistants", { model: "ERNIE-4.0T-8K", name: `soak_${n % 100}`, instructions: "i" }))
  )
  check(await post("/v2/assistants/query", { assistant_id: assistantId }))
  check(await post("/v2/assistants/list", { limit: 5 }))
  const threadId = idOf(check(await post("/v2/threads", { messages: [{ role: "user", content: `hello ${n}` }] })))
  check(await post("/v2/threads/runs", { assistant_id: assistantId, thread_id: threadId, stream: false }))
  const streamed = check(
    await post("/v2/threads/runs", {
      assistant_id: assistantId,
      thread: { messages: [{ role: "user", content: `stream ${n}` }] },
      stream: true
    })
  )
  if (!streamed.text.includes("run_end")) throw new Error(`stream did not end: ${streamed.text.slice(-200)}`)
  check(await post("/v2/threads/messages/list", { thread_id: threadId, limit: 10 }))
  check(await post("/v2/threads/delete", { thread_id: threadId }))
  const streamThreadId = /"thread_id":"(thread_[0-9a-f]+)"/.exec(streamed.text)?.[1]
  if (streamThreadId === undefined) throw new Error(`no thread id in ${streamed.text.slice(0, 300)}`)
  check(await post("/v2/threads/delete", { thread_id: streamThreadId }))
  check(await post("/v2/assistants/delete", { assistant_id: assistantId }))
}

const REQUESTS_PER_CYCLE = 10

describe("soak", () => {
  it.live(`${TOTAL} mixed requests on the loopback server: no 500, flat memory`, () =>
    Effect.gen(function*() {
      const { url } = yield* Server.EmulatorServer
      const state = yield* EmulatorState.EmulatorState
      const gc = collect()
      const result = yield* Effect.promise(async () => {
        const client = makeClient(url)
        const failures: Array<string> = []
        let sent = 0
        const check = (answer: Answer): Answer => {
          sent++
          if (answer.status !== 200 || answer.text.includes("internal_error")) {
            failures.push(`${answer.status} ${answer.text.slice(0, 200)}`)
          }
          return answer
        }
        const cycles = TOTAL / REQUESTS_PER_CYCLE
        let next = 0
        const heap: Record<string, number> = {}
        const started = Date.now()
        // warm-up (a quarter), measure, then the rest
        const warmCycles = WARM_UP / REQUESTS_PER_CYCLE
        const runUntil = async (limit: number) => {
          const bounded = async () => {
            while (next < limit) {
              const n = next++
              await cycle(client.post, check, n)
            }
          }
          await Promise.all(Array.from({ length: CONCURRENCY }, bounded))
        }
        await runUntil(warmCycles)
        gc()
        heap["warm"] = process.memoryUsage().heapUsed
        heap["rssWarm"] = process.memoryUsage().rss
        await runUntil(cycles)
        gc()
        heap["end"] = process.memoryUsage().heapUsed
        heap["rssEnd"] = process.memoryUsage().rss
        client.close()
        return { failures, sent, heap, seconds: (Date.now() - started) / 1000 }
      })
      const requests = yield* state.requests
      const { failures, heap, seconds, sent } = result
      console.log(
        `soak: ${sent} requests in ${seconds.toFixed(1)} s; heapUsed after gc after warm-up ${
          (heap["warm"]! / 2 ** 20).toFixed(1)
        } MiB, at the end ${(heap["end"]! / 2 ** 20).toFixed(1)} MiB (rss ${
          (heap["rssWarm"]! / 2 ** 20).toFixed(1)
        } / ${(heap["rssEnd"]! / 2 ** 20).toFixed(1)} MiB); request log ${requests.length}`
      )
      assert.strictEqual(sent, TOTAL)
      assert.deepStrictEqual(failures.slice(0, 5), [])
      assert.strictEqual(requests.length, Math.min(TOTAL, LOG_SIZE))
      assert.isBelow(heap["end"]! - heap["warm"]!, BOUND_BYTES)
      // resident memory is the process's: meaningful only when the soak runs alone (`pnpm soak`, as CI does),
      // not inside the whole suite where other test files share the process
      if (process.env["SOAK_REQUESTS"] !== undefined) {
        assert.isBelow(heap["rssEnd"]! - heap["rssWarm"]!, 2 * BOUND_BYTES)
      }
      assert.strictEqual((yield* state.assistants).length, 0)
      assert.strictEqual((yield* state.threads).length, 0)
      assert.strictEqual((yield* state.activeRuns).length, 0)
    }).pipe(Effect.provide(Emulator.layerServer({ token: "soak-token", requestLogSize: LOG_SIZE }))), 900_000)
})
