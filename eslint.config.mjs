// ESLint for the whole repository (`pnpm lint`, `pnpm lint:fix`): the rules of the Effect repository
// (Effect-TS/effect's eslint.config.mjs) on typescript-eslint, with formatting done by the `@effect/dprint`
// rule and the dprint options Effect uses. The rules of Effect's extra plugins (import, codegen,
// sort-destructure-keys) are left out: they are not dependencies of this repository.
import * as effectEslint from "@effect/eslint-plugin"
import { builtinRules } from "eslint/use-at-your-own-risk"
import tseslint from "typescript-eslint"

// `eslint:recommended` (what `@eslint/js`'s `configs.recommended` holds), read from ESLint's own rule
// metadata so that `@eslint/js` need not be a dependency.
const eslintRecommended = Object.fromEntries(
  Array.from(builtinRules).filter(([, rule]) => rule.meta?.docs?.recommended === true).map(([name]) => [name, "error"])
)

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "**/build/**",
      "**/.tsbuildinfo/**",
      "**/coverage/**",
      // generated API reference (`pnpm run docs`; `pnpm docs` is pnpm's own command)
      "packages/*/docs/**",
      // copies of README.md's ```ts blocks, kept byte-identical by `pnpm readme:sync`: format README.md instead
      "examples/readme/**",
      "tmp/**"
    ]
  },
  {
    files: ["**/*.{ts,mts,cts,mjs}"],
    rules: eslintRecommended
  },
  ...tseslint.configs.recommended,
  ...effectEslint.configs.dprint,
  {
    files: ["**/*.{ts,mts,cts,mjs}"],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2022,
      sourceType: "module"
    },
    rules: {
      "no-fallthrough": "off",
      "no-irregular-whitespace": "off",
      // the terminal tools match ANSI escapes and the emulator detects binary file content on purpose
      "no-control-regex": "off",
      "object-shorthand": "error",
      "prefer-destructuring": "off",
      "sort-imports": "off",
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='push'] > SpreadElement.arguments",
          message: "Do not use spread arguments in Array.push"
        }
      ],
      "no-unused-vars": "off",
      "require-yield": "off",
      "prefer-rest-params": "off",
      "prefer-spread": "off",
      "@typescript-eslint/array-type": ["warn", { default: "generic", readonly: "generic" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      // stricter than Effect's configuration: this repository does not use `any`
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/no-wrapper-object-types": "off",
      "@typescript-eslint/consistent-type-imports": "warn",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/ban-ts-comment": "off",
      "@typescript-eslint/explicit-function-return-type": "off",
      "@typescript-eslint/explicit-module-boundary-types": "off",
      "@typescript-eslint/no-array-constructor": "off",
      "@typescript-eslint/no-use-before-define": "off",
      "@typescript-eslint/no-namespace": "off",
      "@effect/dprint": [
        "error",
        {
          config: {
            indentWidth: 2,
            lineWidth: 120,
            semiColons: "asi",
            quoteStyle: "alwaysDouble",
            trailingCommas: "never",
            operatorPosition: "maintain",
            "arrowFunction.useParentheses": "force"
          }
        }
      ]
    }
  },
  {
    // plain JavaScript (this file, scripts) runs on Node: its globals are not checked by TypeScript
    files: ["**/*.mjs"],
    rules: {
      "no-undef": "off"
    }
  },
  {
    // library code writes through Effect's Console or a logger, never straight to the console (tests may
    // print what they measured)
    files: ["packages/*/src/**/*"],
    rules: {
      "no-console": "error"
    }
  },
  {
    files: ["packages/*/src/**/*"],
    rules: {
      "@effect/no-import-from-barrel-package": [
        "error",
        { packageNames: ["effect", "@effect/platform", "@effect/platform-node", "@effect/cli"] }
      ]
    }
  }
)
