// Gathers a history: runs recorded on this machine, the log backlog the app still holds, and
// which dynos are alive; the core merges them (src/core/history.ts).
import type {Context} from '../context.js'
import type {Run} from '../core/runs.js'

import {eventsOf, mergeHistory} from '../core/history.js'

export interface Loaded {
  runs: Run[]
  /** raw log lines read from the app, for runs:info */
  lines: string[]
  names: Map<string, string>
}

export async function loadHistory(context: Context, options: {since?: number; want?: number} = {}): Promise<Loaded> {
  const platform = context.dynos
  const want = options.want ?? Number.POSITIVE_INFINITY
  const [definitions, stored, lines, dynos] = await Promise.all([
    context.store.read(),
    context.history.latest({limit: Number.isFinite(want) ? want * 2 + 200 : undefined, since: options.since}),
    collect(platform.logLines({lines: 1500, tail: false}, new AbortController().signal)),
    platform.listDynos().catch(() => null),
  ])
  const names = new Map(definitions.triggers.map(t => [t.id, t.name]))
  // a one-off the API still lists as down or crashed has finished: it will not log an exit line any more
  const alive = dynos === null ? null : new Set(dynos.filter(d => d.state !== 'down' && d.state !== 'crashed').map(d => d.name))
  const runs = mergeHistory([...stored.values()], eventsOf(lines), definitions.triggers, context.now().getTime(), alive)
  return {lines, names, runs}
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const line of lines) out.push(line)
  return out
}
