import * as Net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as RawSocket from "../src/RawSocket.js"

// an HTTP/1.0 answer of 3 events (one a ping) and a blank line cut between two writes: the reader must count
// the blank lines wherever the reads end
const HEAD = "HTTP/1.0 200 OK\r\ncontent-type: text/event-stream\r\n\r\n"
const BODY = "event: status\ndata: {}\n\nevent: ping\ndata: {}\n\nevent: message\ndata: {}\n\n"
const cut = BODY.indexOf("\n\n", BODY.indexOf("ping")) + 1
const pieces = [HEAD + BODY.slice(0, 5), BODY.slice(5, cut), BODY.slice(cut, cut + 1), BODY.slice(cut + 1)]

let server: Net.Server
let url = ""

beforeAll(async () => {
  server = Net.createServer((socket) => {
    socket.once("data", () => {
      // each piece in its own write, a turn apart, so that the reader sees them as separate reads
      const next = (i: number) => {
        if (i === pieces.length) return void socket.end()
        socket.write(pieces[i]!, () => setImmediate(() => next(i + 1)))
      }
      next(0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  url = `http://127.0.0.1:${(server.address() as Net.AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("RawSocket", () => {
  it("counts every event and ping, a blank line cut between two reads included", async () => {
    const counted = await RawSocket.streamRun(url, "token", { assistant_id: "a", thread_id: "t" })
    expect({ status: counted.status, events: counted.events, pings: counted.pings })
      .toEqual({ status: 200, events: 3, pings: 1 })
  })
})
