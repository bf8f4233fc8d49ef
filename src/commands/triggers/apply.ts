import {readFile} from 'node:fs/promises'

import {BaseCommand, isInteractive} from '../../base.js'
import {ConflictError, InvalidInputError} from '../../core/errors.js'
import {applyFile, type CheckedFile, checkScheduleFile, EXIT_CHANGES, hasChanges, type Plan, planFile, planJson} from '../../core/plan.js'
import {parseScheduleFile, resolveSizes, ScheduleFileError} from '../../core/schedule-file.js'
import {json} from '../../flags.js'
import {Args, Flags, ux} from '../../oclif.js'
import {count} from '../../render/count.js'
import {renderPlan} from '../../render/plan.js'

export default class TriggersApply extends BaseCommand {
  static args = {file: Args.string({description: 'the schedule file (YAML or JSON), as triggers:export writes it', required: true})}
  static description = 'make the app\'s triggers and monitors match a schedule file, by name: prints the plan, then applies it in one write'
  static examples = [
    '$ heroku triggers:apply triggers.yml --app example-app --dry-run',
    '$ heroku triggers:apply triggers.yml --app example-app',
    '$ heroku triggers:apply triggers.yml --app example-app --prune --confirm example-app',
    '# in CI, fail when the app has drifted from the file:',
    '$ heroku triggers:apply triggers.yml --app example-app --dry-run --exit-code',
  ]
  static flags = {
    confirm: Flags.string({char: 'c', description: 'the app name, to confirm --prune\'s deletes without a prompt'}),
    'dry-run': Flags.boolean({description: 'print the plan and write nothing'}),
    'exit-code': Flags.boolean({description: `exit ${EXIT_CHANGES} when the plan has changes, 0 when it has none (for CI)`}),
    json,
    prune: Flags.boolean({description: 'delete the app\'s triggers (and monitors, when the file has monitors:) that are not in the file'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TriggersApply)
    const {file} = args
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'no such file' : error.message.replace(/^\w+: /, '')
      throw new InvalidInputError(`cannot read ${file}: ${why}; give the path of a schedule file (heroku triggers:export --file triggers.yml writes one)`)
    })
    const checked = checkScheduleFile(file, parseScheduleFile(text), new Date(), process.env) // the whole file, before any I/O
    const context = await this.context(flags)
    if (context.platform) {
      const {platform} = context
      checked.entries = await resolveSizes(file, checked.entries, size => platform.checkSize(size))
    }

    const now = context.now()
    const options = {prune: flags.prune, scope: context.app}
    const plan = planFile(checked, await context.store.read(), now, options, file)
    for (const warning of checked.entries.flatMap(e => e.warnings.map(w => `${e.name}: ${w}`))) this.warn(warning)
    const writing = hasChanges(plan) && !flags['dry-run']
    // without a terminal the missing --confirm is one line, before the plan; on a terminal the prompt follows the plan
    if (writing && deletes(plan) > 0 && !isInteractive()) await this.confirmPrune(context.app, plan, flags.confirm)
    if (flags.json) this.json(planJson(plan))
    else for (const line of renderPlan(plan, context.app)) this.log(line)

    if (writing) await this.write(context, checked, plan, {...options, confirm: flags.confirm, json: flags.json})
    else if (hasChanges(plan) && !flags.json) this.logToStderr('--dry-run: nothing was written')
    if (flags['exit-code'] && hasChanges(plan)) this.exit(EXIT_CHANGES)
  }

  protected async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (!(error instanceof ScheduleFileError)) return super.catch(error)
    const [first, ...rest] = error.lines()
    this.logToStderr(` ›   Error: ${first}`)
    for (const line of rest) this.logToStderr(` ›     ${line}`)
    this.exit(error.exitCode)
  }

  private async confirmPrune(app: string, plan: Plan, confirm: string | undefined): Promise<void> {
    const triggers = plan.delete.map(t => t.name)
    const monitors = plan.monitors?.delete.map(m => m.name) ?? []
    const what = monitors.length === 0
      ? `${count(triggers.length, 'trigger')} from ${app} (${triggers.join(', ')})`
      : `${[triggers.length > 0 ? `${count(triggers.length, 'trigger')} (${triggers.join(', ')})` : '', `${count(monitors.length, 'monitor')} (${monitors.join(', ')})`].filter(Boolean).join(' and ')} from ${app}`
    await this.confirmApp(app, confirm, `--prune deletes ${what}, which cannot be undone`)
  }

  /** The plan in one store write; the plan is made again on what the store holds at that moment. */
  private async write(context: Awaited<ReturnType<BaseCommand['context']>>, checked: CheckedFile, plan: Plan, options: {confirm?: string; json: boolean; prune: boolean; scope: string}): Promise<void> {
    if (deletes(plan) > 0) await this.confirmPrune(context.app, plan, options.confirm)
    const confirmed = new Set([...plan.delete, ...plan.monitors?.delete ?? []].map(d => d.id))
    if (!options.json) ux.action.start(`Applying to ${context.app}`)
    try {
      await context.store.update(defs => {
        const fresh = planFile(checked, defs, context.now(), options)
        if ([...fresh.delete, ...fresh.monitors?.delete ?? []].some(d => !confirmed.has(d.id))) throw new ConflictError(`the definitions of ${context.app} changed while applying: nothing was written; run triggers:apply again to see the new plan`)
        if (hasChanges(fresh)) applyFile(fresh, defs)
        return fresh
      })
    } catch (error) {
      // another machine applying the same file at once may win the write: then the app already matches
      if (!(error instanceof ConflictError) || hasChanges(planFile(checked, await context.store.read(), context.now(), options))) throw error
    }

    if (!options.json) ux.action.stop('done, in one write')
  }
}

/** What the plan deletes, triggers and monitors. */
function deletes(plan: Plan): number {
  return plan.delete.length + (plan.monitors?.delete.length ?? 0)
}
