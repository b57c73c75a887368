/**
 * The fastest possible reader of one streamed run: a plain TCP socket (`node:net`), the HTTP request
 * written by hand, the events counted by scanning the bytes for blank lines. It shows how fast the
 * emulator serves, so that the SDK's figure is known not to be capped by the server.
 *
 * The request is HTTP/1.0: the server then sends the body unframed (no chunked encoding) and closes
 * the connection at its end, so every `\n\n` of the body ends one event (the header block ends with
 * `\r\n\r\n`, which has no `\n\n`).
 *
 * @since 0.1.0
 */
import * as Net from "node:net"

/**
 * @since 0.1.0
 * @category models
 */
export interface Counted {
  /** Blank lines seen, i.e. events (pings included). */
  readonly events: number
  /** `event: ping` lines seen. */
  readonly pings: number
  /** From the request's first byte to the end of the response. */
  readonly seconds: number
  readonly status: number
}

const PING = Buffer.from("event: ping")
const BLANK_LINE = Buffer.from("\n\n")

/**
 * POSTs `body` to `/v2/threads/runs` and counts the events of the answer.
 *
 * @since 0.1.0
 * @category requests
 */
export const streamRun = (baseUrl: string, token: string, body: Record<string, unknown>): Promise<Counted> =>
  new Promise((resolve, reject) => {
    const url = new URL(baseUrl)
    const payload = Buffer.from(JSON.stringify({ ...body, stream: true }))
    const head = `POST /v2/threads/runs HTTP/1.0\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
      `Authorization: Bearer ${token}\r\nX-Appbuilder-Authorization: Bearer ${token}\r\n` +
      `Content-Length: ${payload.length}\r\n\r\n`
    const started = performance.now()
    const socket = Net.connect({ host: url.hostname, port: Number(url.port) })
    let events = 0
    let pings = 0
    let last = 0
    let status = 0
    let first: Buffer | undefined
    socket.on("connect", () => {
      socket.write(head)
      socket.write(payload)
    })
    // the hot loop: native searches for the blank lines (a `\n\n` cut between two reads is counted by
    // the last byte of one and the first of the next), nothing allocated
    socket.on("data", (bytes: Buffer) => {
      if (bytes.length === 0) return
      if (first === undefined) {
        first = bytes
        status = Number(bytes.subarray(9, 12).toString("latin1"))
      }
      if (last === 10 && bytes[0] === 10) events++
      for (let at = bytes.indexOf(BLANK_LINE); at >= 0; at = bytes.indexOf(BLANK_LINE, at + 1)) events++
      last = bytes[bytes.length - 1]!
      for (let at = bytes.indexOf(PING); at >= 0; at = bytes.indexOf(PING, at + 1)) pings++
    })
    socket.on("error", reject)
    socket.on("close", () => resolve({ events, pings, seconds: (performance.now() - started) / 1000, status }))
  })
