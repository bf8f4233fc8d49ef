import {BaseCommand} from '../../base.js'
import {selectRuns} from '../../core/history.js'
import {latestRetry} from '../../core/retries.js'
import {statsOf} from '../../core/trigger-history.js'
import {resolveTrigger} from '../../core/trigger.js'
import {nextRuns, viewTrigger} from '../../core/views.js'
import {json, triggerArg} from '../../flags.js'
import {} from '../../oclif.js'

export default class TriggersInfo extends BaseCommand {
  static args = {trigger: triggerArg}
  static description = 'show one trigger: everything about it and its next 5 run times'
  static examples = [
    '$ heroku triggers:info nightly-report --app example-app',
    '$ heroku triggers:info 1a2b3c4d --app example-app --json',
  ]
  static flags = {json}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersInfo)
    const context = await this.context(flags)
    const definitions = await context.store.read()
    const trigger = resolveTrigger(definitions.triggers, args.trigger)
    const now = context.now()
    const upcoming = nextRuns(trigger, now, 5)
    const view = viewTrigger(trigger, now)
    // the plan after its latest attempt, when that one failed (its runs of the past day are enough: a retry is at most 10 minutes away)
    const recent = trigger.retries > 0 ? [...(await context.history.latest({since: now.getTime() - 86_400_000})).values()] : []
    const retry = latestRetry(trigger, recent, now.getTime())
    // its last runs (with what the log stream still holds) and its numbers over 7 days, from the rollups
    const [{loadHistory, readBacklog}, {loadMetrics}] = await Promise.all([import('../../runs/load.js'), import('../../metrics/load.js')])
    const sources = {backlog: readBacklog(context), definitions} // the log and the definitions read once for both
    const [history, metrics] = await Promise.all([
      loadHistory(context, {want: 1000}, sources),
      loadMetrics(context, {resolution: '1h', since: now.getTime() - 7 * 86_400_000, triggerId: trigger.id}, null, sources),
    ])
    const recentRuns = selectRuns(history.runs, history.names, {limit: 5, triggerId: trigger.id})
    const stats = statsOf(metrics.json.totals)
    if (flags.json) return this.json({...view, nextRuns: upcoming.map(d => d.toISOString()), retry, recentRuns, stats})
    const {triggerDetails, triggerHistory} = await import('../../render/triggers.js')
    triggerDetails(view, upcoming, retry)
    triggerHistory(recentRuns, stats)
  }
}
