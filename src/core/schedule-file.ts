import {createHash} from 'node:crypto'
import {type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify, type YAMLMap} from 'yaml'

import {InvalidInputError} from './errors.js'
// Schedules as code: the file triggers:export writes and triggers:apply reads. Pure: a trigger
// becomes an entry (only what differs from the defaults) and an entry becomes a trigger through the
// same checks as triggers:create, with every problem named by the line of its key.
import {parseAt} from './schedule.js'
import {zoneClock, ZoneClock} from './timezone.js'
import {createTrigger, type Trigger, TRIGGER_DEFAULTS, type TriggerInput} from './trigger.js'

export const FILE_VERSION = 1

/** A trigger as the file writes it: the flags' names, only what differs from the defaults. */
export interface FileTrigger {
  command: string
  schedule?: string
  at?: string
  timezone?: string
  size?: string
  timeout?: number
  concurrency?: string
  catchUp?: number | string
  jitter?: number | string
  retries?: number
  maintenance?: string
  env?: Record<string, string>
  failureEmail?: boolean
  state?: 'active' | 'completed' | 'inactive'
}

/** Every field of an entry with its effective value (null where there is none): what a plan compares. */
export type FullEntry = Record<EntryField, unknown>

export const ENTRY_FIELDS = ['command', 'schedule', 'at', 'timezone', 'size', 'timeout', 'concurrency', 'catchUp', 'jitter', 'retries', 'maintenance', 'env', 'failureEmail', 'state'] as const
export type EntryField = typeof ENTRY_FIELDS[number]

/** The flag each field stands for, so the checks' messages can speak the file's language. */
const FLAG_OF: Record<EntryField | 'name', string> = {
  at: 'at', catchUp: 'catch-up', command: 'command', concurrency: 'concurrency', env: 'env', failureEmail: 'failure-email', jitter: 'jitter',
  maintenance: 'maintenance', name: 'name', retries: 'retries', schedule: 'schedule', size: 'size', state: 'state', timeout: 'timeout', timezone: 'timezone',
}

/** What people write by habit (other tools' names, the flags' spellings) and what the file calls it. */
const ALIASES: Record<string, EntryField> = {
  'catch-up': 'catchUp', catch_up: 'catchUp', cron: 'schedule', dyno: 'size', 'failure-email': 'failureEmail', failure_email: 'failureEmail',
  frequencyType: 'schedule', time_to_live: 'timeout', timeToLive: 'timeout', tz: 'timezone', value: 'command',
}

export interface ScheduleFile {
  version: number
  triggers: Record<string, FileTrigger>
  monitors: Record<string, unknown>
}

/** One bad thing in a file: where (the line of its key) and what to write instead. */
export interface FileProblem {
  line: number
  /** the trigger's (or monitor's) name, or null for the file's own keys */
  name: null | string
  /** a monitor's entry (a trigger's when absent) */
  kind?: 'monitor'
  message: string
}

/** A file with bad entries: nothing is written, and each problem is shown on its own line. */
export class ScheduleFileError extends InvalidInputError {
  constructor(readonly file: string, readonly problems: FileProblem[]) {
    super(problems.map(p => problemLine(file, p)).join('; '))
  }

  lines(): string[] {
    const count = this.problems.length
    const head = count > 1 ? [`${this.file} has ${count} bad entries, nothing was applied:`] : []
    return [...head, ...this.problems.map(p => problemLine(this.file, p))]
  }
}

function problemLine(file: string, problem: FileProblem): string {
  return `${file}:${problem.line}: ${problem.name === null ? '' : `${problem.kind ?? 'trigger'} ${JSON.stringify(problem.name)}: `}${problem.message}`
}

/** A trigger's (or monitor's) entry of a parsed file, with the line of its key. */
export interface ParsedEntry {
  name: string
  line: number
  value: unknown
}

export interface ParsedFile {
  entries: ParsedEntry[]
  /** the monitors' entries, or null when the file has no monitors key (the app's are left as they are) */
  monitors: null | ParsedEntry[]
  problems: FileProblem[]
}

const TOP_KEYS = new Set(['$schema', 'monitors', 'triggers', 'version'])

/**
 * Reads YAML or JSON (JSON is YAML) into entries; anchors, aliases and `<<` merge keys work, comments
 * are not data, and top-level `x-...` keys are free for anchors. Problems are collected, not thrown.
 */
export function parseScheduleFile(text: string): ParsedFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {lineCounter, merge: true, prettyErrors: false, uniqueKeys: true})
  const lineOf = (node: unknown): number => {
    const range = (node as {range?: [number, number]} | null)?.range
    return range ? lineCounter.linePos(range[0]).line : 1
  }

  const result: ParsedFile = {entries: [], monitors: null, problems: []}
  if (doc.errors.length > 0) {
    for (const error of doc.errors.slice(0, 3)) {
      const {line} = lineCounter.linePos(error.pos[0])
      result.problems.push({line, message: `not valid YAML or JSON (${error.message.split('\n')[0]}): fix the syntax, e.g. indent each trigger under "triggers:" by two spaces`, name: null})
    }

    return result
  }

  const root = doc.contents
  if (!isMap(root)) {
    result.problems.push({line: lineOf(root), message: 'the file must be a map with "version: 1" and "triggers:" (start from heroku triggers:export)', name: null})
    return result
  }

  const js = doc.toJS({maxAliasCount: 10_000}) as Record<string, unknown>
  let hasVersion = false
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    const line = lineOf(pair.key)
    switch (key) {
      case 'version': {
        hasVersion = true
        if (js.version !== FILE_VERSION) result.problems.push({line, message: `version ${JSON.stringify(js.version)} is not one this plugin reads: write version: ${FILE_VERSION}`, name: null})

        break;
      }

      case 'triggers': {
        const value = js.triggers
        if (value === null || value === undefined) continue
        if (!isMap(pair.value) || typeof value !== 'object' || Array.isArray(value)) {
          result.problems.push({line, message: String.raw`triggers must be a map of trigger names to entries, e.g. "triggers:\n  nightly:\n    command: bin/nightly"`, name: null})
          continue
        }

        for (const item of pair.value.items) {
          if (!isPair(item)) continue
          const name = isScalar(item.key) ? String(item.key.value) : ''
          const entry = (value as Record<string, unknown>)[name]
          result.entries.push({line: lineOf(item.key), name, value: withEnvSource(entry, item.value, doc)})
        }

        break;
      }

      case 'monitors': {
        const value = js.monitors
        if (value === null || value === undefined) {
          result.monitors = []
          continue
        }

        if (!isMap(pair.value) || typeof value !== 'object' || Array.isArray(value)) {
          result.problems.push({line, message: String.raw`monitors must be a map of monitor names to entries, e.g. "monitors:
  failures:
    type: job-failure" (or {} for none)`, name: null})
          continue
        }

        result.monitors = pair.value.items.filter(item => isPair(item)).map(item => {
          const name = isScalar(item.key) ? String(item.key.value) : ''
          return {line: lineOf(item.key), name, value: (value as Record<string, unknown>)[name]}
        })

        break;
      }

      default: {if (!TOP_KEYS.has(key) && !key.startsWith('x-')) {
        result.problems.push({line, message: `unknown key ${JSON.stringify(key)}: the file has version, triggers and monitors (and x-... keys for anchors)`, name: null})
      }
      }
    }
  }

  if (!hasVersion) result.problems.push({line: 1, message: `no version: add "version: ${FILE_VERSION}" at the top`, name: null})
  return result
}

/** env values written as numbers or booleans keep their text as written (`ZIP: 01234` is "01234"), through anchors too. */
function withEnvSource(entry: unknown, node: unknown, doc: Document): unknown {
  const env = (entry as null | Record<string, unknown>)?.env
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return entry
  const fixed: Record<string, unknown> = {...env as Record<string, unknown>}
  for (const [key, value] of Object.entries(fixed)) if (typeof value === 'number' || typeof value === 'boolean') fixed[key] = String(value)
  const envNode = envNodeOf(node, doc, 0)
  if (envNode) {
    for (const item of envNode.items) {
      if (!isScalar(item.key) || !isScalar(item.value)) continue
      const {source, value} = item.value
      if ((typeof value === 'number' || typeof value === 'boolean') && source !== undefined) fixed[String(item.key.value)] = source
    }
  }

  return {...entry as Record<string, unknown>, env: fixed}
}

/** The map an entry's env comes from: its own, or one merged in with `<<: *anchor`. */
function envNodeOf(node: unknown, doc: Document, depth: number): undefined | YAMLMap {
  const resolved = isAlias(node) ? node.resolve(doc) : node
  if (!isMap(resolved) || depth > 10) return undefined
  const own = resolved.items.find(p => isScalar(p.key) && p.key.value === 'env')
  if (own) {
    const value = isAlias(own.value) ? own.value.resolve(doc) : own.value
    return isMap(value) ? value : undefined
  }

  for (const pair of resolved.items) {
    if (!isScalar(pair.key) || (pair.key.value !== '<<' && typeof pair.key.value !== 'symbol')) continue
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
    for (const source of sources) {
      const found = envNodeOf(source, doc, depth + 1)
      if (found) return found
    }
  }

  return undefined
}

/** A trigger as checked from its entry, not yet compared with the app. */
export interface CheckedEntry {
  name: string
  line: number
  /** built with triggers:create's checks; id, timestamps and the past-date check are the plan's to settle */
  trigger: Trigger
  /** the `at` instant was given in the past (allowed only where the plan says so) */
  pastAt: boolean
  warnings: string[]
}

/** Checks every entry as triggers:create checks flags; throws a ScheduleFileError naming every bad one. */
export function checkEntries(file: string, parsed: ParsedFile, now: Date): CheckedEntry[] {
  const problems = [...parsed.problems]
  const checked: CheckedEntry[] = []
  const seen = new Map<string, string>()
  for (const entry of parsed.entries) {
    try {
      const lower = entry.name.trim().toLowerCase()
      const twin = seen.get(lower)
      if (twin !== undefined) throw new InvalidInputError(`the name is already used by "${twin}" (names are unique whatever their case): rename one`)
      seen.set(lower, entry.name)
      checked.push(checkEntry(entry, now))
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      problems.push({line: entry.line, message: inFileTerms(error.message), name: entry.name})
    }
  }

  if (problems.length > 0) throw new ScheduleFileError(file, problems.sort((a, b) => a.line - b.line))
  return checked
}

/**
 * The platform's spelling of each size (Standard-1X), one check per distinct size; an unknown size
 * names every entry that gives it. `check` is the platform's (it may ask the API once).
 */
export async function resolveSizes(file: string, entries: CheckedEntry[], check: (size: string) => Promise<string>): Promise<CheckedEntry[]> {
  const distinct = [...new Set(entries.map(e => e.trigger.size).filter((s): s is string => s !== null))]
  const resolved = new Map<string, Error | string>()
  await Promise.all(distinct.map(async size => {
    resolved.set(size, await check(size).catch((error: Error) => error))
  }))
  const problems: FileProblem[] = []
  const out = entries.map(entry => {
    const size = entry.trigger.size === null ? undefined : resolved.get(entry.trigger.size)
    if (size === undefined) return entry
    if (size instanceof Error) {
      if (!(size instanceof InvalidInputError)) throw size
      problems.push({line: entry.line, message: inFileTerms(size.message), name: entry.name})
      return entry
    }

    return {...entry, trigger: {...entry.trigger, size}}
  })
  if (problems.length > 0) throw new ScheduleFileError(file, problems)
  return out
}

const EPOCH = new Date(0)

function checkEntry(entry: ParsedEntry, now: Date): CheckedEntry {
  const {value} = entry
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInputError('an entry is a map of fields, e.g. "command: bin/report" and "schedule: 0 3 * * *"')
  }

  const fields = value as Record<string, unknown>
  for (const key of Object.keys(fields)) {
    if ((ENTRY_FIELDS as readonly string[]).includes(key)) continue
    const meant = ALIASES[key] ?? ENTRY_FIELDS.find(f => f.toLowerCase() === key.toLowerCase().replaceAll(/[-_]/g, '')) ?? ENTRY_FIELDS.find(f => distance(f.toLowerCase(), key.toLowerCase()) <= 2)
    if (key === 'name') throw new InvalidInputError('the name is the entry\'s key, not a field: remove "name:" and rename the key')
    throw new InvalidInputError(`unknown field ${JSON.stringify(key)}: ${meant ? `write ${meant}` : `the fields are ${ENTRY_FIELDS.join(', ')}`}`)
  }

  const input: TriggerInput = {name: entry.name}
  const {duration, integer, text} = fieldReaders<EntryField>(fields)

  input.command = text('command', 'bin/report')
  input.schedule = text('schedule', '"0 3 * * *"')
  input.at = text('at', '"2027-06-15 12:00"')
  input.timezone = text('timezone', 'Europe/Berlin')
  input.size = text('size', 'standard-1x')
  input.timeout = integer('timeout', '3600')
  input.concurrency = text('concurrency', 'forbid')
  input.catchUp = duration('catchUp', '15m')
  input.jitter = duration('jitter', '30s')
  input.retries = integer('retries', '2')
  input.maintenance = text('maintenance', 'skip')
  const state = text('state', 'inactive')
  if (fields.failureEmail !== undefined && fields.failureEmail !== null) {
    if (typeof fields.failureEmail !== 'boolean') throw new InvalidInputError(`failureEmail must be true or false, got ${JSON.stringify(fields.failureEmail)}`)
    input.failureEmail = fields.failureEmail
  }

  if (fields.env !== undefined && fields.env !== null) {
    const {env} = fields
    if (typeof env !== 'object' || Array.isArray(env)) throw new InvalidInputError('env must be a map of names to values, e.g. "env: {MODE: full}"')
    input.env = Object.entries(env as Record<string, unknown>).map(([k, v]) => {
      if (typeof v !== 'string') throw new InvalidInputError(`env ${k} must be text, got ${JSON.stringify(v)}: quote it, e.g. ${k}: "value"`)
      return `${k}=${v}`
    })
  }

  if (state !== undefined && !['active', 'completed', 'inactive'].includes(state.trim().toLowerCase())) {
    throw new InvalidInputError(`invalid state ${JSON.stringify(state)}: use one of active, inactive, completed (or leave it out for active)`)
  }

  const completed = state?.trim().toLowerCase() === 'completed'
  if (completed && input.at === undefined) throw new InvalidInputError('state completed is for a one-off: give its at, or write state: active or inactive')
  if (!completed) input.state = state

  // the past is checked by the plan: a completed one-off, or one whose time is unchanged, may stay in the past
  const {trigger, warnings} = createTrigger(input, [], EPOCH, idFor(entry.name))
  if (completed) trigger.state = 'completed'
  const pastAt = trigger.at !== null && Date.parse(trigger.at) <= now.getTime()
  return {line: entry.line, name: trigger.name, pastAt, trigger, warnings: warnings.map(w => inFileTerms(w))}
}

/** An entry's fields read as text, whole numbers or durations; absent (or null) is undefined, another type a one-line error with an example. */
export function fieldReaders<F extends string>(fields: Record<string, unknown>): {
  duration(field: F, example: string): string | undefined
  integer(field: F, example: string): number | undefined
  text(field: F, example: string): string | undefined
} {
  const given = (field: F) => fields[field] !== undefined && fields[field] !== null
  return {
    duration(field, example) {
      const v = fields[field]
      if (!given(field)) return
      if (typeof v === 'number' && Number.isInteger(v)) return String(v)
      if (typeof v !== 'string') throw new InvalidInputError(`${field} must be seconds or a duration, got ${JSON.stringify(v)}: write e.g. ${field}: ${example}`)
      return v
    },
    integer(field, example) {
      const v = fields[field]
      if (!given(field)) return
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidInputError(`${field} must be a whole number, got ${JSON.stringify(v)}: write e.g. ${field}: ${example}`)
      return v
    },
    text(field, example) {
      const v = fields[field]
      if (!given(field)) return
      if (typeof v !== 'string') throw new InvalidInputError(`${field} must be text, got ${JSON.stringify(v)}: write e.g. ${field}: ${example}`)
      return v
    },
  }
}

/** Edit distance, to suggest the field a typo meant. */
export function distance(a: string, b: string): number {
  let row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }

  return row[b.length]
}

/** The checks speak in flags (`--timeout must be ...`); in a file the same thing is a field. */
export function inFileTerms(message: string, flags: Readonly<Record<string, string>> = FLAG_OF): string {
  let out = message
  for (const [field, flag] of Object.entries(flags)) {
    out = out.replaceAll(new RegExp(`(?<![\\w-])--${flag}(?![\\w-])`, 'g'), field)
  }

  return out
}

/**
 * A trigger made by apply has an id derived from its name, so two machines applying the same file
 * at once make the same trigger (a store that merges their writes by id keeps one, not two).
 */
export function idFor(name: string, scope = ''): string {
  const hex = createHash('sha256').update(`heroku-triggers\0${scope}\0${name.trim().toLowerCase()}`).digest('hex')
  const variant = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/** A one-off whose time has passed is completed, even where the store was not rewritten. */
export function effectiveState(trigger: Trigger, now: Date): Trigger['state'] {
  return trigger.at && trigger.state === 'active' && Date.parse(trigger.at) <= now.getTime() ? 'completed' : trigger.state
}

/** `at` as the wall time in the trigger's zone; with its offset only where the wall time alone would be read as another instant. */
export function wallTimeOf(at: string, timezone: string): string {
  const instant = Date.parse(at)
  const clock = zoneClock(timezone)
  const wall = clock.wallAt(instant)
  let text = ZoneClock.formatWall(Math.floor(wall / 1000) * 1000)
  const ms = instant % 1000
  if (ms !== 0) text = `${text.length === 16 ? `${text}:00` : text}.${String(ms).padStart(3, '0')}`
  if (parseAt(text, timezone, EPOCH).at.getTime() === instant) return text
  const offset = wall - instant
  const sign = offset < 0 ? '-' : '+'
  const minutes = Math.abs(offset) / 60_000
  return `${text}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

/** Seconds as the shortest duration that says them exactly: 900 → 15m, 90 → 90s. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (seconds > 0 && seconds % size === 0) return `${seconds / size}${unit}`
  }

  return `${seconds}s`
}

function sortedEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/** Every field with its effective value, for comparing a trigger with what the file asks. */
export function fullEntryOf(trigger: Trigger, now: Date): FullEntry {
  return {
    at: trigger.at ? wallTimeOf(trigger.at, trigger.timezone) : null,
    catchUp: trigger.catchUp === null ? null : formatDuration(trigger.catchUp),
    command: trigger.command,
    concurrency: trigger.concurrency,
    env: sortedEnv(trigger.env),
    failureEmail: trigger.failureEmail,
    jitter: formatDuration(trigger.jitter),
    maintenance: trigger.maintenance,
    retries: trigger.retries,
    schedule: trigger.schedule,
    size: trigger.size,
    state: effectiveState(trigger, now),
    timeout: trigger.timeout,
    timezone: trigger.timezone,
  }
}

const DEFAULT_FULL: Partial<FullEntry> = {
  at: null, catchUp: null, concurrency: TRIGGER_DEFAULTS.concurrency, env: {}, failureEmail: TRIGGER_DEFAULTS.failureEmail, jitter: formatDuration(TRIGGER_DEFAULTS.jitter),
  maintenance: TRIGGER_DEFAULTS.maintenance, retries: TRIGGER_DEFAULTS.retries, schedule: null, size: null, state: 'active', timeout: TRIGGER_DEFAULTS.timeout, timezone: TRIGGER_DEFAULTS.timezone,
}

/** The entry export writes: the fields that differ from the defaults, in a fixed order. */
export function entryOf(trigger: Trigger, now: Date): FileTrigger {
  const full = fullEntryOf(trigger, now)
  const out: Record<string, unknown> = {}
  for (const field of ENTRY_FIELDS) {
    if (field !== 'command' && JSON.stringify(full[field]) === JSON.stringify(DEFAULT_FULL[field])) continue
    out[field] = full[field]
  }

  return out as unknown as FileTrigger
}

/** Whether two values of a field are the same (sizes are named in any case: Standard-1X is standard-1x). */
export function sameValue(field: EntryField, a: unknown, b: unknown): boolean {
  if (field === 'size' && typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase()
  return JSON.stringify(a) === JSON.stringify(b)
}

/** A short fingerprint of what apply left a trigger as, to tell later when it was changed on the app. */
export function fingerprint(trigger: Trigger, now: Date): string {
  return createHash('sha256').update(JSON.stringify([trigger.name, fullEntryOf(trigger, now)])).digest('hex').slice(0, 12)
}

function byName(a: {name: string}, b: {name: string}): number {
  const x = a.name.toLowerCase()
  const y = b.name.toLowerCase()
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : 1
}

/** The whole file's data: triggers keyed by name (sorted, for stable diffs) and the monitors' entries. */
export function exportFile(triggers: readonly Trigger[], monitors: Record<string, unknown>, now: Date): ScheduleFile {
  const sorted = [...triggers].sort(byName)
  return {monitors, triggers: Object.fromEntries(sorted.map(t => [t.name, entryOf(t, now)])), version: FILE_VERSION}
}

export type FileFormat = 'json' | 'yaml'

/** The text of the file; YAML starts with comments (never data) saying what it is and how to apply it. */
export function formatFile(file: ScheduleFile, format: FileFormat, app: string): string {
  const data = {version: file.version, triggers: file.triggers, monitors: file.monitors}
  if (format === 'json') return JSON.stringify(data, null, 2) + '\n'
  const target = app === 'local' ? '--local' : `--app ${app}`
  const header = [
    `# heroku-triggers schedule of ${app}: every trigger by name, only what differs from the defaults`,
    `# apply it with: heroku triggers:apply FILE ${target} (--dry-run shows the plan first)`,
    '# its JSON Schema, for editors: heroku triggers:export --schema > heroku-triggers.schema.json',
  ]
  return `${header.join('\n')}\n${stringify(data, {lineWidth: 0})}`
}

/** The format a file name suggests: .json is JSON, anything else YAML. */
export function formatForFile(file: string): FileFormat {
  return /\.json$/i.test(file) ? 'json' : 'yaml'
}
