import {BaseCommand} from '../../base.js'
import {monitorsOf, resolveMonitor} from '../../core/monitors.js'
import {monitorArg} from '../../monitor-flags.js'
import {Flags, ux} from '../../oclif.js'

export default class MonitorsDelete extends BaseCommand {
  static args = {monitor: monitorArg}
  static description = 'delete a monitor for good (its past alerts stay listed in alerts)'
  static examples = ['$ heroku monitors:delete "report fails" --app example-app --confirm example-app']
  static flags = {confirm: Flags.string({char: 'c', description: 'the app name, to confirm without a prompt'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MonitorsDelete)
    const context = await this.context(flags)
    const target = resolveMonitor(monitorsOf((await context.store.read()).monitors), args.monitor)
    await this.confirmApp(context.app, flags.confirm, `deleting monitor ${target.name} from ${context.app} cannot be undone`)
    ux.action.start(`Deleting monitor ${target.name} from ${context.app}`)
    await context.store.update(defs => {
      const current = resolveMonitor(monitorsOf(defs.monitors), target.id)
      defs.monitors = defs.monitors.filter(m => m !== current)
    })
    ux.action.stop()
  }
}
