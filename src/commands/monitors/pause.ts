import {BaseCommand} from '../../base.js'
import {monitorsOf, resolveMonitor} from '../../core/monitors.js'
import {monitorArg} from '../../monitor-flags.js'
import {ux} from '../../oclif.js'

export default class MonitorsPause extends BaseCommand {
  static args = {monitor: monitorArg}
  static description = 'pause a monitor: it judges nothing and notifies nobody until resumed'
  static examples = ['$ heroku monitors:pause "report fails" --app example-app']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MonitorsPause)
    const context = await this.context(flags)
    resolveMonitor(monitorsOf((await context.store.read()).monitors), args.monitor) // checked before anything is said: an error is one line
    ux.action.start(`Monitor ${args.monitor} on ${context.app}: pause`)
    await context.store.update(defs => {
      const current = resolveMonitor(monitorsOf(defs.monitors), args.monitor)
      if (current.paused !== true) Object.assign(current, {paused: true, updatedAt: context.now().toISOString()})
    })
    ux.action.stop()
  }
}
