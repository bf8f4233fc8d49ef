import {BaseCommand} from '../../base.js'
import {resolveTrigger} from '../../core/trigger.js'
import {json, triggerArg} from '../../flags.js'
import {Flags, ux} from '../../oclif.js'

export default class TriggersRun extends BaseCommand {
  static args = {trigger: triggerArg}
  static description = 'run a trigger now in a detached dyno; with --tail, stream its output and exit with its exit status'
  static examples = [
    '$ heroku triggers:run nightly-report --app example-app',
    '$ heroku triggers:run nightly-report --app example-app --tail   # exits with the task\'s status, for CI',
  ]
  static flags = {json, tail: Flags.boolean({char: 't', description: 'stream the run\'s log lines until it ends, then exit with its exit status'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersRun)
    const context = await this.context(flags)
    const trigger = resolveTrigger((await context.store.read()).triggers, args.trigger)
    const {runNow} = await import('../../clock/run-now.js')
    if (!flags.json) ux.action.start(`Running ${trigger.name} on ${context.app}`)
    const started = await runNow(context, trigger)
    if (!flags.json) ux.action.stop(`up, ${started.dyno}`)
    if (!flags.tail) {
      if (flags.json) return this.json(started)
      this.log(`Run heroku logs --app ${context.app} --dyno ${started.dyno} to view the output${context.local ? ' (or heroku-triggers runs --local)' : ''}.`)
      return
    }

    const {tailRun} = await import('../../clock/run-now.js')
    const outcome = await tailRun(context, started, line => this.log(line))
    if (flags.json) this.json(outcome)
    else this.logToStderr(`${started.dyno} ${outcome.state}${outcome.exitStatus === null ? '' : ` with exit status ${outcome.exitStatus}`}`)
    this.exit(outcome.exitStatus ?? (outcome.state === 'succeeded' ? 0 : 1))
  }
}
