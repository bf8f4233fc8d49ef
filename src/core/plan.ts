// triggers:apply's plan: what it takes to make the app's triggers (and monitors) match a file, by
// name. Pure: a function of the checked entries, the stored definitions and now. The same plan is
// then applied to the definitions inside the store's one write.
import type {Trigger} from './trigger.js'

import {type CheckedMonitor, checkMonitorEntries} from './monitor-file.js'
import {applyMonitorPlan, monitorChanges, type MonitorPlan, planMonitors} from './monitor-plan.js'
import {monitorsOf} from './monitors.js'
import {type CheckedEntry, checkEntries, ENTRY_FIELDS, type EntryField, type FileProblem, fingerprint, fullEntryOf, idFor, type ParsedFile, sameValue, ScheduleFileError, wallTimeOf} from './schedule-file.js'

/** triggers:apply --exit-code: the plan has changes (README "Exit codes"). */
export const EXIT_CHANGES = 10

/** A trigger apply wrote keeps a fingerprint of what it wrote, to tell later whether it was changed on the app. */
type Applied = Trigger & {applied?: string}

export interface FieldChange {
  from: unknown
  to: unknown
}

export interface PlannedUpdate {
  name: string
  current: Trigger
  next: Trigger
  changes: Partial<Record<'name' | EntryField, FieldChange>>
  /** changed on the app since the apply that last wrote it */
  drift: boolean
}

export interface Plan {
  create: Trigger[]
  update: PlannedUpdate[]
  /** on the app, not in the file, and --prune given */
  delete: Trigger[]
  /** on the app, not in the file, kept because --prune was not given */
  kept: Trigger[]
  unchanged: Trigger[]
  /** a name in the file whose trigger is on the app under another name: a delete and a create */
  renames: Array<{from: string; to: string}>
  /** the monitors' plan, when the file has monitors (without, the app's are left as they are) */
  monitors?: MonitorPlan
}

export interface PlanOptions {
  prune: boolean
  /** scopes the ids of created triggers (the app's name) */
  scope: string
}

/** What `--json` prints. */
export interface PlanJson {
  create: string[]
  update: Array<{changes: Record<string, FieldChange>; drift?: true; name: string}>
  delete: string[]
  unchanged: number
  monitors?: {create: string[]; delete: string[]; unchanged: number; update: Array<{changes: Record<string, FieldChange>; name: string}>}
}

/** A whole file checked before any I/O: every bad trigger and monitor named at once. */
export interface CheckedFile {
  entries: CheckedEntry[]
  /** null: the file has no monitors key */
  monitors: CheckedMonitor[] | null
}

export function checkScheduleFile(file: string, parsed: ParsedFile, now: Date, env: Readonly<Record<string, string | undefined>>): CheckedFile {
  const monitors = parsed.monitors ? checkMonitorEntries(parsed.monitors, env) : null
  let entries: CheckedEntry[] = []
  let problems = monitors?.problems ?? []
  try {
    entries = checkEntries(file, parsed, now)
  } catch (error) {
    if (!(error instanceof ScheduleFileError)) throw error
    problems = [...error.problems, ...problems]
  }

  if (problems.length > 0) throw new ScheduleFileError(file, problems.sort((a, b) => a.line - b.line))
  return {entries, monitors: monitors?.checked ?? null}
}

/** The plan of the whole file: the triggers', then the monitors' against the triggers the app will have. */
export function planFile(checked: CheckedFile, defs: {monitors: unknown[]; triggers: Trigger[]}, now: Date, options: PlanOptions, file = 'the file'): Plan {
  const plan = planApply(checked.entries, defs.triggers, now, options, file)
  if (checked.monitors === null) return plan
  const {plan: monitors, problems} = planMonitors(checked.monitors, monitorsOf(defs.monitors), applyPlan(plan, defs.triggers), now, options)
  if (problems.length > 0) throw new ScheduleFileError(file, problems)
  return {...plan, monitors}
}

/** The whole plan's writes on the definitions, inside the store's one write. */
export function applyFile(plan: Plan, defs: {monitors: unknown[]; triggers: Trigger[]}): void {
  defs.triggers = applyPlan(plan, defs.triggers)
  if (plan.monitors) defs.monitors = applyMonitorPlan(plan.monitors, defs.monitors)
}

export function planApply(entries: readonly CheckedEntry[], triggers: readonly Trigger[], now: Date, options: PlanOptions, file = 'the file'): Plan {
  const byName = new Map<string, Trigger>()
  for (const t of triggers) if (!byName.has(t.name.toLowerCase())) byName.set(t.name.toLowerCase(), t)
  const plan: Plan = {create: [], delete: [], kept: [], renames: [], unchanged: [], update: []}
  const problems: FileProblem[] = []
  const matched = new Set<Trigger>()
  const stamp = now.toISOString()

  for (const entry of entries) {
    const current = byName.get(entry.name.toLowerCase())
    if (current) matched.add(current)
    const wanted = entry.trigger
    if (entry.pastAt && wanted.state !== 'completed') {
      const unchanged = current?.at === wanted.at
      if (!(unchanged && wanted.state === 'inactive')) {
        const wall = wallTimeOf(wanted.at!, wanted.timezone)
        problems.push({line: entry.line, message: `at ${wall} (${wanted.timezone}) is in the past: give a future date as YYYY-MM-DD HH:MM, or write state: completed`, name: entry.name})
        continue
      }
    }

    if (!current) {
      const created: Applied = {...wanted, createdAt: stamp, env: {...wanted.env}, id: idFor(wanted.name, options.scope), updatedAt: stamp}
      created.applied = fingerprint(created, now)
      plan.create.push(created)
      continue
    }

    const before = fullEntryOf(current, now)
    const after = fullEntryOf(wanted, now)
    const changes: PlannedUpdate['changes'] = {}
    if (current.name !== wanted.name) changes.name = {from: current.name, to: wanted.name}
    for (const field of ENTRY_FIELDS) {
      if (!sameValue(field, before[field], after[field])) changes[field] = {from: before[field], to: after[field]}
    }

    if (Object.keys(changes).length === 0) {
      plan.unchanged.push(current)
      continue
    }

    const next: Applied = {
      ...current,
      at: wanted.at,
      catchUp: wanted.catchUp,
      command: wanted.command,
      concurrency: wanted.concurrency,
      env: {...wanted.env},
      failureEmail: wanted.failureEmail,
      jitter: wanted.jitter,
      maintenance: wanted.maintenance,
      name: wanted.name,
      note: wanted.state === 'active' ? null : current.note,
      retries: wanted.retries,
      schedule: wanted.schedule,
      // a size named in another case is the same size: keep the stored spelling
      size: changes.size === undefined ? current.size : wanted.size,
      state: wanted.state,
      timeout: wanted.timeout,
      timezone: wanted.timezone,
      updatedAt: stamp,
    }
    next.applied = fingerprint(next, now)
    const {applied} = current as Applied
    plan.update.push({changes, current, drift: applied !== undefined && applied !== fingerprint(current, now), name: wanted.name, next})
  }

  if (problems.length > 0) throw new ScheduleFileError(file, problems)

  const absent = triggers.filter(t => !matched.has(t)).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))
  for (const gone of absent) {
    const twin = plan.create.find(c => c.command === gone.command && c.schedule === gone.schedule && c.at === gone.at)
    if (twin) plan.renames.push({from: gone.name, to: twin.name})
    if (options.prune) plan.delete.push(gone)
    else plan.kept.push(gone)
  }

  return plan
}

export function hasChanges(plan: Plan): boolean {
  return plan.create.length + plan.update.length + plan.delete.length + (plan.monitors ? monitorChanges(plan.monitors) : 0) > 0
}

/** The plan's writes, done on the definitions inside the store's one write. */
export function applyPlan(plan: Plan, triggers: Trigger[]): Trigger[] {
  const removed = new Set(plan.delete.map(t => t.id))
  const replaced = new Map(plan.update.map(u => [u.current.id, u.next]))
  return [...triggers.filter(t => !removed.has(t.id)).map(t => replaced.get(t.id) ?? t), ...plan.create]
}

export function planJson(plan: Plan): PlanJson {
  return {
    create: plan.create.map(t => t.name),
    update: plan.update.map(u => ({name: u.name, changes: u.changes as Record<string, FieldChange>, ...(u.drift ? {drift: true as const} : {})})),
    delete: plan.delete.map(t => t.name),
    unchanged: plan.unchanged.length,
    ...(plan.monitors
      ? {monitors: {
      create: plan.monitors.create.map(m => m.name),
      delete: plan.monitors.delete.map(m => m.name),
      unchanged: plan.monitors.unchanged.length,
      update: plan.monitors.update.map(u => ({changes: u.changes as Record<string, FieldChange>, name: u.name})),
    }}
      : {}),
  }
}
