import {writeFile} from 'node:fs/promises'

import {BaseCommand} from '../../base.js'
import {InvalidInputError} from '../../core/errors.js'
import {SCHEDULE_FILE_SCHEMA} from '../../core/file-schema.js'
import {exportMonitors} from '../../core/monitor-file.js'
import {monitorsOf} from '../../core/monitors.js'
import {exportFile, type FileFormat, formatFile, formatForFile} from '../../core/schedule-file.js'
import {Flags} from '../../oclif.js'
import {count} from '../../render/count.js'

export default class TriggersExport extends BaseCommand {
  static description = 'write the app\'s triggers and monitors as a schedule file (YAML or JSON) that triggers:apply reads back'
  static examples = [
    '$ heroku triggers:export --app example-app > triggers.yml',
    '$ heroku triggers:export --app example-app --file triggers.json',
    '$ heroku triggers:export --schema > heroku-triggers.schema.json',
  ]
  static flags = {
    file: Flags.string({char: 'f', description: 'write to this file instead of stdout (.json is JSON unless --format says otherwise)'}),
    format: Flags.string({description: 'yaml (the default) or json', options: ['yaml', 'json']}),
    schema: Flags.boolean({description: 'print the file format\'s JSON Schema instead (for editors), needing no app'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TriggersExport)
    let text: string
    let what: string
    if (flags.schema) {
      text = JSON.stringify(SCHEDULE_FILE_SCHEMA, null, 2) + '\n'
      what = 'the JSON Schema of the schedule file'
    } else {
      const context = await this.context(flags)
      const defs = await context.store.read()
      const format: FileFormat = (flags.format as FileFormat | undefined) ?? (flags.file ? formatForFile(flags.file) : 'yaml')
      const monitors = monitorsOf(defs.monitors)
      text = formatFile(exportFile(defs.triggers, exportMonitors(monitors, defs.triggers), context.now()), format, context.app)
      what = `${count(defs.triggers.length, 'trigger')}${monitors.length > 0 ? ` and ${count(monitors.length, 'monitor')}` : ''} of ${context.app}`
    }

    if (!flags.file) {
      process.stdout.write(text)
      return
    }

    await writeFile(flags.file, text, 'utf8').catch((error: Error) => {
      throw new InvalidInputError(`cannot write ${flags.file}: ${error.message.replace(/^\w+: /, '')}; give a --file in a folder that exists and you can write to`)
    })
    this.logToStderr(`Wrote ${what} to ${flags.file}`)
  }
}
