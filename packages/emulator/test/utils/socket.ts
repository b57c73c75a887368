/**
 * Raw socket helpers for the emulator's server tests: requests written byte for byte on one connection, so
 * that framing (chunks, keep-alive, HTTP/1.0, HEAD) is seen exactly as a client receives it.
 */
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Net from "node:net"
import { AUTH } from "./http.js"

/** Writes `requests` on one connection and collects the bytes until `done(text)` or the connection closes. */
export const exchange = (url: string, requests: ReadonlyArray<string>, done: (text: string) => boolean) =>
  Effect.async<string>((resume) => {
    const { hostname, port } = new URL(url)
    const socket = Net.connect({ host: hostname, port: Number(port) })
    const received: Array<Buffer> = []
    const text = () => Buffer.concat(received).toString("utf8")
    socket.on("connect", () => {
      for (const request of requests) socket.write(request)
    })
    socket.on("data", (bytes: Buffer) => {
      received.push(bytes)
      if (done(text())) socket.end()
    })
    socket.on("close", () => resume(Effect.succeed(text())))
    return Effect.sync(() => socket.destroy())
  })

/** One authorized request with a JSON body (`body` as sent), written by hand. */
export const rawRequest = (method: string, version: "1.0" | "1.1", path: string, body: string) =>
  `${method} ${path} HTTP/${version}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
  `Authorization: ${AUTH.authorization}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`

/**
 * Decodes a chunked body (as bytes, so that a chunk's size is checked in bytes): each chunk as UTF-8 text,
 * checked to end where its size says, and whatever follows the terminator.
 */
export const chunksOf = (body: Buffer): { readonly chunks: ReadonlyArray<string>; readonly rest: string } => {
  const chunks: Array<string> = []
  let at = 0
  while (true) {
    const eol = body.indexOf("\r\n", at)
    const size = parseInt(body.subarray(at, eol).toString("latin1"), 16)
    at = eol + 2
    if (size === 0) return { chunks, rest: body.subarray(at + 2).toString("utf8") }
    chunks.push(body.subarray(at, at + size).toString("utf8"))
    assert.strictEqual(body.subarray(at + size, at + size + 2).toString("latin1"), "\r\n")
    at += size + 2
  }
}
