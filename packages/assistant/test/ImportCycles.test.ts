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
import { fileURLToPath } from "node:url"

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

/** Imports `module` first in a fresh Node process and resolves with what it printed. */
const importAlone = (module: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const url = new URL(`file://${path.join(srcRoot, module)}`).href
    const script = `import(${JSON.stringify(url)}).then((m) => console.log(Object.keys(m).length))`
    execFile(
      process.execPath,
      ["--conditions=@effect-appbuilder/source", "--import", "tsx", "-e", script],
      { cwd: packageRoot },
      (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${module}: ${stderr}`)))
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

  it("every public module can be imported first, in a fresh process", { timeout: 120_000 }, async () => {
    assert.include(publicModules, "Runs.ts")
    // Two at a time: each process compiles the sources on the fly.
    for (let index = 0; index < publicModules.length; index += 2) {
      const batch = publicModules.slice(index, index + 2)
      const printed = await Promise.all(batch.map(importAlone))
      for (const [offset, output] of printed.entries()) {
        assert.isAbove(Number(output.trim()), 0, `${batch[offset]} exported nothing`)
      }
    }
  })
})
