// A trigger's history where people look for it: its last run in `triggers`, its recent runs and its
// 7-day numbers in `triggers:info`. Pure: the caller brings the merged history and the metrics totals.
import type {MetricsReport} from './metrics.js'
import type {Run} from './runs.js'

import {runTime, type RunView, selectRuns} from './history.js'

export interface LastRun {
  id: string
  state: Run['state']
  exitStatus: null | number
  endedAt: null | string
}

export interface TriggerStats {
  runs: number
  successRate: null | number
  p95DurationMs: null | number
}

/** Each trigger's newest run (by its nominal time, else when it was first seen). */
export function lastRuns(runs: readonly Run[]): Map<string, LastRun> {
  const newest = new Map<string, Run>()
  for (const run of runs) {
    if (!run.triggerId) continue
    const had = newest.get(run.triggerId)
    if (!had || (runTime(run) || 0) > (runTime(had) || 0)) newest.set(run.triggerId, run)
  }

  return new Map([...newest].map(([id, r]) => [id, {id: r.id, state: r.state, exitStatus: r.exitStatus, endedAt: r.endedAt}]))
}

export function recentRuns(runs: Run[], names: ReadonlyMap<string, string>, triggerId: string, count = 5): RunView[] {
  return selectRuns(runs, names, {limit: count, triggerId})
}

export function statsOf(totals: MetricsReport['totals']): TriggerStats {
  return {runs: totals.runs, successRate: totals.successRate, p95DurationMs: totals.durationMs.p95}
}
