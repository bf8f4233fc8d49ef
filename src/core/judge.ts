// The judge: given a monitor, what it remembers (its streak, its open alert) and one thing that
// happened (a run change, a count of running dynos, an instant), the monitor's new state and the
// notifications to send. Pure: time is a parameter, ids are derived, nothing is sent from here.
import type {Run} from './runs.js'

import {adviceFor} from './advice.js'
import {type Filter, matches, parseFilter} from './filter.js'
import {runTime} from './history.js'
import {type Monitor, stableId} from './monitors.js'
import {isTerminal} from './runs.js'

export interface Alert {
  id: string
  monitorId: string
  /** the monitor's name */
  monitor: string
  type: Monitor['type']
  state: 'open' | 'resolved'
  openedAt: string
  resolvedAt: null | string
  /** the runs that matched, newest first, at most 20 */
  runIds: string[]
  message: string
}

/** What a monitor (or a trigger's daily failure email) remembers between events. */
export interface MonitorState {
  /** the monitor's id, or `failure-email:<trigger id>` */
  key: string
  /** consecutive matches so far */
  count: number
  /** the runs of the current streak, newest first */
  runIds: string[]
  /** the open alert, or null */
  alert: Alert | null
  /** when the open alert was last notified (ms) */
  notifiedAt: null | number
  /** runs already judged (newest last, bounded): a run replayed after a restart counts once */
  judged: string[]
  /** the failure email: the UTC day (YYYY-MM-DD) it was last sent for */
  day?: null | string
  /** when the newest run of the current streak was due or started (ms): an older run does not end the streak */
  matchedAt?: null | number
}

export type Channel = {kind: 'email'; to: null | string[]} | {kind: 'webhook'; secret: null | string; url: string}

/** One message to one channel, decided with the transition that caused it. */
export interface Notification {
  /** the Idempotency-Key: the same on every try */
  id: string
  event: 'alert.opened' | 'alert.resolved' | 'failure' | 'test'
  channel: Channel
  monitor: null | {id: string; name: string; type: string}
  alert: Alert | null
  run: null | Run
  /** the run's trigger's name, when it has one */
  triggerName: null | string
  /** one human line */
  text: string
  subject: string
  /** the plain-text body of an email */
  body: string
  createdAt: number
}

export type JudgeInput =
  | {count: number; kind: 'concurrency'}
  | {kind: 'run'; run: Run}
  | {kind: 'tick'}

export interface Judged {
  state: MonitorState
  /** the alert opened or resolved (or reminded), to be stored */
  alert: Alert | null
  notifications: Notification[]
}

export interface JudgeContext {
  now: number
  /** the trigger's name for a trigger id */
  triggerName(id: null | string): null | string
  /** the app's name, for texts */
  app: string
}

const KEEP_JUDGED = 200

export function emptyState(key: string): MonitorState {
  return {alert: null, count: 0, judged: [], key, notifiedAt: null, runIds: []}
}

const filters = new Map<string, Filter>()
function filterOf(source: string): Filter {
  let filter = filters.get(source)
  if (!filter) {
    filter = parseFilter(source)
    filters.set(source, filter)
  }

  return filter
}

/** Whether a run is one the monitor watches at all (its trigger, its filter, or every run). */
export function targets(monitor: Monitor, run: Run, triggerName: (id: null | string) => null | string): boolean {
  if (monitor.trigger !== null) return run.triggerId === monitor.trigger
  if (monitor.filter === null) return true
  return matches(filterOf(monitor.filter), {command: run.command, dyno: run.dyno, name: run.dyno, size: run.size, state: run.state, trigger: triggerName(run.triggerId)})
}

function durationS(run: Run, now: number): null | number {
  const started = Date.parse(run.startedAt ?? run.upAt ?? '')
  if (Number.isNaN(started)) return null
  const ended = run.endedAt ? Date.parse(run.endedAt) : now
  return (ended - started) / 1000
}

/** match / no match / not a judgement at all (a run still going, or an outcome the type does not look at). */
function verdict(monitor: Monitor, run: Run, now: number): boolean | null {
  const done = isTerminal(run.state)
  switch (monitor.type) {
    case 'job-execution-time': {
      const took = durationS(run, now)
      if (took === null) return null
      if (took > monitor.threshold!) return true // a run still going that has taken too long already matches
      return done && run.state !== 'missed' && run.state !== 'skipped' ? false : null
    }

    case 'job-failure': {
      if (!done) return null
      if (run.state === 'failed' || run.state === 'failed-to-start') return true
      return run.state === 'succeeded' || run.state === 'interrupted' ? false : null
    }

    case 'job-interruption': {
      if (!done) return null
      if (run.state === 'interrupted') return true
      return run.state === 'succeeded' || run.state === 'failed' ? false : null
    }

    case 'memory': {
      if (!done) return null
      const peak = run.peakMemoryMb !== null && run.memoryQuotaMb ? (run.peakMemoryMb / run.memoryQuotaMb) * 100 : null
      if (run.memoryErrors.length > 0 || (peak !== null && peak >= monitor.threshold!)) return true
      return run.state === 'missed' || run.state === 'skipped' ? null : false
    }

    case 'missed-run': {
      if (run.state === 'missed' || run.state === 'skipped' || run.state === 'failed-to-start') return true
      const nominal = Date.parse(run.nominalAt ?? '')
      const started = Date.parse(run.startedAt ?? run.upAt ?? '')
      if (Number.isNaN(started)) {
        // no start yet: a due time plus its grace gone by without one is a miss
        return !done && !Number.isNaN(nominal) && now > nominal + monitor.grace! * 1000 && run.state !== 'pending' ? true : null
      }

      return !Number.isNaN(nominal) && started - nominal > monitor.grace! * 1000
    }

    default: {
      return null
    }
  }
}

function describe(monitor: Monitor, run: null | Run, count: null | number, ctx: JudgeContext): string {
  const trigger = run ? ctx.triggerName(run.triggerId) ?? run.dyno ?? 'a run' : null
  switch (monitor.type) {
    case 'job-concurrency':
    case 'scheduler-concurrency': {
      return `${count} one-off dynos running at once (threshold ${monitor.threshold})`
    }

    case 'job-execution-time': {
      return `${trigger} ran ${Math.round(durationS(run!, ctx.now) ?? 0)} s (threshold ${monitor.threshold} s)`
    }

    case 'memory': {
      return `${trigger} ${run!.memoryErrors.length > 0 ? `hit ${run!.memoryErrors.join(', ')}` : `peaked at ${run!.peakMemoryMb} MB of ${run!.memoryQuotaMb} MB`}`
    }

    case 'missed-run': {
      return `${trigger} did not start within ${monitor.grace} s of ${run!.nominalAt} (${run!.state}${run!.reason ? `: ${run!.reason}` : ''})`
    }

    default: {
      return `${trigger} ${run!.state}${run!.exitStatus === null ? ' (exit status null)' : ` with exit status ${run!.exitStatus}`}${run!.reason ? `: ${run!.reason}` : ''}`
    }
  }
}

const COMMAND_WARNING = 'Note: the command is shown as the trigger defines it; it may hold secrets, so keep them in config vars, not in the command.'

/** The plain-text body every email carries: which trigger, which run, how it ended, the command, what to do, where to see more. */
export function runDetails(run: Run, ctx: JudgeContext): string {
  const trigger = ctx.triggerName(run.triggerId)
  const lines = [
    `Trigger: ${trigger ?? '(none: ' + (run.dyno ?? 'unknown dyno') + ')'}`,
    `Run: ${run.id}`,
    `Dyno: ${run.dyno ?? '(none)'}`,
    `State: ${run.state}`,
    `Exit status: ${run.exitStatus === null ? 'null' : run.exitStatus}`,
    `Reason: ${run.reason ?? '(none given)'}`,
    `Command: ${run.command ?? '(unknown)'}`,
    COMMAND_WARNING,
  ]
  const advice = adviceFor(run)
  if (advice.length > 0) lines.push('', 'What to do:', ...advice.map(a => `- ${a}`))
  const appFlag = ctx.app === 'local' ? '--local' : `--app ${ctx.app}`
  lines.push('', `See more: heroku runs:info ${run.id} ${appFlag}`)
  return lines.join('\n')
}

function channelsOf(monitor: Monitor): Channel[] {
  const channels: Channel[] = monitor.webhooks.map(url => ({kind: 'webhook', secret: monitor.secret, url}))
  if (monitor.email === null || monitor.email.length > 0) channels.unshift({kind: 'email', to: monitor.email})
  return channels
}

function notify(monitor: Monitor, alert: Alert, event: 'alert.opened' | 'alert.resolved', run: null | Run, ctx: JudgeContext, round: number | string): Notification[] {
  const verb = event === 'alert.opened' ? 'opened' : 'resolved'
  const text = `[${ctx.app}] alert ${verb}: ${monitor.name} (${monitor.type}): ${alert.message}`
  const subject = `[heroku-triggers] ${ctx.app}: ${monitor.name} ${verb}`
  const body = [text, '', ...(run ? [runDetails(run, ctx)] : [])].join('\n')
  return channelsOf(monitor).map((channel, i) => ({
    alert, body, channel, createdAt: ctx.now, event,
    id: stableId(alert.id, event, round, i),
    monitor: {id: monitor.id, name: monitor.name, type: monitor.type},
    run, subject, text, triggerName: run ? ctx.triggerName(run.triggerId) : null,
  }))
}

/**
 * One step of a monitor. Sensitivity N opens an alert after N consecutive matches; the first
 * non-match resolves it (or resets the streak). An open alert is notified once, then again only
 * every `renotify` seconds while it stays open (on ticks).
 */
export function judge(monitor: Monitor, state: MonitorState, input: JudgeInput, ctx: JudgeContext): Judged {
  const unchanged: Judged = {alert: null, notifications: [], state}
  if (monitor.paused) return unchanged
  if (input.kind === 'tick') return remind(monitor, state, ctx)
  let match: boolean | null
  let run: null | Run = null
  if (input.kind === 'concurrency') {
    if (monitor.type !== 'job-concurrency' && monitor.type !== 'scheduler-concurrency') return unchanged
    match = input.count >= monitor.threshold!
  } else {
    run = input.run
    if (monitor.type === 'job-concurrency' || monitor.type === 'scheduler-concurrency') return unchanged
    if (!targets(monitor, run, ctx.triggerName)) return unchanged
    if (state.judged.includes(run.id)) return unchanged
    match = verdict(monitor, run, ctx.now)
    if (match === null) return unchanged
  }

  const judged = run ? [...state.judged, run.id].slice(-KEEP_JUDGED) : state.judged
  const at = new Date(ctx.now).toISOString()
  const runAt = run ? timeOf(run) : ctx.now
  if (!match) {
    // runs can be told out of order (a log backlog read after the missed times): one from before the streak does not end it
    if (state.count > 0 && typeof state.matchedAt === 'number' && runAt < state.matchedAt) return {alert: null, notifications: [], state: {...state, judged}}
    const next: MonitorState = {...state, alert: null, count: 0, judged, matchedAt: null, notifiedAt: null, runIds: []}
    if (!state.alert) return {alert: null, notifications: [], state: next}
    const resolved: Alert = {...state.alert, resolvedAt: at, state: 'resolved'}
    return {alert: resolved, notifications: notify(monitor, resolved, 'alert.resolved', run, ctx, 0), state: next}
  }

  const runIds = run ? [run.id, ...state.runIds].slice(0, 20) : state.runIds
  const count = state.count + 1
  const matchedAt = Math.max(state.matchedAt ?? Number.NEGATIVE_INFINITY, runAt)
  if (state.alert) {
    const alert = {...state.alert, runIds}
    return {alert, notifications: [], state: {...state, alert, count, judged, matchedAt, runIds}}
  }

  if (count < monitor.sensitivity) return {alert: null, notifications: [], state: {...state, count, judged, matchedAt, runIds}}
  const message = describe(monitor, run, input.kind === 'concurrency' ? input.count : null, ctx) + (monitor.sensitivity > 1 ? ` (${count} times in a row)` : '')
  const alert: Alert = {id: stableId(monitor.id, 'alert', run?.id ?? '', ctx.now), message, monitor: monitor.name, monitorId: monitor.id, openedAt: at, resolvedAt: null, runIds, state: 'open', type: monitor.type}
  return {alert, notifications: notify(monitor, alert, 'alert.opened', run, ctx, 0), state: {...state, alert, count, judged, matchedAt, notifiedAt: ctx.now, runIds}}
}

/** When a run was due (else first seen), as runs are ordered everywhere: the order the judge counts streaks in. */
function timeOf(run: Run): number {
  const at = runTime(run)
  return Number.isNaN(at) ? Number.NEGATIVE_INFINITY : at
}

function remind(monitor: Monitor, state: MonitorState, ctx: JudgeContext): Judged {
  if (!state.alert || monitor.renotify === null || state.notifiedAt === null) return {alert: null, notifications: [], state}
  if (ctx.now - state.notifiedAt < monitor.renotify * 1000) return {alert: null, notifications: [], state}
  const notifications = notify(monitor, state.alert, 'alert.opened', null, ctx, `reminder ${ctx.now}`)
  return {alert: null, notifications, state: {...state, notifiedAt: ctx.now}}
}

/** The daily failure email of a trigger: the first failed run of each UTC day, once. */
export function judgeFailureEmail(trigger: {failureEmail: boolean; id: string; name: string}, state: MonitorState, run: Run, ctx: JudgeContext): Judged {
  const unchanged: Judged = {alert: null, notifications: [], state}
  if (!trigger.failureEmail || run.triggerId !== trigger.id) return unchanged
  if (run.state !== 'failed' && run.state !== 'failed-to-start') return unchanged
  const day = (run.endedAt ?? new Date(ctx.now).toISOString()).slice(0, 10)
  if (state.day === day) return unchanged
  const text = `[${ctx.app}] ${trigger.name} failed${run.exitStatus === null ? ' (exit status null)' : ` with exit status ${run.exitStatus}`}: the first failed run today (${day}, UTC)`
  const notification: Notification = {
    alert: null, body: `${text}\n\n${runDetails(run, ctx)}\n\nThis email is sent once a day per trigger; turn it off with heroku triggers:update ${JSON.stringify(trigger.name)} --no-failure-email.`,
    channel: {kind: 'email', to: null}, createdAt: ctx.now, event: 'failure', id: stableId('failure-email', trigger.id, day), monitor: null, run,
    subject: `[heroku-triggers] ${ctx.app}: ${trigger.name} failed`, text, triggerName: trigger.name,
  }
  return {alert: null, notifications: [notification], state: {...state, day}}
}

/** A sample through every channel of a monitor, for monitors:test. */
export function testNotifications(monitor: Monitor, ctx: JudgeContext): Notification[] {
  const text = `[${ctx.app}] test notification from monitor ${monitor.name} (${monitor.type}): it reaches this channel`
  return channelsOf(monitor).map((channel, i) => ({
    alert: null, body: `${text}\n\nNothing is wrong: this was sent by heroku monitors:test.`, channel, createdAt: ctx.now, event: 'test',
    id: stableId(monitor.id, 'test', ctx.now, i), monitor: {id: monitor.id, name: monitor.name, type: monitor.type}, run: null,
    subject: `[heroku-triggers] ${ctx.app}: test of ${monitor.name}`, text, triggerName: null,
  }))
}
