// Gathers a history: runs recorded on this machine, the log backlog the app still holds, and
// which dynos are alive; the core merges them (src/core/history.ts).
import type {Context} from '../context.js'
import type {Run} from '../core/runs.js'
import type {Trigger} from '../core/trigger.js'
import type {Definitions} from '../store/definitions.js'

import {eventsOf, mergeHistory} from '../core/history.js'

export interface Loaded {
  runs: Run[]
  /** raw log lines read from the app, for runs:info */
  lines: string[]
  names: Map<string, string>
  /** the app's triggers, as read for this history */
  triggers: Trigger[]
}

/** What the log stream still holds (its last 1,500 lines), and the one-offs the API lists as alive (null when it could not say). */
export interface Backlog {
  alive: null | Set<string>
  lines: string[]
}

/** Reads that several loads of one command share, so each is made once. */
export interface Sources {
  definitions?: Definitions | Promise<Definitions>
  backlog?: Backlog | Promise<Backlog>
}

export async function readBacklog(context: Context): Promise<Backlog> {
  const lines: string[] = []
  const [dynos] = await Promise.all([
    context.dynos.listDynos().catch(() => null),
    (async () => {
      for await (const line of context.dynos.logLines({lines: 1500, tail: false}, new AbortController().signal)) lines.push(line)
    })(),
  ])
  // a one-off the API still lists as down or crashed has finished: it will not log an exit line any more
  return {alive: dynos === null ? null : new Set(dynos.filter(d => d.state !== 'down' && d.state !== 'crashed').map(d => d.name)), lines}
}

export async function loadHistory(context: Context, options: {since?: number; want?: number} = {}, sources: Sources = {}): Promise<Loaded> {
  const want = options.want ?? Number.POSITIVE_INFINITY
  const [definitions, stored, backlog] = await Promise.all([
    sources.definitions ?? context.store.read(),
    context.history.latest({limit: Number.isFinite(want) ? want * 2 + 200 : undefined, since: options.since}),
    sources.backlog ?? readBacklog(context),
  ])
  const names = new Map(definitions.triggers.map(t => [t.id, t.name]))
  const runs = mergeHistory([...stored.values()], eventsOf(backlog.lines), definitions.triggers, context.now().getTime(), backlog.alive)
  return {lines: backlog.lines, names, runs, triggers: definitions.triggers}
}
