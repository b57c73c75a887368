/**
 * The conversion of an `@effect/ai` toolkit (with its handlers) into a `ToolLoop` toolkit. Only the public
 * module `AiToolkit` loads this file, so the SDK works without `@effect/ai` for everyone else.
 *
 * @since 0.1.0
 * @internal
 */
import * as AiError from "@effect/ai/AiError"
import * as AiTool from "@effect/ai/Tool"
import type * as AiToolkit from "@effect/ai/Toolkit"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { LoopTool } from "../AiToolkit.js"
import { ToolOutputUnencodable } from "../AppBuilderError.js"
import type { AssistantToolInput, FunctionJsonSchemaInput } from "../Assistants.js"
import type { ToolCall } from "./models/run.js"
import { argumentsInvalid } from "./toolCalls.js"
import { encodeToolOutput } from "./toolOutput.js"
import * as ToolSchema from "./toolSchema.js"

const parseJson = Schema.decodeUnknown(Schema.parseJson())

/** The `@effect/ai` error raised by `handle` itself (not by the handler) when a result does not encode. */
const isResultRejected = (name: string, error: unknown): error is AiError.MalformedInput =>
  AiError.isAiError(error) && error._tag === "MalformedInput" && error.module === "Toolkit" &&
  error.method === `${name}.handle`

const parametersOf = (tool: AiTool.Any): FunctionJsonSchemaInput =>
  Either.getOrElse(
    // the same JSON Schema as `Tool.getJsonSchema` (`JSONSchema.fromAST`, top-level references skipped),
    // reduced to what the service keeps, with `$defs` inlined, and never throwing
    ToolSchema.functionJsonSchema(tool.parametersSchema),
    (message): FunctionJsonSchemaInput =>
      ToolSchema.withProblems({ type: "object", properties: {}, required: [] }, [{ path: [], message }])
  )

const definitionOf = (tool: AiTool.Any): AssistantToolInput => {
  const description = tool.description ?? AiTool.getDescriptionFromSchemaAst(tool.parametersSchema.ast) ?? ""
  const problems: Array<ToolSchema.DefinitionProblem> = AiTool.isProviderDefined(tool)
    ? [{
      path: [],
      message: `is a tool defined by the provider ${JSON.stringify(tool.providerName)}: ` +
        "only user-defined @effect/ai tools (Tool.make) can run on AppBuilder"
    }]
    : []
  return ToolSchema.withProblems({
    type: "function",
    function: { name: tool.name, description, parameters: parametersOf(tool), responses: null, examples: null }
  }, problems)
}

const loopToolOf = <Tools extends Record<string, AiTool.Any>, Name extends keyof Tools & string>(
  withHandler: AiToolkit.WithHandler<Tools>,
  name: Name
): LoopTool<Tools> => {
  const tool: AiTool.Any = withHandler.tools[name]
  const validate = Schema.decodeUnknown(Schema.make<unknown, unknown, never>(tool.parametersSchema.ast))
  const execute = (call: ToolCall) => {
    const text = call.function?.arguments ?? ""
    return parseJson(text.trim() === "" ? "{}" : text).pipe(
      // checked here, so that bad arguments are reported as for every tool (`ToolArgumentsInvalid`,
      // issue paths under `arguments`); `handle` decodes the same JSON value again
      Effect.tap(validate),
      Effect.mapError((error) => argumentsInvalid(name, call, error)),
      Effect.flatMap((json) =>
        // `handle` declares the decoded parameters type but decodes what it gets (as `LanguageModel` does
        // with a provider's JSON): the encoded JSON value is what it expects. The one cast of this module.
        withHandler.handle(name, json as AiTool.Parameters<Tools[Name]>)
      ),
      Effect.mapError((error) =>
        isResultRejected(name, error)
          ? new ToolOutputUnencodable({ tool: name, callId: call.id, description: error.description ?? error.message })
          : error
      ),
      Effect.flatMap(({ encodedResult, isFailure }) =>
        // a failure returned as a result (`failureMode: "return"`) is an `error: …` output, like every
        // problem of a tool call the model reads
        isFailure
          ? Effect.map(encodeToolOutput({ tool: name, callId: call.id }, encodedResult), (json) => `error: ${json}`)
          : Effect.succeed<unknown>(encodedResult)
      )
    )
  }
  return {
    _tag: "Tool",
    name: tool.name,
    description: tool.description ?? "",
    timeout: Option.none(),
    definition: definitionOf(tool),
    execute
  }
}

/**
 * One `ToolLoop` tool per tool of the toolkit, in the toolkit's order.
 *
 * @since 0.1.0
 * @category internal
 * @internal
 */
export const loopTools = <Tools extends Record<string, AiTool.Any>>(
  withHandler: AiToolkit.WithHandler<Tools>
): Array<LoopTool<Tools>> => {
  const tools: Array<LoopTool<Tools>> = []
  for (const name of Object.keys(withHandler.tools)) tools.push(loopToolOf(withHandler, name))
  return tools
}
