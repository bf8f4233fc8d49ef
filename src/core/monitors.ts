// A monitor: an alert rule over runs (or dyno counts), with who to tell. Pure: checking what a user
// typed, and the views that never show a secret. Stored in the definitions' `monitors` list.
import {createHash} from 'node:crypto'

import type {Trigger} from './trigger.js'

import {ConflictError, InvalidInputError, NotFoundError} from './errors.js'
import {parseFilter} from './filter.js'
import {parseDuration, resolveTrigger} from './trigger.js'

export const MONITOR_TYPES = ['job-failure', 'job-interruption', 'job-execution-time', 'job-concurrency', 'scheduler-concurrency', 'missed-run', 'memory'] as const
export type MonitorType = typeof MONITOR_TYPES[number]

export interface Monitor {
  id: string
  name: string
  type: MonitorType
  /** the trigger's id, or null (every run, or those matching `filter`) */
  trigger: null | string
  filter: null | string
  /** seconds (execution time), dynos (concurrency), % of quota (memory); null where the type has none */
  threshold: null | number
  /** seconds (missed-run) */
  grace: null | number
  sensitivity: number
  /** null: the app's owner and collaborators; [] (--email none): no email */
  email: null | string[]
  webhooks: string[]
  secret: null | string
  /** seconds between reminders while an alert stays open, or null */
  renotify: null | number
  paused: boolean
  createdAt: string
  updatedAt: string
}

export interface MonitorInput {
  name?: string
  type?: string
  trigger?: string
  filter?: string
  threshold?: number
  grace?: string
  sensitivity?: number
  email?: string
  webhook?: string[]
  secret?: string
  renotify?: string
}

const THRESHOLDS: Partial<Record<MonitorType, {max: number; min: number; unit: string}>> = {
  'job-concurrency': {max: 10_000, min: 1, unit: 'dynos'},
  'job-execution-time': {max: 86_400, min: 1, unit: 'seconds'},
  memory: {max: 100, min: 1, unit: '% of the memory quota'},
  'scheduler-concurrency': {max: 10_000, min: 1, unit: 'dynos'},
}

export const DEFAULT_GRACE_S = 120
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/

export function monitorsOf(stored: readonly unknown[]): Monitor[] {
  return stored.filter((m): m is Monitor => typeof m === 'object' && m !== null && typeof (m as Monitor).id === 'string' && typeof (m as Monitor).type === 'string')
}

export function resolveMonitor(monitors: readonly Monitor[], ref: string): Monitor {
  const found = monitors.find(m => m.id === ref || m.name === ref) ?? monitors.find(m => m.id.startsWith(ref))
  if (!found) throw new NotFoundError(`no monitor ${JSON.stringify(ref)}: heroku monitors lists them`)
  return found
}

function checkUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new InvalidInputError(`--webhook must be an http(s) URL, got ${JSON.stringify(url)}`)
  }

  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidInputError(`--webhook must be an http(s) URL, got ${parsed.protocol} URL`)
  return url
}

function checkEmails(value: string): string[] {
  if (value === 'none') return []
  const list = value.split(',').map(s => s.trim()).filter(Boolean)
  for (const address of list) {
    if (!EMAIL.test(address)) throw new InvalidInputError(`--email takes addresses separated by commas (a@example.com,b@example.com) or none, got ${JSON.stringify(address)}`)
  }

  if (list.length === 0) throw new InvalidInputError('--email takes addresses separated by commas (a@example.com,b@example.com) or none')
  return list
}

/** Applies what the user typed to a monitor (new or existing); every check happens before anything is written. */
export function applyMonitorInput(base: Monitor | null, input: MonitorInput, monitors: readonly Monitor[], triggers: readonly Trigger[], now: Date, id: string): Monitor {
  const at = now.toISOString()
  if (!base && !input.name) throw new InvalidInputError('missing --name: give the monitor a name, e.g. --name "nightly report fails"')
  if (!base && !input.type) throw new InvalidInputError(`missing --type: one of ${MONITOR_TYPES.join(', ')}`)
  const type = (input.type ?? base!.type) as MonitorType
  if (!MONITOR_TYPES.includes(type)) throw new InvalidInputError(`unknown --type ${JSON.stringify(input.type)}: use one of ${MONITOR_TYPES.join(', ')}`)
  const name = (input.name ?? base!.name).trim()
  if (!name) throw new InvalidInputError('--name must not be empty')
  if (monitors.some(m => m.name === name && m.id !== base?.id)) throw new ConflictError(`a monitor named ${JSON.stringify(name)} already exists: choose another --name`)
  if (input.trigger !== undefined && input.filter !== undefined) throw new InvalidInputError('--trigger and --filter cannot go together: a monitor targets one trigger, or the runs a filter matches')
  const trigger = input.trigger === undefined ? (input.filter === undefined ? base?.trigger ?? null : null) : resolveTrigger(triggers, input.trigger).id
  let filter = input.filter === undefined ? (input.trigger === undefined ? base?.filter ?? null : null) : input.filter
  if (filter !== null) {
    parseFilter(filter)
    if (filter.trim() === '') filter = null
  }

  if ((type === 'job-concurrency' || type === 'missed-run') && trigger === null) throw new InvalidInputError(`a ${type} monitor needs --trigger: name the trigger it watches`)
  if (type === 'scheduler-concurrency' && (trigger !== null || filter !== null)) throw new InvalidInputError('a scheduler-concurrency monitor counts every one-off dyno of the app: leave out --trigger and --filter')
  const range = THRESHOLDS[type]
  let threshold = input.threshold ?? (base?.type === type ? base.threshold : null)
  if (range) {
    if (threshold === null) throw new InvalidInputError(`a ${type} monitor needs --threshold (${range.min}..${range.max} ${range.unit})`)
    if (!Number.isInteger(threshold) || threshold < range.min || threshold > range.max) throw new InvalidInputError(`--threshold must be ${range.min}..${range.max} ${range.unit} for ${type}, got ${threshold}`)
  } else {
    if (input.threshold !== undefined) throw new InvalidInputError(`a ${type} monitor takes no --threshold`)
    threshold = null
  }

  let grace: null | number = null
  if (type === 'missed-run') grace = input.grace === undefined ? base?.grace ?? DEFAULT_GRACE_S : parseDuration('--grace', input.grace, {max: 86_400, min: 1})
  else if (input.grace !== undefined) throw new InvalidInputError('--grace is for missed-run monitors only')
  const sensitivity = input.sensitivity ?? base?.sensitivity ?? 1
  if (!Number.isInteger(sensitivity) || sensitivity < 1 || sensitivity > 100) throw new InvalidInputError(`--sensitivity must be 1..100, got ${sensitivity}`)
  const email = input.email === undefined ? base?.email ?? null : checkEmails(input.email)
  const webhooks = input.webhook === undefined ? base?.webhooks ?? [] : input.webhook.map(u => checkUrl(u))
  const secret = input.secret === undefined ? base?.secret ?? null : (input.secret === '' ? null : input.secret)
  const renotify = input.renotify === undefined ? base?.renotify ?? null : (input.renotify === 'off' ? null : parseDuration('--renotify', input.renotify, {max: 7 * 86_400, min: 60}))
  const kept = {createdAt: base?.createdAt ?? at, id: base?.id ?? id, paused: base?.paused ?? false}
  return {...kept, email, filter, grace, name, renotify, secret, sensitivity, threshold, trigger, type, updatedAt: at, webhooks}
}

/** A webhook URL up to its host: its path is a secret (Slack's is the credential). */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}/…`
  } catch {
    return '…'
  }
}

export interface MonitorView {
  id: string
  name: string
  type: MonitorType
  trigger: null | string
  filter: null | string
  threshold: null | number
  grace: null | number
  sensitivity: number
  notify: {email: string[]; webhook: string[]}
  signed: boolean
  state: 'alerting' | 'ok' | 'paused'
  createdAt: string
  updatedAt: string
}

export function viewMonitor(monitor: Monitor, triggerNames: ReadonlyMap<string, string>, alerting: boolean, defaultRecipients = 'owner and collaborators'): MonitorView {
  return {
    createdAt: monitor.createdAt,
    filter: monitor.filter,
    grace: monitor.grace,
    id: monitor.id,
    name: monitor.name,
    notify: {email: monitor.email ?? [defaultRecipients], webhook: monitor.webhooks.map(u => maskUrl(u))},
    sensitivity: monitor.sensitivity,
    signed: monitor.secret !== null,
    state: monitor.paused ? 'paused' : (alerting ? 'alerting' : 'ok'),
    threshold: monitor.threshold,
    trigger: monitor.trigger === null ? null : triggerNames.get(monitor.trigger) ?? monitor.trigger,
    type: monitor.type,
    updatedAt: monitor.updatedAt,
  }
}

/** Ids that are the same on every machine for the same thing (an alert, a notification). */
export function stableId(...parts: Array<number | string>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20)
}
