import {BaseCommand, isInteractive} from '../../base.js'
import {ConfirmationRequiredError, InvalidInputError} from '../../core/errors.js'
import {resolveTrigger} from '../../core/trigger.js'
import {Args, Flags, ux} from '../../oclif.js'

export default class TriggersDelete extends BaseCommand {
  static args = {trigger: Args.string({description: 'trigger id, id prefix or name', required: true})}
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
    await this.confirm(context.app, flags.confirm, target.name)
    ux.action.start(`Deleting trigger ${target.name} from ${context.app}`)
    await context.store.update(defs => {
      const current = resolveTrigger(defs.triggers, target.id)
      defs.triggers.splice(defs.triggers.indexOf(current), 1)
    })
    ux.action.stop()
  }

  private async confirm(app: string, confirmation: string | undefined, name: string): Promise<void> {
    if (confirmation !== undefined) {
      if (confirmation !== app) throw new InvalidInputError(`--confirm ${confirmation} does not match the app: pass --confirm ${app}`)
      return
    }

    if (!isInteractive()) {
      throw new ConfirmationRequiredError(`deleting ${name} cannot be undone: pass --confirm ${app} to confirm without a terminal`)
    }

    const {hux} = await import('@heroku/heroku-cli-util')
    await hux.confirmCommand({comparison: app, warningMessage: `This deletes trigger ${name} from ${app} for good. To proceed, type ${app}.`})
  }
}
