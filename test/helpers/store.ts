// Stores seeded straight on disk, in the product's own format: for tests and benchmarks that need
// many triggers at once, or triggers due at an exact second, without a command per trigger.
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'

export interface SeedTrigger {
  command?: string
  name?: string
  schedule: string
  retries?: number
  failureEmail?: boolean
}

/** The id seedDefinitions gives trigger i: id prefix i, so each has its own dyno type. */
export function seedTriggerId(i: number): string {
  return `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`
}

/** Writes definitions.json in `dir` (an app's or a project's data folder), with `monitors` as they are stored. */
export function seedDefinitions(dir: string, specs: SeedTrigger[], monitors: unknown[] = []): void {
  const now = new Date().toISOString()
  const triggers = specs.map((spec, i) => ({
    ...spec, command: spec.command ?? 'true', createdAt: now, id: seedTriggerId(i), name: spec.name ?? `t${i}`, timezone: 'UTC', updatedAt: now,
  }))
  mkdirSync(dir, {recursive: true})
  writeFileSync(path.join(dir, 'definitions.json'), JSON.stringify({monitors, schemaVersion: 1, triggers}), {mode: 0o600})
}

/** A cron (with seconds) that fires once, at `at` (UTC, whole second). */
export function cronAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`
}
