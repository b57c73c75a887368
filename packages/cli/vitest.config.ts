import { project } from "../../vitest.shared.ts"

export default project(["test/**/*.test.ts"])
