// The clock's decisions, as functions of the triggers, what is already known, and `now`.
// Nothing here sleeps, reads a file or calls an API: the clock process (src/clock/) feeds it real
// time and real I/O, and tests feed it a week of schedule in milliseconds.
import {createHash} from 'node:crypto'

import {type FailedAttempt, retryPlan, type RetryPlan} from './retries.js'
import {type Run, runIdFor} from './runs.js'
import {fireTimesBetween, nextFireTime, type Schedule, typicalPeriodSeconds} from './schedule.js'
import {scheduleOf, type Trigger} from './trigger.js'

const HOUR = 3600

/** How late a missed nominal time may still fire: the trigger's own, or min(period, 1 h). */
export function catchUpWindowSeconds(trigger: Trigger, schedule: Schedule = scheduleOf(trigger)): number {
  if (trigger.catchUp !== null) return trigger.catchUp
  if (schedule.kind === 'at') return HOUR
  return Math.min(typicalPeriodSeconds(schedule), HOUR)
}

/** A run's identity: the trigger and the nominal time it was due (second precision). */
export function runKey(triggerId: string, nominal: Date | number, attempt = 1): string {
  const id = runIdFor(triggerId, new Date(Math.floor(new Date(nominal).getTime() / 1000) * 1000))
  return attempt > 1 ? `${id}#${attempt}` : id
}

/**
 * Deterministic jitter: the same trigger and nominal time always get the same delay, so a
 * restarted clock does not re-roll it, and the delay never reaches the next fire time.
 */
export function jitterMs(trigger: Pick<Trigger, 'id' | 'jitter'>, nominal: Date, next: Date | null): number {
  if (trigger.jitter <= 0) return 0
  const room = next ? next.getTime() - nominal.getTime() - 1000 : Number.POSITIVE_INFINITY
  const max = Math.max(0, Math.min(trigger.jitter * 1000, room))
  if (max === 0) return 0
  const digest = createHash('sha256').update(`${trigger.id}|${nominal.toISOString()}`).digest()
  return Math.floor((digest.readUInt32BE(0) / 0x1_00_00_00_00) * max)
}

export {retryDelayMs} from './retries.js'

export type Due =
  | {kind: 'fire'; trigger: Trigger; nominal: Date; scheduledAt: Date; attempt: number; retryOf: null | string; key: string}
  | {kind: 'missed'; trigger: Trigger; nominal: Date; key: string; reason: string}

interface Cursor {
  trigger: Trigger
  schedule: Schedule
  /** handed out up to this time; the next nominal time is found later, off the firing path */
  handedOutTo: Date | null
  /** the next nominal time not yet handed out, and when it is due (nominal + jitter) */
  nominal: Date | null
  dueAt: number
}

export interface PlannerOptions {
  /** the last pass of an earlier clock (ms), if this machine knows it; otherwise each trigger looks back over its catch-up window */
  lastPassAt?: null | number
  /** whether a run key is already recorded (here, or learned from the app's dynos and log) */
  isKnown: (key: string, trigger: Trigger, nominal: Date) => boolean
  /** upper bound on missed times enumerated per trigger per pass, so a long outage never stalls a pass */
  missedCap?: number
  /**
   * Told when work is added between passes (a retry, a deferred run) with the time it falls due:
   * the clock may be asleep past it, and must wake. The planner is the one scheduler of due work.
   */
  onAdded?: (at: number) => void
}

/**
 * Hands out what is due, once. Keeps a cursor per trigger (its next nominal time), so a pass
 * costs only the triggers that are due, and tells when the next one will be.
 */
export class Planner {
  private cursors = new Map<string, Cursor>()
  private retries: Array<{at: number; due: Due & {kind: 'fire'}}> = []
  private readonly missedCap: number

  constructor(triggers: readonly Trigger[], private readonly now: number, private readonly options: PlannerOptions) {
    this.missedCap = options.missedCap ?? 1000
    this.setTriggers(triggers, now)
  }

  /** New or changed definitions: cursors of unchanged triggers are kept. */
  setTriggers(triggers: readonly Trigger[], now: number = this.now): void {
    const next = new Map<string, Cursor>()
    for (const trigger of triggers) {
      if (trigger.state !== 'active') continue
      const old = this.cursors.get(trigger.id)
      if (old && old.trigger.updatedAt === trigger.updatedAt) {
        next.set(trigger.id, old)
        continue
      }

      const schedule = scheduleOf(trigger)
      const window = catchUpWindowSeconds(trigger, schedule) * 1000
      // where to look back from: the last pass if known, else the catch-up window; a changed trigger starts now
      const lastPass = this.options.lastPassAt ?? null
      const cursor: Cursor = {dueAt: Number.POSITIVE_INFINITY, handedOutTo: null, nominal: null, schedule, trigger}
      // nothing from before the trigger was created or last changed (activated, rescheduled) is caught up
      const changedAt = Date.parse(trigger.updatedAt) || Number.NEGATIVE_INFINITY
      if (old) {
        this.place(cursor, new Date(now))
      } else if (lastPass === null) {
        this.place(cursor, new Date(Math.max(now - window - 1, changedAt)))
      } else {
        // times already due by the last pass were handled then; with jitter, some just before it were not yet due
        const last = Math.min(lastPass, now)
        this.place(cursor, new Date(Math.max(last - trigger.jitter * 1000, changedAt)))
        while (cursor.nominal !== null && cursor.dueAt <= last) this.place(cursor, cursor.nominal)
      }

      next.set(trigger.id, cursor)
    }

    this.cursors = next
  }

  /** Everything due at `now`, in order: fires (coalesced per trigger) and missed times. */
  due(now: number): Due[] {
    const out: Due[] = []
    this.placeAll()
    for (const cursor of this.cursors.values()) {
      if (cursor.dueAt > now || cursor.nominal === null) continue
      out.push(...this.drain(cursor, now))
    }

    const ready = this.retries.filter(r => r.at <= now)
    if (ready.length > 0) {
      this.retries = this.retries.filter(r => r.at > now)
      for (const r of ready) {
        // fired with the trigger as it is now (a changed command or size applies); gone with it when deleted or deactivated
        const cursor = this.cursors.get(r.due.trigger.id)
        if (cursor) out.push({...r.due, trigger: cursor.trigger})
      }
    }

    return out.sort((a, b) => dueTime(a) - dueTime(b))
  }

  /** When the next thing falls due (ms), or null when nothing ever will. */
  nextWakeAt(): null | number {
    this.placeAll()
    let earliest = Number.POSITIVE_INFINITY
    for (const cursor of this.cursors.values()) earliest = Math.min(earliest, cursor.dueAt)
    for (const r of this.retries) earliest = Math.min(earliest, r.at)
    return Number.isFinite(earliest) ? earliest : null
  }

  /** How many runs fall due by `at`: the size of the coming burst, so connections can be opened ahead of it. */
  dueCountBy(at: number): number {
    this.placeAll()
    let n = 0
    for (const cursor of this.cursors.values()) if (cursor.dueAt <= at) n++
    for (const r of this.retries) if (r.at <= at) n++
    return n
  }

  /**
   * The oldest nominal time still waiting here (deferred by the dyno cap or the API, or a retry),
   * or null. A clock's last pass is written no later than just before it, so a clock that takes
   * over after a crash offers that time again instead of taking it as handled.
   */
  oldestWaiting(): null | number {
    let oldest = Number.POSITIVE_INFINITY
    for (const r of this.retries) oldest = Math.min(oldest, r.due.nominal.getTime())
    return Number.isFinite(oldest) ? oldest : null
  }

  /** A due run that could not start yet (the dyno cap) comes back at `at`. */
  defer(due: Due & {kind: 'fire'}, at: number): void {
    this.retries.push({at, due})
    this.options.onAdded?.(at)
  }

  /**
   * After a failed attempt, the next one if the trigger allows it: due 10 s × 2^(k−1) after the
   * failed one ended (`now` when its end is unknown). Returns the plan; a `dropped` one (the next
   * nominal time comes first) is not scheduled, and the caller records it.
   */
  scheduleRetry(trigger: Trigger, failed: FailedAttempt & Pick<Run, 'id' | 'retryOf'>, now: number): null | RetryPlan {
    const plan = retryPlan(trigger, failed, now)
    if (plan?.status !== 'due') return plan
    const nominal = new Date(failed.nominalAt!)
    const key = runKey(trigger.id, nominal, plan.attempt)
    const at = plan.at.getTime()
    if (this.retries.some(r => r.due.key === key)) return plan // already scheduled (a restarted clock's history and the log both tell)
    this.retries.push({at, due: {attempt: plan.attempt, key, kind: 'fire', nominal, retryOf: failed.retryOf ?? failed.id, scheduledAt: plan.at, trigger}})
    this.options.onAdded?.(at)
    return plan
  }

  private drain(cursor: Cursor, now: number): Due[] {
    const {trigger} = cursor
    const window = catchUpWindowSeconds(trigger, cursor.schedule) * 1000
    const out: Due[] = []
    // nominal times whose due time has come, oldest first; the cap keeps a long outage cheap
    const due: Date[] = []
    let missedBeyondCap = 0
    while (cursor.nominal !== null && cursor.dueAt <= now) {
      if (now - cursor.nominal.getTime() > window) {
        // too old to run: skip ahead in one jump rather than one by one
        // a time exactly a window old is still within it (fired below), so the missed ones end just before
        const {times, truncated} = fireTimesBetween(cursor.schedule, new Date(cursor.nominal.getTime() - 1), new Date(now - window - 1), this.missedCap)
        for (const nominal of times) {
          const key = runKey(trigger.id, nominal)
          if (!this.options.isKnown(key, trigger, nominal)) out.push({key, kind: 'missed', nominal, reason: 'clock was not running', trigger})
        }

        if (truncated) missedBeyondCap++
        const last = times.at(-1) ?? cursor.nominal
        this.place(cursor, truncated ? new Date(now - window - 1) : last)
        continue
      }

      due.push(cursor.nominal)
      if (trigger.jitter === 0) {
        // without jitter, every later time up to now is due too: a bounded search, and the next
        // nominal time is found after the launches (placeAll), not before them
        const rest = fireTimesBetween(cursor.schedule, cursor.nominal, new Date(now), this.missedCap).times
        due.push(...rest)
        cursor.handedOutTo = rest.at(-1) ?? cursor.nominal
        cursor.nominal = null
        cursor.dueAt = Number.POSITIVE_INFINITY
        break
      }

      this.place(cursor, cursor.nominal)
    }

    if (missedBeyondCap > 0 && out.length > 0) {
      const last = out.at(-1) as Due & {kind: 'missed'}
      last.reason = `clock was not running (more missed times before ${last.nominal.toISOString()} were not listed)`
    }

    const fresh = due.filter(nominal => !this.options.isKnown(runKey(trigger.id, nominal), trigger, nominal))
    const latest = fresh.at(-1)
    for (const nominal of fresh.slice(0, -1)) {
      out.push({key: runKey(trigger.id, nominal), kind: 'missed', nominal, reason: `coalesced into the run due ${latest!.toISOString()}`, trigger})
    }

    if (latest) {
      const next = trigger.jitter > 0 ? nextFireTime(cursor.schedule, latest) : null
      const scheduledAt = new Date(latest.getTime() + jitterMs(trigger, latest, next))
      out.push({attempt: 1, key: runKey(trigger.id, latest), kind: 'fire', nominal: latest, retryOf: null, scheduledAt, trigger})
    }

    return out
  }

  /** Moves the cursor to the first nominal time after `after`. */
  private place(cursor: Cursor, after: Date): void {
    const nominal = nextFireTime(cursor.schedule, after)
    cursor.nominal = nominal
    if (nominal === null) {
      cursor.dueAt = Number.POSITIVE_INFINITY
      return
    }

    const next = cursor.schedule.kind === 'at' || cursor.trigger.jitter === 0 ? null : nextFireTime(cursor.schedule, nominal)
    cursor.dueAt = nominal.getTime() + jitterMs(cursor.trigger, nominal, next)
  }

  /** Finds the next nominal time of the cursors that handed out their last one. */
  private placeAll(): void {
    for (const cursor of this.cursors.values()) {
      if (cursor.handedOutTo === null) continue
      const after = cursor.handedOutTo
      cursor.handedOutTo = null
      this.place(cursor, after)
    }
  }
}

function dueTime(d: Due): number {
  return d.kind === 'fire' ? d.scheduledAt.getTime() : d.nominal.getTime()
}

export interface FireFacts {
  /** runs of this trigger still going (dyno names) */
  running: string[]
  maintenance: boolean
  /** dynos of all triggers still going, and the cap the clock keeps below */
  runningTotal: number
  cap: number
}

export type FireDecision =
  | {action: 'fire'; env: Record<string, string>}
  | {action: 'replace'; stop: string[]; env: Record<string, string>}
  | {action: 'skip'; reason: string}
  | {action: 'wait'; reason: string}

/** Whether a due run starts now, given concurrency, maintenance and the global cap. */
export function decideFire(trigger: Trigger, facts: FireFacts): FireDecision {
  const env: Record<string, string> = {...trigger.env}
  if (facts.maintenance) {
    if (trigger.maintenance === 'skip') return {action: 'skip', reason: 'app in maintenance mode'}
    env.HEROKU_MAINTENANCE_MODE = 'true'
  }

  if (facts.running.length > 0) {
    if (trigger.concurrency === 'forbid') return {action: 'skip', reason: `previous run still going (${facts.running.join(', ')})`}
    if (trigger.concurrency === 'replace') return {action: 'replace', env, stop: facts.running}
  }

  if (facts.runningTotal >= facts.cap) return {action: 'wait', reason: `${facts.runningTotal} dynos running, at the cap of ${facts.cap}`}
  return {action: 'fire', env}
}
