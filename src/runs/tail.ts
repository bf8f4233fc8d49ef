// runs --tail: follows the log stream and reports each run's state changes as they happen.
import type {Context} from '../context.js'
import type {Filter} from '../core/filter.js'
import type {Loaded} from './load.js'

import {eventsOf, type RunView, selectRuns} from '../core/history.js'
import {reconcile, triggerIdsByDynoType} from '../core/runs.js'

export async function tailRuns(context: Context, history: Loaded, query: {filter?: Filter; triggerId?: string}, print: (view: RunView) => void): Promise<void> {
  const platform = context.dynos
  const controller = new AbortController()
  const stop = () => controller.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const lookup = triggerIdsByDynoType([...history.names.keys()].map(id => ({id})))
  let {runs} = history
  const seen = new Set(history.lines)
  try {
    for await (const raw of platform.logLines({lines: 0, tail: true}, controller.signal)) {
      if (seen.has(raw)) continue
      const before = new Map(runs.map(r => [r.id, r.state]))
      runs = reconcile(runs, eventsOf([raw]), lookup)
      const changed = runs.filter(r => before.get(r.id) !== r.state)
      for (const view of selectRuns(changed, history.names, query).reverse()) print(view)
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
