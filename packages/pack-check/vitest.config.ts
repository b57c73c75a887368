import { defineProject } from "vitest/config"

export default defineProject({
  // packing, installing and type-checking take tens of seconds on a busy machine
  test: { include: ["test/**/*.test.ts"], testTimeout: 240_000, hookTimeout: 240_000 }
})
