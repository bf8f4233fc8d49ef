// Feeds the judge: each run change the clock records, the dynos running at each start and end (for
// the concurrency types), and a tick (reminders, runs that hang or have not started). What the
// judge decides is recorded in one write with its notifications; then the sender is woken.
import type {Run} from '../core/runs.js'
import type {Trigger} from '../core/trigger.js'
import type {AlertChange, AlertStore} from '../store/alerts.js'

import {emptyState, judge, type JudgeContext, judgeFailureEmail, type JudgeInput, type MonitorState} from '../core/judge.js'
import {type Monitor, monitorsOf} from '../core/monitors.js'
import {isTerminal} from '../core/runs.js'

export interface MonitoringDeps {
  alerts: AlertStore
  app: string
  loadDefinitions(): Promise<{monitors: unknown[]; triggers: Trigger[]}>
  /** whether the daily failure emails go out (an SMTP server is configured) */
  failureEmails: boolean
  now(): number
  print(line: string): void
  /** told after notifications were recorded */
  onNotifications(): void
}

export class Monitoring {
  private monitors: Monitor[] = []
  private triggers = new Map<string, Trigger>()
  private states = new Map<string, MonitorState>()
  /** runs with a dyno up, by id: what the concurrency types count */
  private readonly open = new Map<string, Run>()
  /** runs not finished yet, by id: a tick judges those that hang or have not started */
  private readonly unfinished = new Map<string, Run>()
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly deps: MonitoringDeps) {}

  /** The monitors and what they remember; the runs still going, so counts are right after a restart. */
  async load(running: Iterable<Run> = []): Promise<void> {
    await this.reload()
    this.states = await this.deps.alerts.states()
    for (const run of running) this.track(run)
  }

  /** whether any monitor is defined: without one, a tick has nothing to judge */
  get watching(): boolean {
    return this.monitors.length > 0
  }

  /** The definitions as the clock (re)loaded them: monitors judge with the same ones the clock fires by. */
  setDefinitions(defs: {monitors: unknown[]; triggers: Trigger[]}): void {
    this.monitors = monitorsOf(defs.monitors)
    this.triggers = new Map(defs.triggers.map(t => [t.id, t]))
  }

  /** Waits for what was handed in so far to be judged and recorded. */
  idle(): Promise<void> {
    return this.queue
  }

  /** Run changes as the clock recorded them: judged in order, recorded in one write. */
  onRunChanges(runs: readonly Run[]): void {
    const batch = [...runs]
    this.enqueue(async () => {
      const change = this.emptyChange()
      for (const run of batch) this.judgeRun(run, change)
      await this.record(change)
    })
  }

  /** Reminders for open alerts, runs that hang or are late, and definitions reloaded now and then. */
  tick(): Promise<void> {
    this.enqueue(async () => {
      const change = this.emptyChange()
      for (const monitor of this.monitors) this.step(monitor, {kind: 'tick'}, change)
      for (const run of this.unfinished.values()) {
        for (const monitor of this.monitors) {
          if (monitor.type === 'job-execution-time' || monitor.type === 'missed-run') this.step(monitor, {kind: 'run', run}, change)
        }
      }

      await this.record(change)
    })
    return this.queue
  }

  private context(): JudgeContext {
    return {app: this.deps.app, now: this.deps.now(), triggerName: id => (id ? this.triggers.get(id)?.name ?? null : null)}
  }

  private emptyChange(): AlertChange & {keys: Set<string>} {
    return {alerts: [], keys: new Set(), notifications: [], states: []}
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch(error => {
      this.deps.print(`at=warn msg=${JSON.stringify(`could not judge monitors: ${(error as Error).message}`)}`)
    })
  }

  private judgeRun(run: Run, change: AlertChange & {keys: Set<string>}): void {
    const wasOpen = this.open.has(run.id)
    this.track(run)
    const isOpen = this.open.has(run.id)
    for (const monitor of this.monitors) this.step(monitor, {kind: 'run', run}, change)
    if (wasOpen !== isOpen) {
      // a start or an end: the concurrency types evaluate the count now
      for (const monitor of this.monitors) {
        if (monitor.type === 'scheduler-concurrency') this.step(monitor, {count: this.open.size, kind: 'concurrency'}, change)
        if (monitor.type === 'job-concurrency' && monitor.trigger === run.triggerId) {
          let count = 0
          for (const r of this.open.values()) if (r.triggerId === monitor.trigger) count++
          this.step(monitor, {count, kind: 'concurrency'}, change)
        }
      }
    }

    const trigger = run.triggerId ? this.triggers.get(run.triggerId) : undefined
    if (trigger && this.deps.failureEmails && isTerminal(run.state)) {
      const key = `failure-email:${trigger.id}`
      const state = this.states.get(key) ?? emptyState(key)
      this.apply(key, state, judgeFailureEmail(trigger, state, run, this.context()), change)
    }
  }

  private apply(key: string, before: MonitorState, judged: ReturnType<typeof judge>, change: AlertChange & {keys: Set<string>}): void {
    if (judged.state === before && judged.notifications.length === 0) return
    this.states.set(key, judged.state)
    if (change.keys.has(key)) change.states = change.states.filter(s => s.key !== key)
    change.keys.add(key)
    change.states.push(judged.state)
    if (judged.alert) {
      change.alerts = change.alerts.filter(a => a.id !== judged.alert!.id)
      change.alerts.push(judged.alert)
    }

    change.notifications.push(...judged.notifications)
    // a transition, not a streak growing under an alert already open
    if (judged.alert && (judged.alert.state === 'resolved' || before.alert === null)) this.deps.print(`at=alert-${judged.alert.state === 'open' ? 'opened' : 'resolved'} monitor=${JSON.stringify(judged.alert.monitor)} type=${judged.alert.type} alert=${judged.alert.id} msg=${JSON.stringify(judged.alert.message)}`)
  }

  private async record(change: AlertChange): Promise<void> {
    if (change.states.length === 0) return
    await this.deps.alerts.record({alerts: change.alerts, notifications: change.notifications, states: change.states}, this.deps.now())
    if (change.notifications.length > 0) this.deps.onNotifications()
  }

  private async reload(): Promise<void> {
    this.setDefinitions(await this.deps.loadDefinitions())
  }

  private step(monitor: Monitor, input: JudgeInput, change: AlertChange & {keys: Set<string>}): void {
    const state = this.states.get(monitor.id) ?? emptyState(monitor.id)
    this.apply(monitor.id, state, judge(monitor, state, input, this.context()), change)
  }

  private track(run: Run): void {
    if (isTerminal(run.state)) {
      this.open.delete(run.id)
      this.unfinished.delete(run.id)
      return
    }

    this.unfinished.set(run.id, run)
    if (run.startedAt || run.upAt || run.state === 'running') this.open.set(run.id, run)
  }
}
