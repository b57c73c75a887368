/**
 * The modules of `src` form no import cycle, so the order in which a program imports them does not
 * matter. A cycle is unsafe here: a Schema class evaluates its fields when it is defined, so a module
 * that reaches a class of a module still being evaluated sees `undefined`.
 *
 * Only imports that run code count: `import type` / `export type` are erased. With
 * `verbatimModuleSyntax`, `import { type A } from "./x.js"` still loads `./x.js`, so it counts.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const srcRoot = path.join(packageRoot, "src")

const sourceFiles = (directory: string): Array<string> =>
  fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name)
    if (entry.isDirectory()) return sourceFiles(full)
    return entry.name.endsWith(".ts") ? [full] : []
  })

// `import … from "./x.js"`, `export … from "./x.js"` (possibly over several lines) and `import "./x.js"`.
const relativeImport = /^(import|export)\s+(type\s+)?(?:[^;"']*?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/gm

/** The relative imports of `file` that are evaluated at run time, as absolute `.ts` paths. */
const runtimeImports = (file: string): Array<string> => {
  const text = fs.readFileSync(file, "utf8")
  const imports: Array<string> = []
  for (const match of text.matchAll(relativeImport)) {
    if (match[2] !== undefined) continue
    const target = match[3]!.replace(/\.js$/, ".ts")
    imports.push(path.resolve(path.dirname(file), target))
  }
  return imports
}

/** The first cycle found by a depth-first walk, as a list of paths relative to `src`, or `undefined`. */
const findCycle = (graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<string> | undefined => {
  const done = new Set<string>()
  const onPath: Array<string> = []
  const visit = (file: string): Array<string> | undefined => {
    const index = onPath.indexOf(file)
    if (index >= 0) return [...onPath.slice(index), file].map((each) => path.relative(srcRoot, each))
    if (done.has(file)) return undefined
    onPath.push(file)
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next)
      if (cycle !== undefined) return cycle
    }
    onPath.pop()
    done.add(file)
    return undefined
  }
  for (const file of graph.keys()) {
    const cycle = visit(file)
    if (cycle !== undefined) return cycle
  }
  return undefined
}

const publicModules = fs.readdirSync(srcRoot).filter((name) => name.endsWith(".ts")).sort()

const distUrl = pathToFileURL(path.join(packageRoot, "dist")).href + "/"

/**
 * A module resolution hook: a module of `dist/` imported from a module loaded as `…?graph=N` is loaded as
 * `…?graph=N` too. Node keeps one instance per URL, so `import("dist/Runs.js?graph=3")` evaluates a fresh
 * copy of every module of the package, in the order `Runs.js` imports them, while Effect and the other
 * dependencies (which cannot import our modules back) are loaded once for all graphs.
 */
const graphHooks = `
  const DIST = ${JSON.stringify(distUrl)}
  export async function resolve(specifier, context, nextResolve) {
    const resolved = await nextResolve(specifier, context)
    const graph = context.parentURL === undefined ? null : new URL(context.parentURL).searchParams.get("graph")
    return graph !== null && resolved.url.startsWith(DIST) && !resolved.url.includes("?")
      ? { ...resolved, url: resolved.url + "?graph=" + graph }
      : resolved
  }`

/**
 * Imports every public module first, each in its own fresh graph of the package's modules, in one Node
 * process, and resolves with how many names each exports (or why it failed).
 *
 * It loads the compiled modules: `dist/` is the 1:1 output of `tsc -b` (which `pnpm test` runs first) with
 * the same imports under `verbatimModuleSyntax`, and loading it costs no on-the-fly compilation. One
 * process for all modules, instead of one each, is what makes this check cheap: the process start and
 * Effect's own modules dominated it.
 */
const importEachFirst = (modules: ReadonlyArray<string>): Promise<Record<string, number | string>> =>
  new Promise((resolve, reject) => {
    const script = `
      import { register } from "node:module"
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(graphHooks)}))
      const result = {}
      for (const [graph, module] of ${JSON.stringify(modules)}.entries()) {
        const url = ${JSON.stringify(distUrl)} + module.replace(/\\.ts$/, ".js") + "?graph=" + graph
        try {
          result[module] = Object.keys(await import(url)).length
        } catch (error) {
          result[module] = String(error)
        }
      }
      console.log(JSON.stringify(result))`
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script],
      { cwd: packageRoot },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${String(error)}: ${stderr}`))
        else resolve(JSON.parse(stdout) as Record<string, number | string>)
      }
    )
  })

describe("import cycles", () => {
  it("the runtime imports of src form no cycle", () => {
    const files = sourceFiles(srcRoot)
    const graph = new Map(files.map((file) => [file, runtimeImports(file)] as const))
    for (const [file, imports] of graph) {
      for (const target of imports) {
        assert.isTrue(fs.existsSync(target), `${path.relative(srcRoot, file)} imports a missing ${target}`)
      }
    }
    assert.isAbove(graph.size, 20)
    assert.deepStrictEqual(findCycle(graph), undefined)
  })

  it("the walk finds a cycle when there is one", () => {
    const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]].map(([from, to]) => [
      path.join(srcRoot, from as string),
      (to as Array<string>).map((each) => path.join(srcRoot, each))
    ]))
    assert.deepStrictEqual(findCycle(graph), ["a", "b", "c", "a"])
  })

  it("every public module can be imported first, in a fresh module graph", { timeout: 60_000 }, async () => {
    assert.include(publicModules, "Runs.ts")
    const missing = publicModules.filter((module) => !fs.existsSync(new URL(module.replace(/\.ts$/, ".js"), distUrl)))
    assert.deepStrictEqual(missing, [], "dist/ lacks modules: run `pnpm check` (tsc -b) first, as `pnpm test` does")
    const exported = await importEachFirst(publicModules)
    for (const module of publicModules) {
      const count = exported[module]
      assert.isTrue(typeof count === "number" && count > 0, `${module} imported first: ${count}`)
    }
  })
})
