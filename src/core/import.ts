// triggers:import: Heroku Scheduler jobs, or the entries of an Advanced Scheduler `triggers --json`
// file, become triggers. Pure: the sources, the stored triggers and now in; the triggers to add
// (and what was skipped, and why) out.
import {randomUUID} from 'node:crypto'

import {InvalidInputError} from './errors.js'
import {inFileTerms} from './schedule-file.js'
import {createTrigger, LIMITS, type Trigger, type TriggerInput} from './trigger.js'

/** A Heroku Scheduler job as particleboard lists it. */
export interface SchedulerJob {
  id: string
  command: string
  /** minutes: 10, 60 or 1440 */
  every: number
  /** minutes after the hour (60) or after 00:00 UTC (1440); 0 for 10 */
  at: number
  size: null | string
}

/** One thing to import, in the words of where it came from. */
export interface ImportSource {
  kind: 'advanced-scheduler' | 'heroku-scheduler'
  /** the Scheduler job's id, or the Advanced Scheduler uuid */
  id: string
  /** how the source shows it: "every hour at :30, Standard-1X: bin/task" */
  description: string
  input: TriggerInput
  /** a one-off read at a time that may have passed */
  completedIfPast: boolean
  /** the state the source gave it, where it has one */
  sourceState: 'active' | 'completed' | 'inactive' | null
  warnings: string[]
}

export interface ImportItem {
  source: ImportSource
  /** the trigger made from it, or null when skipped */
  trigger: null | Trigger
  /** why nothing was made: already imported as this trigger */
  skippedAs: null | string
  warnings: string[]
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Heroku Scheduler's every/at as the phrase its dashboard shows (always in UTC). */
export function schedulerPhrase(every: number, at: number): string {
  if (every === 10 && at === 0) return 'every 10 minutes'
  if (every === 60 && Number.isInteger(at) && at >= 0 && at < 60) return `every hour at :${pad(at)}`
  if (every === 1440 && Number.isInteger(at) && at >= 0 && at < 1440) return `every day at ${pad(Math.floor(at / 60))}:${pad(at % 60)}`
  throw new InvalidInputError(`Heroku Scheduler job with every ${every}, at ${at} is not one Scheduler makes (every 10 at 0, 60 at 0-50, 1440 at 0-1410)`)
}

/**
 * Sizes that exist no more (Free, Hobby) become the app's default; Advanced Scheduler's own typo
 * Standartd-2X is Standard-2X. Each with a warning naming what the source said.
 */
export function mapSize(size: null | string | undefined, from: string): {size: null | string; warning?: string} {
  if (size === null || size === undefined || size.trim() === '') return {size: null}
  const lower = size.trim().toLowerCase()
  if (lower === 'free' || lower === 'hobby') return {size: null, warning: `${from} size ${size} no longer exists on Heroku: imported with the app's default size (give another with triggers:update --size)`}
  if (lower === 'standartd-2x') return {size: 'standard-2x', warning: `${from} size ${size} (its misspelling) imported as standard-2x`}
  return {size: size.trim()}
}

/** A trigger name from a command: one line, within the length limit. */
function nameFromCommand(command: string): string {
  const line = command.replaceAll(/\s+/g, ' ').trim()
  return line.length <= LIMITS.nameLength - 4 ? line : `${line.slice(0, LIMITS.nameLength - 5)}…`
}

export function schedulerSources(jobs: readonly SchedulerJob[]): ImportSource[] {
  return jobs.map(job => {
    const phrase = schedulerPhrase(job.every, job.at)
    const {size, warning} = mapSize(job.size, `Heroku Scheduler job ${job.id}:`)
    return {
      completedIfPast: false,
      description: `${phrase} (UTC), ${job.size ?? 'default size'}: ${job.command}`,
      id: job.id,
      input: {command: job.command, name: nameFromCommand(job.command), schedule: phrase, size: size ?? undefined, timeout: job.every * 60, timezone: 'UTC'},
      kind: 'heroku-scheduler',
      sourceState: null,
      warnings: warning ? [warning] : [],
    }
  })
}

/** The entries of an Advanced Scheduler `heroku triggers --json` file; every bad entry is named in one line. */
export function advancedSchedulerSources(text: string, file: string): ImportSource[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new InvalidInputError(`${file} is not JSON: give the output of Advanced Scheduler's heroku triggers --app APP --json (with no triggers it prints a message instead, and there is nothing to import)`)
  }

  const list = Array.isArray(value) ? value : (value as {triggers?: unknown} | null)?.triggers
  if (!Array.isArray(list)) throw new InvalidInputError(`${file} is not a list of Advanced Scheduler triggers: give the output of heroku triggers --app APP --json`)
  const problems: string[] = []
  const sources: ImportSource[] = []
  for (const [index, raw] of list.entries()) {
    const entry = (raw ?? {}) as Record<string, unknown>
    const label = `entry ${index + 1}${typeof entry.name === 'string' ? ` (${JSON.stringify(entry.name)})` : ''}`
    try {
      sources.push(advancedSchedulerSource(entry, label))
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      problems.push(`${label}: ${error.message}`)
    }
  }

  if (problems.length > 0) throw new InvalidInputError(`${file}: ${problems.join('; ')}; nothing was imported`)
  return sources
}

function advancedSchedulerSource(entry: Record<string, unknown>, label: string): ImportSource {
  const text = (key: string, required = true): string | undefined => {
    const v = entry[key]
    if (v === undefined || v === null) {
      if (required) throw new InvalidInputError(`no "${key}"`)
      return undefined
    }

    if (typeof v !== 'string') throw new InvalidInputError(`"${key}" must be text, got ${JSON.stringify(v)}`)
    return v
  }

  const name = text('name')!
  const command = text('value')!
  const kind = text('frequencyType') ?? 'recurring'
  if (kind !== 'recurring' && kind !== 'one-off') throw new InvalidInputError(`frequencyType ${JSON.stringify(kind)} is neither recurring nor one-off`)
  const schedule = text('schedule')!
  const timezone = text('timezone', false) ?? 'UTC'
  const state = text('state', false)
  if (state !== undefined && !['active', 'completed', 'inactive'].includes(state)) throw new InvalidInputError(`state ${JSON.stringify(state)} is not active, inactive or completed`)
  const timeout = entry.timeout === undefined || entry.timeout === null ? undefined : Number(entry.timeout)
  const {size, warning} = mapSize(text('dyno', false), `Advanced Scheduler ${label}:`)
  const oneOff = kind === 'one-off'
  return {
    completedIfPast: oneOff,
    description: `${oneOff ? `one-off at ${schedule}` : schedule} ${timezone}, ${text('dyno', false) ?? 'default size'}: ${command}`,
    id: text('uuid', false) ?? label,
    input: {at: oneOff ? schedule : undefined, command, name, schedule: oneOff ? undefined : schedule, size: size ?? undefined, timeout, timezone},
    kind: 'advanced-scheduler',
    sourceState: (state as ImportSource['sourceState']) ?? null,
    warnings: warning ? [warning] : [],
  }
}

const norm = (s: null | string) => s?.replaceAll(/\s+/g, ' ').trim().toLowerCase() ?? null

/** Whether a trigger already is this source: the same command and the same schedule (or time). */
function sameAs(trigger: Trigger, made: Trigger): boolean {
  return trigger.command === made.command && norm(trigger.schedule) === norm(made.schedule) && trigger.at === made.at
}

const EPOCH = new Date(0)

/**
 * The triggers to add for the sources: inactive unless `activate` (an Advanced Scheduler trigger
 * keeps its own state then), a past one-off completed, a clashing name given " (2)", and a source
 * already imported skipped.
 */
export function planImport(sources: readonly ImportSource[], existing: readonly Trigger[], now: Date, options: {activate: boolean}): ImportItem[] {
  const all = [...existing]
  const items: ImportItem[] = []
  const problems: string[] = []
  for (const source of sources) {
    try {
      // a one-off in the past is allowed here: it becomes completed
      const {trigger, warnings} = createTrigger({...source.input, name: source.input.name}, [], EPOCH, randomUUID())
      const twin = all.find(t => sameAs(t, trigger))
      if (twin) {
        items.push({skippedAs: twin.name, source, trigger: null, warnings: []})
        continue
      }

      trigger.name = freeName(trigger.name, all)
      trigger.createdAt = now.toISOString()
      trigger.updatedAt = trigger.createdAt
      const past = trigger.at !== null && Date.parse(trigger.at) <= now.getTime()
      if (source.sourceState === 'completed' || (source.completedIfPast && past)) trigger.state = 'completed'
      else if (options.activate) trigger.state = source.sourceState === 'inactive' ? 'inactive' : 'active'
      else trigger.state = 'inactive'
      all.push(trigger)
      items.push({skippedAs: null, source, trigger, warnings: [...source.warnings, ...warnings.map(w => inFileTerms(w))]})
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      problems.push(`${source.kind === 'heroku-scheduler' ? `Heroku Scheduler job ${source.id}` : `Advanced Scheduler trigger ${JSON.stringify(source.input.name)}`}: ${inFileTerms(error.message)}`)
    }
  }

  if (problems.length > 0) throw new InvalidInputError(`${problems.join('; ')}; nothing was imported`)
  return items
}

/** The name, or "name (2)", "name (3)"... the first no trigger has yet (whatever the case). */
function freeName(name: string, triggers: readonly Trigger[]): string {
  const taken = new Set(triggers.map(t => t.name.toLowerCase()))
  if (!taken.has(name.toLowerCase())) return name
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`
    if (!taken.has(candidate.toLowerCase())) return candidate
  }
}
