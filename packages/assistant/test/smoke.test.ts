import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emu from "@effect-appbuilder/emulator"

it.effect("smoke", () => Effect.sync(() => assert.strictEqual(Emu.placeholder, 1)))
