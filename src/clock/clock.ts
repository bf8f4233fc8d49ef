import type {DynoInfo, RunPlatform} from '../platform/types.js'
import type {HistoryStore} from '../store/store.js'

// The clock process: the imperative shell around the core's planner. It feeds the planner real
// time, fires due runs as detached dynos, follows the app's log stream to learn each run's
// outcome, and writes one structured line per decision. Every side effect goes through `deps`.
import {catchUpWindowSeconds, decideFire, type Due, Planner, runKey} from '../core/clock.js'
import {PlatformError, UnauthorizedError} from '../core/errors.js'
import {runTime} from '../core/history.js'
import {parseLine, toEvent} from '../core/lifecycle.js'
import {isRetryable, type RetryPlan} from '../core/retries.js'
import {applyEvent, dynoTypeFor, dynoTypeOf, isTerminal, newRun, noteStop, predates, reconcile, type Run, settle} from '../core/runs.js'
import {nextFireTime} from '../core/schedule.js'
import {scheduleOf, type Trigger} from '../core/trigger.js'

export interface ClockDeps {
  platform: RunPlatform
  loadTriggers(): Promise<Trigger[]>
  runs: HistoryStore
  /** who this clock is, in its claims */
  owner: string
  readState(): Promise<{lastPassAt: null | number}>
  writeState(state: {lastPassAt: number}): Promise<void>
  /** marks one-off triggers completed after they fire */
  completeOneOff?(triggerId: string): Promise<void>
  now(): number
  sleep(ms: number, signal: AbortSignal): Promise<void>
  print(line: string): void
  /** told each run change once it is recorded (the monitors' judge listens) */
  onRunChanges?(runs: readonly Run[]): void
}

export interface ClockOptions {
  once: boolean
  /** global cap on this clock's dynos running at once */
  maxDynos: number
  /** how often to look for changed definitions */
  reloadMs?: number
  /** the longest sleep between passes, so a stepped wall clock is noticed */
  maxSleepMs?: number
  /** how long before a due time decisions are taken and claimed: longer where a claim is a database round trip */
  prepareAheadMs?: number
  /** how long --once waits for the log stream before giving up on its backlog */
  evidenceLines?: number
}

/**
 * How many dyno creates a pass has in flight at once: 200 due in one second go out together (the
 * cap on running trigger dynos, --max-dynos, bounds a burst first).
 */
export const PARALLEL_LAUNCHES = 200
/** how long before a due time the clock wakes to take its decisions and record them (a file append) */
export const PREPARE_AHEAD_MS = 40
/** how long before a due time connections are opened for it (a TLS handshake to the API takes a few round trips) */
const WARM_AHEAD_MS = 1000
/** dynos that are runs though no trigger started them: Heroku Scheduler's and `heroku run:detached`'s */
const OTHER_RUN_DYNO = /^(?:scheduler|run)\.\d+$/
/** how old the app's maintenance flag may be when a run fires */
const FACTS_MAX_AGE_MS = 120_000
/**
 * How long an ended run stays in the clock's memory past its trigger's catch-up window (and jitter):
 * a late log line (an exit after a stop) still finds it. Older, nothing the clock decides needs it;
 * the store keeps it for the retention days.
 */
const FORGET_AFTER_MS = 10 * 60_000
/** how often ended runs are forgotten from memory (cheap); the store is pruned hourly */
const FORGET_EVERY_MS = 5 * 60_000

/**
 * Runs the tasks, at most `limit` at a time; results in the tasks' order. They start in groups of
 * `group` with a turn of the tick queue between, where node:http writes the requests built so far:
 * started all at once, 200 dyno creates were all built before the first was written (13 ms, against
 * 3 ms in groups of 8). Answers already back (I/O) still wait until every request is out.
 */
export async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number, group = 8): Promise<T[]> {
  const results: T[] = Array.from({length: tasks.length})
  let next = 0
  let failure: {error: unknown} | null = null
  const worker = async () => {
    try {
      while (next < tasks.length) {
        const i = next++
        results[i] = await tasks[i]()
      }
    } catch (error) {
      failure ??= {error} // the first failure stops new tasks; those under way finish
      next = tasks.length
    }
  }

  const workers: Array<Promise<void>> = []
  for (let w = 0; w < Math.min(limit, tasks.length); w++) {
    workers.push(worker())
    if (w % group === group - 1) await new Promise(resolve => {
      process.nextTick(resolve)
    })
  }

  await Promise.all(workers)
  if (failure) throw (failure as {error: unknown}).error
  return results
}

/** logfmt: key=value, quoting values with spaces. */
export function logfmt(fields: Record<string, null | number | string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => {
      const text = String(v)
      return /[\s"=]/.test(text) ? `${k}=${JSON.stringify(text)}` : `${k}=${text}`
    })
    .join(' ')
}

export class Clock {
  private triggers: Trigger[] = []
  private planner!: Planner
  /** every run this clock knows, by key; open ones are updated from the log */
  private readonly runs = new Map<string, Run>()
  private readonly byDyno = new Map<string, string>()
  private readonly unwritten: Run[] = []
  /** trigger dynos seen starting in the app (dyno list, log), by process type */
  private readonly starts = new Map<string, Array<{at: number; dyno: string}>>()
  /**
   * Trigger dynos running that no record here explains (a clock before this one started them, on
   * a disk that is gone): by name, their process type and start. They count for concurrency and
   * the cap until their end shows in the log, or their trigger's timeout says they must be over.
   */
  private readonly foreign = new Map<string, {at: number; type: string}>()
  private maintenance = false
  private factsAt = Number.NEGATIVE_INFINITY
  private cap: number
  private lastReload = 0
  /** the due time whose connections were last opened ahead */
  private warmedFor: null | number = null
  /** aborted to cut the current sleep short: something fell due sooner than the sleep planned for */
  private wakeUp = new AbortController()
  /** when the current sleep ends (ms), or null while awake: the next sleep is then planned from the planner as it is */
  private sleepsUntil: null | number = null
  private reloadRequested = false
  private pollMs: null | number = null
  /**
   * With no history of its own, how far back the app's log lets this clock see (ms): the oldest line
   * of a full backlog. A run due before it may have been fired by a clock before, with no trace left.
   */
  private evidenceFrom: null | number = null
  /** dyno creates that the API refused for now (429, 5xx, 409), by run key: the next backoff */
  private readonly apiTries = new Map<string, {conflicts: number; delay: number}>()

  constructor(private readonly deps: ClockDeps, private readonly options: ClockOptions) {
    this.cap = options.maxDynos
  }

  private get prepareAheadMs(): number {
    return this.options.prepareAheadMs ?? PREPARE_AHEAD_MS
  }

  private get reloadMs(): number {
    return this.pollMs ?? this.options.reloadMs ?? 30_000
  }

  /** The store stopped telling of changes: look for them every `ms` instead. */
  pollEvery(ms: number): void {
    this.pollMs = ms
    this.wake()
  }

  /** The definitions changed elsewhere (the store said so): reload them now, not at the next poll. */
  reloadSoon(): void {
    this.reloadRequested = true
    this.wake()
  }

  /** Ends the current sleep: the loop then looks again at what is due next. */
  wake(): void {
    this.wakeUp.abort()
  }

  /** Work falls due at `at`: cut the current sleep short when it would end later than that. */
  private dueAt(at: number): void {
    if (this.sleepsUntil !== null && at - this.prepareAheadMs < this.sleepsUntil) this.wake()
  }

  /** Runs until `signal` aborts (or one pass with --once). Returns the number of runs fired. */
  async run(signal: AbortSignal): Promise<number> {
    const {deps} = this
    const now = deps.now()
    this.triggers = await deps.loadTriggers()
    const {lastPassAt} = await deps.readState()
    // the app facts a first fire needs, fetched while the history and the app are read: not on its path
    const facts = this.refreshFacts()
    facts.catch(() => {}) // awaited below; meanwhile a 401 is not left unhandled when the history or the log fails first
    await this.loadHistory(now)
    await this.learnFromApp(signal)
    await facts
    // a clock on an empty disk (a dyno's, after a restart) knows what ran only from the log: what was due
    // before the log's oldest line is taken as done by the clock before, so it is never fired twice
    const since = lastPassAt ?? this.evidenceFrom
    if (lastPassAt === null && this.evidenceFrom !== null) {
      deps.print(logfmt({at: 'catch-up-limited', from: new Date(this.evidenceFrom).toISOString(), msg: 'no history on this machine, and the log backlog reaches back only this far: earlier due times are not caught up (a clock before may have run them)'}))
    }

    this.planner = new Planner(this.triggers, now, {isKnown: (key, trigger, nominal) => this.isKnown(key, trigger, nominal), lastPassAt: since, onAdded: at => this.dueAt(at)})
    this.warmFirstBurst()
    this.lastReload = now
    if (!this.options.once) this.resumeRetries(now)

    const follower = this.options.once ? null : this.follow(signal)
    let fired = 0
    let prunedAt = Number.NEGATIVE_INFINITY
    let forgotAt = Number.NEGATIVE_INFINITY
    try {
      while (!signal.aborted) {
        fired += await this.pass(signal)
        if (deps.now() - prunedAt > 3_600_000) {
          prunedAt = deps.now()
          this.prune(prunedAt)
        }

        if (deps.now() - forgotAt >= FORGET_EVERY_MS) {
          forgotAt = deps.now()
          this.forget(forgotAt)
        }

        if (this.options.once) break
        const soon = this.planner.nextWakeAt()
        // app facts (maintenance) are fetched ahead of a fire, not on its critical path
        if (soon !== null && soon - deps.now() < 60_000) await this.refreshFacts(FACTS_MAX_AGE_MS / 2)
        // asked again: a retry may have been scheduled while the pass or the facts were awaited
        const wake = this.planner.nextWakeAt()
        const current = deps.now()
        const until = Math.min((wake ?? Number.POSITIVE_INFINITY) - this.prepareAheadMs, current + (this.options.maxSleepMs ?? 30_000), this.lastReload + this.reloadMs)
        this.sleepsUntil = until // from here on, work added for sooner than this wakes the loop (dueAt)
        // on the way: connections for the coming burst, so its creates do not wait for handshakes
        const warm = wake !== null && wake !== this.warmedFor && wake - WARM_AHEAD_MS < until
        if (warm && await this.nap(Math.max(0, wake - WARM_AHEAD_MS - current), signal)) {
          this.warmedFor = wake
          deps.platform.warmConnections?.(Math.min(this.cap, this.planner.dueCountBy(wake + WARM_AHEAD_MS)))
        }

        if (!this.wakeUp.signal.aborted) await this.nap(Math.max(0, until - deps.now()), signal)
        this.sleepsUntil = null
        this.wakeUp = new AbortController()
        if (!signal.aborted && (this.reloadRequested || deps.now() - this.lastReload >= this.reloadMs)) await this.reload()
      }
    } finally {
      await follower?.catch(() => {})
    }

    return fired
  }

  /**
   * Connections for a first burst due sooner than the loop would open them (WARM_AHEAD_MS ahead), or
   * due already: opened before the first pass decides it, not by its creates.
   */
  private warmFirstBurst(): void {
    const first = this.planner.nextWakeAt()
    if (first === null || first - this.deps.now() > WARM_AHEAD_MS) return
    this.warmedFor = first
    this.deps.platform.warmConnections?.(Math.min(this.cap, this.planner.dueCountBy(first + WARM_AHEAD_MS)))
  }

  /** What the clock holds in memory: the runs it knows, the trigger dyno starts it saw, other clocks' dynos. */
  held(): {foreign: number; runs: number; starts: number} {
    let starts = 0
    for (const list of this.starts.values()) starts += list.length
    return {foreign: this.foreign.size, runs: this.runs.size, starts}
  }

  /** Sleeps `ms`, or less when stopped or woken; true when it slept the whole time. */
  private async nap(ms: number, signal: AbortSignal): Promise<boolean> {
    const woken = this.wakeUp.signal
    if (woken.aborted || signal.aborted) return false // stopped already: an abort listener added now would never be called
    const both = new AbortController()
    const abort = () => both.abort()
    signal.addEventListener('abort', abort, {once: true})
    woken.addEventListener('abort', abort, {once: true})
    try {
      await this.deps.sleep(ms, both.signal)
    } finally {
      signal.removeEventListener('abort', abort)
      woken.removeEventListener('abort', abort)
    }

    return !both.signal.aborted
  }

  /** History past the retention window goes from the store, in the background. */
  private prune(now: number): void {
    this.deps.runs.prune(now).catch(error => this.deps.print(logfmt({at: 'warn', msg: `could not prune the history: ${(error as Error).message}`})))
  }

  /**
   * Ended runs no decision can ask about again leave memory: the planner only asks about times
   * after its cursors, which trail now by at most a trigger's catch-up window and jitter. What the
   * clock holds is then bounded by its triggers' windows, however long it runs (the store keeps
   * the history for its retention).
   */
  private forget(now: number): void {
    const keepFor = new Map(this.triggers.map(t => [t.id, (catchUpWindowSeconds(t) + t.jitter) * 1000]))
    const horizon = Math.max(3_600_000, ...keepFor.values())
    for (const [id, run] of this.runs) {
      if (!isTerminal(run.state)) continue
      const keep = (run.triggerId === null ? undefined : keepFor.get(run.triggerId)) ?? horizon
      const last = Math.max(Date.parse(run.nominalAt ?? '') || 0, Date.parse(run.endedAt ?? '') || 0, Date.parse(run.requestedAt ?? '') || 0)
      if (now - last > keep + FORGET_AFTER_MS) {
        this.runs.delete(id)
        if (run.dyno && this.byDyno.get(run.dyno) === id) this.byDyno.delete(run.dyno)
      }
    }

    const cutoff = now - horizon - FORGET_AFTER_MS
    for (const [type, list] of this.starts) {
      const kept = list.filter(s => s.at >= cutoff)
      if (kept.length > 0) this.starts.set(type, kept)
      else this.starts.delete(type)
    }

    // a dyno lives 24 hours at the most (its time_to_live): one older whose end never showed is gone
    for (const [dyno, seen] of this.foreign) if (now - seen.at > 86_400_000) this.foreign.delete(dyno)
  }

  private async reload(): Promise<void> {
    this.lastReload = this.deps.now()
    this.reloadRequested = false
    try {
      this.triggers = await this.deps.loadTriggers()
      this.planner.setTriggers(this.triggers, this.lastReload)
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error
      this.deps.print(logfmt({at: 'warn', msg: `could not reload definitions: ${(error as Error).message}`}))
    }
  }

  /** One pass: everything due now. Decisions are taken in order; the dynos are created in parallel. */
  private async pass(signal: AbortSignal): Promise<number> {
    // woken a little ahead of the next due time: decide and record now, launch on the dot
    const current = this.deps.now()
    const wake = this.planner.nextWakeAt()
    const now = wake !== null && wake > current && wake - current <= this.prepareAheadMs ? wake : current
    const due = this.planner.due(now)
    const launches: Array<{item: Due & {kind: 'fire'}; launch: () => Promise<number>; run: Run}> = []
    for (const item of due) {
      if (signal.aborted) break // SIGTERM: stop firing at once
      if (item.kind === 'missed') {
        this.remember(this.blankRun(item, 'missed', item.reason))
        this.deps.print(logfmt({at: 'missed', nominal: item.nominal.toISOString(), reason: item.reason, trigger: item.trigger.name, trigger_id: item.trigger.id.slice(0, 8)}))
        continue
      }

      const prepared = await this.prepare(item, signal)
      if (prepared) launches.push({item, ...prepared})
    }

    const claimed = await this.claim(launches)
    await this.flush()
    if (claimed.length > 0 && now > this.deps.now()) await this.deps.sleep(now - this.deps.now(), signal)
    const fired = signal.aborted ? [] : await inParallel(claimed.map(l => l.launch), PARALLEL_LAUNCHES)
    await this.flush()
    const waiting = this.planner.oldestWaiting() // not handled yet: a clock after this one must offer it again
    await this.deps.writeState({lastPassAt: waiting === null ? now : Math.min(now, waiting - 1)})
    return fired.reduce((a, b) => a + b, 0)
  }

  /**
   * Decides whether a due run starts (concurrency, maintenance, the cap) and records it before any
   * API call; returns the launch to make, if any.
   */
  private async prepare(item: Due & {kind: 'fire'}, signal: AbortSignal): Promise<null | {launch: () => Promise<number>; run: Run}> {
    const {deps} = this
    const {trigger} = item
    await this.refreshFacts()
    const open = this.openRuns()
    const others = this.foreignRunning(trigger)
    const running = [...open.filter(r => r.triggerId === trigger.id).map(r => r.dyno ?? `${r.id} (starting)`), ...others]
    const decision = decideFire(trigger, {cap: this.cap, maintenance: this.maintenance, running, runningTotal: open.length + this.foreign.size})
    const nominal = item.nominal.toISOString()
    const name = {nominal, trigger: trigger.name, trigger_id: trigger.id.slice(0, 8)}
    if (decision.action === 'skip') {
      this.remember(this.blankRun(item, 'skipped', decision.reason))
      deps.print(logfmt({at: 'skipped', ...name, reason: decision.reason}))
      return null
    }

    if (decision.action === 'wait') {
      // try again shortly, as long as the catch-up window lasts
      const deadline = item.nominal.getTime() + catchUpWindowSeconds(trigger) * 1000
      if (deps.now() + 5000 < deadline) {
        this.planner.defer(item, deps.now() + 5000)
        deps.print(logfmt({at: 'waiting', ...name, reason: decision.reason}))
      } else {
        this.remember(this.blankRun(item, 'missed', decision.reason))
        deps.print(logfmt({at: 'missed', ...name, reason: decision.reason}))
      }

      return null
    }

    if (decision.action === 'replace') {
      for (const dyno of decision.stop) {
        if (dyno.endsWith('(starting)')) continue
        try {
          const old = this.runs.get(this.byDyno.get(dyno) ?? '')
          if (old) await this.record(noteStop(old, 'replaced by a newer run'), deps.now())
          this.foreign.delete(dyno)
          await deps.platform.stopDyno(dyno)
          deps.print(logfmt({at: 'stopped', ...name, dyno, reason: 'concurrency replace'}))
        } catch (error) {
          deps.print(logfmt({at: 'warn', dyno, msg: `could not stop: ${(error as Error).message}`}))
        }
      }
    }

    // claimed before the API call: a crash between the two leaves a pending run, not a lost one
    const pending = this.blankRun(item, 'pending', null)
    this.runs.set(pending.id, pending)
    return {launch: () => this.launch(item, pending, decision.env, signal), run: pending}
  }

  /**
   * Claims the pass's pending runs in one statement and keeps the launches this clock won; a run
   * another clock claimed first is left to it. When the store cannot be reached, nothing fires:
   * the runs come back in 5 s, as long as their catch-up window lasts.
   */
  private async claim<T extends {item: Due & {kind: 'fire'}; run: Run}>(launches: T[]): Promise<T[]> {
    if (launches.length === 0) return launches
    let won: Set<string>
    try {
      won = await this.deps.runs.claim(launches.map(l => l.run), this.deps.now(), this.deps.owner)
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error
      this.deps.print(logfmt({at: 'warn', msg: `could not claim ${launches.length} run(s), trying again in 5 s: ${(error as Error).message}`}))
      for (const {item, run} of launches) {
        this.runs.delete(run.id)
        if (this.deps.now() + 5000 < item.nominal.getTime() + catchUpWindowSeconds(item.trigger) * 1000) this.planner.defer(item, this.deps.now() + 5000)
      }

      return []
    }

    const mine = launches.filter(l => won.has(l.run.id))
    for (const {item, run} of launches) {
      if (won.has(run.id)) continue
      this.runs.delete(run.id)
      this.deps.print(logfmt({at: 'claimed-elsewhere', nominal: item.nominal.toISOString(), trigger: item.trigger.name, trigger_id: item.trigger.id.slice(0, 8)}))
    }

    return mine
  }

  private async launch(item: Due & {kind: 'fire'}, pending: Run, decisionEnv: Record<string, string>, signal: AbortSignal): Promise<number> {
    const {deps} = this
    const {trigger} = item
    const nominal = item.nominal.toISOString()
    const name = {nominal, trigger: trigger.name, trigger_id: trigger.id.slice(0, 8)}
    const env = {...decisionEnv, HEROKU_TRIGGER_ID: trigger.id, HEROKU_TRIGGER_NAME: trigger.name, HEROKU_TRIGGER_NOMINAL_AT: nominal, HEROKU_TRIGGER_RUN_ID: item.key}
    const deadline = item.nominal.getTime() + catchUpWindowSeconds(trigger) * 1000
    let dyno: DynoInfo
    try {
      const created = await this.createWithRetries({command: trigger.command, env, size: trigger.size, timeToLive: trigger.timeout, type: dynoTypeFor(trigger.id)}, item, deadline, signal)
      if (created === 'deferred') {
        this.runs.delete(pending.id) // claimed and kept in the store; it comes back from the planner
        return 0
      }

      dyno = created
    } catch (error) {
      this.apiTries.delete(item.key)
      if (error instanceof UnauthorizedError) throw error
      const failed = this.blankRun(item, 'failed-to-start', `dyno not created: ${(error as Error).message}`)
      this.remember(failed)
      deps.print(logfmt({at: 'failed-to-start', ...name, reason: (error as Error).message}))
      this.maybeRetry(failed, trigger)
      return 0
    }

    this.apiTries.delete(item.key)
    const started: Run = {...pending, dyno: dyno.name, dynoId: dyno.id, size: dyno.size ?? trigger.size, state: pending.state === 'pending' ? 'starting' : pending.state}
    this.remember(started) // written with the pass's other outcomes once its launches are done
    const lag = deps.now() - item.scheduledAt.getTime()
    deps.print(logfmt({at: item.attempt > 1 ? 'retried' : 'fired', ...name, attempt: item.attempt > 1 ? item.attempt : undefined, dyno: dyno.name, lag: `${lag}ms`}))
    if (trigger.at) await deps.completeOneOff?.(trigger.id)
    return 1
  }

  /**
   * Creates the dyno. A 429, a 5xx or a conflict is tried again after a backoff (1 s doubling to
   * 30 s) while the catch-up window lasts: with --once in place; otherwise the run goes back to the
   * planner for that time ('deferred'), so a launch never holds up the loop and whatever else falls
   * due meanwhile (a retry, another trigger) still fires on time.
   */
  private async createWithRetries(request: Parameters<RunPlatform['createDyno']>[0], item: Due & {kind: 'fire'}, deadline: number, signal: AbortSignal): Promise<'deferred' | DynoInfo> {
    const {deps} = this
    const tries = this.apiTries.get(item.key) ?? {conflicts: 0, delay: 1000}
    let {conflicts, delay} = tries
    for (;;) {
      const remaining = (deps.platform as {rateLimitRemaining?: null | number}).rateLimitRemaining
      if (typeof remaining === 'number' && remaining < 100) await deps.sleep(800, signal) // tokens refill at about 75 a minute
      try {
        return await deps.platform.createDyno(request)
      } catch (error) {
        if (!(error instanceof PlatformError)) throw error
        const status = error.status ?? 0
        if (status === 422 && error.id === 'cannot_run_above_limit') {
          const limit = /more than (\d+)/.exec(error.message)?.[1]
          if (limit) this.cap = Math.min(this.cap, Number(limit))
          throw error
        }

        const retryable = status === 429 || status >= 500 || (status === 409 && ++conflicts <= 3)
        if (!retryable || signal.aborted || deps.now() + delay > deadline) throw error
        deps.print(logfmt({at: 'api-retry', delay: `${delay}ms`, status, trigger_id: item.trigger.id.slice(0, 8)}))
        if (!this.options.once) {
          this.apiTries.set(item.key, {conflicts, delay: Math.min(delay * 2, 30_000)})
          this.planner.defer(item, deps.now() + delay)
          return 'deferred'
        }

        await deps.sleep(delay, signal)
        delay = Math.min(delay * 2, 30_000)
      }
    }
  }

  /**
   * After a failure, another attempt (a run of its own, linked to the first) if the trigger allows:
   * due from when the failed one ended. The planner wakes the loop for it; one the next nominal time
   * comes before is recorded as skipped instead.
   */
  private maybeRetry(run: Run, trigger: Trigger): void {
    if (!isRetryable(run) || this.options.once) return
    this.noteRetry(run, trigger, this.planner.scheduleRetry(trigger, run, this.deps.now()))
  }

  private noteRetry(run: Run, trigger: Trigger, plan: null | RetryPlan): void {
    if (plan === null || plan.status === 'exhausted') return
    const name = {attempt: plan.attempt, nominal: run.nominalAt ?? undefined, trigger: trigger.name, trigger_id: trigger.id.slice(0, 8)}
    if (plan.status === 'due') {
      this.deps.print(logfmt({at: 'retry-scheduled', ...name, due: plan.at.toISOString()}))
      return
    }

    const nominal = new Date(run.nominalAt!)
    const key = runKey(trigger.id, nominal, plan.attempt)
    const due: Due & {kind: 'fire'} = {attempt: plan.attempt, key, kind: 'fire', nominal, retryOf: run.retryOf ?? run.id, scheduledAt: plan.at, trigger}
    this.remember(this.blankRun(due, 'skipped', plan.reason)) // written with the next flush
    this.deps.print(logfmt({at: 'retry-dropped', ...name, due: plan.at.toISOString(), reason: plan.reason}))
  }

  /**
   * Retries an earlier clock scheduled and did not make (a restart, a crash): failed runs it
   * recorded whose next attempt is not recorded, ended recently enough to be within catch-up.
   */
  private resumeRetries(now: number): void {
    const latest = new Map<string, Run>()
    for (const run of this.runs.values()) {
      if (!run.triggerId || !run.nominalAt || run.source !== 'trigger') continue
      const group = `${run.triggerId}@${run.nominalAt}`
      if ((latest.get(group)?.attempt ?? 0) < run.attempt) latest.set(group, run)
    }

    for (const run of latest.values()) {
      const trigger = this.triggers.find(t => t.id === run.triggerId)
      if (!trigger || trigger.state !== 'active' || !isRetryable(run)) continue
      const ended = Date.parse(run.endedAt ?? '')
      if (Number.isNaN(ended) || ended < now - catchUpWindowSeconds(trigger) * 1000 - 600_000) continue
      this.noteRetry(run, trigger, this.planner.scheduleRetry(trigger, run, now))
    }
  }

  /** App facts (maintenance) at most once a minute, and only when something is about to fire. */
  private async refreshFacts(maxAge = FACTS_MAX_AGE_MS): Promise<void> {
    if (this.deps.now() - this.factsAt < maxAge) return
    try {
      this.maintenance = (await this.deps.platform.appFacts()).maintenance
      this.factsAt = this.deps.now()
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error
    }
  }

  private isKnown(key: string, trigger: Trigger, nominal: Date): boolean {
    return this.runs.has(key) || this.unexplainedStart(trigger, nominal) !== undefined
  }

  /**
   * A dyno of this trigger that no record explains, started at or after the nominal time and
   * before the next one: it ran that time (fired by another clock, or by one whose disk is gone).
   */
  private unexplainedStart(trigger: Trigger, nominal: Date): string | undefined {
    const starts = this.starts.get(dynoTypeFor(trigger.id))
    if (!starts) return undefined
    const from = nominal.getTime() - 1000
    const next = nextFireTime(scheduleOf(trigger), nominal)
    const to = next ? next.getTime() - 1000 : Number.POSITIVE_INFINITY
    return starts.find(s => s.at >= from && s.at < to && !this.byDyno.has(s.dyno))?.dyno
  }

  private noteStart(dyno: string, at: number): void {
    if (!dyno.startsWith('trigger-') || !dyno.includes('.') || Number.isNaN(at)) return
    const type = dynoTypeOf(dyno)
    const list = this.starts.get(type) ?? []
    if (!list.some(s => s.dyno === dyno)) list.push({at, dyno})
    this.starts.set(type, list)
  }

  /** A trigger dyno this clock knows no run of: running from its start, over at its exit or end of state. */
  private noteForeign(dyno: string, event: ReturnType<typeof toEvent>, at: number): void {
    if (event.kind === 'starting') this.foreign.set(dyno, {at, type: dynoTypeOf(dyno)})
    else if (event.kind === 'exited' || (event.kind === 'state' && (event.to === 'complete' || event.to === 'crashed' || event.to === 'down'))) this.foreign.delete(dyno)
  }

  /** The trigger's dynos running that another clock started, past none that its timeout must have ended. */
  private foreignRunning(trigger: Trigger): string[] {
    const type = dynoTypeFor(trigger.id)
    const now = this.deps.now()
    const found: string[] = []
    for (const [dyno, seen] of this.foreign) {
      if (seen.type !== type) continue
      if (now - seen.at > (trigger.timeout + 60) * 1000) this.foreign.delete(dyno)
      else found.push(dyno)
    }

    return found
  }

  private openRuns(): Run[] {
    return [...this.runs.values()].filter(r => !isTerminal(r.state))
  }

  private blankRun(item: Due, state: 'failed-to-start' | 'missed' | 'pending' | 'skipped', reason: null | string): Run {
    const fire = item.kind === 'fire' ? item : null
    const run = newRun(state, {
      attempt: fire?.attempt ?? 1, nominalAt: item.nominal, reason, retryOf: fire?.retryOf ?? null,
      scheduledAt: fire?.scheduledAt ?? item.nominal, trigger: item.trigger,
    }, this.deps.now())
    return {...run, id: item.key} // retries are runs of their own: the key carries the attempt
  }

  /** Knows a run now and writes it with the next flush (one append for a whole pass). */
  private remember(run: Run): void {
    this.runs.set(run.id, run)
    if (this.bind(run)) this.foreign.delete(run.dyno!)

    this.unwritten.push(run)
  }

  /** Writes what the pass decided; kept for the next flush when the store cannot be reached now. */
  private async flush(): Promise<void> {
    const batch = this.unwritten.splice(0)
    try {
      await this.deps.runs.appendMany(batch, this.deps.now())
      if (batch.length > 0) this.deps.onRunChanges?.(batch)
    } catch (error) {
      this.unwritten.unshift(...batch)
      this.deps.print(logfmt({at: 'warn', msg: `could not record ${batch.length} run change(s), keeping them for the next write: ${(error as Error).message}`}))
    }
  }

  private async record(run: Run, now: number): Promise<void> {
    this.runs.set(run.id, run)
    if (this.bind(run)) this.foreign.delete(run.dyno!)

    await this.deps.runs.append(run, now)
    this.deps.onRunChanges?.([run])
  }

  /** What earlier clocks on this machine recorded, as far back as any catch-up window reaches. */
  private async loadHistory(now: number): Promise<void> {
    const longest = Math.max(3600, ...this.triggers.map(t => catchUpWindowSeconds(t)))
    const since = now - (longest + 86_400) * 1000
    const found = await this.deps.runs.latest({since})
    for (const run of found.values()) {
      this.runs.set(run.id, run)
      this.bind(run)
    }
  }

  /**
   * Its dyno's log lines go to `run` from now on, unless that name belongs to another run that is
   * still open, or newer: Heroku uses a one-off dyno's number again, so a day of history can hold
   * two runs on `trigger-….2221`, and the live one must get its exit. True when bound.
   */
  private bind(run: Run): boolean {
    if (!run.dyno) return false
    const other = this.runs.get(this.byDyno.get(run.dyno) ?? '')
    if (other && other.id !== run.id) {
      const open = (r: Run) => !isTerminal(r.state)
      if (open(other) && !open(run)) return false
      if (open(other) === open(run) && (runTime(other) || 0) > (runTime(run) || 0)) return false
    }

    this.byDyno.set(run.dyno, run.id)
    return true
  }

  /**
   * What the app itself says was fired: its running dynos and its log backlog. A clock dyno's
   * disk is new at every start, so this is how it avoids firing twice after a restart; and a run
   * recorded as pending by a clock that died before its API call is bound to its dyno, or fired again.
   */
  private async learnFromApp(signal: AbortSignal): Promise<void> {
    const {deps} = this
    const dynos = await deps.platform.listDynos()
    const alive = new Set(dynos.filter(d => d.state !== 'down' && d.state !== 'crashed').map(d => d.name)) // a finished one-off may still be listed
    for (const dyno of dynos) this.noteStart(dyno.name, Date.parse(dyno.createdAt))

    const backlog: string[] = []
    const lines = this.options.evidenceLines ?? 1500
    let oldest = Number.POSITIVE_INFINITY
    const stop = new AbortController()
    const onAbort = () => stop.abort()
    signal.addEventListener('abort', onAbort, {once: true})
    try {
      for await (const raw of deps.platform.logLines({lines, tail: false}, stop.signal)) {
        backlog.push(raw)
        const line = parseLine(raw)
        if (line && line.time < oldest) oldest = line.time
        if (line?.dyno && line.message.startsWith('Starting process')) this.noteStart(line.dyno, line.time)
      }

      // a full backlog may have lost older lines; a shorter one is the whole log
      if (backlog.length >= lines && this.runs.size === 0 && Number.isFinite(oldest)) this.evidenceFrom = oldest
    } catch (error) {
      if (error instanceof UnauthorizedError) throw error
      deps.print(logfmt({at: 'warn', msg: `could not read the log backlog: ${(error as Error).message}`}))
    } finally {
      signal.removeEventListener('abort', onAbort)
    }

    const now = deps.now()
    for (const run of this.runs.values()) {
      if (run.state !== 'pending' || run.dyno !== null || !run.triggerId || !run.nominalAt) continue
      const trigger = this.triggers.find(t => t.id === run.triggerId)
      const dyno = trigger ? this.unexplainedStart(trigger, new Date(run.nominalAt)) : undefined
      if (dyno) {
        await this.record({...run, dyno, state: 'starting'}, now)
        deps.print(logfmt({at: 'recovered', dyno, nominal: run.nominalAt, trigger: trigger?.name}))
      } else {
        this.runs.delete(run.id) // its API call never happened: the planner offers it again within its window
      }
    }

    for (const raw of backlog) this.absorb(raw, true)
    for (const dyno of dynos) {
      if (alive.has(dyno.name) && dyno.name.startsWith('trigger-') && !this.byDyno.has(dyno.name)) {
        this.foreign.set(dyno.name, {at: Date.parse(dyno.createdAt), type: dynoTypeOf(dyno.name)})
      }
    }

    // runs recorded as open whose dyno is gone and whose exit never showed: settle them
    for (const run of this.openRuns()) {
      const settled = settle(run, now, {dynoGone: run.dyno !== null && !alive.has(run.dyno)})
      if (settled.state !== run.state) await this.record(settled, now)
    }
  }

  /** A log line: evidence of trigger dynos, and events for the runs we know. */
  private absorb(raw: string, fromBacklog: boolean): null | {after: Run; before: Run} {
    const line = parseLine(raw)
    if (!line || !line.dyno) return null
    const event = toEvent(line)
    if (event.kind === 'starting') this.noteStart(line.dyno, line.time)
    const id = this.byDyno.get(line.dyno)
    if (id === undefined && line.dyno.startsWith('trigger-')) this.noteForeign(line.dyno, event, line.time)
    const run = id === undefined ? undefined : this.runs.get(id)
    // Heroku Scheduler's and run:detached's dynos are runs too (metrics and monitors cover them):
    // a new one when its dyno is first seen, or when a finished one's name is used again
    const again = run !== undefined && run.triggerId === null && isTerminal(run.state) && event.kind === 'starting' && line.time > Date.parse(run.endedAt ?? '')
    if (run === undefined || again) return OTHER_RUN_DYNO.test(line.dyno) ? this.discover(event, fromBacklog) : null
    if (predates(run, line.time)) return null // a line of an earlier dyno of that name, replayed: not this run's
    const next = applyEvent(run, event)
    if (next === run || JSON.stringify(next) === JSON.stringify(run)) return null
    this.runs.set(run.id, next)
    if (fromBacklog) this.unwritten.push(next) // written with the next flush
    return {before: run, after: next}
  }

  /** A run of a dyno this clock did not start, from its first line seen (the same state machine as every run). */
  private discover(event: ReturnType<typeof toEvent>, fromBacklog: boolean): null | {after: Run; before: Run} {
    const run = reconcile([], [event]).at(-1)
    if (!run) return null
    this.runs.set(run.id, run)
    this.bind(run)
    if (fromBacklog) this.unwritten.push(run)
    return {after: run, before: {...run, state: 'starting'}}
  }

  /** Follows the live log: outcomes of the runs we fired, retries after failures. */
  private async follow(signal: AbortSignal): Promise<void> {
    const {deps} = this
    while (!signal.aborted) {
      try {
        // the backlog again: events are idempotent, so lines seen at start-up change nothing, and
        // none that came between start-up and now is lost
        for await (const raw of deps.platform.logLines({lines: 1500, tail: true}, signal)) {
          const change = this.absorb(raw, false)
          if (!change) continue
          const run = change.after
          this.unwritten.push(run)
          await this.flush()
          if (isTerminal(run.state) && (!isTerminal(change.before.state) || change.before.state !== run.state)) {
            const trigger = this.triggers.find(t => t.id === run.triggerId)
            deps.print(logfmt({at: 'completed', dyno: run.dyno, exit: run.exitStatus ?? undefined, reason: run.reason ?? undefined, state: run.state, trigger: trigger?.name ?? run.triggerId}))
            if (trigger) this.maybeRetry(run, trigger)
            if (this.unwritten.length > 0) await this.flush() // a dropped retry's record
          }
        }
      } catch (error) {
        if (signal.aborted) return
        deps.print(logfmt({at: 'warn', msg: `log stream stopped, following again in 10 s: ${(error as Error).message}`}))
      }

      await deps.sleep(10_000, signal)
    }
  }
}

