import {BaseCommand, isInteractive} from '../../base.js'
import {createTrigger, type TriggerInput} from '../../core/trigger.js'
import {viewTrigger} from '../../core/views.js'
import {json, triggerFlags, triggerInput} from '../../flags.js'
import {ux} from '../../oclif.js'

export default class TriggersCreate extends BaseCommand {
  static description = 'create a cron or one-off trigger that runs a command in a detached one-off dyno'
  static examples = [
    '$ heroku triggers:create --app example-app --name nightly-report --command "bin/report" --schedule "30 2 * * *" --timezone Europe/Berlin',
    '$ heroku triggers:create --app example-app --name cleanup --command "rake cleanup" --schedule "every 10 minutes" --size standard-1x',
    '$ heroku triggers:create --app example-app --name launch --command "bin/launch" --at "2026-12-24 18:00" --timezone America/New_York',
    '$ heroku triggers:create --local --name hello --command "echo hello" --schedule "* * * * *"',
  ]
  static flags = {...triggerFlags, json}

  async run(): Promise<void> {
    const {flags} = await this.parse(TriggersCreate)
    const input = await this.askForMissing(triggerInput(flags))
    createTrigger(input, [], new Date()) // every check that needs no stored data, before any I/O
    const context = await this.context(flags)
    if (input.size !== undefined && context.platform) input.size = await context.platform.checkSize(input.size)
    const {trigger, warnings} = await context.store.update(defs => {
      const created = createTrigger(input, defs.triggers, context.now())
      if (!flags.json) ux.action.start(`Creating trigger ${input.name} on ${context.app}`) // after the checks: an error is one line
      defs.triggers.push(created.trigger)
      return created
    })
    const view = viewTrigger(trigger, context.now())
    if (flags.json) {
      for (const warning of warnings) this.warn(warning)
      return this.json(view)
    }

    ux.action.stop(`done, ${trigger.id.slice(0, 8)}`)
    for (const warning of warnings) this.warn(warning)
    this.log(`${view.description}${view.nextRunAt ? `; next run ${view.nextRunAt}` : ''}`)
  }

  /** On a terminal, asks for what is missing; otherwise never waits for input. */
  private async askForMissing(input: TriggerInput): Promise<TriggerInput> {
    if (!isInteractive()) return input
    const missing = input.name === undefined || input.command === undefined || (input.schedule === undefined && input.at === undefined)
    if (!missing) return input
    const {hux} = await import('@heroku/heroku-cli-util')
    const filled = {...input}
    filled.name ??= await hux.prompt('Name')
    filled.command ??= await hux.prompt('Command (or Procfile process type)')
    if (filled.schedule === undefined && filled.at === undefined) filled.schedule = await hux.prompt('Schedule (cron, or "every day at 09:30")')
    return filled
  }
}
