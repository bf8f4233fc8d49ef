// triggers:import's report: each source beside the trigger made from it, then what to do next.
import type {ImportItem} from '../core/import.js'

export function importLines(items: readonly ImportItem[], app: string, local: boolean): string[] {
  const target = local ? '--local' : `--app ${app}`
  if (items.length === 0) return [`Nothing to import: ${app} has no Heroku Scheduler jobs.`]
  const lines: string[] = []
  for (const item of items) {
    const source = item.source.kind === 'heroku-scheduler' ? `Heroku Scheduler job ${item.source.id}` : `Advanced Scheduler ${JSON.stringify(item.source.input.name)}`
    lines.push(`${source}: ${item.source.description}`, item.trigger
      ? `  → trigger ${JSON.stringify(item.trigger.name)} (${item.trigger.id.slice(0, 8)}), ${item.trigger.state}, timeout ${item.trigger.timeout}s`
      : `  → skipped: already imported as trigger ${JSON.stringify(item.skippedAs)}`)
  }

  const made = items.filter(i => i.trigger)
  if (made.length === 0) {
    lines.push('Nothing new to import: each one is already a trigger.')
    return lines
  }

  const inactive = made.filter(i => i.trigger!.state === 'inactive')
  const fromScheduler = made.some(i => i.source.kind === 'heroku-scheduler')
  lines.push(`Imported ${made.length} of ${items.length}${inactive.length === made.length ? ' as inactive triggers' : ''}.`)
  const steps: string[] = []
  if (inactive.length > 0) steps.push(`activate each with heroku triggers:activate NAME ${target}`)
  steps.push(fromScheduler
    ? `then remove its Heroku Scheduler job (heroku addons:open scheduler ${target}) so it does not run twice`
    : 'then deactivate it in Advanced Scheduler (heroku triggers:deactivate UUID with its plugin) so it does not run twice')
  lines.push(`Next: check them with heroku triggers ${target}, ${steps.join(', ')}.`)
  return lines
}
