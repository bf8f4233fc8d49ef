// Monitors in the schedule file. Pure: a monitor becomes an entry (only what differs from the
// defaults, never its secrets) and an entry becomes a monitor through monitors:create's checks. A
// secret stays out of the file: `${NAME}` reads it from the environment of triggers:apply, and what
// export masks (a webhook up to its host, `signed: true`) means "keep what the app has".
import type {Trigger} from './trigger.js'

import {InvalidInputError, TriggersError} from './errors.js'
import {applyMonitorInput, DEFAULT_GRACE_S, maskUrl, type Monitor, type MonitorInput, type MonitorType} from './monitors.js'
import {distance, fieldReaders, type FileProblem, formatDuration, idFor, inFileTerms, type ParsedEntry} from './schedule-file.js'

/** A monitor as the file writes it: only what differs from the defaults, with `trigger` by name. */
export interface FileMonitor {
  type: MonitorType
  trigger?: string
  filter?: string
  threshold?: number
  grace?: string
  sensitivity?: number
  /** none: no email; absent: the app's owner and collaborators */
  email?: 'none' | string[]
  /** full URLs, `${NAME}` from the environment, or as export masks them (kept as the app has them) */
  webhooks?: string[]
  /** `${NAME}` from the environment (export writes signed: true instead) */
  secret?: string
  /** keep the secret the monitor has on the app */
  signed?: true
  renotify?: string
  paused?: true
}

export const MONITOR_FIELDS = ['type', 'trigger', 'filter', 'threshold', 'grace', 'sensitivity', 'email', 'webhooks', 'secret', 'signed', 'renotify', 'paused'] as const
type MonitorField = typeof MONITOR_FIELDS[number]

/** The flag each field stands for, so monitors:create's messages speak the file's language. */
const FLAG_OF: Record<string, string> = {
  email: 'email', filter: 'filter', grace: 'grace', name: 'name', renotify: 'renotify', secret: 'secret',
  sensitivity: 'sensitivity', threshold: 'threshold', trigger: 'trigger', type: 'type', webhooks: 'webhook',
}

/** A monitor entry checked on its own, before it is compared with the app. */
export interface CheckedMonitor {
  name: string
  line: number
  /** monitors:create's input, all but the webhooks and the secret */
  input: MonitorInput
  /** full URLs, or masked ones to be matched with the app's */
  webhooks: string[]
  /** keep: the app's secret (signed: true) */
  secret: 'keep' | null | string
  paused: boolean
}

const ENV_REF = /^\$\{(\w+)\}$/
/** how the file names a value from the environment: ${NAME} */
const envRef = (name: string) => `$\{${name}}`
const MASKED = /^https?:\/\/[^/]+\/…$/

/** What the entries say, checked as far as it can be without the app; each bad entry is a problem at its line. */
export function checkMonitorEntries(entries: readonly ParsedEntry[], env: Readonly<Record<string, string | undefined>>): {checked: CheckedMonitor[]; problems: FileProblem[]} {
  const checked: CheckedMonitor[] = []
  const problems: FileProblem[] = []
  for (const entry of entries) {
    try {
      checked.push(checkMonitorEntry(entry, env))
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      problems.push({kind: 'monitor', line: entry.line, message: error.message, name: entry.name})
    }
  }

  return {checked, problems}
}

function checkMonitorEntry(entry: ParsedEntry, env: Readonly<Record<string, string | undefined>>): CheckedMonitor {
  const {value} = entry
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError('a monitor is a map of fields, e.g. "type: job-failure" and "trigger: nightly"')
  const fields = value as Record<string, unknown>
  for (const key of Object.keys(fields)) {
    if ((MONITOR_FIELDS as readonly string[]).includes(key)) continue
    if (key === 'name') throw new InvalidInputError('the name is the entry\'s key, not a field: remove "name:" and rename the key')
    const meant = key === 'webhook' ? 'webhooks' : MONITOR_FIELDS.find(f => distance(f.toLowerCase(), key.toLowerCase()) <= 2)
    throw new InvalidInputError(`unknown field ${JSON.stringify(key)}: ${meant ? `write ${meant}` : `the fields are ${MONITOR_FIELDS.join(', ')}`}`)
  }

  const given = (field: MonitorField) => fields[field] !== undefined && fields[field] !== null
  const {duration, integer, text} = fieldReaders<MonitorField>(fields)

  const fromEnv = (field: MonitorField, raw: string): string => {
    const ref = ENV_REF.exec(raw.trim())
    if (!ref) return raw
    const found = env[ref[1]]
    if (found === undefined || found === '') throw new InvalidInputError(`${field}: ${raw} is not set in the environment: set ${ref[1]} where triggers:apply runs (e.g. a CI secret)`)
    return found
  }

  if (!given('type')) throw new InvalidInputError('missing type: write e.g. type: job-failure')
  let email: string | undefined
  if (given('email')) {
    const v = fields.email
    const list = Array.isArray(v) ? v : [v]
    if (list.some(a => typeof a !== 'string')) throw new InvalidInputError(`email must be a list of addresses or none, got ${JSON.stringify(v)}: write e.g. email: [ops@example.com]`)
    email = list.join(',')
  }

  let webhooks: string[] = []
  if (given('webhooks')) {
    const v = fields.webhooks
    if (!Array.isArray(v) || v.some(u => typeof u !== 'string')) throw new InvalidInputError(`webhooks must be a list of URLs, got ${JSON.stringify(v)}: write e.g. webhooks: ["\${SLACK_WEBHOOK_URL}"]`)
    webhooks = (v as string[]).map(u => fromEnv('webhooks', u))
  }

  if (given('signed') && typeof fields.signed !== 'boolean') throw new InvalidInputError(`signed must be true or false, got ${JSON.stringify(fields.signed)}`)
  if (given('paused') && typeof fields.paused !== 'boolean') throw new InvalidInputError(`paused must be true or false, got ${JSON.stringify(fields.paused)}`)
  const rawSecret = text('secret', `"${envRef('WEBHOOK_SECRET')}"`)
  if (rawSecret !== undefined && fields.signed === true) throw new InvalidInputError('secret and signed: true cannot go together: signed keeps the app\'s secret, secret sets one; keep one of them')
  const secret = rawSecret === undefined ? (fields.signed === true ? 'keep' : null) : fromEnv('secret', rawSecret)
  const input: MonitorInput = {
    email,
    filter: text('filter', '"command:bin/report"'),
    grace: duration('grace', '5m'),
    name: entry.name,
    renotify: duration('renotify', '4h'),
    sensitivity: integer('sensitivity', '3'),
    threshold: integer('threshold', '600'),
    trigger: text('trigger', 'nightly'),
    type: text('type', 'job-failure'),
  }
  return {input, line: entry.line, name: entry.name, paused: fields.paused === true, secret, webhooks}
}

/**
 * The monitor an entry asks for, made with monitors:create's checks against the triggers the app
 * will have: masked webhooks and `signed` take what `current` has. Throws InvalidInputError.
 */
export function monitorOfEntry(entry: CheckedMonitor, current: Monitor | undefined, triggers: readonly Trigger[], now: Date, scope: string): Monitor {
  const used = new Set<string>()
  const webhooks = entry.webhooks.map(url => {
    if (!MASKED.test(url)) return url
    const kept = current?.webhooks.find(u => maskUrl(u) === url && !used.has(u))
    if (!kept) throw new InvalidInputError(`webhooks: ${url} is masked (as export writes it) and ${current ? 'the monitor has no other webhook on that host' : 'the monitor is not on the app yet'}: write the whole URL, or "\${NAME}" to read it from the environment`)
    used.add(kept)
    return kept
  })
  let {secret} = entry
  if (secret === 'keep') {
    secret = current?.secret ?? null
    if (secret === null) throw new InvalidInputError(`signed: true keeps the secret the monitor has on the app, and it has none: write secret: "${envRef('NAME')}" to read one from the environment, or leave signed out`)
  }

  let trigger: string | undefined
  if (entry.input.trigger !== undefined) {
    const wanted = entry.input.trigger.trim()
    const found = triggers.find(t => t.name === wanted) ?? triggers.find(t => t.name.toLowerCase() === wanted.toLowerCase())
    if (!found) throw new InvalidInputError(`trigger ${JSON.stringify(wanted)} is not a trigger of the app or the file: write the name of one under triggers:`)
    trigger = found.id
  }

  const input: MonitorInput = {...entry.input, secret: secret ?? '', trigger, webhook: webhooks}
  try {
    const made = applyMonitorInput(null, input, [], triggers, now, current?.id ?? idFor(entry.name, `${scope}\0monitor`))
    return {...made, createdAt: current?.createdAt ?? made.createdAt, paused: entry.paused}
  } catch (error) {
    if (error instanceof TriggersError) throw new InvalidInputError(inFileTerms(error.message, FLAG_OF))
    throw error
  }
}

/** Every field with what it means to a user, for comparing and for the plan (webhooks masked, the secret as set or not). */
export type MonitorFields = Record<Exclude<MonitorField, 'signed'>, unknown>

export function monitorFieldsOf(monitor: Monitor, triggerNames: ReadonlyMap<string, string>): MonitorFields {
  return {
    email: monitor.email === null ? null : (monitor.email.length === 0 ? 'none' : monitor.email),
    filter: monitor.filter,
    grace: monitor.grace === null ? null : formatDuration(monitor.grace),
    paused: monitor.paused,
    renotify: monitor.renotify === null ? null : formatDuration(monitor.renotify),
    secret: monitor.secret,
    sensitivity: monitor.sensitivity,
    threshold: monitor.threshold,
    trigger: monitor.trigger === null ? null : triggerNames.get(monitor.trigger) ?? monitor.trigger,
    type: monitor.type,
    webhooks: monitor.webhooks,
  }
}

/** How a field's value is shown: never a secret (a webhook's path is one). */
export function shownMonitorValue(field: keyof MonitorFields, value: unknown): unknown {
  if (field === 'webhooks') return (value as string[]).map(u => maskUrl(u))
  if (field === 'secret') return value === null ? null : 'set'
  return value
}

/** Monitors keyed by name, only what differs from the defaults, without their secrets. */
export function exportMonitors(monitors: readonly Monitor[], triggers: readonly Trigger[]): Record<string, FileMonitor> {
  const names = new Map(triggers.map(t => [t.id, t.name]))
  const out: Record<string, FileMonitor> = {}
  for (const monitor of [...monitors].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const fields = monitorFieldsOf(monitor, names)
    const entry: FileMonitor = {type: monitor.type}
    if (fields.trigger !== null) entry.trigger = fields.trigger as string
    if (monitor.filter !== null) entry.filter = monitor.filter
    if (monitor.threshold !== null) entry.threshold = monitor.threshold
    if (monitor.grace !== null && monitor.grace !== DEFAULT_GRACE_S) entry.grace = fields.grace as string
    if (monitor.sensitivity !== 1) entry.sensitivity = monitor.sensitivity
    if (fields.email !== null) entry.email = fields.email as FileMonitor['email']
    if (monitor.webhooks.length > 0) entry.webhooks = monitor.webhooks.map(u => maskUrl(u))
    if (monitor.secret !== null) entry.signed = true
    if (fields.renotify !== null) entry.renotify = fields.renotify as string
    if (monitor.paused) entry.paused = true
    out[monitor.name] = entry
  }

  return out
}
