import {BaseCommand} from '../../base.js'
import {parseDuration} from '../../core/trigger.js'
import {Flags} from '../../oclif.js'

export default class TriggersClock extends BaseCommand {
  static description = 'run the scheduler: fire due triggers as detached dynos, follow their logs and record each run'
  static examples = [
    '$ heroku triggers:clock --app example-app',
    '$ heroku triggers:clock --app example-app --once',
    '$ heroku triggers:clock --local --examples',
    '# in a Procfile, to run the clock on the app itself:\nclock: heroku-triggers triggers:clock --app $HEROKU_APP_NAME',
  ]
  static flags = {
    examples: Flags.boolean({description: 'with --local: add two example triggers first (if missing), to watch them fire'}),
    'max-dynos': Flags.integer({default: 45, description: 'most trigger dynos running at once (keep it below the app\'s one-off limit)', min: 1}),
    once: Flags.boolean({description: 'one pass: fire what is due since the last pass, then exit (for a CI cron)'}),
    retention: Flags.string({default: '7d', description: 'how long to keep run history on this machine (e.g. 7d, 30d)'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TriggersClock)
    const retentionDays = parseDuration('--retention', flags.retention, {max: 366 * 86_400, min: 3600}) / 86_400
    const context = await this.context(flags, {retentionDays})
    const {startClock} = await import('../../clock/start.js')
    const fired = await startClock(context, {examples: flags.examples, maxDynos: flags['max-dynos'], once: flags.once, print: line => this.log(line)})
    if (flags.once) this.logToStderr(`${fired} run(s) fired`)
  }
}
