// triggers:apply's plan for monitors: what it takes to make the app's monitors match the file, by
// name. Pure, like the triggers' plan, and made against the triggers the app will have once the
// triggers' plan is applied (a monitor may watch a trigger the same file creates).
import type {FieldChange} from './plan.js'
import type {Trigger} from './trigger.js'

import {InvalidInputError} from './errors.js'
import {type CheckedMonitor, type MonitorFields, monitorFieldsOf, monitorOfEntry, shownMonitorValue} from './monitor-file.js'
import {type Monitor} from './monitors.js'
import {type FileProblem} from './schedule-file.js'

export interface PlannedMonitorUpdate {
  name: string
  current: Monitor
  next: Monitor
  /** old → new as they are shown (webhooks masked, a secret as set) */
  changes: Partial<Record<keyof MonitorFields, FieldChange>>
}

export interface MonitorPlan {
  create: Monitor[]
  update: PlannedMonitorUpdate[]
  /** on the app, not in the file, and --prune given */
  delete: Monitor[]
  /** on the app, not in the file, kept because --prune was not given */
  kept: Monitor[]
  unchanged: Monitor[]
}

export interface MonitorPlanned {
  plan: MonitorPlan
  problems: FileProblem[]
}

export interface MonitorPlanOptions {
  prune: boolean
  /** scopes the ids of created monitors (the app's name) */
  scope: string
}

/** The plan, and each entry that cannot be made against the app (a masked webhook it lacks, a trigger neither has). */
export function planMonitors(entries: readonly CheckedMonitor[], monitors: readonly Monitor[], triggers: readonly Trigger[], now: Date, options: MonitorPlanOptions): MonitorPlanned {
  const plan: MonitorPlan = {create: [], delete: [], kept: [], unchanged: [], update: []}
  const problems: FileProblem[] = []
  const names = new Map(triggers.map(t => [t.id, t.name]))
  const matched = new Set<Monitor>()
  for (const entry of entries) {
    const current = monitors.find(m => m.name === entry.name)
    if (current) matched.add(current)
    let next: Monitor
    try {
      next = monitorOfEntry(entry, current, triggers, now, options.scope)
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      problems.push({kind: 'monitor', line: entry.line, message: error.message, name: entry.name})
      continue
    }

    if (!current) {
      plan.create.push(next)
      continue
    }

    const before = monitorFieldsOf(current, names)
    const after = monitorFieldsOf(next, names)
    const changes: PlannedMonitorUpdate['changes'] = {}
    for (const field of Object.keys(after) as Array<keyof MonitorFields>) {
      if (JSON.stringify(before[field]) === JSON.stringify(after[field])) continue
      let to = shownMonitorValue(field, after[field])
      const from = shownMonitorValue(field, before[field])
      // another secret, or another URL on the same host, shows the same masked: say it changed
      if (JSON.stringify(from) === JSON.stringify(to)) to = field === 'secret' ? 'another' : 'another URL on the same host'
      changes[field] = {from, to}
    }

    if (Object.keys(changes).length === 0) plan.unchanged.push(current)
    else plan.update.push({changes, current, name: entry.name, next})
  }

  for (const gone of monitors.filter(m => !matched.has(m)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (options.prune) plan.delete.push(gone)
    else plan.kept.push(gone)
  }

  return {plan, problems}
}

export function monitorChanges(plan: MonitorPlan): number {
  return plan.create.length + plan.update.length + plan.delete.length
}

/** The plan's writes, done on the stored monitors inside the store's one write. */
export function applyMonitorPlan(plan: MonitorPlan, stored: readonly unknown[]): unknown[] {
  const removed = new Set(plan.delete.map(m => m.id))
  const replaced = new Map(plan.update.map(u => [u.current.id, u.next]))
  return [...stored.filter(m => !removed.has(idOf(m))).map(m => replaced.get(idOf(m)) ?? m), ...plan.create]
}

function idOf(stored: unknown): string {
  return (stored as null | {id?: string})?.id ?? ''
}
