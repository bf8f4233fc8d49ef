import {readFile} from 'node:fs/promises'

import {BaseCommand} from '../../base.js'
import {InvalidInputError} from '../../core/errors.js'
import {advancedSchedulerSources, type ImportSource, planImport, schedulerSources} from '../../core/import.js'
import {viewTrigger} from '../../core/views.js'
import {json} from '../../flags.js'
import {Flags, ux} from '../../oclif.js'

export default class TriggersImport extends BaseCommand {
  static description = 'make the app\'s Heroku Scheduler jobs (or an Advanced Scheduler triggers --json file) into inactive triggers'
  static examples = [
    '$ heroku triggers:import --app example-app',
    '$ heroku triggers:import --app example-app --activate',
    '$ heroku triggers --app example-app --json > advanced-scheduler.json   # with the Advanced Scheduler plugin',
    '$ heroku triggers:import --app example-app --from advanced-scheduler.json',
  ]
  static flags = {
    activate: Flags.boolean({description: 'make them active at once (an Advanced Scheduler trigger keeps its own state)'}),
    from: Flags.string({description: 'an Advanced Scheduler "heroku triggers --json" file to import instead of Heroku Scheduler\'s jobs'}),
    json,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TriggersImport)
    let sources: ImportSource[] | undefined
    if (flags.from) {
      const file = flags.from
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new InvalidInputError(`cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}; give the file Advanced Scheduler's heroku triggers --app APP --json wrote`)
      })
      sources = advancedSchedulerSources(text, file) // the whole file, before any I/O
    } else if (flags.local) {
      throw new InvalidInputError('--local has no Heroku Scheduler: import an Advanced Scheduler file with --from FILE, or give --app')
    }

    const context = await this.context(flags)
    if (!sources) {
      const {schedulerJobs} = await import('../../platform/scheduler-jobs.js')
      const app = await context.platform!.appInfo()
      sources = schedulerSources(await schedulerJobs(await this.heroku(), context.app, app.id ?? context.app))
    }

    // sizes as the app's platform spells them (the retired ones were mapped to the default already)
    if (context.platform) {
      const {platform} = context
      await Promise.all(sources.filter(s => s.input.size !== undefined).map(async s => {
        s.input.size = await platform.checkSize(s.input.size!).catch((error: Error) => {
          throw new InvalidInputError(`${s.kind === 'heroku-scheduler' ? `Heroku Scheduler job ${s.id}` : `Advanced Scheduler trigger ${JSON.stringify(s.input.name)}`}: ${error.message}; nothing was imported`)
        })
      }))
    }

    const read = await context.store.read()
    let items = planImport(sources, read.triggers, context.now(), {activate: flags.activate})
    if (items.some(i => i.trigger)) {
      if (!flags.json) ux.action.start(`Importing ${items.filter(i => i.trigger).length} into ${context.app}`)
      items = await context.store.update(defs => {
        const fresh = planImport(sources, defs.triggers, context.now(), {activate: flags.activate})
        for (const item of fresh) if (item.trigger) defs.triggers.push(item.trigger)
        return fresh
      })
      if (!flags.json) ux.action.stop('done, in one write')
    }

    for (const warning of items.flatMap(i => i.warnings)) this.warn(warning)
    const now = context.now()
    if (flags.json) {
      return this.json(items.map(i => ({skippedAs: i.skippedAs, source: {description: i.source.description, id: i.source.id, kind: i.source.kind}, trigger: i.trigger && viewTrigger(i.trigger, now)})))
    }

    const {importLines} = await import('../../render/import.js')
    for (const line of importLines(items, context.app, context.local)) this.log(line)
  }
}
