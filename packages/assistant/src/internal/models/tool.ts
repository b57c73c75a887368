/**
 * The tool models shared by assistants and runs (function tools), defined here so that both `Assistants`
 * and `Runs` (through the run model) can use them without importing each other. `Assistants` re-exports them.
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"
import { lenientString, nullOr, openEnumField } from "../schema.js"

/**
 * The deepest nesting accepted in a function tool's JSON schema (`parameters` / `responses`), counted in
 * JSON levels with the schema object itself at level 1: a schema nested deeper, or one that contains
 * itself, is a `ValidationError` on `tools.<i>.function.parameters`. A nested object property costs two
 * levels (`properties` and the property), so this allows about 15 nested objects.
 *
 * @since 0.1.0
 * @category models
 */
export const MAX_SCHEMA_DEPTH = 32

// -----------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------

/**
 * The JSON schema of a function tool's input (or output). Only `type`, `properties` and `required`
 * are kept, as the official client does.
 *
 * @since 0.1.0
 * @category models
 */
export class FunctionJsonSchema
  extends Schema.Class<FunctionJsonSchema>("@effect-appbuilder/assistant/FunctionJsonSchema")({
    type: Schema.optionalWith(Schema.String, { default: () => "object", nullable: true }),
    properties: nullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    required: nullOr(Schema.Array(Schema.String))
  })
{}

/**
 * The function call of an {@link AssistantExample}.
 *
 * @since 0.1.0
 * @category models
 */
export class ExampleFunctionCall extends Schema.Class<ExampleFunctionCall>(
  "@effect-appbuilder/assistant/ExampleFunctionCall"
)({
  name: lenientString,
  arguments: lenientString
}) {}

/**
 * One turn of an example dialogue of a function tool.
 *
 * @since 0.1.0
 * @category models
 */
export class AssistantExample extends Schema.Class<AssistantExample>("@effect-appbuilder/assistant/AssistantExample")({
  role: Schema.optionalWith(Schema.String, { default: () => "user", nullable: true }),
  content: lenientString,
  functionCall: nullOr(ExampleFunctionCall).pipe(Schema.fromKey("function_call"))
}) {}

/**
 * The definition of a function tool.
 *
 * @since 0.1.0
 * @category models
 */
export class FunctionDefinition extends Schema.Class<FunctionDefinition>(
  "@effect-appbuilder/assistant/FunctionDefinition"
)({
  name: lenientString,
  description: lenientString,
  parameters: nullOr(FunctionJsonSchema),
  responses: nullOr(FunctionJsonSchema),
  examples: nullOr(Schema.Array(Schema.Array(AssistantExample)))
}) {}

/**
 * A tool of an assistant or a run (only `function` tools exist).
 *
 * @since 0.1.0
 * @category models
 */
export class AssistantTool extends Schema.Class<AssistantTool>("@effect-appbuilder/assistant/AssistantTool")({
  type: openEnumField("function", "function"),
  function: nullOr(FunctionDefinition)
}) {}
