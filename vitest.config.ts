import { defineConfig } from "vitest/config"
import projects from "./vitest.workspace.js"

export default defineConfig({
  test: {
    projects,
    // The project runs its files in worker threads that keep the module graph from one file to the next
    // (see vitest.shared.ts and vitest.workspace.ts). Whether a worker is recycled after each file is decided
    // here: `isolate: false` keeps it.
    pool: "threads",
    isolate: false,
    // Two workers on two cores (vitest's default would be one): files that wait on real time (child
    // processes, the real-clock stress tests) overlap with the others.
    maxWorkers: 2,
    minWorkers: 1
  }
})
