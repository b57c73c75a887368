/**
 * Replays every request the official Python client sends (spec fixtures), byte for byte: same body
 * text, same headers. Placeholder ids are replaced by ids of resources created beforehand.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/Emulator.js"
import { loadFixtures, placeholders } from "./utils/fixtures.js"
import type { FixtureRequest } from "./utils/fixtures.js"
import { BASE, call, execute, isRecord, json, upload } from "./utils/http.js"

const fixtures = loadFixtures()
const isRunFixture = (f: FixtureRequest) => f.path.startsWith("/v2/threads/runs")

const stringField = (record: unknown, key: string): string => {
  if (!isRecord(record)) throw new Error("not an object")
  const value = record[key]
  if (typeof value !== "string") throw new Error(`${key} is not a string`)
  return value
}

/** Creates a resource for every placeholder id and returns the substitutions. */
const setup = (ids: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const map = new Map<string, string>()
    const file = stringField(json(yield* upload("capture_upload.txt", "hello conformance")), "id")
    for (const id of ids) {
      if (id.startsWith("file_")) map.set(id, file)
      else if (id.startsWith("asst_")) {
        const created = yield* call("/v2/assistants", { model: "ERNIE-4.0T-8K", name: "fixture", description: "" })
        map.set(id, stringField(created, "id"))
      } else if (id.startsWith("thread_")) {
        map.set(id, stringField(yield* call("/v2/threads", { messages: [] }), "id"))
      }
    }
    for (const id of ids.filter((id) => id.startsWith("msg_"))) {
      const thread = map.get("thread_00000000000000000000000000000002")!
      const message = yield* call("/v2/threads/messages", { thread_id: thread, role: "user", content: "hi", file_ids: [] })
      map.set(id, stringField(message, "id"))
    }
    return map
  })

const substitute = (text: string, map: ReadonlyMap<string, string>): string =>
  text.replace(/\b(?:asst|thread|msg|run|step|file)_(?:[0-9a-f]{32}|x)\b/g, (id) => map.get(id) ?? id)

const replay = (fixture: FixtureRequest, map: ReadonlyMap<string, string>) => {
  const query = Object.entries(fixture.query).flatMap(([k, vs]) => vs.map((v) => `${k}=${encodeURIComponent(v)}`))
  const url = `${BASE}${fixture.path}${query.length > 0 ? `?${query.join("&")}` : ""}`
  const contentType = fixture.headers.find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "application/json"
  const headers = Object.fromEntries(fixture.headers.filter(([k]) => k.toLowerCase() !== "content-type"))
  const body = new TextEncoder().encode(substitute(fixture.body_text, map))
  return execute(
    HttpClientRequest.make("POST")(url).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyUint8Array(body, contentType)
    )
  )
}

describe("official client fixtures", () => {
  it("covers every fixture line", () => {
    assert.strictEqual(fixtures.length, 60)
  })

  it.effect("every resource request of the official client is accepted", () =>
    Effect.gen(function*() {
      const resources = fixtures.filter((f) => !isRunFixture(f) && !f.label.startsWith("(setup"))
      const map = yield* setup(placeholders(resources.map((f) => f.body_text).join("\n")))
      for (const fixture of resources) {
        const response = yield* replay(fixture, map)
        assert.strictEqual(response.status, 200, `${fixture.label}: ${response.text}`)
        assert.strictEqual(
          response.headers["x-appbuilder-request-id"],
          fixture.headers.find(([k]) => k === "X-Appbuilder-Request-Id")?.[1],
          fixture.label
        )
        if (fixture.path === "/v2/storage/files/download" || fixture.path === "/v2/storage/files/content") continue
        const body = json(response)
        assert.isUndefined(body["error"], `${fixture.label}: ${response.text}`)
        if (fixture.path.startsWith("/v2/storage")) assert.isUndefined(body["code"], `${fixture.label}: ${response.text}`)
      }
    }).pipe(Effect.provide(Emulator.layer())))
})
