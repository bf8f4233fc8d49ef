import {randomUUID} from 'node:crypto'

import {BaseCommand} from '../../base.js'
import {applyMonitorInput, monitorsOf, viewMonitor} from '../../core/monitors.js'
import {json} from '../../flags.js'
import {monitorFlags, monitorInput} from '../../monitor-flags.js'
import {ux} from '../../oclif.js'

export default class MonitorsCreate extends BaseCommand {
  static description = 'create a monitor: an alert rule over runs, notified by email and webhook'
  static examples = [
    '$ heroku monitors:create --name "report fails" --type job-failure --trigger nightly-report --app example-app',
    '$ heroku monitors:create --name "report slow" --type job-execution-time --trigger nightly-report --threshold 600 --sensitivity 3 --webhook https://hooks.slack.com/services/T/B/X --app example-app',
    '$ heroku monitors:create --name "report missed" --type missed-run --trigger nightly-report --grace 5m --email ops@example.com --app example-app',
  ]
  static flags = {...monitorFlags, json}

  async run(): Promise<void> {
    const {flags} = await this.parse(MonitorsCreate)
    const context = await this.context(flags)
    const current = await context.store.read() // checked before anything is said or written
    applyMonitorInput(null, monitorInput(flags), monitorsOf(current.monitors), current.triggers, context.now(), 'check')
    ux.action.start(`Creating monitor ${flags.name ?? ''} on ${context.app}`, undefined, {stdout: false})
    const {monitor, names} = await context.store.update(defs => {
      const monitor = applyMonitorInput(null, monitorInput(flags), monitorsOf(defs.monitors), defs.triggers, context.now(), randomUUID())
      defs.monitors.push(monitor)
      return {monitor, names: new Map(defs.triggers.map(t => [t.id, t.name]))}
    })
    ux.action.stop()
    if (flags.json) this.json(viewMonitor(monitor, names, false))
  }
}
