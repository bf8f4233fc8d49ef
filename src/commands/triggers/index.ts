import {BaseCommand} from '../../base.js'
import {lastRuns} from '../../core/trigger-history.js'
import {viewTrigger} from '../../core/views.js'
import {json} from '../../flags.js'

export default class Triggers extends BaseCommand {
  static description = 'list the triggers of an app: schedule, state, size and next run'
  static examples = [
    '$ heroku triggers --app example-app',
    '$ heroku triggers --app example-app --json',
    '$ heroku triggers --local',
  ]
  static flags = {json}

  async run(): Promise<void> {
    const {flags} = await this.parse(Triggers)
    const context = await this.context(flags)
    const definitions = await context.store.read()
    const {triggers} = definitions
    const now = context.now()
    // each trigger's last run, from the history and what the log stream still holds
    const {loadHistory} = await import('../../runs/load.js')
    const last = triggers.length === 0 ? new Map() : lastRuns((await loadHistory(context, {want: Math.max(500, triggers.length * 10)}, {definitions})).runs)
    const views = triggers.map(t => ({...viewTrigger(t, now), lastRun: last.get(t.id) ?? null}))
    if (flags.json) return this.json(views)
    if (views.length === 0) {
      this.log(`No triggers on ${context.app}. Create one with heroku triggers:create --name NAME --command CMD --schedule "0 * * * *"${context.local ? ' --local' : ` --app ${context.app}`}`)
      return
    }

    const {triggerTable} = await import('../../render/triggers.js')
    triggerTable(views)
  }
}
