// How triggers look in a terminal: a table for the list, a styled object for one.
import {hux} from '@heroku/heroku-cli-util'
import * as color from '@heroku/heroku-cli-util/color'

import type {RunView} from '../core/history.js'
import type {RetryView} from '../core/retries.js'
import type {LastRun, TriggerStats} from '../core/trigger-history.js'
import type {TriggerView} from '../core/views.js'

import {count} from './count.js'
import {duration, retryText, stateText as runStateText, runTable} from './runs.js'

export function stateText(state: string): string {
  if (state === 'active') return color.success(state)
  if (state === 'completed') return color.info(state)
  return color.inactive(state)
}

/** "2026-11-24 09:30 UTC" in the trigger's own zone; the list should read like a wall clock. */
export function wallClock(iso: null | string, timezone: string): string {
  if (!iso) return ''
  const parts = new Intl.DateTimeFormat('en-CA', {
    day: '2-digit', hour: '2-digit', hourCycle: 'h23', minute: '2-digit', month: '2-digit', timeZone: timezone, timeZoneName: 'short', year: 'numeric',
  }).formatToParts(new Date(iso))
  const part = (type: string) => parts.find(p => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`
}

/** "failed (exit 1)", "running", or nothing before the first run. */
function lastRunText(last: LastRun | null | undefined): string {
  if (!last) return ''
  return `${runStateText(last.state)}${last.exitStatus === null ? '' : ` (exit ${last.exitStatus})`}`
}

export function triggerTable(views: Array<TriggerView & {lastRun?: LastRun | null}>): void {
  hux.table(views as unknown as Record<string, unknown>[], {
    id: {get: row => String(row.id).slice(0, 8), header: 'ID'},
    name: {header: 'Name'},
    state: {get: row => stateText(String(row.state)), header: 'State'},
    schedule: {get: row => (row as unknown as TriggerView).description, header: 'Schedule'},
    size: {get: row => row.size ?? 'default', header: 'Size'},
    next: {get: row => wallClock(row.nextRunAt as null | string, String(row.timezone)), header: 'Next run'},
    last: {get: row => lastRunText(row.lastRun as LastRun | null | undefined), header: 'Last run'},
    command: {get: row => color.command(String(row.command)), header: 'Command', extended: true},
  })
}

export function triggerDetails(view: TriggerView, nextRuns: Date[], retry: null | RetryView = null): void {
  hux.styledHeader(`${view.name} (${stateText(view.state)})`)
  const details: Record<string, unknown> = {
    ID: view.id,
    Command: view.command,
    Schedule: view.kind === 'one-off' ? view.description : `${view.schedule} — ${view.description}`,
    Size: view.size ?? 'default',
    Timeout: `${view.timeout}s`,
    Concurrency: view.concurrency,
    'Catch-up': view.catchUp === null ? 'default' : `${view.catchUp}s`,
    Jitter: `${view.jitter}s`,
    Retries: view.retries,
    'Next attempt': retryText(retry),
    Maintenance: view.maintenance,
    'Failure email': view.failureEmail ? 'on' : 'off',
    Env: Object.keys(view.env).length > 0 ? Object.entries(view.env).map(([k, v]) => `${k}=${v}`).join(' ') : undefined,
    Note: view.note ?? undefined,
    Created: view.createdAt,
    Updated: view.updatedAt,
    'Next runs': nextRuns.length > 0 ? nextRuns.map(d => wallClock(d.toISOString(), view.timezone)) : 'none',
  }
  hux.styledObject(details)
}

/** Its numbers over 7 days, then its last runs as `runs` lists them. */
export function triggerHistory(recent: RunView[], stats: TriggerStats): void {
  const rate = stats.successRate === null ? '' : `, ${(stats.successRate * 100).toFixed(1)}% succeeded, p95 ${duration(stats.p95DurationMs) || '–'}`
  hux.styledHeader(`Last 7 days: ${count(stats.runs, 'run')}${rate}`)
  runTable(recent, recent.length === 0 ? 'No runs yet.' : undefined)
}
