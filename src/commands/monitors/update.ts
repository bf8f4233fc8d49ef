import {BaseCommand} from '../../base.js'
import {applyMonitorInput, monitorsOf, resolveMonitor, viewMonitor} from '../../core/monitors.js'
import {json} from '../../flags.js'
import {monitorArg, monitorFlags, monitorInput} from '../../monitor-flags.js'
import {ux} from '../../oclif.js'

export default class MonitorsUpdate extends BaseCommand {
  static args = {monitor: monitorArg}
  static description = 'change a monitor: only the flags given change'
  static examples = [
    '$ heroku monitors:update "report slow" --threshold 900 --app example-app',
    '$ heroku monitors:update "report fails" --email none --webhook https://example.com/hook --secret s3cret --app example-app',
  ]
  static flags = {...monitorFlags, json}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MonitorsUpdate)
    const context = await this.context(flags)
    const read = await context.store.read() // checked before anything is said or written
    const known = monitorsOf(read.monitors)
    applyMonitorInput(resolveMonitor(known, args.monitor), monitorInput(flags), known, read.triggers, context.now(), 'check')
    ux.action.start(`Updating monitor ${args.monitor} on ${context.app}`, undefined, {stdout: false})
    const {monitor, names} = await context.store.update(defs => {
      const monitors = monitorsOf(defs.monitors)
      const current = resolveMonitor(monitors, args.monitor)
      const monitor = applyMonitorInput(current, monitorInput(flags), monitors, defs.triggers, context.now(), current.id)
      defs.monitors = defs.monitors.map(m => (m === current ? monitor : m))
      return {monitor, names: new Map(defs.triggers.map(t => [t.id, t.name]))}
    })
    ux.action.stop()
    if (flags.json) this.json(viewMonitor(monitor, names, false))
  }
}
