import {BaseCommand} from '../../base.js'
import {monitorsOf, resolveMonitor} from '../../core/monitors.js'
import {monitorArg} from '../../monitor-flags.js'
import {ux} from '../../oclif.js'

export default class MonitorsResume extends BaseCommand {
  static args = {monitor: monitorArg}
  static description = 'resume a paused monitor'
  static examples = ['$ heroku monitors:resume "report fails" --app example-app']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MonitorsResume)
    const context = await this.context(flags)
    resolveMonitor(monitorsOf((await context.store.read()).monitors), args.monitor) // checked before anything is said: an error is one line
    ux.action.start(`Monitor ${args.monitor} on ${context.app}: resume`)
    await context.store.update(defs => {
      const current = resolveMonitor(monitorsOf(defs.monitors), args.monitor)
      if (current.paused !== false) Object.assign(current, {paused: false, updatedAt: context.now().toISOString()})
    })
    ux.action.stop()
  }
}
