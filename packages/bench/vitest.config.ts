import { defineProject } from "vitest/config"

const conditions = ["@effect-appbuilder/source", "module", "node", "import", "default"]

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@effect-appbuilder/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // Worker threads that keep their module graph from one test file to the next: Effect and our sources
    // are loaded and transformed once per worker instead of once per file, which was most of the suite's
    // time. No test file needs a fresh graph: none mocks modules, fakes timers, patches globals or adds
    // process listeners, and the sources keep no module-level state (services live in layers).
    pool: "threads",
    isolate: false
  }
})
