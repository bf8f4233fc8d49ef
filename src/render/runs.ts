// How runs look in a terminal: a table for the list, one line per change for --tail.
import {hux} from '@heroku/heroku-cli-util'
import * as color from '@heroku/heroku-cli-util/color'

import type {RunView} from '../core/history.js'
import type {RetryView} from '../core/retries.js'

import {count} from './count.js'

export function stateText(state: string): string {
  switch (state) {
    case 'succeeded': {
      return color.success(state)
    }

    case 'failed':
    case 'failed-to-start': {
      return color.failure(state)
    }

    case 'interrupted':
    case 'unknown':
    case 'missed': {
      return color.warning(state)
    }

    case 'skipped': {
      return color.inactive(state)
    }

    default: {
      return color.info(state)
    }
  }
}

export function duration(ms: null | number): string {
  if (ms === null) return ''
  if (ms < 1000) return `${ms}ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

function time(iso: null | string): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : ''
}

export function runTable(views: RunView[], empty?: string): void {
  if (empty) {
    process.stdout.write(`${empty}\n`)
    return
  }

  hux.table(views as unknown as Record<string, unknown>[], {
    trigger: {get: row => row.trigger ?? row.command ?? '', header: 'Trigger'},
    dyno: {header: 'Dyno'},
    state: {get: row => stateText(String(row.state)), header: 'State'},
    exit: {get: row => (row.exitStatus === null ? '' : String(row.exitStatus)), header: 'Exit'},
    nominal: {get: row => time(row.nominalAt as null | string), header: 'Nominal'},
    started: {get: row => time(row.startedAt as null | string), header: 'Started'},
    ended: {get: row => time(row.endedAt as null | string), header: 'Ended'},
    duration: {get: row => duration(row.durationMs as null | number), header: 'Duration'},
    lag: {get: row => duration(row.lagMs as null | number), header: 'Lag'},
    reason: {extended: true, get: row => row.reason ?? '', header: 'Reason'},
    id: {extended: true, header: 'Run'},
  })
}

export function runLine(view: RunView): string {
  const exit = view.exitStatus === null ? '' : ` exit ${view.exitStatus}`
  const why = view.reason ? ` (${view.reason})` : ''
  return `${time(view.endedAt ?? view.startedAt ?? view.requestedAt ?? view.nominalAt)} ${view.trigger ?? view.command ?? ''} ${view.dyno ?? ''} ${stateText(view.state)}${exit}${why}`
}

/** A failed run's retry plan in one line: "attempt 2 at 2026-11-23 11:00:13 UTC (2 attempts left)". */
export function retryText(retry: null | RetryView): string | undefined {
  if (retry === null) return undefined
  const left = `${count(retry.attemptsLeft, 'attempt')} left`
  switch (retry.status) {
    case 'done': {
      return `attempt ${retry.attempt} made: ${retry.runId} (${left})`
    }

    case 'dropped': {
      return `attempt ${retry.attempt} dropped: ${retry.reason?.replace(/^retry dropped: /, '')}`
    }

    case 'due': {
      return `attempt ${retry.attempt} at ${time(retry.nextAttemptAt)} (${left})`
    }

    default: {
      return 'none left (every attempt --retries allows was made)'
    }
  }
}

export function runDetails(view: RunView, run: {memoryErrors: string[]; peakLoad: null | number}, lines: string[], advice: string[], retry: null | RetryView = null): void {
  hux.styledHeader(`${view.trigger ?? view.command ?? 'run'} ${view.dyno ?? ''} (${stateText(view.state)})`)
  hux.styledObject({
    Run: view.id,
    Command: view.command ?? undefined,
    'Exit status': view.exitStatus ?? (view.state === 'failed-to-start' ? 'null (the dyno never ran)' : undefined),
    Reason: view.reason ?? undefined,
    Nominal: time(view.nominalAt) || undefined,
    Requested: time(view.requestedAt) || undefined,
    Started: time(view.startedAt) || undefined,
    Ended: time(view.endedAt) || undefined,
    Duration: duration(view.durationMs) || undefined,
    Lag: duration(view.lagMs) || undefined,
    Size: view.size ?? undefined,
    Attempt: view.attempt > 1 ? `${view.attempt} (retry of ${view.retryOf})` : undefined,
    'Next attempt': retryText(retry),
    'Peak memory': view.peakMemoryMb === null ? undefined : `${view.peakMemoryMb.toFixed(1)} MB${view.memoryQuotaMb ? ` of ${view.memoryQuotaMb.toFixed(0)} MB` : ''}${run.memoryErrors.length > 0 ? ` (${run.memoryErrors.join(', ')})` : ''}`,
    'Peak load': run.peakLoad ?? undefined,
  })
  const samples = lines.filter(l => l.includes('sample#memory') || l.includes('Process running mem='))
  const lifecycle = lines.filter(l => !samples.includes(l))
  if (lifecycle.length > 0) {
    hux.styledHeader('Lifecycle')
    for (const line of lifecycle) process.stdout.write(`${line}\n`)
  }

  if (samples.length > 0) {
    hux.styledHeader('Memory samples')
    for (const line of samples) process.stdout.write(`${line}\n`)
  }

  if (advice.length > 0) {
    hux.styledHeader('What to do')
    for (const line of advice) process.stdout.write(`${color.warning('›')} ${line}\n`)
  }
}
