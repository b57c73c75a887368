import * as Either from "effect/Either"
import { describe, expect, it } from "vitest"
import * as Args from "../src/Args.js"
import * as Targets from "../src/Targets.js"

describe("Targets", () => {
  it("formats a met and a missed target exactly", () => {
    expect(Targets.line({ name: "per-event cpu", ok: true, measured: "1.12× baseline", target: "≤ 1.3× baseline" }))
      .toBe("OK per-event cpu: 1.12× baseline (target ≤ 1.3× baseline)")
    expect(Targets.line({ name: "memory per loop", ok: false, measured: "80.0 KiB", target: "≤ 64 KiB" }))
      .toBe("TARGET MISSED memory per loop: 80.0 KiB (target ≤ 64 KiB)")
  })

  it("prints one line per target, in order, a missing verdict as missed", () => {
    const lines = Targets.lines([
      { name: "flat memory", ok: true, measured: "flat", target: "flat" },
      { name: "per-event cpu", ok: true, measured: "1.00×", target: "≤ 1.3×" }
    ])
    expect(lines).toHaveLength(8)
    expect(lines[0]).toBe("OK per-event cpu: 1.00× (target ≤ 1.3×)")
    expect(lines[1]).toBe("TARGET MISSED per-event throughput: not measured (target -)")
    expect(lines[7]).toBe("OK flat memory: flat (target flat)")
    expect(lines.map((line) => /^(?:OK|TARGET MISSED) ([^:]+):/.exec(line)?.[1])).toEqual([...Targets.names])
  })

  it("formats ratios", () => {
    expect(Targets.times(1.2749)).toBe("1.27×")
    expect(Targets.times(Number.NaN)).toBe("-")
  })
})

describe("Args", () => {
  it("defaults to the full sizes", () => {
    expect(Args.parse([])).toEqual(Either.right(Args.full))
    expect(Args.parse(["--"])).toEqual(Either.right(Args.full))
  })

  it("--quick picks the quick sizes; explicit sizes win wherever they are", () => {
    expect(Args.parse(["--quick"])).toEqual(Either.right(Args.quick))
    expect(Args.parse(["--chunks", "5000", "--quick"])).toEqual(Either.right({ ...Args.quick, chunks: 5000 }))
    expect(Args.parse(["--", "--quick", "--concurrent=10000"])).toEqual(
      Either.right({ ...Args.quick, concurrent: 10_000 })
    )
  })

  it("parses every size, in both forms", () => {
    expect(
      Args.parse([
        "--chunks=8",
        "--rounds",
        "2",
        "--loops",
        "3",
        "--concurrent",
        "4",
        "--long-chunks",
        "40",
        "--time-limit=5"
      ])
    ).toEqual(
      Either.right({ ...Args.full, chunks: 8, rounds: 2, loops: 3, concurrent: 4, longChunks: 40, timeLimitSeconds: 5 })
    )
  })

  it("rejects unknown arguments, missing and invalid values", () => {
    expect(Args.parse(["--fast"])).toEqual(Either.left("unknown argument: --fast"))
    expect(Args.parse(["--loops"])).toEqual(Either.left("invalid value for --loops: (missing)"))
    expect(Args.parse(["--loops", "0"])).toEqual(Either.left("invalid value for --loops: 0"))
    expect(Args.parse(["--chunks=1e5"])).toEqual(Either.left("invalid value for --chunks: 1e5"))
    expect(Args.parse(["--chunks", "3"])).toEqual(Either.left("invalid value for --chunks: 3"))
  })
})
