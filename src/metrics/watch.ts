// metrics --watch: follows the log stream as `runs --tail` does and redraws in place. It only decides
// when to redraw: at most twice a second while lines arrive, and every 10 s as the span slides on;
// the numbers are metricsOf's, the lines the renderer's. The terminal is restored on Ctrl-C.
import type {Context} from '../context.js'
import type {Run} from '../core/runs.js'

import {eventsOf, mergeHistory} from '../core/history.js'
import {MINUTE_MS, planSpan, statesFor} from '../core/metrics.js'
import {isTerminal, reconcile, triggerIdsByDynoType} from '../core/runs.js'
import {readBacklog} from '../runs/load.js'
import {type Metrics, metricsOf, type MetricsQuery} from './load.js'

const MIN_REDRAW_MS = 500
const IDLE_REDRAW_MS = 10_000

export interface WatchOptions {
  filterText: null | string
  query: MetricsQuery
  draw(metrics: Metrics, width: number): string[]
  out: NodeJS.WriteStream
}

export async function watchMetrics(context: Context, options: WatchOptions): Promise<void> {
  const {out} = options
  const started = context.now().getTime()
  const now0 = started
  const {from} = planSpan(options.query, now0)
  const [definitions, backlog, recent, rollups] = await Promise.all([
    context.store.read(),
    readBacklog(context),
    context.history.latest(options.query.filter ? {since: from, states: statesFor(options.query.filter) ?? undefined} : {limit: 1000}),
    options.query.filter ? null : context.history.rollups({since: from, triggerId: options.query.triggerId, until: now0 + MINUTE_MS}),
  ])
  const stored = new Set<string>([...recent.values()].filter(r => isTerminal(r.state)).map(r => r.id))
  const names = new Map(definitions.triggers.map(t => [t.id, t.name]))
  const lookup = triggerIdsByDynoType(definitions.triggers)
  let runs: Run[] = mergeHistory([...recent.values()], eventsOf(backlog.lines), definitions.triggers, now0, backlog.alive)
  const seen = new Set(backlog.lines)

  const controller = new AbortController()
  const stop = () => controller.abort()
  let dirty = true
  let drawnAt = 0
  const redraw = () => {
    const now = context.now().getTime()
    // a span given as "ago" slides with the time; one with --until stays where it is
    const shift = options.query.until === undefined ? now - started : 0
    const query = {...options.query, since: options.query.since === undefined ? undefined : options.query.since + shift}
    const metrics = metricsOf({app: context.app, filterText: options.filterText, names, now, query, rollups, runs, stored})
    const lines = options.draw(metrics, out.columns || 100)
    out.write('\u001B[H' + lines.map(l => `${l}\u001B[K`).join('\n') + '\u001B[J')
    dirty = false
    drawnAt = now
  }

  const timer = setInterval(() => {
    if (dirty || context.now().getTime() - drawnAt >= IDLE_REDRAW_MS) redraw()
  }, MIN_REDRAW_MS)
  const onResize = () => {
    dirty = true
  }

  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  out.on('resize', onResize)
  out.write('\u001B[?1049h\u001B[?25l') // the alternate screen, cursor hidden
  try {
    redraw()
    for await (const raw of context.dynos.logLines({lines: 0, tail: true}, controller.signal)) {
      if (seen.has(raw)) continue
      runs = reconcile(runs, eventsOf([raw]), lookup)
      dirty = true
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error
  } finally {
    clearInterval(timer)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    out.off('resize', onResize)
    out.write('\u001B[?25h\u001B[?1049l')
  }
}
