import {BaseCommand} from '../../base.js'
import {monitorsOf, viewMonitor} from '../../core/monitors.js'
import {json} from '../../flags.js'

export default class Monitors extends BaseCommand {
  static description = 'list the monitors of an app: type, target, threshold, sensitivity, state and last alert'
  static examples = [
    '$ heroku monitors --app example-app',
    '$ heroku monitors --app example-app --json',
  ]
  static flags = {json}

  async run(): Promise<void> {
    const {flags} = await this.parse(Monitors)
    const context = await this.context(flags)
    const [defs, states, alerts] = await Promise.all([context.store.read(), context.storage.alerts.states(), context.storage.alerts.list({limit: 1000})])
    const names = new Map(defs.triggers.map(t => [t.id, t.name]))
    const views = monitorsOf(defs.monitors).map(m => viewMonitor(m, names, Boolean(states.get(m.id)?.alert)))
    if (flags.json) return this.json(views)
    if (views.length === 0) {
      this.log(`No monitors on ${context.app}. Create one with heroku monitors:create --name NAME --type job-failure --trigger TRIGGER${context.local ? ' --local' : ` --app ${context.app}`}`)
      return
    }

    const {monitorTable} = await import('../../render/monitors.js')
    monitorTable(views.map(v => ({...v, lastAlert: alerts.find(a => a.monitorId === v.id)?.openedAt ?? null})))
  }
}
