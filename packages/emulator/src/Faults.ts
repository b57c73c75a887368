/**
 * Fault injection, per operation (keyed by path, e.g. `/v2/threads/runs`): answer a status code
 * (optionally with `Retry-After` and a body) instead of processing the request, add latency, drop the
 * connection after a number of body chunks (one chunk per SSE event), or send a malformed body.
 *
 * Every fault applies to the next `times` matching requests (default 1; `Infinity` keeps it until it is
 * cleared). On one request every matching latency fault adds its delay; the first matching status or
 * malformed fault answers instead of the handler; otherwise the first matching drop fault cuts the
 * answer's body.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/**
 * Answer `status` (with `Retry-After` and `body` when given) without calling the handler.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusFault {
  readonly _tag: "Status"
  readonly status: number
  readonly retryAfter: Option.Option<string>
  readonly body: Option.Option<string>
  readonly times: number
}

/**
 * Wait `delay` (on Effect's `Clock`, so `TestClock` drives it) before processing the request.
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencyFault {
  readonly _tag: "Latency"
  readonly delay: Duration.Duration
  readonly times: number
}

/**
 * Process the request, then break the connection after `afterChunks` body chunks (SSE events).
 *
 * @since 0.1.0
 * @category models
 */
export interface DropFault {
  readonly _tag: "Drop"
  readonly afterChunks: number
  readonly times: number
}

/**
 * Answer `body` (default: truncated JSON) with `status` (default 200) without calling the handler.
 *
 * @since 0.1.0
 * @category models
 */
export interface MalformedFault {
  readonly _tag: "Malformed"
  readonly status: number
  readonly body: string
  readonly times: number
}

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = StatusFault | LatencyFault | DropFault | MalformedFault

/**
 * Faults to install when the emulator starts, by path.
 *
 * @since 0.1.0
 * @category models
 */
export type Initial = Readonly<Record<string, Fault | ReadonlyArray<Fault>>>

/**
 * @since 0.1.0
 * @category models
 */
export interface TimesOption {
  /** How many matching requests the fault applies to (default 1, `Infinity` = until cleared). */
  readonly times?: number | undefined
}

const times = (options: TimesOption | undefined): number => Math.max(0, options?.times ?? 1)

/**
 * @since 0.1.0
 * @category constructors
 */
export const status = (
  status: number,
  options?: TimesOption & {
    /** Seconds (a number) or an HTTP date (a string). */
    readonly retryAfter?: number | string | undefined
    /** The body text; default an error envelope naming the injected status. */
    readonly body?: string | undefined
  }
): Fault => ({
  _tag: "Status",
  status,
  retryAfter: Option.map(Option.fromNullable(options?.retryAfter), String),
  body: Option.fromNullable(options?.body),
  times: times(options)
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const latency = (delay: Duration.DurationInput, options?: TimesOption): Fault => ({
  _tag: "Latency",
  delay: Duration.decode(delay),
  times: times(options)
})

/**
 * @since 0.1.0
 * @category constructors
 */
export const dropAfter = (chunks: number, options?: TimesOption): Fault => ({
  _tag: "Drop",
  afterChunks: Math.max(0, chunks),
  times: times(options)
})

/**
 * The default malformed body: JSON cut in the middle.
 *
 * @since 0.1.0
 * @category constructors
 */
export const truncatedJson = "{\"id\": \"trunc"

/**
 * @since 0.1.0
 * @category constructors
 */
export const malformed = (
  options?: TimesOption & { readonly body?: string | undefined; readonly status?: number | undefined }
): Fault => ({
  _tag: "Malformed",
  status: options?.status ?? 200,
  body: options?.body ?? truncatedJson,
  times: times(options)
})

/**
 * An installed fault with the number of requests it still applies to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Installed {
  readonly path: string
  readonly fault: Fault
  readonly remaining: number
}

/**
 * What the router must do for one request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Plan {
  readonly latency: Duration.Duration
  readonly answer: Option.Option<StatusFault | MalformedFault>
  readonly dropAfter: Option.Option<number>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly inject: (path: string, fault: Fault) => Effect.Effect<void>
  /** Removes the faults of one path, or all of them. */
  readonly clear: (path?: string) => Effect.Effect<void>
  readonly installed: Effect.Effect<ReadonlyArray<Installed>>
  /** Consumes the faults that apply to one request on `path`. */
  readonly take: (path: string) => Effect.Effect<Plan>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Faults extends Context.Tag("@effect-appbuilder/emulator/Faults")<Faults, Service>() {}

/**
 * The canonical form of a path: duplicate slashes collapsed (`//v2/x` is `/v2/x`).
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizePath = (path: string): string =>
  // a search is cheaper than the replace, and paths rarely have duplicate slashes (three reads per request)
  path.includes("//") ? path.replace(/\/{2,}/g, "/") : path

interface Entry {
  readonly fault: Fault
  remaining: number
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = (initial: Initial = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    const byPath = new Map<string, Array<Entry>>()
    const add = (path: string, fault: Fault): void => {
      if (fault.times <= 0) return
      const key = normalizePath(path)
      const list = byPath.get(key) ?? []
      list.push({ fault, remaining: fault.times })
      byPath.set(key, list)
    }
    for (const [path, faults] of Object.entries(initial)) {
      for (const fault of Array.isArray(faults) ? faults : [faults]) add(path, fault)
    }
    const take = (path: string): Effect.Effect<Plan> =>
      Effect.sync(() => {
        const list = byPath.get(normalizePath(path)) ?? []
        let latency = Duration.zero
        let answer: Entry | undefined
        let drop: Entry | undefined
        for (const entry of list) {
          if (entry.remaining <= 0) continue
          switch (entry.fault._tag) {
            case "Latency":
              latency = Duration.sum(latency, entry.fault.delay)
              entry.remaining--
              break
            case "Status":
            case "Malformed":
              answer ??= entry
              break
            case "Drop":
              drop ??= entry
              break
          }
        }
        if (answer !== undefined) answer.remaining--
        else if (drop !== undefined) drop.remaining--
        const plan: Plan = {
          latency,
          answer: answer !== undefined && (answer.fault._tag === "Status" || answer.fault._tag === "Malformed")
            ? Option.some(answer.fault)
            : Option.none(),
          dropAfter: answer === undefined && drop !== undefined && drop.fault._tag === "Drop"
            ? Option.some(drop.fault.afterChunks)
            : Option.none()
        }
        const rest = list.filter((entry) => entry.remaining > 0)
        if (rest.length === 0) byPath.delete(normalizePath(path))
        else byPath.set(normalizePath(path), rest)
        return plan
      })
    return {
      inject: (path, fault) => Effect.sync(() => add(path, fault)),
      clear: (path) =>
        Effect.sync(() => {
          if (path === undefined) byPath.clear()
          else byPath.delete(normalizePath(path))
        }),
      installed: Effect.sync(() =>
        [...byPath.entries()].flatMap(([path, list]) =>
          list.map((entry) => ({ path, fault: entry.fault, remaining: entry.remaining }))
        )
      ),
      take
    }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (initial: Initial = {}): Layer.Layer<Faults> => Layer.effect(Faults, make(initial))
