// Gathers what `metrics` draws: the store's rollups for the span (or, for a filter the rollups cannot
// answer, the raw runs of the span), plus what the log stream still holds and the runs still going;
// the numbers are the core's (src/core/metrics.ts).
import type {Context} from '../context.js'
import type {Run} from '../core/runs.js'

import {type Filter, matches} from '../core/filter.js'
import {eventsOf, mergeHistory} from '../core/history.js'
import {ALL, bucketsOf, type Lane, lanesOf, mergeRollups, type MetricsReport, planSpan, type Rollup, rollupsOfRun, statesFor} from '../core/metrics.js'
import {isTerminal} from '../core/runs.js'
import {readBacklog, type Sources} from '../runs/load.js'

export interface MetricsQuery {
  filter?: Filter
  resolution?: string
  since?: number
  until?: number
  triggerId?: string
}

export interface MetricsJson extends MetricsReport {
  app: string
  filter: null | string
}

export interface Metrics {
  json: MetricsJson
  lanes: Lane[]
}

export function metricsOf(input: {
  app: string; filterText: null | string; now: number; query: MetricsQuery
  /** the runs the store's rollups do not hold (log-only, still going), or, with a filter, every run of the span */
  runs: readonly Run[]; stored: ReadonlySet<string>; rollups: null | readonly Rollup[]
  names: ReadonlyMap<string, string>
}): Metrics {
  const {now, query} = input
  const span = planSpan(query, now)
  const picked = input.runs.filter(run => (!query.triggerId || run.triggerId === query.triggerId) && (!query.filter || matches(query.filter, {
    command: run.command, dyno: run.dyno, name: run.triggerId ? input.names.get(run.triggerId) ?? null : null, size: run.size, state: run.state, trigger: run.triggerId,
  })))
  // from raw runs: every one of them; beside the rollups: only what they cannot hold yet
  const extra = input.rollups === null ? picked : picked.filter(run => !isTerminal(run.state) || !input.stored.has(run.id))
  // the store's rollups come merged: merge again only when runs add to them
  const rollups = extra.length === 0 && input.rollups ? input.rollups : mergeRollups([...(input.rollups ?? []), ...extra.flatMap(run => rollupsOfRun(run, ALL, now))])
  const report = bucketsOf(rollups, span)
  return {
    json: {app: input.app, from: report.from, to: report.to, resolution: report.resolution, filter: input.filterText, buckets: report.buckets, totals: report.totals},
    lanes: lanesOf(picked, span.from, span.to),
  }
}

export async function loadMetrics(context: Context, query: MetricsQuery, filterText: null | string, sources: Sources = {}): Promise<Metrics> {
  const now = context.now().getTime()
  const span = planSpan(query, now)
  const [definitions, backlog, recent, rollups] = await Promise.all([
    sources.definitions ?? context.store.read(),
    sources.backlog ?? readBacklog(context),
    // a filter the rollups cannot answer reads the span's runs; else the newest are enough (what is still going)
    context.history.latest(query.filter ? {since: span.from, states: statesFor(query.filter) ?? undefined} : {limit: 1000}),
    query.filter ? null : context.history.rollups({since: span.from, triggerId: query.triggerId, until: span.to}),
  ])
  const stored = new Set<string>()
  for (const run of recent.values()) if (isTerminal(run.state)) stored.add(run.id)
  const runs = mergeHistory([...recent.values()], eventsOf(backlog.lines), definitions.triggers, now, backlog.alive)
  const names = new Map(definitions.triggers.map(t => [t.id, t.name]))
  return metricsOf({app: context.app, filterText, names, now, query, rollups, runs, stored})
}
