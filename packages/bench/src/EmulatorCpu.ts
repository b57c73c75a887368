/**
 * The CPU time of another process, from `/proc/<pid>/stat` (Linux): user + system time, in seconds.
 * The emulator runs in its own process; this reads its CPU without adding anything to its API.
 *
 * @since 0.1.0
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"

/** Clock ticks per second of the `stat` times (`getconf CLK_TCK`, 100 on Linux). */
const ticks: number = (() => {
  try {
    const value = Number(ChildProcess.execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim())
    return value > 0 ? value : 100
  } catch {
    return 100
  }
})()

/**
 * The CPU seconds (user + system) `pid` has used so far, or `undefined` when `/proc` cannot tell
 * (not Linux, or the process is gone). The resolution is one clock tick (10 ms): measure many loops.
 *
 * @since 0.1.0
 * @category measuring
 */
export const cpuSeconds = (pid: number): number | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    // the command name (field 2) is in parentheses and may hold spaces: count fields after its end
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // fields 14 and 15 of the file (utime, stime) are at 11 and 12 once the first two are cut off
    return (Number(fields[11]) + Number(fields[12])) / ticks
  } catch {
    return undefined
  }
}
