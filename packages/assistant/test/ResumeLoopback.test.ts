/**
 * Resumable runs over real sockets: the k-matrix of Resume.test.ts (a run stream cut after k events by the
 * emulator's `dropAfter(k)`, for every k) on a loopback server, with undici and with fetch, in real time.
 * A streamed run and a streamed tool loop end as undisturbed ones do, each tool is executed once, one run
 * POST per run, at most one submit per round, and no run is left going. The resume runs on its default
 * schedule (`Runs.defaultResumeSchedule`): with the emulator streaming as fast as it can, the run has
 * settled by the first query, so the whole matrix takes a few seconds per transport.
 */
import { NodeHttpClient } from "@effect/platform-node"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulated from "./utils/Emulated.js"
import * as ResumeMatrix from "./utils/ResumeMatrix.js"

const TOKEN = "bce-v3/ALTAK-resumeloopback/secret"

const transports = [
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
  ["FetchHttpClient.layer", FetchHttpClient.layer]
] as const

const realTime: ResumeMatrix.Driver = (effect) => effect

// The four tests run at the same time (each on its own server): much of their time is the resume schedule's
// first wait, in real time.
describe.concurrent("resume after a drop, on a loopback server", () => {
  for (const [name, http] of transports) {
    const layer = Emulated.overServer(http, {
      token: TOKEN,
      retry: { baseDelay: "10 millis", maxDelay: "50 millis", maxRetries: 3 }
    })
    it.live(`${name}: a plain streamed run, cut after every k events, ends as an undisturbed one`, () =>
      ResumeMatrix.plainRun(realTime).pipe(Effect.provide(layer)))
    it.live(`${name}: a streamed tool loop, cut after every k events, executes each tool once and ends the same`, () =>
      ResumeMatrix.toolLoop(realTime).pipe(Effect.provide(layer)))
  }
})
