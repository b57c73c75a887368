/**
 * Keeps docs/emulator-http.md true: its curl session is replayed, in order, against a loopback emulator,
 * and every answer must have the documented shape (the same field names, the same `object`, `status`,
 * `code`… values, the same stream events). Ids differ from one run to the next: an id read in a documented
 * answer stands, in the later commands, for the id of the same place in the replayed answer.
 *
 * The doc's conventions, which this test relies on: a ```sh block holds variable assignments, `printf … >
 * file` lines and at most one `curl` command; the block right after it (```json, ```http for `curl -i`, ```sse
 * for a stream) is that command's answer. A `curl -N` stream stays open while the next blocks run; each
 * ```sse block is the next part of it.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import * as Emulator from "../src/Emulator.js"
import * as App from "../src/internal/app.js"
import * as Server from "../src/Server.js"
import { isRecord } from "./utils/http.js"

const DOC = readFileSync(new URL("../../../docs/emulator-http.md", import.meta.url), "utf8")

interface Fence {
  readonly lang: string
  readonly text: string
}

const fences = (markdown: string): ReadonlyArray<Fence> =>
  [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]! }))

/** Shell words of one line: '…' literal, "…" with `$VAR` expanded, bare `$VAR` expanded. */
const words = (line: string, vars: ReadonlyMap<string, string>): ReadonlyArray<string> => {
  const out: Array<string> = []
  let current = ""
  let inWord = false
  let i = 0
  const variable = (at: number): readonly [string, number] => {
    const name = /^\$(\w+)/.exec(line.slice(at))![1]!
    return [vars.get(name) ?? "", at + name.length + 1]
  }
  while (i < line.length) {
    const c = line[i]!
    if (c === "'") {
      const end = line.indexOf("'", i + 1)
      current += line.slice(i + 1, end)
      i = end + 1
      inWord = true
    } else if (c === "\"") {
      i++
      while (line[i] !== "\"") {
        if (line[i] === "\\") {
          current += line[i + 1]
          i += 2
        } else if (line[i] === "$") {
          const [value, next] = variable(i)
          current += value
          i = next
        } else current += line[i++]
      }
      i++
      inWord = true
    } else if (c === "$") {
      const [value, next] = variable(i)
      current += value
      i = next
      inWord = true
    } else if (c === " ") {
      if (inWord) out.push(current)
      current = ""
      inWord = false
      i++
    } else {
      current += c
      i++
      inWord = true
    }
  }
  if (inWord) out.push(current)
  return out
}

interface Curl {
  readonly path: string
  readonly query: string
  readonly headers: Record<string, string>
  readonly data: string | undefined
  readonly form: string | undefined
  readonly stream: boolean
}

const parseCurl = (args: ReadonlyArray<string>): Curl => {
  const headers: Record<string, string> = {}
  let url = ""
  let data: string | undefined
  let form: string | undefined
  let stream = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "-H") {
      const header = args[++i]!
      const colon = header.indexOf(":")
      headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim()
    } else if (arg === "-d") data = args[++i]
    else if (arg === "-F") form = args[++i]
    else if (arg === "-N") stream = true
    else if (arg.startsWith("http")) url = arg
    else assert.oneOf(arg, ["-s", "-i"], `a curl option this test knows: ${arg}`)
  }
  const parsed = new URL(url)
  return { path: parsed.pathname, query: parsed.search, headers, data, form, stream }
}

const ID =
  /^(asst_|thread_|msg_|chatmsg_|run_)[0-9a-f]{32}$|^file-\d{15}$|^call-thread_[0-9a-f]{32}-run_[0-9a-f]{32}-step-\d+$/

/** Values compared exactly; the others (ids, times, texts with log ids) only by type. */
const EXACT = new Set(["object", "status", "code", "type", "param", "event_type", "deleted", "role", "has_more"])

/** Asserts that `actual` has the shape of `documented`, and learns the ids it stands for. */
const compare = (documented: unknown, actual: unknown, path: string, ids: Map<string, string>): void => {
  if (Array.isArray(documented)) {
    assert.isTrue(Array.isArray(actual), `${path} is an array`)
    const items: ReadonlyArray<unknown> = Array.isArray(actual) ? actual : []
    assert.strictEqual(items.length, documented.length, `${path}: length`)
    documented.forEach((item: unknown, i) => compare(item, items[i], `${path}.${i}`, ids))
  } else if (isRecord(documented)) {
    assert.isTrue(isRecord(actual), `${path} is an object`)
    const record = isRecord(actual) ? actual : {}
    assert.deepStrictEqual(Object.keys(record).sort(), Object.keys(documented).sort(), `${path}: fields`)
    for (const [key, value] of Object.entries(documented)) {
      if (EXACT.has(key) && (value === null || typeof value !== "object")) {
        assert.strictEqual(record[key], value, `${path}.${key}`)
      }
      compare(value, record[key], `${path}.${key}`, ids)
    }
  } else {
    assert.strictEqual(actual === null ? "null" : typeof actual, documented === null ? "null" : typeof documented, path)
    if (typeof documented === "string" && typeof actual === "string" && ID.test(documented)) ids.set(documented, actual)
  }
}

interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
}

interface SseEvent {
  readonly name: string
  readonly data: unknown
}

const parseEvents = (text: string): ReadonlyArray<SseEvent> =>
  text.split("\n\n").map((block) => block.trim()).filter((block) => block !== "").map((block) => {
    const name = /^event: (.*)$/m.exec(block)
    const data = /^data: (.*)$/m.exec(block)
    assert.isNotNull(name, `an event block: ${block}`)
    assert.isNotNull(data, `an event block: ${block}`)
    const value: unknown = JSON.parse(data![1]!)
    return { name: name![1]!, data: value }
  })

const label = (event: SseEvent): string =>
  isRecord(event.data) && typeof event.data["event_type"] === "string"
    ? `${event.name}/${event.data["event_type"]}`
    : event.name

const IGNORED_HEADERS = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"])

describe("docs/emulator-http.md", () => {
  it("names every route of the emulator, and no other", () => {
    const documented = new Set([...DOC.matchAll(/`POST (\/v2\/[\w/]+)/g)].map((m) => m[1]!))
    assert.deepStrictEqual([...documented].sort(), App.routes.map((route) => route.path).sort())
  })

  it.live("answers the doc's curl session as documented", () =>
    Effect.gen(function*() {
      const server = yield* Server.EmulatorServer
      const client = yield* HttpClient.HttpClient
      const vars = new Map<string, string>()
      const files = new Map<string, string>()
      const ids = new Map<string, string>()
      const routes = new Set(App.routes.map((route) => route.path))
      const exercised = new Set<string>()
      let pending: { readonly curl: Curl; readonly reply: Reply } | undefined
      let events: Queue.Queue<Option.Option<SseEvent>> | undefined

      const substitute = (line: string): string =>
        [...ids.keys()].sort((a, b) => b.length - a.length).reduce((acc, id) => acc.replaceAll(id, ids.get(id)!), line)

      const send = (curl: Curl) =>
        Effect.gen(function*() {
          let request = HttpClientRequest.post(`${server.url}${curl.path}${curl.query}`).pipe(
            HttpClientRequest.setHeaders(curl.headers)
          )
          if (curl.form !== undefined) {
            const [key, value] = curl.form.split("=") as [string, string]
            const name = value.slice(1)
            const form = new FormData()
            form.append(key, new Blob([files.get(name) ?? ""]), name)
            request = HttpClientRequest.bodyFormData(request, form)
          } else if (curl.data !== undefined) {
            request = HttpClientRequest.bodyText(request, curl.data, curl.headers["content-type"])
          }
          const response = yield* client.execute(request)
          if (curl.stream && (response.headers["content-type"] ?? "").startsWith("text/event-stream")) {
            const queue = yield* Queue.unbounded<Option.Option<SseEvent>>()
            let buffer = ""
            yield* response.stream.pipe(
              Stream.decodeText(),
              Stream.runForEach((text) => {
                buffer += text
                const blocks = buffer.split("\n\n")
                buffer = blocks.pop()!
                return Queue.offerAll(queue, blocks.flatMap((block) => parseEvents(block).map(Option.some)))
              }),
              Effect.zipRight(Queue.offer(queue, Option.none())),
              Effect.forkScoped
            )
            events = queue
            return { status: response.status, headers: response.headers, text: "" }
          }
          return { status: response.status, headers: response.headers, text: yield* response.text }
        })

      const checkJson = (documented: string, reply: Reply) => {
        const value: unknown = JSON.parse(documented)
        compare(value, JSON.parse(reply.text), "body", ids)
      }

      const checkHttp = (documented: string, reply: Reply) => {
        const [head, ...rest] = documented.split("\n\n")
        const [statusLine, ...headerLines] = head!.split("\n")
        assert.strictEqual(reply.status, Number(/^HTTP\/1\.1 (\d+)/.exec(statusLine!)![1]), statusLine)
        for (const line of headerLines) {
          const name = line.slice(0, line.indexOf(":")).toLowerCase()
          const value = line.slice(line.indexOf(":") + 1).trim()
          if (IGNORED_HEADERS.has(name)) continue
          assert.property(reply.headers, name)
          if (name === "content-type" || name === "content-disposition") {
            assert.strictEqual(reply.headers[name], value, name)
          }
        }
        const body = rest.join("\n\n")
        if (body.startsWith("{")) checkJson(body, reply)
        else assert.strictEqual(reply.text, body, "body")
      }

      const checkStream = (documented: string) =>
        Effect.gen(function*() {
          assert.isDefined(events, "an open stream")
          const queue = events!
          const expected = parseEvents(documented.replaceAll("…\n", "")).filter((event) => event.name !== "ping")
          const skipping = documented.includes("…")
          for (const event of expected) {
            let next = yield* Queue.take(queue)
            while (
              Option.isSome(next) &&
              (next.value.name === "ping" || (skipping && label(next.value) !== label(event)))
            ) next = yield* Queue.take(queue)
            assert.isTrue(Option.isSome(next), `the stream goes on to ${label(event)}`)
            const actual = Option.getOrThrow(next)
            assert.strictEqual(label(actual), label(event))
            compare(event.data, actual.data, label(event), ids)
          }
          if (expected.length > 0 && label(expected[expected.length - 1]!) === "status/run_end") {
            assert.isTrue(Option.isNone(yield* Queue.take(queue)), "the stream ends after run_end")
            events = undefined
          }
        })

      for (const fence of fences(DOC)) {
        if (fence.lang === "sh") {
          const lines = fence.text.replaceAll("\\\n", " ").split("\n").map((line) => line.trim())
          for (const line of lines) {
            const assignment = /^(\w+)=(.*)$/.exec(line)
            if (assignment !== null) {
              vars.set(assignment[1]!, words(assignment[2]!, vars)[0] ?? "")
              vars.set("BASE", server.url)
            } else if (line.startsWith("printf ")) {
              const [, text, , name] = words(line, vars)
              files.set(name!, text!.replaceAll("\\n", "\n"))
            } else if (line.startsWith("curl ")) {
              assert.isUndefined(pending, "every curl command is followed by its answer")
              const curl = parseCurl(words(substitute(line), vars).slice(1))
              exercised.add(curl.path)
              pending = { curl, reply: yield* send(curl) }
            }
          }
        } else if (fence.lang === "json" || fence.lang === "http") {
          assert.isDefined(pending, `a command before ${fence.text.slice(0, 60)}`)
          const { curl, reply } = pending!
          pending = undefined
          if (!routes.has(curl.path)) {
            // only the doc's "unknown path" example may name one
            assert.strictEqual(fence.lang, "http")
            assert.match(fence.text, /^HTTP\/1\.1 404/)
          }
          if (fence.lang === "json") {
            assert.strictEqual(reply.status, 200, curl.path)
            checkJson(fence.text, reply)
          } else checkHttp(fence.text, reply)
        } else if (fence.lang === "sse") {
          if (pending !== undefined) {
            assert.isTrue(pending.curl.stream, "an sse answer belongs to a curl -N command")
            pending = undefined
          }
          yield* checkStream(fence.text)
        }
      }
      assert.isUndefined(pending, "the last command has its answer")
      assert.isUndefined(events, "every stream of the doc ends")
      assert.deepStrictEqual([...exercised].filter((path) => routes.has(path)).sort(), [...routes].sort())
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.merge(
        Emulator.layerServer({ port: 0, token: /--token (\S+)/.exec(DOC)![1]!, chunkDelay: 0 }),
        FetchHttpClient.layer
      ))
    ))
})
