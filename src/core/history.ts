// The run history a user sees: what this machine recorded, merged with what the app's log stream
// still holds (runs fired by a clock elsewhere, Heroku Scheduler's and run:detached's dynos),
// settled, filtered and ordered. Pure: the caller brings the runs, the lines and `now`.
import type {Filter} from './filter.js'

import {InvalidInputError, NotFoundError} from './errors.js'
import {matches} from './filter.js'
import {type LifecycleEvent, parseLine, toEvent} from './lifecycle.js'
import {reconcile, type Run, settle, triggerIdsByDynoType} from './runs.js'
import {parseDuration} from './trigger.js'

export interface RunView {
  id: string
  trigger: null | string
  triggerId: null | string
  source: Run['source']
  dyno: null | string
  command: null | string
  size: null | string
  state: Run['state']
  exitStatus: null | number
  reason: null | string
  attempt: number
  retryOf: null | string
  nominalAt: null | string
  requestedAt: null | string
  startedAt: null | string
  endedAt: null | string
  durationMs: null | number
  lagMs: null | number
  peakMemoryMb: null | number
  memoryQuotaMb: null | number
}

export function eventsOf(lines: Iterable<string>): LifecycleEvent[] {
  const events: LifecycleEvent[] = []
  for (const raw of lines) {
    const line = parseLine(raw)
    if (line) events.push(toEvent(line))
  }

  return events
}

/**
 * Stored runs and log events become one history: events bind to runs by dyno, new dynos become
 * runs, and runs whose exit line cannot come any more are settled (never as a success).
 */
export function mergeHistory(stored: Run[], events: LifecycleEvent[], triggers: ReadonlyArray<{id: string}>, now: number, aliveDynos: null | ReadonlySet<string>): Run[] {
  const merged = reconcile(stored, events, triggerIdsByDynoType(triggers))
  return merged.map(run => settle(run, now, {dynoGone: aliveDynos !== null && run.dyno !== null && !aliveDynos.has(run.dyno)}))
}

/** When a run happened, for ordering and --since: its nominal time, else the first time seen. */
export function runTime(run: Pick<Run, 'endedAt' | 'nominalAt' | 'requestedAt' | 'startedAt'>): number {
  const iso = run.nominalAt ?? run.requestedAt ?? run.startedAt ?? run.endedAt
  return iso ? Date.parse(iso) : Number.NaN
}

export function viewRun(run: Run, names: ReadonlyMap<string, string>): RunView {
  // the same execution time as metrics: from the dyno's Starting process line to its exit line
  const started = Date.parse(run.startedAt ?? run.upAt ?? '')
  const ended = Date.parse(run.endedAt ?? '')
  const began = Date.parse(run.startedAt ?? run.requestedAt ?? '')
  const nominal = Date.parse(run.scheduledAt ?? run.nominalAt ?? '')
  return {
    id: run.id,
    trigger: run.triggerId ? names.get(run.triggerId) ?? null : run.source === 'scheduler' ? 'Heroku Scheduler' : null,
    triggerId: run.triggerId,
    source: run.source,
    dyno: run.dyno,
    command: run.command,
    size: run.size,
    state: run.state,
    exitStatus: run.exitStatus,
    reason: run.reason,
    attempt: run.attempt,
    retryOf: run.retryOf,
    nominalAt: run.nominalAt,
    requestedAt: run.requestedAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, ended - started) : null,
    lagMs: Number.isFinite(nominal) && Number.isFinite(began) ? began - nominal : null,
    peakMemoryMb: run.peakMemoryMb,
    memoryQuotaMb: run.memoryQuotaMb,
  }
}

export interface RunQuery {
  filter?: Filter
  since?: number
  triggerId?: string
  limit?: number
}

/** Newest first; --trigger, --since and the filter language; at most `limit`. */
export function selectRuns(runs: Run[], names: ReadonlyMap<string, string>, query: RunQuery): RunView[] {
  const picked: Run[] = []
  for (const run of runs) {
    if (query.triggerId && run.triggerId !== query.triggerId) continue
    const at = runTime(run)
    if (query.since !== undefined && !(at >= query.since)) continue
    if (query.filter && !matches(query.filter, {
      command: run.command, dyno: run.dyno, name: run.triggerId ? names.get(run.triggerId) ?? null : null,
      size: run.size, state: run.state, trigger: run.triggerId,
    })) continue
    picked.push(run)
  }

  picked.sort((a, b) => (runTime(b) || 0) - (runTime(a) || 0))
  return picked.slice(0, query.limit ?? picked.length).map(run => viewRun(run, names))
}

/** --since (or `flag`, e.g. --until): a duration back from `now` (2h, 7d, 90m) or a date in UTC (YYYY-MM-DD[ HH:MM]). */
export function parseSince(value: string, now: Date, flag = '--since'): number {
  const text = value.trim()
  if (/^\d+\s*[dhms]?$/i.test(text)) return now.getTime() - parseDuration(flag, text, {max: 366 * 86_400, min: 0}) * 1000
  const date = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}))?$/.exec(text)
  const at = date ? Date.parse(`${date[1]}T${date[2] ?? '00:00'}:00Z`) : Date.parse(text)
  if (Number.isNaN(at)) throw new InvalidInputError(`invalid ${flag} ${JSON.stringify(value)}: give a duration such as 2h or 7d, or a date such as 2026-11-23`)
  return at
}

/** A run named by its id, its dyno, or a unique prefix of its id. */
export function resolveRun(runs: readonly Run[], ref: string): Run {
  const wanted = ref.trim()
  const exact = runs.find(r => r.id === wanted) ?? runs.filter(r => r.dyno === wanted).sort((a, b) => (runTime(b) || 0) - (runTime(a) || 0))[0]
  if (exact) return exact
  const prefixed = runs.filter(r => r.id.startsWith(wanted))
  if (prefixed.length === 1) return prefixed[0]
  if (prefixed.length > 1) throw new NotFoundError(`"${ref}" matches ${prefixed.length} runs: give the whole run id or the dyno name (see heroku runs)`)
  throw new NotFoundError(`no run "${ref}" in the history: name a run by its id or its dyno (see heroku runs)`)
}

/** The log lines of one run's dyno, in time order, from its start to its end. */
export function linesOfRun(run: Run, lines: readonly string[]): string[] {
  if (!run.dyno) return []
  const from = Date.parse(run.startedAt ?? run.requestedAt ?? '') - 60_000
  const to = Date.parse(run.endedAt ?? '') + 60_000
  const picked: Array<{at: number; micros: number; raw: string}> = []
  for (const raw of lines) {
    const line = parseLine(raw)
    if (!line || line.dyno !== run.dyno) continue
    if (Number.isFinite(from) && line.time < from) continue
    if (Number.isFinite(to) && line.time > to) continue
    picked.push({at: line.time, micros: line.micros, raw})
  }

  return picked.sort((a, b) => a.at - b.at || a.micros - b.micros).map(p => p.raw)
}
