import {BaseCommand} from '../../base.js'
import {adviceFor} from '../../core/advice.js'
import {linesOfRun, resolveRun, viewRun} from '../../core/history.js'
import {viewRetry} from '../../core/retries.js'
import {json} from '../../flags.js'
import {Args} from '../../oclif.js'

export default class RunsInfo extends BaseCommand {
  static args = {run: Args.string({description: 'run id, id prefix, or dyno name (see heroku runs)', required: true})}
  static description = 'show one run: its lifecycle lines, memory samples, and what to do about a failure'
  static examples = [
    '$ heroku runs:info trigger-1a2b3c4d.4521 --app example-app',
    '$ heroku runs:info 1a2b3c4d-0000-4000-8000-000000000001@2026-11-23T09:30:00.000Z --app example-app --json',
  ]
  static flags = {json}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(RunsInfo)
    const context = await this.context(flags)
    const {loadHistory} = await import('../../runs/load.js')
    const history = await loadHistory(context)
    const run = resolveRun(history.runs, args.run)
    const trigger = history.triggers.find(t => t.id === run.triggerId)
    const retry = trigger ? viewRetry(trigger, run, history.runs, context.now().getTime()) : null
    const view = viewRun(run, history.names)
    const lines = linesOfRun(run, history.lines)
    const advice = adviceFor(run)
    if (flags.json) return this.json({...view, advice, lines, peakLoad: run.peakLoad, memoryErrors: run.memoryErrors, retry})
    const {runDetails} = await import('../../render/runs.js')
    runDetails(view, run, lines, advice, retry)
  }
}
