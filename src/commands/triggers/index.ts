import {BaseCommand} from '../../base.js'
import {viewTrigger} from '../../core/views.js'
import {json} from '../../flags.js'

export default class Triggers extends BaseCommand {
  static description = 'list the triggers of an app: schedule, state, size and next run'
  static examples = [
    '$ heroku triggers --app example-app',
    '$ heroku triggers --app example-app --json',
    '$ heroku triggers --local',
  ]
  static flags = {json}

  async run(): Promise<void> {
    const {flags} = await this.parse(Triggers)
    const context = await this.context(flags)
    const {triggers} = await context.store.read()
    const now = context.now()
    const views = triggers.map(t => viewTrigger(t, now))
    if (flags.json) return this.json(views)
    if (views.length === 0) {
      this.log(`No triggers on ${context.app}. Create one with heroku triggers:create --name NAME --command CMD --schedule "0 * * * *"${context.local ? ' --local' : ` --app ${context.app}`}`)
      return
    }

    const {triggerTable} = await import('../../render/triggers.js')
    triggerTable(views)
  }
}
