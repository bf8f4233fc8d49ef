// The Postgres history's rollups (src/core/metrics.ts), kept in the transaction that records the
// runs: the runs recorded finished for the first time (runs.rolled_up still false) are added to
// their minutes' rows, which are read, merged and written back under the app's rollup lock.
import type {PoolClient} from 'pg'

import type {Run} from '../../core/runs.js'

import {mergeRollups, outcomeOf, type Rollup, rollupsOf} from '../../core/metrics.js'
import {SQL} from './sql.js'

export function finished(run: Run): boolean {
  return outcomeOf(run.state) !== null && Boolean(run.endedAt)
}

/** Call inside the transaction, after SQL.lockRollups and after the runs are written. */
export async function addRollups(client: PoolClient, app: string, runs: readonly Run[]): Promise<void> {
  const done = runs.filter(r => finished(r))
  if (done.length === 0) return
  const counted = new Set((await client.query<{id: string}>(SQL.countedRuns, [app, done.map(r => r.id)])).rows.map(r => r.id))
  const fresh = done.filter(r => !counted.has(r.id))
  if (fresh.length === 0) return
  const added = rollupsOf(fresh)
  const {rows} = await client.query<{doc: Rollup}>(SQL.rollupsAt, [app, added.map(r => r.key), added.map(r => r.at)])
  const merged = mergeRollups([...rows.map(r => r.doc), ...added])
  await client.query(SQL.putRollups, [app, JSON.stringify(merged)])
  await client.query(SQL.markRolledUp, [app, fresh.map(r => r.id)])
}
