import {BaseCommand} from '../../base.js'
import {resolveTrigger, setState} from '../../core/trigger.js'
import {viewTrigger} from '../../core/views.js'
import {json, triggerArg} from '../../flags.js'
import {Flags, ux} from '../../oclif.js'

export default class TriggersDeactivate extends BaseCommand {
  static args = {trigger: triggerArg}
  static description = 'deactivate a trigger so the clock stops firing it (does nothing if it is already inactive)'
  static examples = ['$ heroku triggers:deactivate nightly-report --app example-app --note "paused during the migration"']
  static flags = {json, note: Flags.string({description: 'why it is paused, shown by triggers:info'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersDeactivate)
    const context = await this.context(flags)
    const {changed, trigger} = await context.store.update(defs => {
      const current = resolveTrigger(defs.triggers, args.trigger)
      const result = setState(current, 'inactive', flags.note ?? null, context.now())
      if (!flags.json) ux.action.start(`Deactivating ${current.name} on ${context.app}`) // after the checks: an error is one line
      defs.triggers[defs.triggers.indexOf(current)] = result.trigger
      return result
    })
    if (flags.json) return this.json(viewTrigger(trigger, context.now()))
    ux.action.stop(changed ? 'done' : 'already inactive')
  }
}
