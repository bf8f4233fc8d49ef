// A trigger: what to run, when, and how. Pure functions only: building a trigger from what the
// user typed, changing one, naming one. Time comes in as a parameter.
import {randomUUID} from 'node:crypto'

import {ConflictError, InvalidInputError, NotFoundError} from './errors.js'
import {parseAt, parseSchedule, type Schedule} from './schedule.js'
import {checkTimezone} from './timezone.js'

export type TriggerState = 'active' | 'completed' | 'inactive'
export type Concurrency = 'allow' | 'forbid' | 'replace'
export type MaintenancePolicy = 'run' | 'skip'

export interface Trigger {
  /** uuid */
  id: string
  name: string
  /** a shell command, or a Procfile process type with optional arguments */
  command: string
  /** recurring: the schedule as the user wrote it (cron, macro or Heroku Scheduler phrase) */
  schedule: null | string
  /** one-off: the instant to run at, ISO 8601 UTC */
  at: null | string
  timezone: string
  state: TriggerState
  /** dyno size as Heroku names it (Standard-1X); null means the app's default */
  size: null | string
  /** seconds, passed as the dyno's time_to_live */
  timeout: number
  concurrency: Concurrency
  /** seconds; null means the default, the smaller of the schedule's period and one hour */
  catchUp: null | number
  /** seconds of deterministic delay at most */
  jitter: number
  retries: number
  maintenance: MaintenancePolicy
  env: Record<string, string>
  /** why it was deactivated */
  note: null | string
  /** a failure email on the first failed run of each day */
  failureEmail: boolean
  createdAt: string
  updatedAt: string
}

/** Every field a trigger has before the user says otherwise (stores may leave these out). */
export const TRIGGER_DEFAULTS: Omit<Trigger, 'command' | 'createdAt' | 'id' | 'name' | 'updatedAt'> = {
  at: null,
  catchUp: null,
  concurrency: 'forbid',
  env: {},
  failureEmail: true,
  jitter: 0,
  maintenance: 'run',
  note: null,
  retries: 0,
  schedule: null,
  size: null,
  state: 'active',
  timeout: 1800,
  timezone: 'UTC',
}

export const LIMITS = {
  commandLength: 4096,
  maxJitter: 86_400,
  maxRetries: 10,
  maxTimeout: 86_400,
  nameLength: 150,
}

/** What the user asked for, flag by flag; undefined means "not given". */
export interface TriggerInput {
  at?: string
  catchUp?: string
  command?: string
  concurrency?: string
  env?: string[]
  failureEmail?: boolean
  jitter?: string
  maintenance?: string
  name?: string
  note?: string
  retries?: number
  schedule?: string
  size?: string
  state?: string
  timeout?: number
  timezone?: string
}

export interface Checked {
  trigger: Trigger
  warnings: string[]
}

export function scheduleOf(trigger: Pick<Trigger, 'at' | 'schedule' | 'timezone'>): Schedule {
  if (trigger.at) return {at: new Date(trigger.at), kind: 'at', timezone: trigger.timezone}
  return parseSchedule(trigger.schedule ?? '', trigger.timezone)
}

export function createTrigger(input: TriggerInput, existing: readonly Trigger[], now: Date, id: string = randomUUID()): Checked {
  if (input.name === undefined) throw new InvalidInputError('missing --name: give the trigger a name, e.g. --name "nightly report"')
  if (input.command === undefined) throw new InvalidInputError('missing --command: give the command to run, e.g. --command "bin/report" or a Procfile process type')
  if (input.schedule === undefined && input.at === undefined) {
    throw new InvalidInputError('missing --schedule or --at: give a cron schedule such as --schedule "0 9 * * 1-5", or a date such as --at "2026-12-24 18:00"')
  }

  const stamp = now.toISOString()
  const blank: Trigger = {...TRIGGER_DEFAULTS, command: '', createdAt: stamp, env: {}, id, name: '', updatedAt: stamp}
  return applyInput(blank, input, existing, now)
}

export function updateTrigger(trigger: Trigger, input: TriggerInput, existing: readonly Trigger[], now: Date): Checked {
  const {trigger: changed, warnings} = applyInput(trigger, input, existing, now)
  return {trigger: {...changed, updatedAt: now.toISOString()}, warnings}
}

function applyInput(base: Trigger, input: TriggerInput, existing: readonly Trigger[], now: Date): Checked {
  const warnings: string[] = []
  const t: Trigger = {...base, env: {...base.env}}

  if (input.schedule !== undefined && input.at !== undefined) {
    throw new InvalidInputError('--schedule and --at cannot be used together: use --schedule for a recurring trigger or --at for a one-off')
  }

  if (input.name !== undefined) t.name = checkName(input.name, existing, base.id)
  if (input.command !== undefined) t.command = checkCommand(input.command)
  if (input.timezone !== undefined) {
    const tz = checkTimezone(input.timezone)
    if (tz.warning) warnings.push(tz.warning)
    t.timezone = tz.zone
  }

  if (input.schedule !== undefined) {
    const parsed = parseSchedule(input.schedule, t.timezone)
    t.schedule = parsed.kind === 'cron' ? parsed.source : input.schedule.trim()
    t.at = null
    if (t.state === 'completed') t.state = 'active'
  } else if (input.at !== undefined) {
    const at = parseAt(input.at, t.timezone, now)
    if (at.kind === 'at') t.at = at.at.toISOString()
    t.schedule = null
    if (t.state === 'completed') t.state = 'active'
  } else if (input.timezone !== undefined && t.schedule !== null) {
    // the schedule is read in the new timezone: check it still makes sense there
    parseSchedule(t.schedule, t.timezone)
  }

  if (input.size !== undefined) t.size = checkSizeSyntax(input.size)
  if (input.timeout !== undefined) t.timeout = checkTimeout(input.timeout)
  if (input.concurrency !== undefined) t.concurrency = oneOf('--concurrency', input.concurrency, ['allow', 'forbid', 'replace'])
  if (input.maintenance !== undefined) t.maintenance = oneOf('--maintenance', input.maintenance, ['run', 'skip'])
  if (input.catchUp !== undefined) t.catchUp = parseDuration('--catch-up', input.catchUp, {max: 7 * 86_400, min: 0})
  if (input.jitter !== undefined) t.jitter = parseDuration('--jitter', input.jitter, {max: LIMITS.maxJitter, min: 0})
  if (input.retries !== undefined) t.retries = checkRetries(input.retries)
  if (input.env !== undefined) t.env = {...t.env, ...parseEnv(input.env)}
  if (input.failureEmail !== undefined) t.failureEmail = input.failureEmail
  if (input.state !== undefined) {
    t.state = oneOf('--state', input.state, ['active', 'inactive'])
    if (t.state === 'active') t.note = null
  }

  if (input.note !== undefined) t.note = input.note

  return {trigger: t, warnings}
}

export function checkName(name: string, existing: readonly Trigger[], selfId?: string): string {
  const trimmed = name.trim()
  if (trimmed.length === 0 || trimmed.length > LIMITS.nameLength || /\p{Cc}/u.test(trimmed)) {
    throw new InvalidInputError(`invalid --name ${JSON.stringify(name)}: a name is 1-${LIMITS.nameLength} characters on one line, e.g. --name "nightly report"`)
  }

  const clash = existing.find(t => t.id !== selfId && t.name.toLowerCase() === trimmed.toLowerCase())
  if (clash) throw new ConflictError(`a trigger named "${clash.name}" already exists (${clash.id}): choose another --name or update that one with triggers:update`)
  return trimmed
}

function checkCommand(command: string): string {
  const trimmed = command.trim()
  if (trimmed.length === 0) throw new InvalidInputError('empty --command: give the command to run, e.g. --command "bin/report"')
  if (trimmed.length > LIMITS.commandLength) throw new InvalidInputError(`--command is ${trimmed.length} characters, over the limit of ${LIMITS.commandLength}: move the work into a script and run that`)
  return trimmed
}

export function checkTimeout(timeout: number): number {
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > LIMITS.maxTimeout) {
    throw new InvalidInputError(`--timeout must be 1..${LIMITS.maxTimeout} seconds, got ${timeout}`)
  }

  return timeout
}

function checkRetries(retries: number): number {
  if (!Number.isInteger(retries) || retries < 0 || retries > LIMITS.maxRetries) {
    throw new InvalidInputError(`--retries must be 0..${LIMITS.maxRetries}, got ${retries}`)
  }

  return retries
}

/** Only the shape here; whether the app can use the size is the platform's question. */
function checkSizeSyntax(size: string): string {
  const trimmed = size.trim()
  if (!/^[A-Za-z][\w-]{0,40}$/.test(trimmed)) throw new InvalidInputError(`invalid --size ${JSON.stringify(size)}: give a dyno size such as basic, standard-1x or performance-m`)
  return trimmed
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const lower = value.trim().toLowerCase()
  const hit = allowed.find(a => a === lower)
  if (!hit) throw new InvalidInputError(`invalid ${flag} ${JSON.stringify(value)}: use one of ${allowed.join(', ')}`)
  return hit
}

const UNITS: Record<string, number> = {d: 86_400, h: 3600, m: 60, s: 1}

/** `90`, `90s`, `15m`, `1h`, `2d` → seconds. */
export function parseDuration(flag: string, value: string, range: {max: number; min: number}): number {
  const match = /^\s*(\d+)\s*([dhms]?)\s*$/i.exec(value)
  if (!match) throw new InvalidInputError(`invalid ${flag} ${JSON.stringify(value)}: give seconds or a duration such as 30s, 15m or 1h`)
  const seconds = Number(match[1]) * UNITS[(match[2] || 's').toLowerCase()]
  if (seconds < range.min || seconds > range.max) {
    throw new InvalidInputError(`${flag} must be between ${range.min} and ${range.max} seconds, got ${seconds}`)
  }

  return seconds
}

export function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    const key = eq === -1 ? pair : pair.slice(0, eq)
    if (eq === -1 || !/^\w+$/.test(key)) {
      throw new InvalidInputError(`invalid --env ${JSON.stringify(pair)}: write KEY=value, with a key of letters, digits and underscores`)
    }

    env[key] = pair.slice(eq + 1)
  }

  return env
}

/**
 * A trigger is named by its id, its name, or a unique prefix of its id.
 * Exact matches win over prefixes, so a name that looks like an id prefix still works.
 */
export function resolveTrigger(triggers: readonly Trigger[], ref: string): Trigger {
  const wanted = ref.trim()
  const lower = wanted.toLowerCase()
  const exact = triggers.find(t => t.id === lower) ?? triggers.find(t => t.name === wanted) ?? triggers.find(t => t.name.toLowerCase() === lower)
  if (exact) return exact
  const byPrefix = lower.length >= 4 && /^[\da-f-]+$/.test(lower) ? triggers.filter(t => t.id.startsWith(lower)) : []
  if (byPrefix.length === 1) return byPrefix[0]
  if (byPrefix.length > 1) {
    throw new NotFoundError(`"${ref}" is ambiguous: it starts ${byPrefix.length} trigger ids (${byPrefix.slice(0, 3).map(t => t.id.slice(0, 8)).join(', ')}...): give more of the id, or the name`)
  }

  throw new NotFoundError(`no trigger "${ref}": name a trigger by its id, a unique id prefix (4+ characters) or its name; list them with heroku triggers`)
}

/** Activation is idempotent: `changed` says whether anything moved. */
export function setState(trigger: Trigger, state: 'active' | 'inactive', note: null | string, now: Date): {changed: boolean; trigger: Trigger} {
  if (state === 'active' && trigger.at && new Date(trigger.at) <= now) {
    throw new InvalidInputError(`${trigger.name} was a one-off for ${trigger.at}, which has passed: give it a new time with triggers:update ${trigger.name} --at "YYYY-MM-DD HH:MM"`)
  }

  const nextNote = state === 'active' ? null : (note ?? trigger.note)
  if (trigger.state === state && trigger.note === nextNote) return {changed: false, trigger}
  return {changed: true, trigger: {...trigger, note: nextNote, state, updatedAt: now.toISOString()}}
}
