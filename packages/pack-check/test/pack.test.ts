/**
 * The published packages work outside this repository.
 *
 * Packs `@effect-appbuilder/assistant`, `@effect-appbuilder/emulator` and `@effect-appbuilder/testing`
 * (their `prepack` builds `dist/`), installs the tarballs into a fresh project in the OS temp directory
 * (the test kit's dependencies on the SDK and the emulator resolve to the same tarballs), type-checks a
 * user's program and a user's test code against them with `skipLibCheck: false` under
 * `moduleResolution` `nodenext` and `bundler`, runs both with node (a tool loop on the in-process
 * emulator; the test kit's layer, scripted turns and assertion), and starts the installed
 * `appbuilder-emulator` bin. Packs `@effect-appbuilder/cli` too, installs it in the same project (its
 * dependencies on the SDK and the emulator resolve to the same tarballs) and runs its `appbuilder` bin
 * (`npx appbuilder …`, `npx @effect-appbuilder/cli …`) against the in-process emulator.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process"
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, it } from "vitest"

const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)))
const fixture = resolve(fileURLToPath(new URL("../fixture", import.meta.url)))
const tsc = join(root, "node_modules", "typescript", "bin", "tsc")

interface Output {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end; never rejects, so that a failure can be reported with its output. */
const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Output> =>
  new Promise((done) => {
    execFile(command, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } }, (
      error,
      stdout,
      stderr
    ) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
      done({ code, stdout, stderr })
    })
  })

/** Runs a step and prints how long it took (the whole check should stay well under a minute). */
const timed = async <A>(label: string, step: () => Promise<A>): Promise<A> => {
  const start = Date.now()
  const result = await step()
  console.log(`pack-check: ${label} took ${((Date.now() - start) / 1000).toFixed(1)} s`)
  return result
}

const expectSuccess = (label: string, output: Output): string => {
  assert.strictEqual(output.code, 0, `${label} failed:\n${output.stdout}\n${output.stderr}`)
  return output.stdout
}

/** The version of a package the workspace resolved, so that the fresh project reuses the warm store. */
const workspaceVersion = (pkg: string, from: string): string => {
  const manifest = JSON.parse(readFileSync(join(root, from, "node_modules", pkg, "package.json"), "utf8")) as {
    readonly version: string
  }
  return manifest.version
}

const tarEntries = async (tarball: string): Promise<ReadonlyArray<string>> =>
  expectSuccess("tar tzf", await run("tar", ["tzf", tarball], root)).split("\n").filter((line) => line !== "")

const tarManifest = async (tarball: string): Promise<Record<string, unknown>> =>
  JSON.parse(
    expectSuccess("tar xzf", await run("tar", ["xzf", tarball, "-O", "package/package.json"], root))
  ) as Record<
    string,
    unknown
  >

let work = ""
let project = ""
const packages = ["assistant", "emulator", "testing"] as const
const tarballs: Record<(typeof packages)[number], string> = { assistant: "", emulator: "", testing: "" }
/** The `appbuilder` command's package: an application (its dependencies are not peers), packed apart. */
let cliTarball = ""

/** The peer dependencies each package requires (optional peers are listed in `peerDependenciesMeta`). */
const requiredPeers: Record<(typeof packages)[number], ReadonlyArray<string>> = {
  assistant: ["@effect/platform", "effect"],
  emulator: ["@effect/platform", "@effect/platform-node", "effect"],
  testing: ["@effect/platform", "@effect/platform-node", "effect"]
}

describe("the packed packages", () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "appbuilder-pack-check-"))
    const packs = join(work, "packs")
    project = join(work, "project")
    mkdirSync(packs)
    mkdirSync(project)
    // one after the other: the builds share the machine's cores
    const pack = async (name: string): Promise<string> => {
      const dir = join(root, "packages", name)
      const before = new Set(readdirSync(packs))
      expectSuccess(
        `pnpm pack (${name})`,
        await timed(`pnpm pack (${name})`, () => run("pnpm", ["pack", "--pack-destination", packs], dir))
      )
      const created = readdirSync(packs).filter((file) => !before.has(file) && file.endsWith(".tgz"))
      assert.strictEqual(created.length, 1, `pnpm pack (${name}) made ${created.join(", ")}`)
      return join(packs, created[0]!)
    }
    for (const name of packages) tarballs[name] = await pack(name)
    cliTarball = await pack("cli")

    for (const file of readdirSync(fixture)) copyFileSync(join(fixture, file), join(project, file))
    const pin = (pkg: string) => workspaceVersion(pkg, "packages/emulator")
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify(
        {
          name: "pack-check-consumer",
          private: true,
          type: "module",
          dependencies: {
            "@effect-appbuilder/assistant": `file:${tarballs.assistant}`,
            "@effect-appbuilder/emulator": `file:${tarballs.emulator}`,
            "@effect-appbuilder/testing": `file:${tarballs.testing}`,
            "@effect-appbuilder/cli": `file:${cliTarball}`,
            "effect": pin("effect"),
            "@effect/platform": pin("@effect/platform"),
            "@effect/platform-node": pin("@effect/platform-node")
          },
          devDependencies: { "@types/node": workspaceVersion("@types/node", ".") },
          // the test kit and the cli depend on the SDK and the emulator by version: use the packed ones, not a
          // registry's
          pnpm: {
            overrides: {
              "@effect-appbuilder/assistant": `file:${tarballs.assistant}`,
              "@effect-appbuilder/emulator": `file:${tarballs.emulator}`
            }
          }
        },
        null,
        2
      )
    )
    expectSuccess(
      "pnpm install (fresh project)",
      await timed(
        "pnpm install",
        () => run("pnpm", ["install", "--prefer-offline", "--ignore-workspace", "--reporter=append-only"], project)
      )
    )
  })

  afterAll(() => {
    // PACK_CHECK_KEEP=1 keeps the packs and the project for a look
    if (work !== "" && process.env["PACK_CHECK_KEEP"] === undefined) rmSync(work, { recursive: true, force: true })
  })

  it("ship dist, sources, a README and a LICENSE, and resolve to dist only", async () => {
    for (const name of packages) {
      const entries = await tarEntries(tarballs[name])
      for (
        const required of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "src/index.ts"]
      ) {
        assert.include(entries, `package/${required}`, `${name} tarball lacks ${required}`)
      }
      const unexpected = entries.filter((entry) =>
        /^package\/(test|build|node_modules|\.tsbuildinfo)\/|tsconfig/.test(entry)
      )
      assert.deepStrictEqual(unexpected, [], `${name} tarball ships files users do not need`)
      // a module deleted from src/ but left in dist/ by an earlier build would ship too
      const stale = entries.filter((entry) =>
        /^package\/dist\/.*\.js$/.test(entry) &&
        !entries.includes(entry.replace(/^package\/dist\//, "package/src/").replace(/\.js$/, ".ts"))
      )
      assert.deepStrictEqual(stale, [], `${name} tarball ships compiled modules without a source (run a clean build)`)

      const manifest = await tarManifest(tarballs[name])
      const text = JSON.stringify(manifest)
      assert.notInclude(text, "@effect-appbuilder/source", `${name}: published exports must resolve to dist`)
      assert.notInclude(text, "workspace:", `${name}: workspace protocol left in the published manifest`)
      assert.notProperty(manifest["scripts"] ?? {}, "prepack")
      assert.strictEqual(manifest["license"], "MIT")
      assert.strictEqual(manifest["type"], "module")
      const peers = Object.keys(manifest["peerDependencies"] ?? {})
      const meta = (manifest["peerDependenciesMeta"] ?? {}) as Record<string, { readonly optional?: boolean }>
      assert.deepStrictEqual(peers.filter((peer) => meta[peer]?.optional !== true).sort(), [...requiredPeers[name]])
    }
    // the SDK does not depend on the emulator nor on the test kit; the test kit depends on both, by version
    const assistant = await tarManifest(tarballs.assistant)
    assert.deepStrictEqual(
      Object.keys(assistant["dependencies"] ?? {}).filter((dep) => dep.startsWith("@effect-appbuilder/")),
      []
    )
    const testing = await tarManifest(tarballs.testing)
    const testingDependencies = (testing["dependencies"] ?? {}) as Record<string, string>
    for (const dep of ["@effect-appbuilder/assistant", "@effect-appbuilder/emulator"]) {
      assert.match(testingDependencies[dep] ?? "", /^\^?\d+\.\d+\.\d+/, `testing: ${dep} by version`)
    }
    const emulator = await tarManifest(tarballs.emulator)
    assert.deepStrictEqual(emulator["bin"], { "appbuilder-emulator": "./dist/bin.js" })
    assert.include(await tarEntries(tarballs.emulator), "package/dist/internal/json.d.ts")
  })

  it("install with a single copy of effect, of the SDK and of the emulator", () => {
    const installed = readdirSync(join(project, "node_modules", ".pnpm"))
    for (const prefix of ["effect@", "@effect-appbuilder+assistant@", "@effect-appbuilder+emulator@"]) {
      const copies = installed.filter((dir) => dir.startsWith(prefix))
      assert.deepStrictEqual(copies.length, 1, `copies of ${prefix}: ${copies.join(", ")}`)
    }
  })

  it("type-check a program with skipLibCheck off, under nodenext and bundler resolution", async () => {
    const [nodenext, bundler] = await timed("tsc (nodenext and bundler)", () =>
      Promise.all([
        run(process.execPath, [tsc, "-p", "tsconfig.nodenext.json"], project),
        run(process.execPath, [tsc, "-p", "tsconfig.bundler.json"], project)
      ]))
    expectSuccess("tsc (nodenext)", nodenext)
    expectSuccess("tsc (bundler)", bundler)
  })

  it("run a tool loop on the in-process emulator with node", async () => {
    // the nodenext type-check above emits out/main.js; emit again if this test runs alone
    if (!existsSync(join(project, "out", "main.js"))) {
      expectSuccess("tsc (nodenext)", await run(process.execPath, [tsc, "-p", "tsconfig.nodenext.json"], project))
    }
    const stdout = expectSuccess("node out/main.js", await run(process.execPath, ["out/main.js"], project))
    const lines = stdout.split("\n")
    for (const mode of ["stream", "blocking"]) {
      const line = lines.find((candidate) => candidate.startsWith(`${mode}: `))
      assert.isDefined(line, `no ${mode} answer in:\n${stdout}`)
      assert.match(line!, /^\w+: completed after 1 step\(s\): .*北京今天晴，30摄氏度/)
    }
    assert.include(lines, "tool: 北京 摄氏度")
    assert.include(lines, "active runs: 0")
    assert.include(lines, "barrel: same module")
    assert.include(lines, "internal: ERR_PACKAGE_PATH_NOT_EXPORTED")
  })

  it("run the test kit (scripted turns, assertNoActiveRuns) with node", async () => {
    if (!existsSync(join(project, "out", "testing.js"))) {
      expectSuccess("tsc (nodenext)", await run(process.execPath, [tsc, "-p", "tsconfig.nodenext.json"], project))
    }
    const stdout = expectSuccess("node out/testing.js", await run(process.execPath, ["out/testing.js"], project))
    const lines = stdout.split("\n")
    assert.include(lines, "scripted: completed: 北京今天晴，30摄氏度", stdout)
    assert.include(lines, "no active run: ok", stdout)
    assert.include(lines, "left active: ActiveRunsError requires_action", stdout)
    assert.include(lines, "barrel: same module", stdout)
  })

  it("install a working appbuilder-emulator bin that stops on SIGTERM", async () => {
    const bin = join(project, "node_modules", ".bin", "appbuilder-emulator")
    const child: ChildProcess = spawn(bin, ["--port", "0"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)))
    try {
      const url = await new Promise<string>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no "listening on" line:\n${stdout}\n${stderr}`)), 20_000)
        child.stdout?.on("data", (chunk: Buffer) => {
          stdout += chunk.toString()
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
          if (match !== null) {
            clearTimeout(timer)
            done(match[1]!)
          }
        })
        void exited.then((code) => fail(new Error(`exited with ${code} before listening:\n${stdout}\n${stderr}`)))
      })
      // it serves the API: creating a thread answers a thread id
      const response = await fetch(`${url}/v2/threads`, {
        method: "POST",
        headers: { "Authorization": "Bearer pack-check-token", "Content-Type": "application/json" },
        body: "{}"
      })
      assert.strictEqual(response.status, 200)
      const body = await response.json() as { readonly id?: unknown }
      assert.isString(body.id, JSON.stringify(body))

      child.kill("SIGTERM")
      const code = await Promise.race([
        exited,
        new Promise<"timeout">((done) => setTimeout(() => done("timeout"), 5_000))
      ])
      assert.strictEqual(code, 0, `exit after SIGTERM:\n${stdout}\n${stderr}`)
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
  })

  it("ship the appbuilder command with its bin", async () => {
    const entries = await tarEntries(cliTarball)
    for (const required of ["package.json", "README.md", "LICENSE", "dist/bin.js", "dist/Cli.js", "src/Cli.ts"]) {
      assert.include(entries, `package/${required}`, `cli tarball lacks ${required}`)
    }
    assert.deepStrictEqual(
      entries.filter((entry) => /^package\/(test|node_modules|\.tsbuildinfo)\/|tsconfig/.test(entry)),
      []
    )
    const manifest = await tarManifest(cliTarball)
    assert.deepStrictEqual(manifest["bin"], { appbuilder: "./dist/bin.js" })
    const text = JSON.stringify(manifest)
    assert.notInclude(text, "@effect-appbuilder/source")
    assert.notInclude(text, "workspace:")
    const dependencies = (manifest["dependencies"] ?? {}) as Record<string, string>
    for (const dep of ["@effect-appbuilder/assistant", "@effect-appbuilder/emulator"]) {
      assert.match(dependencies[dep] ?? "", /^\^?\d+\.\d+\.\d+/, `cli: ${dep} by version`)
    }
  })

  it("run the installed appbuilder command against the in-process emulator", async () => {
    const npx = (args: ReadonlyArray<string>) => timed(`npx ${args.join(" ")}`, () => run("npx", args, project))
    const help = expectSuccess("appbuilder --help", await npx(["appbuilder", "--help"]))
    for (const command of ["chat", "assistants list", "files upload", "runs cancel"]) assert.include(help, command)
    assert.notInclude(help, "\u001b[", "NO_COLOR is respected")

    const created = expectSuccess(
      "appbuilder assistants create",
      await npx([
        "appbuilder",
        "assistants",
        "create",
        "--name",
        "pack-check",
        "--description",
        "tarball",
        "--emulator"
      ])
    )
    assert.match(created, /^id\s+asst_\w+$/m)
    assert.match(created, /^name\s+pack-check$/m)
    // each invocation starts a fresh in-process emulator: the list is a valid, empty page
    const list = await npx(["@effect-appbuilder/cli", "assistants", "list", "--json", "--emulator"])
    const listed = JSON.parse(expectSuccess("appbuilder assistants list --json", list)) as {
      readonly object?: unknown
      readonly data?: unknown
    }
    assert.deepStrictEqual([listed.object, listed.data], ["list", []])

    const missing = await npx(["appbuilder", "assistants", "get", "asst_missing", "--emulator"])
    assert.strictEqual(missing.code, 1, missing.stderr)
    // npx may add its own warnings (e.g. about pnpm's npm_config_* variables): look at the command's lines only
    const errorLines = missing.stderr.split("\n").filter((line) =>
      line.trim() !== "" && !/^npm (warn|notice)/.test(line)
    )
    assert.strictEqual(errorLines.length, 1, missing.stderr)
    assert.match(errorLines[0]!, /^appbuilder: error: Assistants\.query: .*request_id=\S+$/)
    const usage = await npx(["appbuilder", "assistants", "create"])
    assert.strictEqual(usage.code, 2, usage.stderr)
  })
})
