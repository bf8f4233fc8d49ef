// triggers:apply's plan as lines of text: + create, ~ update (each field old → new), - delete,
// = unchanged (counted), and the triggers kept because they are not in the file; then the same
// for monitors, when the file has them.
import type {MonitorPlan} from '../core/monitor-plan.js'
import type {FieldChange, Plan} from '../core/plan.js'

import {count} from './count.js'

function show(value: unknown): string {
  if (value === null || value === undefined) return '(none)'
  if (typeof value === 'string') return /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(v => show(v)).join(', ')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
    return entries.length === 0 ? '{}' : `{${entries.map(([k, v]) => `${k}: ${show(v)}`).join(', ')}}`
  }

  return String(value)
}

function change(field: string, {from, to}: FieldChange): string {
  return `    ${field}: ${show(from)} → ${show(to)}`
}

/** The plan, one line per trigger (and per changed field), then a one-line summary. */
export function renderPlan(plan: Plan, target: string): string[] {
  const lines: string[] = []
  const renamedFrom = new Map(plan.renames.map(r => [r.to, r.from]))
  const renamedTo = new Map(plan.renames.map(r => [r.from, r.to]))
  for (const t of plan.create) {
    const from = renamedFrom.get(t.name)
    const what = t.schedule === null ? `at ${show(t.at)}` : show(t.schedule)
    lines.push(`+ ${t.name}${from ? ` (renamed from ${from}: a delete and a create)` : ''}: ${show(t.command)}, ${what}${t.state === 'active' ? '' : `, ${t.state}`}`)
  }

  for (const u of plan.update) {
    lines.push(`~ ${u.name}${u.drift ? ' (drift: changed on the app since the last apply)' : ''}`)
    for (const [field, c] of Object.entries(u.changes)) lines.push(change(field, c as FieldChange))
  }

  for (const t of plan.delete) {
    const to = renamedTo.get(t.name)
    lines.push(`- ${t.name}${to ? ` (renamed to ${to})` : ''}`)
  }

  if (plan.unchanged.length > 0) lines.push(`= ${plan.unchanged.length} unchanged`)
  if (plan.kept.length > 0) {
    const names = plan.kept.map(t => (renamedTo.has(t.name) ? `${t.name} (renamed to ${renamedTo.get(t.name)} in the file)` : t.name))
    lines.push(`  kept, not in the file (--prune deletes them): ${names.join(', ')}`)
  }

  // a file with no monitors for an app with none says nothing of them
  const monitors = plan.monitors && Object.values(plan.monitors).some(list => list.length > 0) ? plan.monitors : undefined
  if (monitors) lines.push(...monitorLines(monitors))
  const counts = `${plan.create.length} to create, ${plan.update.length} to update, ${plan.delete.length} to delete, ${plan.unchanged.length} unchanged`
  const monitorCounts = monitors ? `; monitors: ${monitors.create.length} to create, ${monitors.update.length} to update, ${monitors.delete.length} to delete, ${monitors.unchanged.length} unchanged` : ''
  const total = plan.create.length + plan.update.length + plan.delete.length + (monitors ? monitors.create.length + monitors.update.length + monitors.delete.length : 0)
  const unchanged = `${plan.unchanged.length} unchanged${monitors ? `, ${count(monitors.unchanged.length, 'monitor')} unchanged` : ''}`
  lines.push(total === 0 ? `No changes: ${target} matches the file (${unchanged}).` : `Plan for ${target}: ${counts}${monitorCounts}.`)
  return lines
}

function monitorLines(plan: MonitorPlan): string[] {
  const lines: string[] = []
  for (const m of plan.create) lines.push(`+ monitor ${m.name}: ${m.type}${m.paused ? ', paused' : ''}`)
  for (const u of plan.update) {
    lines.push(`~ monitor ${u.name}`)
    for (const [field, c] of Object.entries(u.changes)) lines.push(change(field, c as FieldChange))
  }

  for (const m of plan.delete) lines.push(`- monitor ${m.name}`)
  if (plan.unchanged.length > 0) lines.push(`= ${count(plan.unchanged.length, 'monitor')} unchanged`)
  if (plan.kept.length > 0) lines.push(`  monitors kept, not in the file (--prune deletes them): ${plan.kept.map(m => m.name).join(', ')}`)
  return lines
}
