/**
 * Runs every example in order, each on its own layer (a fresh in-process emulator by default, the
 * AppBuilder service when `APPBUILDER_TOKEN` is set, or the gateway at `GATEWAY_URL` with it), and exits
 * non-zero as soon as one fails.
 *
 *   pnpm examples
 *   node --conditions=@effect-appbuilder/source --import tsx examples/run-all.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as BlockingRun from "./blocking-run.js"
import * as CancelOnTimeout from "./cancel-on-timeout.js"
import * as Demo from "./demo.js"
import * as DurableLoop from "./durable-loop.js"
import * as FaultInjection from "./fault-injection.js"
import * as FilesExample from "./files.js"
import * as LoopbackServer from "./loopback-server.js"
import * as MessagesPagination from "./messages-pagination.js"
import * as ResumeAfterDrop from "./resume-after-drop.js"
import * as Runtime from "./Runtime.js"
import * as StreamWithHandlers from "./stream-with-handlers.js"
import * as ToolLoopExample from "./tool-loop.js"
import * as Tracing from "./tracing.js"

/** Every example, ready to run: its program with its layer provided. */
export const examples: ReadonlyArray<readonly [name: string, program: Effect.Effect<void, unknown>]> = [
  ["blocking-run", Effect.provide(BlockingRun.program, BlockingRun.layer)],
  ["stream-with-handlers", Effect.provide(StreamWithHandlers.program, StreamWithHandlers.layer)],
  ["tool-loop", Effect.provide(ToolLoopExample.program, ToolLoopExample.layer)],
  ["cancel-on-timeout", Effect.provide(CancelOnTimeout.program, CancelOnTimeout.layer)],
  ["files", Effect.provide(FilesExample.program, FilesExample.layer)],
  ["messages-pagination", Effect.provide(MessagesPagination.program, MessagesPagination.layer)],
  ["resume-after-drop", Effect.provide(ResumeAfterDrop.program, ResumeAfterDrop.layer)],
  ["fault-injection", Effect.provide(FaultInjection.program, FaultInjection.layer)],
  ["loopback-server", Effect.provide(LoopbackServer.program, LoopbackServer.layer)],
  ["durable-loop", Effect.provide(DurableLoop.program, DurableLoop.layer)],
  ["tracing", Effect.provide(Tracing.program, Tracing.layer)]
]

export const program = Effect.gen(function*() {
  // some examples always run on an emulator (they say so in their header); the others on this target
  yield* Console.log(`against ${Demo.describeTarget(process.env)}`)
  for (const [name, example] of examples) {
    yield* Console.log(`\n=== ${name} ===`)
    // A failure stops here: `runMain` reports it and exits with code 1.
    yield* example.pipe(Effect.tapErrorCause(() => Console.error(`\n=== ${name} failed ===`)))
  }
  yield* Console.log(`\nall ${examples.length} examples succeeded`)
})

if (Runtime.isMain(import.meta.url)) {
  NodeRuntime.runMain(program)
}
