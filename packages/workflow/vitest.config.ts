import { project } from "../../vitest.shared.ts"

// The distributed test (three runner processes on PostgreSQL, 200 loops, a runner killed) takes minutes:
// it runs on its own, with `pnpm test:distributed` (which sets APPBUILDER_TEST_DISTRIBUTED).
export default project(
  ["test/**/*.test.ts"],
  process.env["APPBUILDER_TEST_DISTRIBUTED"] === "1" ? [] : ["test/Distributed.test.ts"]
)
