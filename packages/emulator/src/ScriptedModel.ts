/**
 * The emulator's deterministic "model": given the conversation of a run, it decides what the next step
 * does — call function tools, answer with text (as a lazy sequence of chunks), or fail.
 *
 * The decision is made by the {@link Script} service. Its default implementation ({@link layer},
 * {@link decide}) follows these rules, first match wins (the "user text" is the content of the last
 * `user` message of the conversation):
 *
 * 1. **Failure** — the user text contains `please fail` (case-insensitive): the run ends `failed` with
 *    `last_error = {"type":"server_error","message":"the scripted model was asked to fail"}`.
 * 2. **Answer after tools** — this run already received tool outputs: the answer quotes every output,
 *    `根据工具的结果：<output 1>；<output 2>…`.
 * 3. **Weather** — a function tool `get_cur_whether` is available and the user text mentions `天气` and
 *    `北京`: one call of `get_cur_whether` with arguments exactly `{"location":"北京","unit":"摄氏度"}`
 *    (the weather example of the official documentation).
 * 4. **Explicit calls** — the user text asks for available function tools by name. Grammar (every
 *    occurrence counts, in order; names that are not available function tools are ignored):
 *    ```
 *    request   := ("call" | "调用") ws* name (ws* "with")? ws* json-object?
 *    name      := [A-Za-z_][A-Za-z0-9_.-]*
 *    ```
 *    `call` must not be preceded by a letter (`recall x` does not match). The arguments are the JSON
 *    object written after the name (re-serialised compactly), or `{}` when there is none or it is not
 *    valid JSON. Examples: `call get_time with {"zone":"UTC"}`, `please call lookup`,
 *    `调用 get_time`, `call a and call b {"x":1}` (two calls in one step).
 * 5. **Benchmark** — the user text contains `please stream N chunks` (N a decimal integer): the answer
 *    is exactly N message chunks, chunk i (1-based) being `"<i> "`. Chunks are generated lazily.
 * 6. **Default** — `你好！我收到了你的消息：<user text>`.
 *
 * Every text answer is then prefixed (rule 0): when the effective instructions (the run's override or
 * the assistant's) contain `每句话回复前都加上X`, the answer starts with `X，` where X is the text after
 * that phrase up to the first punctuation mark, whitespace or end of text (so `每句话回复前都加上我是秦始皇`
 * makes every answer start with `我是秦始皇，`). Answers of
 * rules 2, 3 and 6 are cut into chunks of `chunkSize` characters (code points).
 *
 * A test provides its own {@link Script} (see {@link fromTurns}, {@link make}) to dictate exactly which
 * tool calls, replies or failures come, turn by turn.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as JsonText from "./internal/json.js"

/**
 * A JSON value, as in a request body or a scripted turn.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = JsonText.Json

/**
 * A JSON object.
 *
 * @since 0.1.0
 * @category models
 */
export type JsonObject = JsonText.JsonObject

/**
 * A tool exactly as an assistant (or a run's override) declares it and the run object echoes it:
 * `{type, function: {name, description, parameters, responses, examples}}`.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolJson = JsonText.JsonObject

/**
 * One message of the conversation a turn sees.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConversationMessage {
  readonly role: "user" | "assistant"
  readonly content: string
}

/**
 * A tool call of this run that was answered.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolResult {
  readonly id: string
  readonly name: string
  readonly arguments: string
  readonly output: string
}

/**
 * What the model sees when it decides a step.
 *
 * @since 0.1.0
 * @category models
 */
export interface TurnInput {
  readonly runId: string
  readonly threadId: string
  readonly assistantId: string
  readonly model: string
  /** Effective instructions: the run's override, else the assistant's. */
  readonly instructions: string
  readonly thoughtInstructions: string
  readonly chatInstructions: string
  /** Effective tools, exactly as echoed in the run object. */
  readonly tools: ReadonlyArray<ToolJson>
  /** The thread's messages (oldest first), including the ones this run appended. */
  readonly messages: ReadonlyArray<ConversationMessage>
  /** Every tool call of this run answered so far, oldest first. */
  readonly toolResults: ReadonlyArray<ToolResult>
  /** 0 for the first step of the run, 1 for the next, … */
  readonly stepIndex: number
  /** The configured number of characters per message chunk. */
  readonly chunkSize: number
}

/**
 * A tool call the model asks for.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolCallRequest {
  readonly name: string
  /** Compact JSON text. */
  readonly arguments: string
}

/**
 * The model's decision for one step. `delay` is "thinking time" spent after `tool_step_begin` and before
 * the step's first visible effect. A cancel arriving meanwhile ends the run without that effect: the
 * stream shows `run_cancelling`, then the step ends `cancelled` (`tool_step_end`), then `run_end`.
 *
 * @since 0.1.0
 * @category models
 */
export type Decision =
  | { readonly _tag: "ToolCalls"; readonly calls: ReadonlyArray<ToolCallRequest>; readonly delay: Duration.Duration }
  | { readonly _tag: "Reply"; readonly chunks: Iterable<string>; readonly delay: Duration.Duration }
  | {
    readonly _tag: "Fail"
    readonly error: { readonly type: string; readonly message: string }
    readonly delay: Duration.Duration
  }

/**
 * @since 0.1.0
 * @category models
 */
export interface ScriptService {
  readonly decide: (input: TurnInput) => Effect.Effect<Decision>
}

/**
 * The pluggable model. Provide {@link layer} for the default rules, or a layer of your own.
 *
 * @since 0.1.0
 * @category tags
 */
export class Script extends Context.Tag("@effect-appbuilder/emulator/ScriptedModel/Script")<Script, ScriptService>() {
  /** The default rules (same as {@link layer}). */
  static get Default(): Layer.Layer<Script> {
    return layer
  }
  /**
   * Same as {@link fromTurns}.
   *
   * @since 0.1.0
   */
  static fromTurns(turns: ReadonlyArray<Turn>): Layer.Layer<Script> {
    return fromTurns(turns)
  }
  /**
   * Same as {@link make}.
   *
   * @since 0.1.0
   */
  static make(decideStep: (input: TurnInput) => Effect.Effect<Decision>): Layer.Layer<Script> {
    return make(decideStep)
  }
}

/**
 * A step decision as a test writes it.
 *
 * - `{ toolCalls: [{ name, arguments }] }` — `arguments` a JSON object (serialised compactly) or text;
 * - `{ reply: "text" }` (cut into `chunkSize` chunks) or `{ reply: ["chunk 1", "chunk 2"] }` (exact chunks);
 * - `{ fail: { message, type? } }` (`type` defaults to `server_error`);
 * - `{ useDefault: true }` — the default rules decide this turn.
 *
 * `delay` (optional) is the thinking time of {@link Decision}.
 *
 * @since 0.1.0
 * @category models
 */
export type Turn =
  & (
    | {
      readonly toolCalls: ReadonlyArray<{
        readonly name: string
        readonly arguments?: string | JsonObject | undefined
      }>
    }
    | { readonly reply: string | ReadonlyArray<string> }
    | { readonly fail: { readonly message: string; readonly type?: string | undefined } }
    | { readonly useDefault: true }
  )
  & { readonly delay?: Duration.DurationInput | undefined }

// ---------------------------------------------------------------------------------------------------------
// default rules
// ---------------------------------------------------------------------------------------------------------

const PREFIX_PHRASE = "每句话回复前都加上"
const PREFIX_STOP = /[\s，。！？；：、,.!?;:"'“”‘’（）()【】[\]《》<>]/u

/**
 * The reply prefix demanded by instructions containing `每句话回复前都加上X` (rule 0), if any.
 *
 * @since 0.1.0
 * @category rules
 */
export const replyPrefix = (instructions: string): string | undefined => {
  const index = instructions.indexOf(PREFIX_PHRASE)
  if (index < 0) return undefined
  const rest = instructions.slice(index + PREFIX_PHRASE.length)
  const stop = rest.search(PREFIX_STOP)
  const prefix = stop < 0 ? rest : rest.slice(0, stop)
  return prefix.length === 0 ? undefined : prefix
}

/**
 * Cuts a text into chunks of `size` code points (at least one chunk, possibly empty).
 *
 * @since 0.1.0
 * @category rules
 */
export const chunkText = (text: string, size: number): Iterable<string> => ({
  *[Symbol.iterator]() {
    const points = [...text]
    const step = Math.max(1, Math.floor(size))
    if (points.length === 0) {
      yield ""
      return
    }
    for (let i = 0; i < points.length; i += step) {
      yield points.slice(i, i + step).join("")
    }
  }
})

/**
 * The names of the function tools of a tool list.
 *
 * @since 0.1.0
 * @category rules
 */
export const functionNames = (tools: ReadonlyArray<ToolJson>): ReadonlyArray<string> => {
  const names: Array<string> = []
  for (const tool of tools) {
    const type = tool["type"]
    const fn = tool["function"]
    if ((type === undefined || type === null || type === "function") && JsonText.isObject(fn)) {
      const name = fn["name"]
      if (typeof name === "string" && name.length > 0) names.push(name)
    }
  }
  return names
}

/** Reads a JSON object starting at `text[start] === "{"`; returns its end index (exclusive) or -1. */
const scanObject = (text: string, start: number): number => {
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === "\\") i++
      else if (c === "\"") inString = false
      continue
    }
    if (c === "\"") inString = true
    else if (c === "{") depth++
    else if (c === "}") {
      depth--
      if (depth === 0) return i + 1
    }
  }
  return -1
}

const CALL_PATTERN = /(?<![A-Za-z])(?:call|调用)\s*([A-Za-z_][A-Za-z0-9_.-]*)/giu

/**
 * The explicit tool calls of rule 4 found in a user text, restricted to `available` names.
 *
 * @since 0.1.0
 * @category rules
 */
export const explicitCalls = (text: string, available: ReadonlyArray<string>): ReadonlyArray<ToolCallRequest> => {
  const calls: Array<ToolCallRequest> = []
  for (const match of text.matchAll(CALL_PATTERN)) {
    const name = match[1] ?? ""
    if (!available.includes(name)) continue
    let i = match.index + match[0].length
    const after = text.slice(i)
    const withMatch = /^\s*(?:with\b)?\s*/iu.exec(after)
    i += withMatch === null ? 0 : withMatch[0].length
    let args = "{}"
    if (text[i] === "{") {
      const end = scanObject(text, i)
      if (end > 0) {
        const parsed = JsonText.parse(text.slice(i, end))
        if (Either.isRight(parsed) && JsonText.isObject(parsed.right)) args = JSON.stringify(parsed.right)
      }
    }
    calls.push({ name, arguments: args })
  }
  return calls
}

const STREAM_PATTERN = /please stream (\d+) chunks?/iu

/**
 * The chunks `<first>1 `, `2 `, …, `<count> `, made as they are read: a plain iterator rather than a
 * generator, whose resumption costs more than the chunk (a long stream reads 100,000s of them).
 */
const lazyChunks = (count: number, first: string): Iterable<string> => ({
  [Symbol.iterator]: (): Iterator<string> => {
    let i = 0
    return {
      next: (): IteratorResult<string> => {
        if (i >= count) return { done: true, value: undefined }
        i++
        return { done: false, value: i === 1 ? `${first}${i} ` : `${i} ` }
      }
    }
  }
})

const lastUserText = (messages: ReadonlyArray<ConversationMessage>): string => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!
    if (message.role === "user") return message.content
  }
  return ""
}

/**
 * `Duration.zero`, the delay of a decision that takes no thinking time.
 *
 * @since 0.1.0
 * @category constants
 */
export const noDelay: Duration.Duration = Duration.zero

/**
 * The default rules (see the module documentation), as a pure function.
 *
 * @since 0.1.0
 * @category rules
 */
export const decide = (input: TurnInput): Decision => {
  const text = lastUserText(input.messages)
  const prefix = replyPrefix(input.instructions)
  const lead = prefix === undefined ? "" : `${prefix}，`
  const reply = (body: string): Decision => ({
    _tag: "Reply",
    chunks: chunkText(`${lead}${body}`, input.chunkSize),
    delay: noDelay
  })
  if (/please fail/iu.test(text)) {
    return {
      _tag: "Fail",
      error: { type: "server_error", message: "the scripted model was asked to fail" },
      delay: noDelay
    }
  }
  if (input.toolResults.length > 0) {
    return reply(`根据工具的结果：${input.toolResults.map((r) => r.output).join("；")}`)
  }
  const names = functionNames(input.tools)
  if (names.includes("get_cur_whether") && text.includes("天气") && text.includes("北京")) {
    return {
      _tag: "ToolCalls",
      calls: [{ name: "get_cur_whether", arguments: JSON.stringify({ location: "北京", unit: "摄氏度" }) }],
      delay: noDelay
    }
  }
  const calls = explicitCalls(text, names)
  if (calls.length > 0) return { _tag: "ToolCalls", calls, delay: noDelay }
  const stream = STREAM_PATTERN.exec(text)
  if (stream !== null) {
    const count = Math.max(1, Number.parseInt(stream[1] ?? "1", 10))
    return { _tag: "Reply", chunks: lazyChunks(count, lead), delay: noDelay }
  }
  return reply(`你好！我收到了你的消息：${text}`)
}

/**
 * The default script service (the rules above).
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultScript: ScriptService = { decide: (input) => Effect.sync(() => decide(input)) }

/**
 * The default rules as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Script> = Layer.succeed(Script, defaultScript)

/**
 * A script from a decision function.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (decideStep: (input: TurnInput) => Effect.Effect<Decision>): Layer.Layer<Script> =>
  Layer.succeed(Script, { decide: decideStep })

/**
 * Turns a {@link Turn} into a {@link Decision}.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTurn = (turn: Turn, input: TurnInput): Decision => {
  const delay = Duration.decode(turn.delay ?? Duration.zero)
  if ("toolCalls" in turn) {
    return {
      _tag: "ToolCalls",
      calls: turn.toolCalls.map((call) => ({
        name: call.name,
        arguments: call.arguments === undefined
          ? "{}"
          : typeof call.arguments === "string"
          ? call.arguments
          : JSON.stringify(call.arguments)
      })),
      delay
    }
  }
  if ("reply" in turn) {
    const chunks = typeof turn.reply === "string" ? chunkText(turn.reply, input.chunkSize) : turn.reply
    return { _tag: "Reply", chunks, delay }
  }
  if ("fail" in turn) {
    return { _tag: "Fail", error: { type: turn.fail.type ?? "server_error", message: turn.fail.message }, delay }
  }
  return { ...decide(input), delay }
}

/**
 * A script that plays `turns` in order, one per step decision (across all runs), then falls back to
 * the default rules.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTurns = (turns: ReadonlyArray<Turn>): Layer.Layer<Script> =>
  Layer.sync(Script, () => {
    let next = 0
    return {
      decide: (input) =>
        Effect.sync(() => {
          const turn = turns[next]
          if (turn === undefined) return decide(input)
          next++
          return fromTurn(turn, input)
        })
    }
  })
