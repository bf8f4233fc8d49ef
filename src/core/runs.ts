// One state machine from lifecycle events to runs. Lines arrive in any order, twice, or not at all,
// so a run is not moved from state to state: each event adds a fact (the earliest time it was
// seen, the highest peak), and the state, reason and exit status are worked out again from all the
// facts. Facts only grow and merge by min/max/union, so any order of the same events, and any
// number of repeats, gives the same run.
import type {AnnouncedEvent, LifecycleEvent} from './lifecycle.js'

import {InvalidInputError} from './errors.js'
import {compareEvents} from './lifecycle.js'

export type RunState = 'failed' | 'failed-to-start' | 'interrupted' | 'missed' | 'pending' | 'running' | 'skipped' | 'starting' | 'succeeded' | 'unknown'
export type RunSource = 'other' | 'run' | 'scheduler' | 'trigger'

/** What the platform said about a run's dyno; the run's state, reason and exit status follow from it. */
export interface RunEvidence {
  /** the run's state before any line arrived (as the caller recorded it) */
  base: RunState
  /** the run's reason before any line arrived (the caller's note, e.g. 'manual'); kept on success or failure */
  note: null | string
  /** set by settle: the exit line can no longer come ('exit line missing'); the run is unknown until one does */
  settled: null | string
  /** why the caller stopped the dyno (actions/stop, concurrency replace), when, in seen.stop: see noteStop */
  stop: null | string
  /**
   * The earliest time (ISO; '' when the line had no readable time) each fact was seen: the states
   * 'starting' 'up' 'complete' 'crashed' 'down', 'alive' (output or a sample), 'SIGTERM',
   * 'SIGKILL', 'cycling', 'restarting', and error codes ('R12', 'R14', 'R15', 'R99'...). Keys
   * are kept sorted.
   */
  seen: Record<string, string>
  /** the exit line the exit status comes from (the earliest one; status null for a bare `Process exited`) */
  exit: null | {at: string; status: null | number}
}

export interface Run {
  /** for trigger runs `${triggerId}@${nominalAt ISO}`; for others `${dyno}@${first seen ISO}` */
  id: string
  triggerId: null | string
  /** ISO: the schedule's time this run is for */
  nominalAt: null | string
  /** ISO: nominal time plus jitter */
  scheduledAt: null | string
  dyno: null | string
  dynoId: null | string
  command: null | string
  size: null | string
  state: RunState
  exitStatus: null | number
  /** why it ended as it did: 'timeout', 'stopped', 'cycling', 'R15', 'R99', 'concurrency', 'exit line missing'... */
  reason: null | string
  requestedAt: null | string
  startedAt: null | string
  upAt: null | string
  endedAt: null | string
  peakMemoryMb: null | number
  memoryQuotaMb: null | number
  peakLoad: null | number
  /** R14/R15 seen */
  memoryErrors: string[]
  attempt: number
  retryOf: null | string
  source: RunSource
  /** seconds */
  timeToLive: null | number
  /** set by applyEvent, settle and noteStop; a run nobody has told anything yet has none */
  evidence?: RunEvidence
}

/** States a run does not leave by itself (unknown can still be refined by a late exit line). */
export const TERMINAL_STATES: ReadonlySet<RunState> = new Set<RunState>(['failed', 'failed-to-start', 'interrupted', 'missed', 'skipped', 'succeeded', 'unknown'])

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.has(state)
}

/** After this much past its time-to-live (or past `complete`), a run with no exit line is settled as unknown. */
export const SETTLE_GRACE_MS = 120_000
/** The longest a dyno lives: cycled after 24 h plus up to 216 minutes. */
export const MAX_DYNO_LIFETIME_S = 24 * 3600 + 216 * 60
/** Heroku Scheduler's intervals, which are its dynos' time-to-live (10 minutes, an hour, a day). */
const SCHEDULER_TTLS_S = [600, 3600, 86_400]

const PROGRESS: Record<RunState, number> = {
  pending: 0, starting: 1, running: 2, unknown: 3,
  failed: 4, 'failed-to-start': 4, interrupted: 4, missed: 4, skipped: 4, succeeded: 4,
}

// ---- dyno identity ---------------------------------------------------------------------------

/** The process type of a trigger's dynos: `trigger-` and the first 8 hex digits of its id. */
export function dynoTypeFor(triggerId: string): string {
  const hex = triggerId.replaceAll('-', '').toLowerCase().slice(0, 8)
  if (!/^[\da-f]{8}$/.test(hex)) throw new InvalidInputError(`invalid trigger id ${JSON.stringify(triggerId)}: a trigger id is a uuid, e.g. 1a2b3c4d-0000-4000-8000-000000000001`)
  return `trigger-${hex}`
}

/** 'trigger-1a2b3c4d.17' (or the type alone) → '1a2b3c4d'; null for any other dyno. */
export function triggerPrefixFromDyno(dyno: string): null | string {
  if (!dyno.startsWith('trigger-')) return null
  const prefix = dyno.slice(8, 16)
  if (!/^[\da-f]{8}$/.test(prefix)) return null
  return dyno.length === 16 || dyno.charCodeAt(16) === 46 ? prefix : null
}

/** The process type of a dyno name: 'scheduler.8715' → 'scheduler'. */
export function dynoTypeOf(dyno: string): string {
  const dot = dyno.lastIndexOf('.')
  return dot > 0 ? dyno.slice(0, dot) : dyno
}

// ---- building runs ---------------------------------------------------------------------------

export function runIdFor(triggerId: string, nominalAt: Date | string): string {
  return `${triggerId}@${toIso(nominalAt)}`
}

export interface RunSpec {
  trigger: {command: string; id: string; size?: null | string; timeout?: null | number}
  nominalAt: Date | string
  /** nominal time plus jitter; the nominal time when not given */
  scheduledAt?: Date | null | string
  attempt?: number
  retryOf?: null | string
  /** skipped: 'concurrency', 'maintenance'; missed: 'clock was down'; failed-to-start: the API's message */
  reason?: null | string
}

/**
 * A run of a trigger as the clock records it: 'pending' before the API call that creates its
 * dyno (so a restarted clock does not fire it twice), or already over: 'skipped', 'missed', or
 * 'failed-to-start' when no dyno could be created (exit status null). `now` is when it is recorded.
 */
export function newRun(state: 'failed-to-start' | 'missed' | 'pending' | 'skipped', spec: RunSpec, now: Date | number): Run {
  const at = toIso(now)
  return {
    id: runIdFor(spec.trigger.id, spec.nominalAt),
    triggerId: spec.trigger.id,
    nominalAt: toIso(spec.nominalAt),
    scheduledAt: toIso(spec.scheduledAt ?? spec.nominalAt),
    dyno: null,
    dynoId: null,
    command: spec.trigger.command,
    size: spec.trigger.size ?? null,
    state,
    exitStatus: null,
    reason: spec.reason ?? null,
    requestedAt: state === 'pending' || state === 'failed-to-start' ? at : null,
    startedAt: null,
    upAt: null,
    endedAt: state === 'pending' ? null : at,
    peakMemoryMb: null,
    memoryQuotaMb: null,
    peakLoad: null,
    memoryErrors: [],
    attempt: spec.attempt ?? 1,
    retryOf: spec.retryOf ?? null,
    source: 'trigger',
    timeToLive: spec.trigger.timeout ?? null,
  }
}

/** A run first seen in the log stream (Heroku Scheduler, `heroku run:detached`, a trigger fired elsewhere). */
function discoveredRun(dyno: string, firstSeen: number, source: RunSource, triggerId: null | string): Run {
  return {
    id: `${dyno}@${Number.isNaN(firstSeen) ? 'unknown' : new Date(firstSeen).toISOString()}`,
    triggerId, nominalAt: null, scheduledAt: null,
    dyno: own(dyno), dynoId: null, command: null, size: null,
    state: 'pending', exitStatus: null, reason: null,
    requestedAt: null, startedAt: null, upAt: null, endedAt: null,
    peakMemoryMb: null, memoryQuotaMb: null, peakLoad: null, memoryErrors: [],
    attempt: 1, retryOf: null, source, timeToLive: null,
  }
}

// ---- facts -----------------------------------------------------------------------------------

function toIso(at: Date | number | string): string {
  if (typeof at === 'string') return at
  return (typeof at === 'number' ? new Date(at) : at).toISOString()
}

function eventIso(time: number): string {
  return Number.isNaN(time) ? '' : new Date(time).toISOString()
}

/** The earlier of two ISO times; '' (unreadable) loses to any real time. */
function earlier(a: null | string | undefined, b: string): string {
  if (a === null || a === undefined || a === '') return a === '' && b === '' ? '' : b
  if (b === '') return a
  // ISO strings in one format order as their times do
  return b < a ? b : a // eslint-disable-line unicorn/prefer-math-min-max
}

function earliestOf(...times: Array<null | string | undefined>): string | undefined {
  let best: string | undefined
  for (const t of times) if (t !== null && t !== undefined) best = best === undefined ? t : earlier(best, t)
  return best
}

function ms(iso: null | string | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN
}

function higher(a: null | number, b: number | undefined): null | number {
  if (b === undefined || Number.isNaN(b)) return a
  return a === null || b > a ? b : a
}

/**
 * A copy that does not keep the whole stream chunk alive: a string cut from a chunk points into
 * it, and a run can outlive the chunk by days.
 */
function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1)
}

function evidenceOf(run: Run): RunEvidence {
  return run.evidence ?? {
    base: run.state,
    note: run.reason,
    settled: null,
    stop: null,
    seen: {},
    exit: run.exitStatus === null ? null : {at: run.endedAt ?? '', status: run.exitStatus},
  }
}

function see(seen: Record<string, string>, key: string, at: string): Record<string, string> {
  const before = seen[key]
  const next = earlier(before, at)
  if (before === next) return seen
  const merged: Record<string, string> = {}
  for (const k of [...Object.keys(seen), ...(before === undefined ? [key] : [])].sort()) merged[k] = k === key ? next : seen[k]
  return merged
}

/** The better of two exit lines: one with a status over a bare one, then the earliest, then the higher status. */
function betterExit(a: RunEvidence['exit'], b: NonNullable<RunEvidence['exit']>): NonNullable<RunEvidence['exit']> {
  if (a === null) return b
  if ((a.status === null) !== (b.status === null)) return a.status === null ? b : a
  if (a.at !== b.at) return earlier(a.at, b.at) === a.at ? a : b
  return (b.status ?? -1) > (a.status ?? -1) ? b : a
}

// ---- the state machine -----------------------------------------------------------------------

/**
 * The run with one more event taken into account. Pure; returns the same object when the event
 * adds nothing (a repeat, a line of output), so callers can skip writing it.
 */
export function applyEvent(run: Run, event: LifecycleEvent): Run {
  if (run.state === 'skipped' || run.state === 'missed') return run
  const {kind} = event
  if (kind === 'unknown' || kind === 'release' || kind === 'config') return run
  const before = evidenceOf(run)
  const at = eventIso(event.time)
  let {exit, seen} = before
  // the hot case, a line of output: only the first one tells anything (that it is alive)
  if (kind === 'output' && run.evidence !== undefined && seen.alive !== undefined && earlier(seen.alive, at) === seen.alive) return run
  const next: Run = {...run}
  switch (kind) {
    case 'announced': {
      next.requestedAt = earlier(run.requestedAt, at) || run.requestedAt
      if (next.command === null) next.command = own(event.command)
      break
    }

    case 'starting': {
      next.startedAt = earlier(run.startedAt, at) || run.startedAt
      if (next.command === null) next.command = own(event.command)
      if (next.dyno === null && event.dyno !== null) next.dyno = own(event.dyno)
      break
    }

    case 'state': {
      const {to} = event
      if (to === 'up') next.upAt = earlier(run.upAt, at) || run.upAt
      else if (to === 'starting') next.startedAt = earlier(run.startedAt, at) || run.startedAt
      if (to === 'up' || to === 'starting' || to === 'complete' || to === 'crashed' || to === 'down') seen = see(seen, to, at)
      break
    }

    case 'exited': {
      exit = betterExit(exit, {at, status: event.status})
      break
    }

    case 'sigterm':
    case 'sigkill': {
      seen = see(seen, kind === 'sigterm' ? 'SIGTERM' : 'SIGKILL', at)
      break
    }

    case 'cycling':
    case 'restarting': {
      seen = see(seen, kind, at)
      break
    }

    case 'error': {
      seen = see(seen, event.code, at)
      if ((event.code === 'R14' || event.code === 'R15') && !run.memoryErrors.includes(event.code)) next.memoryErrors = [...run.memoryErrors, event.code].sort()
      break
    }

    case 'memory-usage': {
      seen = see(seen, 'alive', at)
      next.peakMemoryMb = higher(run.peakMemoryMb, event.memoryMb)
      // mem=646M(126.2%) also tells the quota
      if (event.percent !== null && event.percent > 0) next.memoryQuotaMb = higher(run.memoryQuotaMb, Math.round((event.memoryMb * 100) / event.percent))
      break
    }

    case 'sample': {
      seen = see(seen, 'alive', at)
      next.peakMemoryMb = higher(higher(run.peakMemoryMb, event.memoryRssMb), event.memoryTotalMb)
      next.memoryQuotaMb = higher(run.memoryQuotaMb, event.memoryQuotaMb)
      next.peakLoad = higher(run.peakLoad, event.load1m)
      break
    }

    case 'output': {
      seen = see(seen, 'alive', at)
      if (next.dyno === null && event.dyno !== null) next.dyno = own(event.dyno)
      break
    }

    default:
  }

  const ev = seen === before.seen && exit === before.exit ? before : {...before, seen, exit}
  next.evidence = ev
  derive(next, ev)
  return sameRun(run, next) ? run : next
}

function sameRun(a: Run, b: Run): boolean {
  for (const key of Object.keys(b) as Array<keyof Run>) {
    if (a[key] !== b[key]) return false
  }

  return Object.keys(a).length === Object.keys(b).length
}

/** The earliest time the run's dyno is known to have been asked for or running, in ms. */
function startMs(run: Run): number {
  const first = earliestOf(run.requestedAt, run.startedAt, run.upAt) ?? run.evidence?.seen.alive
  return ms(first)
}

/** Was the dyno stopped at its time-to-live (elapsed from its start to `atIso`)? */
function atTimeToLive(run: Run, atIso: string | undefined): boolean {
  const start = startMs(run)
  const at = ms(atIso)
  if (Number.isNaN(start) || Number.isNaN(at)) return false
  const elapsed = at - start
  if (run.timeToLive !== null) {
    const ttl = run.timeToLive * 1000
    return elapsed >= ttl - Math.min(60_000, Math.max(5000, ttl * 0.02))
  }

  // Heroku Scheduler gives its dynos the job's interval as time-to-live, which we are not told
  if (run.source === 'scheduler') return SCHEDULER_TTLS_S.some(s => elapsed >= s * 1000 - 5000 && elapsed <= s * 1000 + SETTLE_GRACE_MS)
  return false
}

/** Why the platform made the process exit, if it did: the reason of an interrupted run. */
function forcedCause(run: Run, ev: RunEvidence, status: null | number): null | string {
  const {seen} = ev
  if (seen.R15 !== undefined) return 'R15'
  if (ev.stop !== null && !exitedBeforeStop(ev)) return ev.stop
  if (seen.cycling !== undefined) return 'cycling'
  if (seen.restarting !== undefined) return 'restarted'
  if (seen.SIGTERM !== undefined) return atTimeToLive(run, seen.SIGTERM) ? 'timeout' : 'stopped'
  if (seen.SIGKILL !== undefined) return seen.R12 === undefined ? (seen.R99 === undefined ? 'killed' : 'R99') : 'R12'
  // the SIGTERM line lost, but 143/137 right at the time-to-live says enough
  if ((status === 143 || status === 137) && atTimeToLive(run, ev.exit?.at)) return 'timeout'
  if (seen.R99 !== undefined) return 'R99'
  if (seen.R10 !== undefined) return 'R10'
  return null
}

/** The process exited on its own before the caller's stop reached it. */
function exitedBeforeStop(ev: RunEvidence): boolean {
  const stopAt = ms(ev.seen.stop)
  const exitAt = ms(ev.exit?.at)
  return !Number.isNaN(stopAt) && !Number.isNaN(exitAt) && exitAt < stopAt - 1000
}

/** Works out state, reason, exit status and end from the facts. Mutates `run`, a fresh copy. */
function derive(run: Run, ev: RunEvidence): void {
  const {seen} = ev
  const completeAt = earliestOf(seen.complete, seen.crashed, seen.down)
  const launchErrorAt = earliestOf(seen.R99, seen.R17)
  const upBeforeLaunchError = run.upAt !== null && launchErrorAt !== undefined && launchErrorAt !== '' && run.upAt < launchErrorAt
  if (launchErrorAt !== undefined && !upBeforeLaunchError) {
    // R99 "failed to launch the dyno", R17 checksum error: the command never ran
    run.state = 'failed-to-start'
    run.exitStatus = null
    run.reason = seen.R99 === undefined ? 'R17' : 'R99'
    run.endedAt = ev.exit?.at || completeAt || launchErrorAt || null
    return
  }

  if (ev.exit !== null) {
    const {status} = ev.exit
    const cause = forcedCause(run, ev, status)
    run.endedAt = ev.exit.at || completeAt || run.endedAt
    if (status === 0) {
      // it handled the SIGTERM and exited cleanly: a success, with the stop noted
      run.state = 'succeeded'
      run.exitStatus = 0
      run.reason = cause ?? ev.note
    } else if (status === null) {
      // a bare `Process exited` after SIGKILL
      run.exitStatus = seen.SIGKILL === undefined ? null : 137
      run.state = cause === null ? 'unknown' : 'interrupted'
      run.reason = cause ?? 'exit status missing'
    } else {
      run.exitStatus = status
      run.state = cause === null ? 'failed' : 'interrupted'
      run.reason = cause ?? ev.note
    }

    return
  }

  if (seen.crashed !== undefined && run.upAt === null) {
    // `State changed from starting to crashed`: it never came up
    run.state = 'failed-to-start'
    run.exitStatus = null
    run.reason = 'crashed'
    run.endedAt = seen.crashed || null
    return
  }

  // not over as far as the lines say: pending, starting or running, unless settle or the caller
  // decided more (unknown once the exit line can no longer come; the caller's own terminal state)
  if (ev.settled !== null) {
    run.state = 'unknown'
    run.reason = ev.settled
    run.exitStatus = null
    run.endedAt = completeAt || null
    return
  }

  const progress: RunState = run.upAt !== null || seen.alive !== undefined ? 'running' : run.startedAt !== null || run.dyno !== null ? 'starting' : 'pending'
  if (isTerminal(ev.base)) {
    run.state = ev.base
    run.reason = ev.note
    return
  }

  run.state = PROGRESS[ev.base] >= PROGRESS[progress] ? ev.base : progress
  run.reason = ev.note
  run.exitStatus = null
  run.endedAt = completeAt || null
}

/**
 * Records that the caller stopped the run's dyno (actions/stop, `--concurrency replace`) at `at`:
 * the forced exit that follows is interrupted with this reason, whatever its timing. Without `at`,
 * a run already over is left as it is (it ended on its own).
 */
export function noteStop(run: Run, reason = 'stopped', at?: Date | number): Run {
  if (run.state === 'skipped' || run.state === 'missed') return run
  if (at === undefined && isTerminal(run.state) && run.state !== 'unknown') return run
  const ev = evidenceOf(run)
  if (ev.stop !== null && run.evidence !== undefined) return run
  const seen = at === undefined ? ev.seen : see(ev.seen, 'stop', toIso(at))
  const next: Run = {...run, evidence: {...ev, seen, stop: reason}}
  derive(next, next.evidence!)
  return next
}

/**
 * A run with no exit line, resolved once it can no longer come: the dyno is gone (`dynoGone`,
 * from the dyno list; or `complete` was logged more than a grace ago), or the time-to-live (a
 * dyno's longest life when unknown) plus a grace has passed since it was requested or started.
 * It becomes 'unknown' with reason 'exit line missing', never a success; a late exit line can
 * still refine it through applyEvent.
 */
export function settle(run: Run, now: number, facts: {dynoGone: boolean}): Run {
  if (isTerminal(run.state)) return run
  const ev = evidenceOf(run)
  const completeAt = earliestOf(ev.seen.complete, ev.seen.crashed, ev.seen.down)
  let start = startMs(run)
  if (Number.isNaN(start)) start = ms(run.scheduledAt ?? run.nominalAt)
  const ttl = (run.timeToLive ?? MAX_DYNO_LIFETIME_S) * 1000
  const gone = (facts.dynoGone && run.dyno !== null)
    || (completeAt !== undefined && completeAt !== '' && now >= ms(completeAt) + SETTLE_GRACE_MS)
    || (!Number.isNaN(start) && now >= start + ttl + SETTLE_GRACE_MS)
  if (!gone) return run
  const next: Run = {...run, evidence: {...ev, settled: run.dyno === null ? 'no dyno recorded' : 'exit line missing'}}
  derive(next, next.evidence!)
  return next
}

// ---- many events, many runs ------------------------------------------------------------------

/** Events later than this after a run ended belong to a new dyno of the same name. */
const REUSE_GAP_MS = 5 * 60_000
/** A `Starting process` this far from the run's own start is a new dyno of the same name. */
const RESTART_GAP_MS = 60_000
/** An announcement (`app[api]: Starting process...`) comes at most this long before its dyno starts. */
const ANNOUNCE_WINDOW_MS = 60_000

/**
 * True when a line at `time` (ms) is from before `run`'s dyno was asked for, by more than clocks
 * drift apart: an earlier dyno of the same name (Heroku uses one-off numbers again), replayed in a
 * log backlog after the name went to this run.
 */
export function predates(run: Pick<Run, 'requestedAt'>, time: number): boolean {
  const asked = ms(run.requestedAt)
  return !Number.isNaN(asked) && !Number.isNaN(time) && time < asked - RESTART_GAP_MS
}

/** What reconcile learns of a trigger from its dyno type: its id, or its id and time-to-live (seconds). */
export type TriggerRef = string | {id: string; timeout?: null | number}
export type TriggerLookup = ((type: string) => null | TriggerRef | undefined) | ReadonlyMap<string, TriggerRef>

/**
 * For reconcile: each trigger under its dyno type, with its timeout when it has one (the dynos'
 * time-to-live, which tells a timeout from a stop).
 */
export function triggerIdsByDynoType(triggers: ReadonlyArray<{id: string; timeout?: null | number}>): Map<string, TriggerRef> {
  return new Map(triggers.map(t => [dynoTypeFor(t.id), t.timeout === undefined || t.timeout === null ? t.id : {id: t.id, timeout: t.timeout}]))
}

function sourceOf(dyno: string, lookup: TriggerLookup | undefined): null | {source: RunSource; timeToLive: null | number; triggerId: null | string} {
  const type = dynoTypeOf(dyno)
  if (type === dyno) return null // web, api, router: not one-off dynos
  if (type === 'scheduler') return {source: 'scheduler', timeToLive: null, triggerId: null}
  if (type === 'run') return {source: 'run', timeToLive: null, triggerId: null}
  const ref = lookup === undefined ? null : typeof lookup === 'function' ? lookup(type) : lookup.get(type)
  if (typeof ref === 'string') return {source: 'trigger', timeToLive: null, triggerId: ref}
  if (ref) return {source: 'trigger', timeToLive: ref.timeout ?? null, triggerId: ref.id}
  // a trigger's dyno whose trigger we do not know (deleted, another store): still a run
  if (triggerPrefixFromDyno(dyno) !== null) return {source: 'other', timeToLive: null, triggerId: null}
  return null
}

function endMs(run: Run): number {
  return ms(run.endedAt || run.evidence?.exit?.at || earliestOf(run.evidence?.seen.complete, run.evidence?.seen.crashed))
}

/**
 * Binds events to runs by dyno name and applies them; returns the runs given (same order, updated)
 * followed by the runs the events revealed: a `scheduler.N` dyno is a Heroku Scheduler run, `run.N`
 * a `heroku run:detached`, and a dyno whose type `dynoTypeToTriggerId` maps is a run of that
 * trigger fired elsewhere. Dyno names are reused over time: an event goes to the run of that name
 * that was alive at its time. Announcements (`app[api]`) give a run its request time when their
 * command matches the one its dyno started. Events may come in any order.
 */
export function reconcile(runs: Run[], events: LifecycleEvent[], dynoTypeToTriggerId?: TriggerLookup): Run[] {
  const result = [...runs]
  const byDyno = new Map<string, number[]>()
  for (const [i, run] of result.entries()) {
    if (run.dyno === null) continue
    const list = byDyno.get(run.dyno) ?? []
    list.push(i)
    byDyno.set(run.dyno, list)
  }

  const sorted = events.filter(e => e.dyno !== null).sort(compareEvents)
  const spans: Spans = new WeakMap()
  const announcements: AnnouncedEvent[] = []
  for (const event of sorted) {
    if (event.kind === 'announced') {
      announcements.push(event)
      continue
    }

    if (event.kind === 'unknown' || event.kind === 'release' || event.kind === 'config') continue
    const dyno = event.dyno!
    let index = runFor(result, byDyno.get(dyno), event, spans)
    if (index === null) {
      const found = sourceOf(dyno, dynoTypeToTriggerId)
      if (found === null) continue
      result.push({...discoveredRun(dyno, event.time, found.source, found.triggerId), timeToLive: found.timeToLive})
      index = result.length - 1
      byDyno.set(dyno, [...(byDyno.get(dyno) ?? []), index])
    }

    result[index] = applyEvent(result[index], event)
  }

  bindAnnouncements(result, announcements)
  return result
}

type Spans = WeakMap<Run, {end: number; start: number}>

/** Start and end of a run in ms, worked out once per version of the run (reconcile asks per event). */
function spanOf(spans: Spans, run: Run): {end: number; start: number} {
  let span = spans.get(run)
  if (span === undefined) {
    span = {end: endMs(run), start: startMs(run)}
    spans.set(run, span)
  }

  return span
}

/** The run (an index into `runs`) of dyno `indexes` that was alive when `event` happened. */
function runFor(runs: Run[], indexes: number[] | undefined, event: LifecycleEvent, spans: Spans): null | number {
  if (indexes === undefined) return null
  const t = event.time
  let best: null | number = null
  let bestStart = -Infinity
  let earliest: null | number = null
  let earliestStart = Infinity
  for (const i of indexes) {
    const {start} = spanOf(spans, runs[i])
    const s = Number.isNaN(start) ? -Infinity : start
    if (s >= bestStart && (Number.isNaN(t) || s <= t + RESTART_GAP_MS)) {
      best = i
      bestStart = s
    }

    if (s < earliestStart) {
      earliest = i
      earliestStart = s
    }
  }

  if (Number.isNaN(t)) return best
  if (best === null) {
    // earlier than every run of this name: the beginning of a run first seen half-way through
    const first = earliest === null ? null : runs[earliest]
    if (first !== null && first.startedAt === null && t >= earliestStart - MAX_DYNO_LIFETIME_S * 1000) return earliest
    return null
  }

  const run = runs[best]
  if (event.kind === 'starting' && run.startedAt !== null && Math.abs(ms(run.startedAt) - t) > RESTART_GAP_MS) return null
  const ended = spanOf(spans, run).end
  if (!Number.isNaN(ended) && t > ended + REUSE_GAP_MS) return null
  return best
}

/**
 * Gives each run its announcement: the latest unused `app[api]: Starting process with command`
 * of the same command in the minute before its dyno started. `announcements` are in time order.
 */
function bindAnnouncements(runs: Run[], announcements: AnnouncedEvent[]): void {
  if (announcements.length === 0) return
  const byCommand = new Map<string, AnnouncedEvent[]>()
  for (const a of announcements) {
    const list = byCommand.get(a.command) ?? []
    list.push(a)
    byCommand.set(a.command, list)
  }

  const used = new Set<AnnouncedEvent>()
  const order = runs.map((run, i) => ({i, started: ms(run.startedAt)})).filter(r => !Number.isNaN(r.started)).sort((x, y) => x.started - y.started)
  for (const {i, started} of order) {
    const run = runs[i]
    const list = run.command === null ? undefined : byCommand.get(run.command)
    if (list === undefined) continue
    // the last announcement at or before the start
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid].time <= started) lo = mid + 1
      else hi = mid
    }

    for (let k = lo - 1; k >= 0 && list[k].time >= started - ANNOUNCE_WINDOW_MS; k--) {
      if (used.has(list[k])) continue
      used.add(list[k])
      runs[i] = applyEvent(run, list[k])
      break
    }
  }
}
