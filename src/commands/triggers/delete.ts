import {BaseCommand} from '../../base.js'
import {resolveTrigger} from '../../core/trigger.js'
import {triggerArg} from '../../flags.js'
import {Flags, ux} from '../../oclif.js'

export default class TriggersDelete extends BaseCommand {
  static args = {trigger: triggerArg}
  static description = 'delete a trigger for good (its past runs stay in the history)'
  static examples = [
    '$ heroku triggers:delete nightly-report --app example-app',
    '$ heroku triggers:delete nightly-report --app example-app --confirm example-app',
  ]
  static flags = {confirm: Flags.string({char: 'c', description: 'the app name, to confirm without a prompt'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersDelete)
    const context = await this.context(flags)
    const {triggers} = await context.store.read()
    const target = resolveTrigger(triggers, args.trigger)
    await this.confirmApp(context.app, flags.confirm, `deleting trigger ${target.name} from ${context.app} cannot be undone`)
    ux.action.start(`Deleting trigger ${target.name} from ${context.app}`)
    await context.store.update(defs => {
      const current = resolveTrigger(defs.triggers, target.id)
      defs.triggers.splice(defs.triggers.indexOf(current), 1)
    })
    ux.action.stop()
  }
}
