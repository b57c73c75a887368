import { defineProject } from "vitest/config"

const conditions = ["@effect-appbuilder/source", "module", "node", "import", "default"]

export default defineProject({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@effect-appbuilder/source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000 }
})
