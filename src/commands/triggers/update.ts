import {BaseCommand} from '../../base.js'
import {InvalidInputError} from '../../core/errors.js'
import {resolveTrigger, updateTrigger} from '../../core/trigger.js'
import {viewTrigger} from '../../core/views.js'
import {json, triggerArg, triggerFlags, triggerInput} from '../../flags.js'
import {ux} from '../../oclif.js'

export default class TriggersUpdate extends BaseCommand {
  static args = {trigger: triggerArg}
  static description = 'change a trigger; only the flags given change'
  static examples = [
    '$ heroku triggers:update nightly-report --app example-app --schedule "0 3 * * *"',
    '$ heroku triggers:update 1a2b3c4d --app example-app --timeout 3600 --size standard-2x',
  ]
  static flags = {...triggerFlags, json}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersUpdate)
    const input = triggerInput(flags)
    if (Object.values(input).every(v => v === undefined)) {
      throw new InvalidInputError('nothing to change: give at least one flag, e.g. --schedule "0 3 * * *" or --timeout 3600')
    }

    const context = await this.context(flags)
    if (input.size !== undefined && context.platform) input.size = await context.platform.checkSize(input.size)
    const {trigger, warnings} = await context.store.update(defs => {
      const current = resolveTrigger(defs.triggers, args.trigger)
      const updated = updateTrigger(current, input, defs.triggers, context.now())
      if (!flags.json) ux.action.start(`Updating trigger ${current.name} on ${context.app}`) // after the checks: an error is one line
      defs.triggers[defs.triggers.indexOf(current)] = updated.trigger
      return updated
    })
    const view = viewTrigger(trigger, context.now())
    if (flags.json) {
      for (const warning of warnings) this.warn(warning)
      return this.json(view)
    }

    ux.action.stop('done')
    for (const warning of warnings) this.warn(warning)
    this.log(`${view.name}: ${view.description}${view.nextRunAt ? `; next run ${view.nextRunAt}` : ''}`)
  }
}
