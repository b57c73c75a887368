/**
 * `appbuilder chat` as a user runs it: the real executable (the package's `dist/bin.js`, or `src/bin.ts` under
 * tsx when `dist/` is older than the sources) in a pseudo-terminal,
 * driven by keystrokes. A question answered with a tool call, Ctrl-C during a slow tool (the run is
 * cancelled and the prompt comes back), line editing, then Ctrl-C at the prompt quits with exit code 0 (and
 * Ctrl-D too, in a second session). Every step waits for the output it expects; there are no sleeps.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as NodePty from "@lydell/node-pty"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { distIsCurrent } from "../../workflow/test/fixtures/distIsCurrent.js"

// a CommonJS package with a native addon: loaded with `require`, as its README shows
const pty: typeof NodePty = createRequire(import.meta.url)("@lydell/node-pty")

const root = fileURLToPath(new URL("../../../", import.meta.url))
const tools = fileURLToPath(new URL("./fixtures/chat-tools.ts", import.meta.url))

/**
 * The command line of the executable: the compiled one (`dist/`, which `pnpm check` emits before `vitest run`)
 * starts in about 2 s of CPU where tsx needs about 5 s; tsx runs the sources when they were edited since the
 * last build, so the test always runs today's code. (The `--tools` module is loaded through tsx either way.)
 */
const command = (): ReadonlyArray<string> =>
  ["cli", "assistant"].every((name) => distIsCurrent(Path.join(root, "packages", name)))
    ? ["packages/cli/dist/bin.js"]
    : ["--conditions=@effect-appbuilder/source", "--import", "tsx", "packages/cli/src/bin.ts"]

const ansi = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]/g

/** A chat running in a pseudo-terminal: its raw output, and steps that wait for a pattern in it. */
const spawnChat = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const env: Record<string, string> = {}
      for (const [key, value] of Object.entries(process.env)) {
        if (value !== undefined && key !== "NO_COLOR" && key !== "APPBUILDER_TOKEN") env[key] = value
      }
      const child = pty.spawn(
        process.execPath,
        [...command(), "chat", ...args],
        { cwd: root, cols: 120, rows: 40, env: { ...env, TERM: "xterm-256color" } }
      )
      let raw = ""
      let seen = 0
      let exitCode: number | undefined
      const listeners = new Set<() => void>()
      const notify = () => {
        for (const listener of [...listeners]) listener()
      }
      child.onData((data) => {
        raw += data
        notify()
      })
      child.onExit(({ exitCode: code }) => {
        exitCode = code
        notify()
      })
      /** Waits until the output (colours stripped) past the last match shows `pattern`. */
      const waitFor = (pattern: RegExp) =>
        Effect.async<string>((resume) => {
          const check = () => {
            const plain = raw.replace(ansi, "")
            const match = pattern.exec(plain.slice(seen))
            if (match === null) return false
            seen += match.index + match[0].length
            listeners.delete(listener)
            resume(Effect.succeed(match[0]))
            return true
          }
          const listener = () => void check()
          if (!check()) listeners.add(listener)
          return Effect.sync(() => listeners.delete(listener))
        })
      const exited = Effect.async<number>((resume) => {
        const listener = () => {
          if (exitCode === undefined) return
          listeners.delete(listener)
          resume(Effect.succeed(exitCode))
        }
        listeners.add(listener)
        listener()
        return Effect.sync(() => listeners.delete(listener))
      })
      return {
        type: (keys: string) => Effect.sync(() => child.write(keys)),
        waitFor,
        exited,
        raw: () => raw,
        kill: () => {
          if (exitCode === undefined) child.kill()
        }
      }
    }),
    (chat) => Effect.sync(() => chat.kill())
  )

// generous: the executable may be compiled by tsx at start, which takes seconds on a busy machine
const overall = Duration.seconds(100)

describe.concurrent("appbuilder chat in a terminal", () => {
  it.live(
    "answers with a tool call, cancels a run on Ctrl-C, quits on Ctrl-C at the prompt",
    () =>
      Effect.gen(function*() {
        const chat = yield* spawnChat(["--tools", tools])
        yield* chat.waitFor(/Ctrl-C cancels an answer[^\n]*\n/)
        yield* chat.waitFor(/you> $/)
        yield* chat.type("call get_time\r")
        yield* chat.waitFor(
          /→ get_time\(\{\}\)\r?\n {2}← get_time: 12:00 in UTC\r?\nassistant> 根据工具的结果：12:00 in UTC/
        )
        yield* chat.waitFor(/you> $/)
        // the slow tool waits a minute: Ctrl-C while it runs cancels the run and gives the prompt back
        yield* chat.type("call slow\r")
        yield* chat.waitFor(/→ slow\(\{\}\)\r?\n/)
        yield* chat.type("\x03")
        yield* chat.waitFor(/\^C cancelling the run…\r?\n\(cancelled\)\r?\nyou> $/)
        // line editing: the backspaces remove the typo
        yield* chat.type("hellx\x7fo\r")
        yield* chat.waitFor(/assistant> 你好！我收到了你的消息：hello\r?\nyou> $/)
        yield* chat.type("\x03")
        yield* chat.waitFor(/bye/)
        assert.strictEqual(yield* chat.exited, 0)
        // colour on a terminal
        assert.include(chat.raw(), "\x1b[36massistant> \x1b[39m")
        assert.notInclude(chat.raw(), "finally done")
      }).pipe(Effect.scoped, Effect.timeout(overall)),
    120_000
  )

  it.live("quits on Ctrl-D at the prompt", () =>
    Effect.gen(function*() {
      const chat = yield* spawnChat([])
      yield* chat.waitFor(/no --tools module[^\n]*\n/)
      yield* chat.waitFor(/you> $/)
      yield* chat.type("\x04")
      yield* chat.waitFor(/bye/)
      assert.strictEqual(yield* chat.exited, 0)
    }).pipe(Effect.scoped, Effect.timeout(overall)), 120_000)
})
