/**
 * Raw SSE helpers for the run tests: open a streamed run by hand, read it event by event (keeping
 * the HTTP chunk boundaries), and normalise events for comparison with the spec's transcripts.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { AUTH, BASE, isRecord, type JsonRecord, type JsonValue } from "./http.js"

export interface SseEvent {
  /** The exact text of the block, including the blank line. */
  readonly raw: string
  readonly event: string
  readonly data: string
}

/** Splits SSE text made of `event:`/`data:` blocks (the emulator's framing) into events. */
export const parseBlocks = (text: string): ReadonlyArray<SseEvent> => {
  const out: Array<SseEvent> = []
  let rest = text
  while (rest.length > 0) {
    const end = rest.indexOf("\n\n")
    if (end < 0) throw new Error(`unterminated block: ${JSON.stringify(rest.slice(0, 200))}`)
    const raw = rest.slice(0, end + 2)
    rest = rest.slice(end + 2)
    const lines = raw.slice(0, -2).split("\n")
    if (lines.length !== 2 || !lines[0]!.startsWith("event: ") || !lines[1]!.startsWith("data: ")) {
      throw new Error(`bad block: ${JSON.stringify(raw.slice(0, 200))}`)
    }
    out.push({ raw, event: lines[0]!.slice(7), data: lines[1]!.slice(6) })
  }
  return out
}

export const dataOf = (event: SseEvent): JsonRecord => {
  const value: unknown = JSON.parse(event.data)
  if (!isRecord(value)) throw new Error(`data is not an object: ${event.data}`)
  return value
}

export interface OpenStream {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The next event (None at the end of the body). Every HTTP chunk must hold exactly one event. */
  readonly next: Effect.Effect<Option.Option<SseEvent>>
  /** Every remaining event. */
  readonly rest: Effect.Effect<ReadonlyArray<SseEvent>>
  /** The raw text of the body when it is not a stream (error envelope). */
  readonly text: Effect.Effect<string>
}

const decoder = new TextDecoder()

/**
 * Opens `POST /v2/threads/runs` (or another path) and reads it incrementally. In process, every HTTP
 * chunk must hold exactly one event (`exactChunks`); over a real socket the client may coalesce chunks
 * that arrive together, so pass `exactChunks: false` there.
 */
export const open = (
  body: JsonValue,
  path = "/v2/threads/runs",
  exactChunks = true
): Effect.Effect<OpenStream, never, HttpClient.HttpClient | Scope.Scope> =>
  openRequest(
    HttpClientRequest.post(`${BASE}${path}`).pipe(
      HttpClientRequest.setHeaders(AUTH),
      HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
    ),
    exactChunks
  )

/** {@link open} for a request built by the caller. */
export const openRequest = (
  request: HttpClientRequest.HttpClientRequest,
  exactChunks = true
): Effect.Effect<OpenStream, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request).pipe(Effect.orDie)
    const pull = yield* Stream.toPull(response.stream.pipe(Stream.orDie))
    const buffered: Array<Uint8Array> = []
    const nextChunk: Effect.Effect<Option.Option<Uint8Array>> = Effect.suspend(() => {
      const head = buffered.shift()
      if (head !== undefined) return Effect.succeed(Option.some(head))
      return pull.pipe(
        Effect.map((chunk) => {
          for (const item of chunk) buffered.push(item)
          return buffered.shift()
        }),
        Effect.flatMap((head) => (head === undefined ? nextChunk : Effect.succeed(Option.some(head)))),
        Effect.catchAll(Option.match({
          onNone: () => Effect.succeed(Option.none<Uint8Array>()),
          onSome: (e) => Effect.die(e)
        }))
      )
    })
    const pending: Array<SseEvent> = []
    let partial = ""
    const streamDecoder = new TextDecoder()
    const next: Effect.Effect<Option.Option<SseEvent>> = Effect.suspend(() => {
      const head = pending.shift()
      if (head !== undefined) return Effect.succeed(Option.some(head))
      return Effect.flatMap(nextChunk, (chunk) => {
        if (Option.isNone(chunk)) {
          if (partial !== "") return Effect.die(new Error(`truncated event: ${partial.slice(0, 200)}`))
          return Effect.succeed(Option.none())
        }
        if (exactChunks) {
          const events = parseBlocks(decoder.decode(chunk.value))
          if (events.length !== 1) return Effect.die(new Error(`expected one event per chunk, got ${events.length}`))
          return Effect.succeed(Option.some(events[0]!))
        }
        partial += streamDecoder.decode(chunk.value, { stream: true })
        const end = partial.lastIndexOf("\n\n")
        if (end >= 0) {
          for (const block of parseBlocks(partial.slice(0, end + 2))) pending.push(block)
          partial = partial.slice(end + 2)
        }
        return next
      })
    })
    const rest: Effect.Effect<ReadonlyArray<SseEvent>> = Effect.gen(function*() {
      const out: Array<SseEvent> = []
      while (true) {
        const event = yield* next
        if (Option.isNone(event)) return out
        out.push(event.value)
      }
    })
    const text = Effect.gen(function*() {
      let out = ""
      while (true) {
        const chunk = yield* nextChunk
        if (Option.isNone(chunk)) return out
        out += decoder.decode(chunk.value)
      }
    })
    return { status: response.status, headers: response.headers, next, rest, text }
  })

/** Reads the next event, failing the test when the body ended. */
export const take = (stream: OpenStream): Effect.Effect<SseEvent> =>
  Effect.map(stream.next, Option.getOrThrowWith(() => new Error("the stream ended")))

// ---------------------------------------------------------------------------------------------------
// transcripts
// ---------------------------------------------------------------------------------------------------

const here = path.dirname(fileURLToPath(import.meta.url))

export const transcript = (name: "a" | "b" | "c"): ReadonlyArray<SseEvent> =>
  parseBlocks(fs.readFileSync(path.resolve(here, `../fixtures/transcript-${name}.sse`), "utf8"))

const TIME_KEYS = new Set(["created_at", "started_at", "expired_at", "cancelled_at", "failed_at", "completed_at"])

const normaliseString = (s: string): string =>
  s
    .replace(/\b(asst|thread|run|msg|chatmsg)_[0-9a-f]{32}\b/g, "$1_X")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "LOGID")
    .replace(/duration:\d+s/g, "duration:Ns")

/** Ids, log ids, durations and non-zero timestamps replaced by placeholders; key order kept. */
export const normalise = (value: unknown): unknown => {
  if (typeof value === "string") return normaliseString(value)
  if (Array.isArray(value)) return value.map(normalise)
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) {
      out[key] = TIME_KEYS.has(key) && typeof v === "number" && v !== 0 ? "T" : normalise(v)
    }
    return out
  }
  return value
}

/** `event` name + normalised data, as one comparable string (key order matters). */
export const comparable = (event: SseEvent): string =>
  `${event.event} ${JSON.stringify(normalise(JSON.parse(event.data)))}`

// ---------------------------------------------------------------------------------------------------
// grammar (spec §5.6) and per-event checks (§5.8)
// ---------------------------------------------------------------------------------------------------

type State = "start" | "run" | "step" | "answer" | "chunks" | "waiting" | "submitted" | "cancelling" | "end"

const STATUS_KEYS = ["status", "send_id", "message", "event_type", "details"]
const MESSAGE_KEYS = ["status", "send_id", "is_end", "message_id", "message_index", "content"]

/**
 * Checks a whole stream against the grammar of spec §5.6 and the checklist of §5.8; returns the
 * sequence of event kinds (`event_type` for status events, `message`, `ping`) for further assertions.
 */
export const checkGrammar = (events: ReadonlyArray<SseEvent>): ReadonlyArray<string> => {
  let state: State = "start"
  let sendId = 0
  let inStep = false
  let messageId = ""
  const kinds: Array<string> = []
  const fail = (why: string): never => {
    throw new Error(`grammar: ${why} after [${kinds.join(", ")}]`)
  }
  for (const event of events) {
    if (state === "end") fail("event after run_end")
    if (event.event === "ping") {
      if (event.data !== "{}") fail("ping payload")
      kinds.push("ping")
      continue
    }
    const data = dataOf(event)
    sendId++
    if (data["send_id"] !== sendId) fail(`send_id ${String(data["send_id"])} instead of ${sendId}`)
    if (event.event === "message") {
      if (JSON.stringify(Object.keys(data).slice(0, 6)) !== JSON.stringify(MESSAGE_KEYS)) fail("message keys")
      if (state !== "answer" && state !== "chunks") fail("message outside an answer step")
      if (data["message_id"] !== messageId) fail("message_id differs from message_creation")
      if (data["message_index"] !== "") fail("message_index")
      const final = data["is_end"] === 1
      if (data["status"] !== (final ? "completed" : "in_progress")) fail("message status")
      if (final !== ("metadata" in data)) fail("metadata only on the final chunk")
      const content = data["content"]
      if (!Array.isArray(content) || content.length !== 1) fail("content must hold one item")
      state = "chunks"
      kinds.push("message")
      continue
    }
    if (event.event !== "status") fail(`unknown event name ${event.event}`)
    if (JSON.stringify(Object.keys(data)) !== JSON.stringify(STATUS_KEYS)) {
      fail(`status keys ${Object.keys(data).join()}`)
    }
    for (const key of ["status", "message", "event_type"]) {
      if (typeof data[key] !== "string") fail(`${key} must be a string`)
    }
    const details = data["details"]
    if (!isRecord(details) || typeof details["type"] !== "string") fail("details.type")
    const type = String(data["event_type"])
    const status = String(data["status"])
    // a continuation stream (spec §5.9 (b′)) goes on with the open tool step right after run_begin
    const continuation = state === "run" && kinds[kinds.length - 1] === "run_begin"
    const detail = (key: string): unknown => (isRecord(details) ? details[key] : undefined)
    kinds.push(type)
    switch (type) {
      case "run_begin":
        if (state !== "start" && state !== "waiting") fail("run_begin")
        if (status !== "queued" || !isRecord(detail("run_object"))) fail("run_begin payload")
        if (state === "start") state = "run"
        break
      case "tool_step_begin":
        if (state !== "run") fail("tool_step_begin")
        if (!isRecord(detail("run_step_object")) || status !== "in_progress") fail("tool_step_begin payload")
        inStep = true
        state = "step"
        break
      case "message_creation": {
        if (state !== "step") fail("message_creation")
        const creation = detail("message_creation")
        messageId = isRecord(creation) ? String(creation["message_id"]) : fail("message_creation payload")
        state = "answer"
        break
      }
      case "tool_calls": {
        if (state !== "step" && state !== "waiting" && !continuation) fail("tool_calls")
        inStep = true
        const calls = detail("tool_calls")
        if (status !== "requires_action" || !Array.isArray(calls) || calls.length === 0) fail("tool_calls payload")
        state = "waiting"
        break
      }
      case "tool_submitted_output":
        if (state !== "waiting" && !continuation) fail("tool_submitted_output")
        inStep = true
        state = "submitted"
        break
      case "tool_step_end": {
        const step = detail("run_step_object")
        if (!isRecord(step) || step["status"] !== status) fail("tool_step_end payload")
        const normal = status === "completed" && (state === "chunks" || state === "submitted")
        const abnormal = (status === "cancelled" && state === "cancelling") ||
          (status === "failed" && inStep && state !== "cancelling") ||
          (status === "expired" && state === "waiting")
        if (!normal && !abnormal) fail(`tool_step_end ${status}`)
        inStep = false
        if (state !== "cancelling") state = "run"
        break
      }
      case "run_cancelling":
        if (state === "start" || state === "cancelling") fail("run_cancelling")
        if (status !== "cancelling") fail("run_cancelling payload")
        state = "cancelling"
        break
      case "run_end": {
        const run = detail("run_object")
        if (!isRecord(run) || run["status"] !== status) fail("run_end payload")
        if (status === "completed" && (state !== "run" || inStep)) fail("run_end completed")
        if (status === "cancelled" && (state !== "cancelling" || inStep)) fail("run_end cancelled")
        if ((status === "failed" || status === "expired") && (state === "cancelling" || inStep)) {
          fail(`run_end ${status}`)
        }
        if (!["completed", "cancelled", "failed", "expired"].includes(status)) fail("run_end status")
        const stamp =
          { completed: "completed_at", cancelled: "cancelled_at", failed: "failed_at", expired: "expired_at" }[status]
        if (isRecord(run) && (stamp === undefined || run[stamp] === 0)) fail(`${stamp} not set`)
        state = "end"
        break
      }
      default:
        fail(`unknown event_type ${type}`)
    }
  }
  if (state !== "end") fail("no run_end")
  return kinds
}

/** The kinds of a stream without pings. */
export const withoutPings = (kinds: ReadonlyArray<string>): ReadonlyArray<string> => kinds.filter((k) => k !== "ping")
