import {BaseCommand} from '../../base.js'
import {json} from '../../flags.js'
import {Flags, ux} from '../../oclif.js'

export default class TriggersStore extends BaseCommand {
  static description = 'show where an app\'s definitions and run history live, or move them: this machine (file), the HEROKU_TRIGGERS config var, or the app\'s Heroku Postgres'
  static examples = [
    '$ heroku triggers:store --app example-app',
    '$ heroku triggers:store --app example-app --to postgres --confirm example-app',
    '$ heroku triggers:store --app example-app --to postgres --database HEROKU_POSTGRESQL_RED_URL --confirm example-app',
    '$ heroku triggers:store --app example-app --to config-var --confirm example-app',
    '$ heroku triggers:store --app example-app --to file',
  ]
  static flags = {
    confirm: Flags.string({char: 'c', description: 'the app name, to confirm the release without a prompt'}),
    database: Flags.string({default: 'DATABASE_URL', description: 'with --to postgres: the config var holding the database URL (a Heroku Postgres attachment)'}),
    json,
    to: Flags.string({description: 'file (this machine), config-var (HEROKU_TRIGGERS, shared) or postgres (the app\'s database: definitions, history and the clock\'s lease, shared)', options: ['config-var', 'file', 'postgres']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TriggersStore)
    const context = await this.context(flags, {beforeSharedWrite() {}})
    const {checkMove, moveStore, whereOf} = await import('../../store/move.js')
    const here = whereOf(context.storage)
    if (!flags.to || flags.to === here.store) {
      if (flags.json) return this.json(here)
      const database = here.database ? ` (${here.database})` : ''
      this.log(`${context.app}'s store is ${here.store}${database}${flags.to ? ' already' : ''}\n  definitions: ${here.definitions}\n  history:     ${here.history}`)
      return
    }

    const plan = {database: flags.database, to: flags.to as 'config-var' | 'file' | 'postgres'}
    checkMove(context, plan)
    // the app's config vars say which store it has: moving writes them, which makes a release and restarts the dynos
    await this.confirmApp(context.app, flags.confirm, `moving the store writes ${context.app}'s config vars, which creates a release and restarts its dynos`)
    ux.action.start(`Moving ${context.app}'s store to ${plan.to}`)
    const moved = await moveStore(context, plan)
    ux.action.stop()
    if (flags.json) return this.json(moved.where)
    this.logToStderr(moved.message)
  }
}
