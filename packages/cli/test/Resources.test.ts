import * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import * as Assistants from "@effect-appbuilder/assistant/Assistants"
import * as Runs from "@effect-appbuilder/assistant/Runs"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as NodePath from "node:path"
import * as Harness from "./utils/harness.js"

const ESC = "\u001b["

describe("appbuilder assistants", () => {
  it.scoped("create, list (table and --json), get, delete", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      const created = yield* cli.run(["assistants", "create", "--name", "weather", "--description", "says the weather"])
      assert.strictEqual(created.code, 0)
      assert.match(created.stdout, /^id\s+asst_/m)
      assert.match(created.stdout, /^name\s+weather$/m)
      const [record] = yield* cli.state.assistants
      assert.strictEqual(record?.name, "weather")
      assert.strictEqual(record?.description, "says the weather")

      const table = yield* cli.run(["assistants", "list"])
      assert.strictEqual(table.code, 0)
      const [header, row] = table.stdout.split("\n")
      assert.match(header ?? "", /^ID\s+NAME\s+MODEL\s+CREATED\s+DESCRIPTION$/)
      assert.match(
        row ?? "",
        new RegExp(`^${record?.id}\\s+weather\\s+ERNIE-4.0T-8K\\s+-\\s+says the weather$`),
        "TestClock: created at 0, shown as -"
      )
      assert.strictEqual(header?.indexOf("NAME"), row?.indexOf("weather"), "columns are aligned")
      assert.notInclude(table.stdout, ESC, "no colour when stdout is not a terminal")

      const json = yield* cli.run(["assistants", "list", "--json"])
      assert.strictEqual(json.code, 0)
      const page = JSON.parse(json.stdout)
      assert.strictEqual(page.data[0].id, record?.id)
      assert.strictEqual(page.data[0].name, "weather")
      assert.property(page.data[0], "created_at", "the wire's snake_case keys")
      assert.property(page, "has_more")

      const got = yield* cli.run(["--json", "assistants", "get", record?.id ?? ""])
      assert.strictEqual(JSON.parse(got.stdout).description, "says the weather")

      const deleted = yield* cli.run(["assistants", "delete", record?.id ?? ""])
      assert.strictEqual(deleted.code, 0)
      assert.strictEqual(deleted.stdout, `deleted ${record?.id}`)
      assert.deepStrictEqual(yield* cli.state.assistants, [])
    }))

  it.scoped("a service error is one line on stderr with the request id, exit code 1", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      const result = yield* cli.run([
        "--token",
        "bce-v3/ALTAK-secret-token",
        "--emulator",
        "assistants",
        "get",
        "asst_missing"
      ])
      assert.strictEqual(result.code, 1)
      assert.strictEqual(result.stdout, "")
      assert.strictEqual(result.stderr.split("\n").length, 1)
      assert.match(result.stderr, /^appbuilder: error: Assistants\.query: .*request_id=\S+/)
      assert.notInclude(result.stderr, "    at ", "no stack trace")
      assert.notInclude(result.stderr + result.stdout, "secret-token")
    }))

  it.scoped("usage errors exit with code 2 and reach no service", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      const missing = yield* cli.run(["assistants", "create"])
      assert.strictEqual(missing.code, 2)
      assert.include(missing.stderr, "--name")
      const unknown = yield* cli.run(["assistants", "frobnicate"])
      assert.strictEqual(unknown.code, 2)
      const badLimit = yield* cli.run(["assistants", "list", "--limit", "many"])
      assert.strictEqual(badLimit.code, 2)
      assert.deepStrictEqual(yield* cli.state.requests, [])
    }))

  it.scoped("colour only on a terminal, and never with NO_COLOR", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      yield* cli.run(["assistants", "create", "--name", "colours"])
      const tty = yield* cli.run(["assistants", "list"], { stdoutIsTTY: true })
      assert.include(tty.stdout, ESC)
      const noColor = yield* cli.run(["assistants", "list"], { stdoutIsTTY: true }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ NO_COLOR: "1" }))
      )
      assert.notInclude(noColor.stdout, ESC)
      assert.strictEqual(noColor.stdout, tty.stdout.replace(/\u001b\[[0-9;]*m/g, ""))
      const help = yield* cli.run(["--help"], { stdoutIsTTY: true }).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ NO_COLOR: "1" }))
      )
      assert.include(help.stdout, "assistants")
      assert.notInclude(help.stdout, ESC, "@effect/cli's help too")
    }))
})

describe("appbuilder threads, messages and runs", () => {
  it.scoped("a thread's messages and runs", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      const thread = JSON.parse((yield* cli.run(["threads", "create", "--message", "hello there", "--json"])).stdout)
      assert.match(thread.id, /^thread_/)
      const added = yield* cli.run(["messages", "create", thread.id, "what is the weather?"])
      assert.strictEqual(added.code, 0)
      assert.match(added.stdout, /^content\s+what is the weather\?$/m)
      const messages = yield* cli.run(["messages", "list", thread.id, "--order", "asc"])
      assert.deepStrictEqual(
        messages.stdout.split("\n").map((line) => line.split(/\s{2,}/)[1]),
        ["ROLE", "user", "user"]
      )
      assert.match(messages.stdout, /hello there\n.*what is the weather\?$/)
      const page = JSON.parse((yield* cli.run(["messages", "list", thread.id, "--json", "--limit", "1"])).stdout)
      assert.strictEqual(page.data.length, 1)
      assert.strictEqual(page.has_more, true)
      const one = yield* cli.run(["messages", "get", thread.id, page.data[0].id, "--json"])
      assert.strictEqual(JSON.parse(one.stdout).thread_id, thread.id)

      // runs, made with the SDK on the same emulator: one completes, one waits for a tool output
      const sdk = AppBuilder.layer({ token: Redacted.make("t"), baseUrl: "http://emulator.local" }).pipe(
        Layer.provide(cli.emulator),
        Layer.orDie
      )
      const [assistant, completed, waiting] = yield* Effect.gen(function*() {
        const assistants = yield* Assistants.Assistants
        const runs = yield* Runs.Runs
        const assistant = yield* assistants.create({
          name: "helper",
          tools: [{
            type: "function",
            function: { name: "lookup", description: "looks up", parameters: { type: "object", properties: {} } }
          }]
        })
        const completed = yield* runs.run({ assistantId: assistant.id, threadId: thread.id })
        const waiting = yield* runs.run({
          assistantId: assistant.id,
          thread: { messages: [{ content: "please call lookup" }] }
        })
        return [assistant, completed, waiting] as const
      }).pipe(Effect.provide(sdk))
      assert.strictEqual(waiting.status, "requires_action")

      const runs = yield* cli.run(["runs", "list", thread.id])
      assert.match(runs.stdout, new RegExp(`^${completed.id}\\s+completed\\s+${assistant.id}`, "m"))
      const shown = yield* cli.run(["runs", "get", waiting.threadId, waiting.id])
      assert.match(shown.stdout, /^status\s+requires_action$/m)
      assert.match(shown.stdout, /^tool calls\s+\S+ lookup\(\{\}\)$/m)
      const steps = yield* cli.run(["runs", "steps", waiting.threadId, waiting.id])
      assert.match(steps.stdout, /tools: lookup/)
      const stepsJson = yield* cli.run(["runs", "steps", thread.id, completed.id, "--json"])
      assert.isAbove(JSON.parse(stepsJson.stdout).data.length, 0)
      const cancel = yield* cli.run(["runs", "cancel", waiting.threadId, waiting.id, "--wait"])
      assert.strictEqual(cancel.code, 0)
      assert.match(cancel.stdout, /^status\s+cancelled$/m)
      assert.strictEqual(
        Option.map(yield* cli.state.run(waiting.id), (run) => run.status).pipe(Option.getOrNull),
        "cancelled"
      )

      const gone = yield* cli.run(["threads", "delete", thread.id])
      assert.strictEqual(gone.stdout, `deleted ${thread.id}`)
      assert.strictEqual((yield* cli.run(["threads", "get", thread.id])).code, 1)
    }))
})

describe("appbuilder files", () => {
  it.scoped("upload, list, download (bytes round-trip), delete, with a progress bar on a terminal", () =>
    Effect.gen(function*() {
      const cli = yield* Harness.make
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(NodePath.join(Os.tmpdir(), "appbuilder-cli-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      )
      const source = NodePath.join(dir, "notes.txt")
      const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `line ${i}\n`).join(""))
      Fs.writeFileSync(source, bytes)

      const uploaded = yield* cli.run(["files", "upload", source, "--json"], { stderrIsTTY: true })
      assert.strictEqual(uploaded.code, 0)
      const file = JSON.parse(uploaded.stdout)
      assert.strictEqual(file.filename, "notes.txt")
      assert.strictEqual(file.bytes, bytes.length)
      assert.include(uploaded.progress, "uploading [")
      assert.include(uploaded.progress, "100%")

      const listed = yield* cli.run(["files", "list"])
      assert.match(listed.stdout, new RegExp(`^${file.id}\\s+notes\\.txt\\s+${bytes.length}\\s`, "m"))

      const target = NodePath.join(dir, "copy.txt")
      const downloaded = yield* cli.run(["files", "download", file.id, "--output", target], { stderrIsTTY: true })
      assert.strictEqual(downloaded.code, 0)
      assert.include(downloaded.progress, "downloading [")
      assert.isTrue(Fs.readFileSync(target).equals(bytes))
      const again = yield* cli.run(["files", "download", file.id, "--output", target])
      assert.strictEqual(again.code, 1)
      assert.match(again.stderr, /exists \(use --force/)
      const json = yield* cli.run(["files", "download", file.id, "-o", target, "--force", "--json"])
      assert.deepStrictEqual(JSON.parse(json.stdout), { id: file.id, path: target, bytes: bytes.length })
      assert.strictEqual(json.progress, "", "no progress bar when stderr is not a terminal")

      const deleted = yield* cli.run(["files", "delete", file.id])
      assert.strictEqual(deleted.code, 0)
      assert.deepStrictEqual(yield* cli.state.files, [])
    }))
})
