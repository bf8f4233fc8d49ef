import {BaseCommand} from '../../base.js'
import {resolveTrigger, setState} from '../../core/trigger.js'
import {viewTrigger} from '../../core/views.js'
import {json, triggerArg} from '../../flags.js'
import {ux} from '../../oclif.js'

export default class TriggersActivate extends BaseCommand {
  static args = {trigger: triggerArg}
  static description = 'activate a trigger so the clock fires it (does nothing if it is already active)'
  static examples = ['$ heroku triggers:activate nightly-report --app example-app']
  static flags = {json}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersActivate)
    const context = await this.context(flags)
    const {changed, trigger} = await context.store.update(defs => {
      const current = resolveTrigger(defs.triggers, args.trigger)
      const result = setState(current, 'active', null, context.now())
      if (!flags.json) ux.action.start(`Activating ${current.name} on ${context.app}`) // after the checks: an error is one line
      defs.triggers[defs.triggers.indexOf(current)] = result.trigger
      return result
    })
    if (flags.json) return this.json(viewTrigger(trigger, context.now()))
    ux.action.stop(changed ? 'done' : 'already active')
  }
}
