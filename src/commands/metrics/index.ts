import type {Metrics as MetricsData} from '../../metrics/load.js'
import type {Plot} from '../../render/metrics.js'

import {BaseCommand} from '../../base.js'
import {InvalidInputError} from '../../core/errors.js'
import {parseFilter} from '../../core/filter.js'
import {parseSince} from '../../core/history.js'
import {planSpan, RESOLUTIONS} from '../../core/metrics.js'
import {resolveTrigger} from '../../core/trigger.js'
import {json} from '../../flags.js'
import {Flags} from '../../oclif.js'

const PLOT_NAMES = ['events', 'duration', 'throughput', 'concurrency', 'memory']

export default class Metrics extends BaseCommand {
  static description = 'terminal charts of runs: events, execution time, throughput by outcome, concurrency, memory and load'
  static examples = [
    '$ heroku metrics --app example-app',
    '$ heroku metrics --app example-app --resolution 1h --since 7d --plot throughput,concurrency',
    '$ heroku metrics --app example-app --resolution 10m --since 48h --until 24h --filter \'state:failed\' --json',
    '$ heroku metrics --local --resolution 1m --watch',
  ]
  static flags = {
    filter: Flags.string({description: 'filter language, applied to every plot: command:"python x.py" state:failed -size:standard'}),
    json,
    plot: Flags.string({description: `plots to show, comma-separated: ${PLOT_NAMES.join(',')} (default all)`}),
    resolution: Flags.string({description: `bucket size: ${Object.keys(RESOLUTIONS).join(', ')} (default spans 3h, 24h, 72h, 7d)`}),
    since: Flags.string({description: 'start of the span: this long ago (e.g. 48h, 7d) or this date (YYYY-MM-DD[ HH:MM])'}),
    trigger: Flags.string({description: 'only the runs of this trigger (id, id prefix or name)'}),
    until: Flags.string({description: 'end of the span: this long ago (e.g. 24h) or this date; default now'}),
    watch: Flags.boolean({char: 'w', description: 'redraw in place as runs start and end (needs a terminal; Ctrl-C to stop)', exclusive: ['json']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Metrics)
    if (flags.watch && !process.stdout.isTTY) throw new InvalidInputError('--watch needs a terminal: run it in one, or use --json for scripts')
    const plots = (flags.plot ?? PLOT_NAMES.join(',')).split(',').map(p => p.trim()).filter(Boolean)
    const unknown = plots.find(p => !PLOT_NAMES.includes(p))
    if (unknown) throw new InvalidInputError(`invalid --plot ${JSON.stringify(unknown)}: choose from ${PLOT_NAMES.join(', ')} (e.g. --plot throughput,concurrency)`)
    const filter = flags.filter === undefined ? undefined : parseFilter(flags.filter)
    const context = await this.context(flags)
    const now = context.now()
    const query = {
      filter,
      resolution: flags.resolution,
      since: flags.since === undefined ? undefined : parseSince(flags.since, now),
      triggerId: flags.trigger === undefined ? undefined : resolveTrigger((await context.store.read()).triggers, flags.trigger).id,
      until: flags.until === undefined ? undefined : parseSince(flags.until, now, '--until'),
    }
    planSpan(query, now.getTime()) // a bad span or resolution is said before anything is read
    const render = await import('../../render/metrics.js')
    const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
    const draw = (m: MetricsData, width: number) => render.drawMetrics(m.json, m.lanes, {app: context.app, color, plots: plots as Plot[], width})
    const filterText = flags.filter ?? null
    if (flags.watch) {
      const {watchMetrics} = await import('../../metrics/watch.js')
      return watchMetrics(context, {draw, filterText, out: process.stdout, query})
    }

    const {loadMetrics} = await import('../../metrics/load.js')
    const metrics = await loadMetrics(context, query, filterText)
    if (flags.json) return this.json(metrics.json)
    const width = process.stdout.columns || Number(process.env.COLUMNS) || 100
    process.stdout.write(draw(metrics, width).join('\n') + '\n')
  }
}
