import {BaseCommand} from '../../base.js'
import {parseFilter} from '../../core/filter.js'
import {parseSince, selectRuns} from '../../core/history.js'
import {resolveTrigger} from '../../core/trigger.js'
import {json} from '../../flags.js'
import {Flags} from '../../oclif.js'

export default class Runs extends BaseCommand {
  static description = 'list runs (executions) of triggers and other one-off dynos, with their real outcome'
  static examples = [
    '$ heroku runs --app example-app',
    '$ heroku runs --app example-app --trigger nightly-report --since 24h',
    '$ heroku runs --app example-app --filter \'state:failed -size:standard\' --json',
    '$ heroku runs --app example-app --tail',
  ]
  static flags = {
    filter: Flags.string({description: 'filter language: command:"python x.py" state:failed -size:standard (partial match; quotes for exact; - excludes)'}),
    json,
    limit: Flags.integer({default: 50, description: 'most runs to show', min: 1}),
    since: Flags.string({description: 'only runs since this long ago (e.g. 2h, 7d) or this date (YYYY-MM-DD[ HH:MM])'}),
    tail: Flags.boolean({char: 't', description: 'after the list, print a line for each run state change as it happens'}),
    trigger: Flags.string({description: 'only the runs of this trigger (id, id prefix or name)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Runs)
    const filter = flags.filter === undefined ? undefined : parseFilter(flags.filter)
    const context = await this.context(flags)
    const since = flags.since === undefined ? undefined : parseSince(flags.since, context.now())
    const {loadHistory} = await import('../../runs/load.js')
    const history = await loadHistory(context, {since, want: flags.limit})
    const triggerId = flags.trigger === undefined ? undefined : resolveTrigger(history.triggers, flags.trigger).id
    const views = selectRuns(history.runs, history.names, {filter, limit: flags.limit, since, triggerId})
    if (flags.json && !flags.tail) return this.json(views)
    const render = await import('../../render/runs.js')
    if (!flags.json) render.runTable(views, views.length === 0 ? `No runs on ${context.app}${flags.since ? ` since ${flags.since}` : ''}.` : undefined)
    if (!flags.tail) return
    const {tailRuns} = await import('../../runs/tail.js')
    await tailRuns(context, history, {filter, triggerId}, view => (flags.json ? process.stdout.write(JSON.stringify(view) + '\n') : this.log(render.runLine(view))))
  }
}

