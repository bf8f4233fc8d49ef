import {BaseCommand} from '../../base.js'
import {latestRetry} from '../../core/retries.js'
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
    const {triggers} = await context.store.read()
    const trigger = resolveTrigger(triggers, args.trigger)
    const now = context.now()
    const upcoming = nextRuns(trigger, now, 5)
    const view = viewTrigger(trigger, now)
    // the plan after its latest attempt, when that one failed (its runs of the past day are enough: a retry is at most 10 minutes away)
    const recent = trigger.retries > 0 ? [...(await context.history.latest({since: now.getTime() - 86_400_000})).values()] : []
    const retry = latestRetry(trigger, recent, now.getTime())
    if (flags.json) return this.json({...view, nextRuns: upcoming.map(d => d.toISOString()), retry})
    const {triggerDetails} = await import('../../render/triggers.js')
    triggerDetails(view, upcoming, retry)
  }
}
