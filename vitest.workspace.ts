// The tests `pnpm test` runs, as ONE vitest project: every package's test/**/*.test.ts and the examples'
// tests, with the settings of vitest.shared.ts (the packages' own vitest.config.ts hold the same settings,
// for a run inside a package). One project, because vitest recycles its worker threads between projects:
// with a project per package each worker loaded Effect, @effect/platform and our sources again for every
// package (about 40% of the suite's CPU time went into collecting); one project loads them once per worker.
// Run a part of it by path: `vitest run packages/emulator/test/Soak.test.ts`.
//
// pack-check is not part of it: it packs (its `prepack` deletes and rebuilds every package's dist/, which
// tests running at the same time load) and installs tarballs, so it runs on its own: `pnpm pack-check`, a
// step of `.ci/run`. The distributed test (three runner processes on PostgreSQL) takes minutes: it runs on
// its own too, with `pnpm test:distributed` (which sets APPBUILDER_TEST_DISTRIBUTED).
import { project } from "./vitest.shared.ts"

const all = project(
  ["packages/*/test/**/*.test.ts", "examples/*.test.ts", "examples/readme/*.test.ts"],
  [
    "packages/pack-check/**",
    ...(process.env["APPBUILDER_TEST_DISTRIBUTED"] === "1" ? [] : ["packages/workflow/test/Distributed.test.ts"])
  ]
)

export default [{ ...all, test: { ...all.test, name: "effect-appbuilder" } }]
