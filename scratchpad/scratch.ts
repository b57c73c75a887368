// A place to try things against the SDK and the emulator (type-checked by `pnpm check`, never run by it).
import type * as AppBuilder from "@effect-appbuilder/assistant/AppBuilder"
import type * as Emulator from "@effect-appbuilder/emulator/Emulator"

export type Tried = [AppBuilder.Services, typeof Emulator.layer]
