/**
 * Bad input never becomes a defect or a synchronous throw (issue 7, item 4), and the SDK's own checks
 * agree with the service's rules (item 7): model parameter ranges, tool types, open model names.
 *
 * Everything runs against the in-process emulator, whose request log proves that nothing was sent.
 */
import { HttpError, ToolOutputUnencodable, ValidationError } from "@effect-appbuilder/assistant/AppBuilderError"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Files from "@effect-appbuilder/assistant/Files"
import * as Messages from "@effect-appbuilder/assistant/Messages"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import * as RunSteps from "@effect-appbuilder/assistant/RunSteps"
import * as Threads from "@effect-appbuilder/assistant/Threads"
import * as ToolLoop from "@effect-appbuilder/assistant/ToolLoop"
import * as EmulatorState from "@effect-appbuilder/emulator/EmulatorState"
import { NodeFileSystem } from "@effect/platform-node"
import type * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { encodeRequest } from "../src/internal/requestSchema.js"
import * as Emulated from "./utils/Emulated.js"

const TestLayer = Layer.merge(Emulated.layer(), NodeFileSystem.layer)

/** A value of any type, as a JavaScript caller could pass it (no cast: parsed from JSON text). */
const untyped = <T>(json: string): T => JSON.parse(json)

const fields = (error: ValidationError) => error.issues.map((issue) => issue.field)

/**
 * The one documented edge of this file: what a service method returns, seen from a JavaScript caller,
 * is an Effect or a Stream whose requirements are at most a FileSystem (upload and download need one).
 */
const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown, FileSystem.FileSystem> => Effect.isEffect(u)
const isStream = (u: unknown): u is Stream.Stream<unknown, unknown, FileSystem.FileSystem> =>
  Predicate.hasProperty(u, Stream.StreamTypeId)

/** The ValidationError an exit failed with (fails the test otherwise). */
const validationErrorOf = (label: string, exit: Exit.Exit<unknown, unknown>): ValidationError => {
  if (Exit.isSuccess(exit)) return assert.fail(`${label}: expected a ValidationError, got a success`)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) {
    return assert.fail(`${label}: expected a ValidationError, got ${Cause.pretty(exit.cause)}`)
  }
  if (!(failure.value instanceof ValidationError)) {
    return assert.fail(`${label}: expected a ValidationError, got ${String(failure.value)}`)
  }
  return failure.value
}

/**
 * Calls `method` with `args` as a JavaScript caller would, asserts that building the effect did not throw,
 * runs it, and returns its ValidationError; asserts that no request reached the emulator.
 */
const callRejected = (label: string, method: unknown, args: ReadonlyArray<unknown>) =>
  Effect.gen(function*() {
    const state = yield* EmulatorState.EmulatorState
    yield* state.clearRequests
    if (typeof method !== "function") return assert.fail(`${label}: not a function`)
    let built: unknown
    try {
      built = Reflect.apply(method, undefined, args)
    } catch (error) {
      return assert.fail(`${label}: threw while the effect was built: ${String(error)}`)
    }
    const exit = isEffect(built)
      ? yield* Effect.exit(built)
      : isStream(built)
      ? yield* Effect.exit(Stream.runDrain(built))
      : assert.fail(`${label}: returned neither an Effect nor a Stream`)
    const error = validationErrorOf(label, exit)
    assert.deepStrictEqual(yield* state.requests, [], `${label}: no request may reach the service`)
    return error
  })

/** `null`, `undefined`, a number and a string in place of an input object. */
const forObject: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null],
  ["undefined", undefined],
  ["a number", untyped<number>("42")],
  ["a string", untyped<string>("\"text\"")]
]
/** The same for an input object that may be omitted (`undefined` means "the defaults" there). */
const forOptionalObject = forObject.filter(([name]) => name !== "undefined")
/** `null`, `undefined`, a number and an object in place of an id string. */
const forId: ReadonlyArray<readonly [string, unknown]> = [
  ["null", null],
  ["undefined", undefined],
  ["a number", untyped<number>("42")],
  ["an object", untyped<object>("{\"id\":\"x\"}")]
]

describe("bad input to every service method: a ValidationError, nothing thrown, nothing sent", () => {
  it.effect("null / undefined / number / string in place of every input, options included", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const files = yield* Files.Files
      const threads = yield* Threads.Threads
      const messages = yield* Messages.Messages
      const runs = yield* Runs.Runs
      const steps = yield* RunSteps.RunSteps

      // [label, method, bad values, how to place the bad value in the argument list]
      const one = (value: unknown): ReadonlyArray<unknown> => [value]
      const table: ReadonlyArray<
        readonly [
          string,
          unknown,
          ReadonlyArray<readonly [string, unknown]>,
          (value: unknown) => ReadonlyArray<unknown>
        ]
      > = [
        ["Assistants.create", assistants.create, forObject, one],
        ["Assistants.update", assistants.update, forObject, one],
        ["Assistants.list", assistants.list, forOptionalObject, one],
        ["Assistants.listAll", assistants.listAll, forOptionalObject, one],
        ["Assistants.query", assistants.query, forId, one],
        ["Assistants.delete", assistants.delete, forId, one],
        ["Assistants.mountFile", assistants.mountFile, forObject, one],
        ["Assistants.listMountedFiles", assistants.listMountedFiles, forOptionalObject, one],
        ["Assistants.unmountFile", assistants.unmountFile, forObject, one],
        ["Files.upload", files.upload, forObject, one],
        [
          "Files.upload options",
          files.upload,
          forOptionalObject,
          (v) => [{ bytes: new Uint8Array(1), filename: "a.txt" }, v]
        ],
        ["Files.query", files.query, forId, one],
        ["Files.delete", files.delete, forId, one],
        ["Files.download", files.download, forId, one],
        ["Files.download options", files.download, forOptionalObject, (v) => ["file-1", v]],
        ["Files.content", files.content, forId, one],
        ["Files.contentStream", files.contentStream, forId, one],
        ["Threads.create", threads.create, forOptionalObject, one],
        ["Threads.query", threads.query, forId, one],
        ["Threads.update", threads.update, forObject, one],
        ["Threads.delete", threads.delete, forId, one],
        ["Messages.create", messages.create, forObject, one],
        ["Messages.list", messages.list, forObject, one],
        ["Messages.listAll", messages.listAll, forObject, one],
        ["Messages.query", messages.query, forObject, one],
        ["Messages.update", messages.update, forObject, one],
        ["Messages.listFiles", messages.listFiles, forObject, one],
        ["Runs.run", runs.run, forObject, one],
        ["Runs.run options", runs.run, forOptionalObject, (v) => [{ assistantId: "asst_1", threadId: "thread_1" }, v]],
        ["Runs.stream", runs.stream, forObject, one],
        ["Runs.submitToolOutputs", runs.submitToolOutputs, forObject, one],
        ["Runs.cancel", runs.cancel, forObject, one],
        ["Runs.list", runs.list, forObject, one],
        ["Runs.listAll", runs.listAll, forObject, one],
        ["Runs.query", runs.query, forObject, one],
        ["RunSteps.list", steps.list, forObject, one],
        ["RunSteps.listAll", steps.listAll, forObject, one],
        ["RunSteps.query", steps.query, forObject, one]
      ]
      let calls = 0
      for (const [label, method, values, place] of table) {
        for (const [name, value] of values) {
          yield* callRejected(`${label}(${name})`, method, place(value))
          calls++
        }
      }
      assert.isAtLeast(calls, 130)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("wrongly typed fields inside inputs and options", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const files = yield* Files.Files
      const runs = yield* Runs.Runs
      const cases: ReadonlyArray<readonly [string, unknown, ReadonlyArray<unknown>, ReadonlyArray<string>]> = [
        ["listAll with a numeric cursor", assistants.listAll, [{ after: 5 }], ["after"]],
        ["list with a fractional limit", assistants.list, [{ limit: 1.5 }], ["limit"]],
        ["upload of a stream source that holds no Stream", files.upload, [{ stream: "bytes", filename: "a" }], [
          "stream"
        ]],
        ["upload of bytes that are not bytes", files.upload, [{ bytes: [1, 2], filename: "a" }], ["bytes"]],
        ["upload with a numeric file name", files.upload, [{ path: "/tmp/x", filename: 7 }], ["filename"]],
        ["run with a timeout that is not a duration", runs.run, [{ assistantId: "a", threadId: "t" }, {
          timeout: "soon"
        }], [
          "options.timeout"
        ]]
      ]
      for (const [label, method, args, expected] of cases) {
        const error = yield* callRejected(label, method, args)
        assert.deepStrictEqual(fields(error), expected, label)
      }
    }).pipe(Effect.provide(TestLayer)))
})

// -----------------------------------------------------------------------------
// the SDK and the service agree on what is valid
// -----------------------------------------------------------------------------

/** The bodies `Assistants.create` / `update` would send (their request Schemas, checked and encoded). */
const encodeCreate = (input: Assistants.CreateInput) =>
  encodeRequest("Assistants.create", Assistants.CreateRequest, input)
const encodeUpdate = (input: Assistants.UpdateInput) =>
  encodeRequest("Assistants.update", Assistants.UpdateRequest, input)

/** The body `Runs.run` would send (its request Schema, checked and encoded). */
const run = (extra: Partial<Runs.RunInput>) =>
  encodeRequest("Runs.run", Runs.RunRequest, { assistantId: "asst_1", threadId: "thread_1", ...extra })

describe("model parameters: temperature in (0, 1], top_p in [0, 1], penalty_score in [1, 2]", () => {
  it.effect("temperature 0 is rejected for both models; the bounds that are allowed pass", () =>
    Effect.gen(function*() {
      for (const which of ["chatParameters", "thoughtParameters"] as const) {
        const zero = yield* Effect.flip(run({ modelParameters: { [which]: { temperature: 0 } } }))
        assert.deepStrictEqual(fields(zero), [`modelParameters.${which}.temperature`])
        assert.include(zero.message, "(0, 1]")
        const above = yield* Effect.flip(run({ modelParameters: { [which]: { temperature: 1.01, topP: 1.5 } } }))
        assert.deepStrictEqual(fields(above), [`modelParameters.${which}.temperature`, `modelParameters.${which}.topP`])
        const penalty = yield* Effect.flip(run({ modelParameters: { [which]: { penaltyScore: 0.99 } } }))
        assert.deepStrictEqual(fields(penalty), [`modelParameters.${which}.penaltyScore`])
        for (
          const ok of [{ temperature: 1, topP: 0, penaltyScore: 1 }, { temperature: 0.001, topP: 1, penaltyScore: 2 }]
        ) {
          const body = yield* run({ modelParameters: { [which]: ok } })
          assert.isNotNull(body.model_parameters)
        }
      }
    }))
})

describe("tool types: only function", () => {
  const retrieval: Assistants.AssistantToolInput = { type: "retrieval", function: { name: "f", description: "d" } }
  it.effect("any other type is a ValidationError on tools.<i>.type (assistant create/update, runs)", () =>
    Effect.gen(function*() {
      const tools = [{ function: { name: "ok", description: "d" } }, retrieval]
      const create = yield* Effect.flip(encodeCreate({ name: "n", tools }))
      assert.deepStrictEqual(fields(create), ["tools.1.type"])
      const update = yield* Effect.flip(
        encodeUpdate({ assistantId: "asst_1", name: "n", model: "ERNIE-4.0T-8K", description: "", tools })
      )
      assert.deepStrictEqual(fields(update), ["tools.1.type"])
      const runError = yield* Effect.flip(run({ tools }))
      assert.deepStrictEqual(fields(runError), ["tools.1.type"])
      // absent means function
      const body = yield* encodeCreate({ name: "n", tools: [tools[0]!] })
      assert.strictEqual(body.tools[0]?.["type"], "function")
    }))
})

describe("model names are open", () => {
  it.effect("any non-empty name passes the SDK's checks; an empty one does not", () =>
    Effect.gen(function*() {
      const future = "ERNIE-5.0-128K"
      assert.strictEqual((yield* encodeCreate({ name: "n", model: future })).model, future)
      assert.strictEqual((yield* run({ model: future })).model, future)
      assert.strictEqual((yield* run({ model: null })).model, null)
      for (const empty of ["", "  "]) {
        assert.deepStrictEqual(fields(yield* Effect.flip(encodeCreate({ name: "n", model: empty }))), ["model"])
        assert.deepStrictEqual(fields(yield* Effect.flip(run({ model: empty }))), ["model"])
      }
      assert.deepStrictEqual(fields(yield* Effect.flip(run({ model: untyped<string>("4") }))), ["model"])
    }))

  it.effect("the service rejects an unknown name: an HttpError with reason Api naming model", () =>
    Effect.gen(function*() {
      const assistants = yield* Assistants.Assistants
      const threads = yield* Threads.Threads
      const runs = yield* Runs.Runs
      const created = yield* Effect.flip(assistants.create({ name: "n", model: "gpt-4" }))
      assert.instanceOf(created, HttpError)
      if (!(created instanceof HttpError)) return
      assert.strictEqual(created.reason, "Api")
      assert.strictEqual(created.param, "model")

      const assistant = yield* assistants.create({ name: "n" })
      const thread = yield* threads.create({ messages: [{ content: "hi" }] })
      const ran = yield* Effect.flip(runs.run({ assistantId: assistant.id, threadId: thread.id, model: "gpt-4" }))
      assert.instanceOf(ran, HttpError)
      if (!(ran instanceof HttpError)) return
      assert.strictEqual(ran.reason, "Api")
      assert.strictEqual(ran.param, "model")
    }).pipe(Effect.provide(TestLayer)))
})

// -----------------------------------------------------------------------------
// tool outputs JSON cannot encode
// -----------------------------------------------------------------------------

const Add = Schema.Struct({ a: Schema.Number, b: Schema.Number })

const cyclic = (): unknown => {
  const value: Record<string, unknown> = { name: "loop" }
  value["self"] = value
  return value
}

const unencodable: ReadonlyArray<readonly [string, () => unknown, string]> = [
  ["a BigInt", () => ({ sum: BigInt(3) }), "BigInt"],
  ["a cycle", cyclic, "circular"],
  ["a throwing toJSON", () => ({
    toJSON: () => {
      throw new Error("no JSON for you")
    }
  }), "no JSON for you"]
]

const setup = (question: string, tools: ReadonlyArray<ToolLoop.Tool.Any>) =>
  Effect.gen(function*() {
    const assistants = yield* Assistants.Assistants
    const threads = yield* Threads.Threads
    const assistant = yield* assistants.create({ name: "loop", tools: ToolLoop.toolkit(...tools).definitions })
    const thread = yield* threads.create({ messages: [{ content: question }] })
    return { assistantId: assistant.id, threadId: thread.id }
  })

describe("a tool result JSON cannot encode", () => {
  for (const mode of ["stream", "blocking"] as const) {
    for (const [label, make, fragment] of unencodable) {
      it.effect(`${mode} mode, ${label}: becomes an error output the model reads`, () =>
        Effect.gen(function*() {
          const add = ToolLoop.tool("add", { description: "adds", parameters: Add, handler: () => Effect.sync(make) })
          const ids = yield* setup(`call add with {"a":1,"b":2}`, [add])
          const result = yield* ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(add), mode })
          assert.strictEqual(result.run.status, "completed")
          assert.include(result.text, "error:")
          assert.include(result.text, "output")
          assert.include(result.text, fragment)
        }).pipe(Effect.provide(TestLayer)))
    }

    it.effect(`${mode} mode, onToolError "fail": a ToolOutputUnencodable naming the tool, and no run left active`, () =>
      Effect.gen(function*() {
        const add = ToolLoop.tool("add", {
          description: "adds",
          parameters: Add,
          handler: () => Effect.succeed(BigInt(3))
        })
        const ids = yield* setup(`call add with {"a":1,"b":2}`, [add])
        const error = yield* Effect.flip(
          ToolLoop.run(ids, { toolkit: ToolLoop.toolkit(add), mode, onToolError: "fail" })
        )
        assert.isTrue(error instanceof ToolOutputUnencodable, String(error))
        if (error instanceof ToolOutputUnencodable) {
          assert.strictEqual(error.tool, "add")
          assert.include(error.message, "output")
          assert.include(error.description, "BigInt")
        }
        const state = yield* EmulatorState.EmulatorState
        assert.deepStrictEqual(yield* state.activeRuns, [])
      }).pipe(Effect.provide(TestLayer)))
  }
})

// -----------------------------------------------------------------------------
// tool parameter schemas that cannot be sent
// -----------------------------------------------------------------------------

interface Category {
  readonly name: string
  readonly children: ReadonlyArray<Category>
}
const CategoryWithId: Schema.Schema<Category> = Schema.Struct({
  name: Schema.String,
  children: Schema.Array(Schema.suspend(() => CategoryWithId))
}).annotations({ identifier: "Category" })
const CategoryNoId: Schema.Schema<Category> = Schema.Struct({
  name: Schema.String,
  children: Schema.Array(Schema.suspend(() => CategoryNoId))
})

/** `levels` Structs nested in each other: `{ a: { a: … { a: string } } }`. */
const nested = (levels: number): Schema.Schema.AnyNoContext => {
  let schema: Schema.Schema.AnyNoContext = Schema.String
  for (let i = 0; i < levels; i++) schema = Schema.Struct({ a: schema })
  return schema
}

const unsendable: ReadonlyArray<readonly [string, Schema.Schema.AnyNoContext, string]> = [
  ["a recursive Schema (suspend with an identifier)", CategoryWithId, "recursive"],
  ["a recursive Schema (suspend without an identifier)", CategoryNoId, "no JSON Schema form"],
  [
    `a Schema nested deeper than ${Assistants.MAX_SCHEMA_DEPTH} levels`,
    nested(16),
    `deeper than ${Assistants.MAX_SCHEMA_DEPTH}`
  ],
  ["a Schema with no JSON form (bigint)", Schema.Struct({ n: Schema.BigIntFromSelf }), "no JSON Schema form"]
]

describe("tool parameter schemas that cannot be sent", () => {
  it("the deepest schema allowed is sent whole", () => {
    const schema = ToolLoop.jsonSchemaOf(nested(15))
    let depth = 0
    let node: unknown = schema
    while (Predicate.isRecord(node) && Predicate.isRecord(node["properties"])) {
      node = node["properties"]["a"]
      depth++
    }
    assert.strictEqual(depth, 15)
  })

  for (const [label, parameters, fragment] of unsendable) {
    it.effect(`${label}: the tool is built, and using it is a ValidationError before anything is sent`, () =>
      Effect.gen(function*() {
        const state = yield* EmulatorState.EmulatorState
        const broken = ToolLoop.tool("categorize", {
          description: "files things",
          parameters,
          handler: () => Effect.succeed("ok")
        })
        const kit = ToolLoop.toolkit(broken)
        yield* state.clearRequests
        for (const mode of ["stream", "blocking"] as const) {
          const exit = yield* Effect.exit(
            ToolLoop.run({ assistantId: "asst_1", threadId: "thread_1" }, { toolkit: kit, mode })
          )
          const error = validationErrorOf(`ToolLoop.run ${mode}`, exit)
          assert.deepStrictEqual(fields(error), ["tools.0.function.parameters"])
          assert.include(error.message, fragment)
        }
        const assistants = yield* Assistants.Assistants
        const created = validationErrorOf(
          "Assistants.create",
          yield* Effect.exit(assistants.create({ name: "n", tools: kit.definitions }))
        )
        assert.deepStrictEqual(fields(created), ["tools.0.function.parameters"])
        assert.deepStrictEqual(yield* state.requests, [])
      }).pipe(Effect.provide(TestLayer)))
  }

  it.effect("a tool timeout that is not a duration is reported the same way", () =>
    Effect.gen(function*() {
      const broken = ToolLoop.tool("slow", {
        description: "d",
        parameters: Add,
        handler: () => Effect.succeed("ok"),
        timeout: untyped<Duration.DurationInput>("\"soon\"")
      })
      const error = yield* Effect.flip(run({ tools: ToolLoop.toolkit(broken).definitions }))
      assert.deepStrictEqual(fields(error), ["tools.0.timeout"])
    }))

  it.effect("hand-written schemas: a cycle or 5,000 levels are ValidationErrors, never a defect", () =>
    Effect.gen(function*() {
      const properties: Record<string, unknown> = {}
      properties["self"] = { type: "object", properties }
      let deep: Record<string, unknown> = { type: "string" }
      for (let i = 0; i < 5000; i++) deep = { type: "object", properties: { a: deep } }
      for (
        const [label, parameters, fragment] of [
          ["cycle", { type: "object", properties }, "cyclic"],
          ["deep", deep, "deeper than"]
        ] as const
      ) {
        const exit = yield* Effect.exit(
          Effect.flatMap(
            Assistants.Assistants,
            (a) => a.create({ name: "n", tools: [{ function: { name: "f", description: "d", parameters } }] })
          )
        )
        const error = validationErrorOf(label, exit)
        assert.deepStrictEqual(fields(error), ["tools.0.function.parameters"])
        assert.include(error.message, fragment)
      }
      const state = yield* EmulatorState.EmulatorState
      assert.deepStrictEqual((yield* state.requests).length, 0)
    }).pipe(Effect.provide(TestLayer)))

  it.effect("jsonSchemaOf and tool never throw, whatever a JavaScript caller passes", () =>
    Effect.gen(function*() {
      const schema = ToolLoop.jsonSchemaOf(untyped<Schema.Schema<unknown>>("{\"ast\":1}"))
      // what would be sent is an empty object schema; the problem travels with it, unseen by JSON
      assert.strictEqual(JSON.stringify(schema), JSON.stringify({ type: "object", properties: {}, required: [] }))
      const error = yield* Effect.flip(
        run({ tools: [{ function: { name: "f", description: "d", parameters: schema } }] })
      )
      assert.deepStrictEqual(fields(error), ["tools.0.function.parameters"])
      const noOptions = ToolLoop.tool(
        "t",
        untyped<{
          readonly description: string
          readonly parameters: typeof Add
          readonly handler: () => Effect.Effect<string>
        }>("null")
      )
      assert.strictEqual(noOptions.name, "t")
      const noOptionsError = yield* Effect.flip(run({ tools: ToolLoop.toolkit(noOptions).definitions }))
      assert.deepStrictEqual(fields(noOptionsError), ["tools.0"])
      const executed = yield* Effect.flip(noOptions.execute(
        new Runs.ToolCall({
          id: "call-1",
          type: "function",
          function: new Runs.FunctionCall({ name: "t", arguments: "{}", output: "" })
        })
      ))
      assert.isTrue(executed instanceof ValidationError, String(executed))
      if (executed instanceof ValidationError) assert.deepStrictEqual(fields(executed), ["parameters"])
    }))
})
