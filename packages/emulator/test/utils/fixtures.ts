/**
 * The requests of the official Python client (spec/fixtures/official-client-requests.jsonl).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export interface FixtureRequest {
  readonly label: string
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, ReadonlyArray<string>>>
  readonly headers: ReadonlyArray<readonly [string, string]>
  readonly body_text: string
}

const here = path.dirname(fileURLToPath(import.meta.url))

/** A copy of the spec fixture file. */
export const fixturePath = path.resolve(here, "../fixtures/official-client-requests.jsonl")

export const loadFixtures = (): ReadonlyArray<FixtureRequest> =>
  fs.readFileSync(fixturePath, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as FixtureRequest)

/** Every placeholder id (`asst_000…1`, `file_x`, …) a fixture body refers to. */
export const placeholders = (
  text: string
): ReadonlyArray<string> => [...new Set(text.match(/\b(?:asst|thread|msg|run|step|file)_(?:[0-9a-f]{32}|x)\b/g) ?? [])]
