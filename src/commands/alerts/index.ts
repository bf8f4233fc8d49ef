import {BaseCommand} from '../../base.js'
import {parseSince} from '../../core/history.js'
import {monitorsOf, resolveMonitor} from '../../core/monitors.js'
import {json} from '../../flags.js'
import {Flags} from '../../oclif.js'

export default class Alerts extends BaseCommand {
  static description = 'open and resolved alerts, newest first'
  static examples = [
    '$ heroku alerts --app example-app',
    '$ heroku alerts --app example-app --open --json',
    '$ heroku alerts --app example-app --monitor "report fails" --since 7d',
  ]
  static flags = {
    json,
    monitor: Flags.string({description: 'only this monitor\'s alerts (id, id prefix or name)'}),
    open: Flags.boolean({description: 'only alerts still open'}),
    since: Flags.string({description: 'only alerts opened or resolved since a duration ago (2h, 7d) or a date'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Alerts)
    const context = await this.context(flags)
    const since = flags.since === undefined ? undefined : parseSince(flags.since, context.now())
    const monitor = flags.monitor === undefined ? undefined : resolveMonitor(monitorsOf((await context.store.read()).monitors), flags.monitor).id
    const alerts = await context.storage.alerts.list({monitor, open: flags.open, since})
    if (flags.json) return this.json(alerts)
    if (alerts.length === 0) {
      this.log(`No ${flags.open ? 'open ' : ''}alerts on ${context.app}.`)
      return
    }

    const {alertTable} = await import('../../render/monitors.js')
    alertTable(alerts)
  }
}
