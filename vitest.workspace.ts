// The projects `pnpm test` runs. pack-check is not one of them: it packs (its `prepack` deletes and rebuilds
// every package's dist/, which tests running at the same time load) and installs tarballs, so it runs on its
// own: `pnpm pack-check`, a step of `.ci/run`.
export default [
  "packages/*/vitest.config.ts",
  "!packages/pack-check/vitest.config.ts",
  "examples/vitest.config.ts"
]
