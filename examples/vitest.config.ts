import { project } from "../vitest.shared.ts"

export default project(["*.test.ts", "readme/*.test.ts"])
