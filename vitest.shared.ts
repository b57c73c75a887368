/**
 * The vitest project settings every package shares: our packages resolve to their TypeScript sources
 * (the `@effect-appbuilder/source` export condition), and files run in worker threads that keep their
 * module graph from one test file to the next — Effect and our sources are loaded and transformed once per
 * worker instead of once per file, which was most of the suite's time. No test file needs a fresh graph:
 * none mocks modules, fakes timers, patches globals or adds process listeners, and the sources keep no
 * module-level state (services live in layers).
 */
import { defineProject } from "vitest/config"

const conditions = ["@effect-appbuilder/source", "module", "node", "import", "default"]

/** A project whose test files match `include` and not `exclude`. */
export const project = (include: Array<string>, exclude: Array<string> = []) =>
  defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ["@effect-appbuilder/source"] } },
    test: { include, exclude: ["**/node_modules/**", ...exclude], testTimeout: 30_000, pool: "threads", isolate: false }
  })
