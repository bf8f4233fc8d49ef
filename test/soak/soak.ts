// The soak: the real clock (startClock, as `triggers:clock` runs it) against the emulator, on the file
// store or on Postgres, for days of simulated time, through restarts on an empty disk, a second clock
// started beside the first, 429 storms, 5xx bursts, cut log streams, expired sessions and a stretch
// with no clock at all. Every dyno the emulator ran is written down as it finishes; each simulated
// day is then checked against a count made apart from the clock, from the schedules themselves
// (test/core/schedule-oracle.ts): every nominal time fired exactly once, or skipped by its
// concurrency, or missed only where no clock ran within its catch-up window; every run recorded
// with the outcome its dyno really had; nothing fired twice or that was never due.
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {setFlagsFromString, writeHeapSnapshot} from 'node:v8'
import {runInNewContext} from 'node:vm'

import type {Context} from '../../src/context.js'
import type {Run} from '../../src/core/runs.js'
import type {Trigger} from '../../src/core/trigger.js'
import type {HerokuPlatform} from '../../src/platform/heroku.js'
import type {EmulatedDyno} from '../emulator/types.js'

import {startClock} from '../../src/clock/start.js'
import {buildContext} from '../../src/context.js'
import {catchUpWindowSeconds, runKey} from '../../src/core/clock.js'
import {isTerminal} from '../../src/core/runs.js'
import {oracleFireTimes} from '../core/schedule-oracle.js'
import {startEmulator} from '../emulator/index.js'
import {ROOT} from '../helpers/cli.js'
import {sql} from '../helpers/postgres.js'
import {VirtualTime} from './virtual-time.js'
import {simulate, soakTriggers} from './world.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Thursday 22 October 2026, 00:00 UTC: Europe leaves summer time on the Sunday after */
export const SOAK_START = Date.parse('2026-10-22T00:00:00Z')
const APP = 'soak-app'
/** how long after a day ends its runs are checked: every run of it has ended by then */
const CHECK_AFTER_MS = HOUR

export interface SoakOptions {
  store: 'file' | 'postgres'
  days: number
  triggers: number
  /** for the Postgres store */
  databaseUrl?: string
  /** progress, one line a simulated day */
  print?: (line: string) => void
}

export interface DayCheck {
  day: number
  expected: number
  fired: number
  retries: number
  skipped: number
  missed: number
  /** recorded missed because a later time of the same trigger ran in its place (a clock back after a gap runs the latest only) */
  coalesced: number
  /** recorded as failed to start: the API refused the create for the whole catch-up window (a 429 storm) */
  failedToStart: number
  /** a nominal time neither fired nor recorded */
  lost: string[]
  /** a run key fired more than once */
  duplicates: string[]
  /** fired though never due */
  unexpected: string[]
  /** missed though a clock ran within its catch-up window */
  wronglyMissed: string[]
  /** recorded with an outcome other than its dyno's, or never finished in the record */
  wrongOutcome: string[]
  /** (file store) a run whose clock was killed before it ended: its disk went with the clock */
  orphaned: number
}

export interface SoakReport {
  store: 'file' | 'postgres'
  days: number
  triggers: number
  checks: DayCheck[]
  fired: number
  missed: number
  duplicates: number
  lost: number
  /** ms of simulated time between a run's due time and its dyno create */
  lagP50: number
  lagP99: number
  lagMax: number
  steadyLagP50: number
  steadyLagP99: number
  /** heap used after a full collection, MB: an hour before the end of day 1 and of the last day */
  heapDay1Mb: number
  heapLastMb: number
  /** runs in the store at the end, and the oldest one's age in days */
  storedRuns: number
  oldestStoredDays: number
  retentionDays: number
  restarts: number
  standbyTakeovers: number
  refusedSecondClocks: number
  faults: Record<string, number>
  steps: number
  realSeconds: number
  /** the clocks' last lines, for a failure's story */
  tail: string[]
}

interface Truth {
  key: string
  trigger: string
  nominal: string
  dyno: string
  exit: null | number
  stopped: boolean
  created: number
  finished: number
}

interface Instance {
  label: string
  /** its SIGTERM and SIGINT handlers: a killed process's go with it */
  handlers: Array<[NodeJS.Signals, (...args: unknown[]) => void]>
  disk: string
  life: {dead: boolean}
  controller: AbortController
  raw: Context
  done: Promise<unknown>
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)()
}

/** heap used after a full collection; with SOAK_HEAP_SNAPSHOTS=dir, a heap snapshot beside it, named `name` */
function heapMb(name: string): number {
  gc()
  gc()
  if (process.env.SOAK_HEAP_SNAPSHOTS) writeHeapSnapshot(path.join(process.env.SOAK_HEAP_SNAPSHOTS, `${name}.heapsnapshot`))
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10
}

/** Lag histogram: 1 ms buckets up to 10 minutes, bounded whatever the number of runs. */
class Lags {
  private readonly buckets = new Uint32Array(600_001)
  private count = 0
  max = 0

  add(ms: number): void {
    const i = Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms)))
    this.buckets[i]++
    this.count++
    this.max = Math.max(this.max, ms)
  }

  quantile(q: number): number {
    if (this.count === 0) return 0
    const target = Math.ceil(q * this.count)
    let seen = 0
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]
      if (seen >= target) return i
    }

    return this.buckets.length - 1
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const began = performance.now()
  // the clocks' disks in memory where there is a tmpfs: a week of appends is then CPU, not I/O waits
  const work = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `soak-${options.store}-`))
  const truthFile = path.join(work, 'truth.ndjson')
  const vt = new VirtualTime(SOAK_START)
  const end = SOAK_START + options.days * DAY
  const retentionDays = 2
  const triggers = soakTriggers(options.triggers, SOAK_START, options.days)
  const lags = new Lags()
  /** fires of a clock running for a minute or more: not catching up after a restart */
  const steadyLags = new Lags()
  const startedAt = new Map<string, number>()
  const tail: string[] = []
  const faults: Record<string, number> = {}
  const report = {missed: 0, refusedSecondClocks: 0, restarts: 0, standbyTakeovers: 0}
  const dark: Array<{from: number; to: number}> = []
  let pendingTruth: string[] = []

  const emulator = await startEmulator({
    completedDynoVisibleMs: 0,
    keepFinishedDynos: false,
    launchDelayMs: 500,
    logHistoryLines: 0,
    onDynoFinished(_app, dyno: EmulatedDyno) {
      const truth: Truth = {
        created: dyno.createdAt.getTime(), dyno: dyno.name, exit: dyno.exitStatus, finished: dyno.finishedAt?.getTime() ?? vt.now(),
        key: dyno.env.HEROKU_TRIGGER_RUN_ID ?? '', nominal: dyno.env.HEROKU_TRIGGER_NOMINAL_AT ?? '', stopped: false, trigger: dyno.env.HEROKU_TRIGGER_ID ?? '',
      }
      pendingTruth.push(JSON.stringify(truth))
    },
    recordRequests: false,
    simulate,
    stopGraceMs: 10_000,
    time: vt,
  })
  const app = emulator.createApp({name: APP, oneOffLimit: 500, sizeTier: 'standard'});
  (app as unknown as {log: {subscribe(listener: () => void): void}}).log.subscribe(() => vt.touch())
  const saved = {HEROKU_API_KEY: process.env.HEROKU_API_KEY, HEROKU_HOST: process.env.HEROKU_HOST}
  process.env.HEROKU_HOST = emulator.url
  process.env.HEROKU_API_KEY = emulator.apiKey
  const config = await Config.load(ROOT)
  const env: NodeJS.ProcessEnv = {...process.env, ...(options.store === 'postgres' ? {HEROKU_TRIGGERS_DATABASE_URL: options.databaseUrl} : {})}
  const disks: string[] = []

  const started = new Set<string>()
  const standing = new Set<string>()
  const note = (label: string, line: string): void => {
    if (/(^| )at=started /m.test(line)) {
      started.add(label)
      startedAt.set(label, vt.now())
    }

    if (/(^| )at=standby /m.test(line)) standing.add(label)
    if (process.env.SOAK_LOG) appendFileSync(process.env.SOAK_LOG, line.split('\n').map(l => `${new Date(vt.now()).toISOString()} ${label} ${l}\n`).join(''))
    tail.push(`${new Date(vt.now()).toISOString()} ${label} ${line}`)
    if (tail.length > 300) tail.splice(0, tail.length - 200)
    for (const one of line.split('\n')) {
      const at = /^at=(\S+)/.exec(one)?.[1]
      if (at === 'fired' || at === 'retried') {
        const lag = /lag=(-?\d+)ms/.exec(one)
        if (lag) lags.add(Number(lag[1]))
        if (lag && vt.now() - (startedAt.get(label) ?? vt.now()) >= 60_000) steadyLags.add(Number(lag[1]))
      } else if (at === 'missed') {
        report.missed++
      }
    }
  }

  let failure: unknown = null
  /** an action of the soak's own, in the background: its failure stops the soak */
  const background = (action: () => Promise<void>): void => {
    hold(action).catch(error => {
      failure ??= error
    })
  }

  /** runs `action` with time standing still until it is done */
  const hold = async <T>(action: () => Promise<T>): Promise<T> => {
    vt.inflight++
    try {
      return await action()
    } finally {
      vt.inflight--
      vt.touch()
    }
  }

  const launch = async (label: string, disk: string): Promise<Instance> => {
    const life = {dead: false}
    const raw = await buildContext({
      app: APP, beforeSharedWrite() {}, dataRoot: disk, env, heroku: async () => new APIClient(config),
      now: () => new Date(vt.now()), retentionDays,
      sleep: (ms, signal) => (life.dead ? VirtualTime.forever() : vt.sleep(ms, signal)),
    })
    const t = <T extends object>(o: T): T => vt.track(o, () => life.dead)
    const dynos = t(raw.dynos)
    const context: Context = {...raw, dynos, history: t(raw.history), platform: dynos as HerokuPlatform, storage: t(raw.storage), store: t(raw.store)}
    const controller = new AbortController()
    const state = {settled: false}
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']
    const before = new Map(signals.map(s => [s, new Set(process.listeners(s))]))
    const done = startClock(context, {maxDynos: 300, once: false, print: line => note(label, line), retentionDays, signal: controller.signal}).catch(error => error).finally(() => {
      state.settled = true
    })
    // time stands still while it starts (module loading, connecting): until it runs, stands by or gives up
    const deadline = performance.now() + 30_000
    while (!started.has(label) && !standing.has(label) && !state.settled) {
      if (performance.now() > deadline) throw new Error(`soak: ${label} did not start within 30 s`)
      await new Promise(resolve => {
        setTimeout(resolve, 2)
      })
    }

    const handlers = signals.flatMap(s => process.listeners(s).filter(l => !before.get(s)!.has(l)).map(l => [s, l] as [NodeJS.Signals, (...args: unknown[]) => void]))
    return {controller, disk, done, handlers, label, life, raw}
  }

  /** a new disk for a clock: its definitions as the last one left them (they live elsewhere in production), no history */
  const freshDisk = (from: null | string): string => {
    const disk = path.join(work, `disk-${disks.length}`)
    mkdirSync(disk)
    if (from && options.store === 'file') {
      for (const dir of ['apps']) {
        const source = path.join(from, dir)
        if (!existsSync(source)) continue
        cpSync(source, path.join(disk, dir), {filter: f => !/runs|rollups|alerts|outbox|clock/.test(path.basename(f)) || f === source, recursive: true})
      }
    }

    disks.push(disk)
    return disk
  }

  // the definitions, as `triggers:create` would have written them an hour before the soak starts
  const first = freshDisk(null)
  const setup = await buildContext({app: APP, beforeSharedWrite() {}, dataRoot: first, env, heroku: async () => new APIClient(config), now: () => new Date(vt.now())})
  await setup.store.update(defs => {
    defs.triggers = triggers
  })
  setup.platform?.close()
  await setup.storage.close()

  let active = await hold(() => launch('clock-0', first))
  let counter = 0

  const kill = async (instance: Instance): Promise<void> => {
    // SIGKILL: nothing the clock awaits comes back, its connections drop
    instance.life.dead = true
    for (const [signal, handler] of instance.handlers) process.off(signal, handler)
    instance.controller.abort()
    instance.raw.platform?.close()
    if (options.store === 'postgres') {
      await sql(options.databaseUrl!, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
      await instance.raw.storage.close().catch(() => {})
    }
  }

  /** the active clock killed, and a new one started `gapMs` later */
  const restart = async (gapMs: number): Promise<void> => {
    await kill(active)
    report.restarts++
    const disk = freshDisk(active.disk)
    vt.setTimeout(() => {
      background(async () => {
        active = await launch(`clock-${++counter}`, options.store === 'file' ? disk : active.disk)
      })
    }, gapMs)
  }

  const overlap = async (): Promise<void> => {
    // Heroku's restart overlap: a second clock starts beside the first, which is then stopped (SIGTERM)
    const second = await launch(`clock-${++counter}`, active.disk)
    const old = active
    vt.setTimeout(() => {
      background(async () => {
        const refused = await Promise.race([second.done, new Promise(resolve => {
          setImmediate(() => resolve(null))
        })])
        if (refused instanceof Error) {
          // the file store's lease is a lock on this disk: the second clock says so and exits; the first keeps going
          report.refusedSecondClocks++
          note(second.label, `refused: ${refused.message}`)
          return
        }

        old.controller.abort()
        await old.done
        // the standby takes the lease as the first lets it go: time stands still until it has
        const deadline = performance.now() + 15_000
        while (!started.has(second.label) && performance.now() < deadline) await new Promise(resolve => {
          setTimeout(resolve, 5)
        })
        if (!started.has(second.label)) throw new Error(`soak: the standby clock ${second.label} did not take over within 15 s of the first one's exit`)
        report.standbyTakeovers++
        active = second
      })
    }, 60_000)
  }

  const at = (ms: number, label: string, action: () => Promise<void> | void): void => {
    if (ms >= end) return
    vt.setTimeout(() => {
      faults[label] = (faults[label] ?? 0) + 1
      background(async () => action())
    }, ms - vt.now())
  }

  // each day's faults fall in its first 12 hours, so that a 12-hour soak (npm test's) meets every kind
  const darkDay = Math.min(2, Math.ceil(options.days) - 1)
  for (let h = 0; h < options.days * 24; h++) {
    const t = SOAK_START + h * HOUR
    const day = Math.floor(h / 24)
    const hourOfDay = h % 24
    if (h > 0 && h % 6 === 0) at(t, 'restart on an empty disk', () => restart(20_000))
    at(t + 30 * 60_000, 'log stream cut', () => emulator.faults.cutOpenStreams())
    if (hourOfDay === 2) at(t + 59 * 60_000, '429 storm (30 s)', () => emulator.faults.rateLimit({durationMs: 30_000}))
    if (hourOfDay === 4) at(t, '5xx burst (40 requests)', () => emulator.faults.serverError({count: 40, status: 503}))
    if (hourOfDay === 8) at(t + 45_000, 'second clock beside the first', () => overlap())
    if (hourOfDay === 10) at(t + 5 * 60_000, 'sessions expired', () => emulator.faults.expireSessions())
    if (day === darkDay && hourOfDay === 9) {
      // no clock at all for 90 minutes (a failed deploy): what falls out of its catch-up window is missed
      dark.push({from: t + 5 * 60_000, to: t + 95 * 60_000})
      at(t + 5 * 60_000, 'no clock for 90 minutes', () => restart(90 * 60_000))
    }
  }

  const checks: DayCheck[] = []
  let heapDay1Mb = 0
  // checked a day at a time (a shorter soak: all at once)
  const period = Math.min(DAY, options.days * DAY)
  let heapLastMb = 0
  const days = Math.round((options.days * DAY) / period)
  const step = async () => {
    if (failure) throw failure
    if (pendingTruth.length > 5000) flushTruth()
  }

  for (let day = 0; day < days; day++) {
    const dayEnd = SOAK_START + (day + 1) * period
    // the heap an hour before the day ends: on day 1 and on the last, its clock is then as old (restarted
    // at 18:00), so a clock that holds more the longer it runs is told apart from one that leaks
    await vt.runUntil(dayEnd - HOUR, step)
    flushTruth() // the soak's own buffer of finished dynos is not the clock's heap
    if (day === 0) heapDay1Mb = heapMb(`${options.store}-day-1`)
    if (day === days - 1) heapLastMb = heapMb(`${options.store}-day-${day + 1}`)
    await vt.runUntil(dayEnd + CHECK_AFTER_MS, step)
    flushTruth()
    const check = await hold(() => checkDay(day, period))
    checks.push(check)
    options.print?.(`day ${day + 1}: ${check.fired} fired (${check.retries} retries), ${check.skipped} skipped, ${check.missed} missed, ${check.lost.length} lost, ${check.duplicates.length} duplicates, ${check.wrongOutcome.length} wrong outcomes, ${check.orphaned} orphaned; heap ${process.memoryUsage().heapUsed >> 20} MB, ${vt.steps} steps, ${Math.round((performance.now() - began) / 1000)} s`)
    for (const problem of [...check.lost, ...check.duplicates, ...check.unexpected, ...check.wronglyMissed, ...check.wrongOutcome].slice(0, 10)) options.print?.(`  ${problem}`)
  }

  const stored = await hold(() => active.raw.history.latest({since: 0}))
  const oldest = Math.min(...[...stored.values()].map(r => Date.parse(r.nominalAt ?? r.startedAt ?? r.requestedAt ?? '') || vt.now()))
  active.controller.abort()
  await Promise.race([hold(() => active.done as Promise<unknown>), new Promise(resolve => {
    setTimeout(resolve, 10_000)
  })])
  active.raw.platform?.close()
  await active.raw.storage.close().catch(() => {})
  await emulator.stop()
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }

  rmSync(work, {force: true, recursive: true})
  const sum = (f: (c: DayCheck) => number) => checks.reduce((a, c) => a + f(c), 0)
  return {
    checks, days: options.days, duplicates: sum(c => c.duplicates.length), faults, fired: sum(c => c.fired), heapDay1Mb, heapLastMb,
    lagMax: lags.max, lagP50: lags.quantile(0.5), lagP99: lags.quantile(0.99), lost: sum(c => c.lost.length), missed: sum(c => c.missed),
    oldestStoredDays: Math.round(((vt.now() - oldest) / DAY) * 10) / 10, realSeconds: Math.round((performance.now() - began) / 1000),
    refusedSecondClocks: report.refusedSecondClocks, restarts: report.restarts, retentionDays, standbyTakeovers: report.standbyTakeovers,
    steadyLagP50: steadyLags.quantile(0.5), steadyLagP99: steadyLags.quantile(0.99), steps: vt.steps, store: options.store, storedRuns: stored.size, tail, triggers: options.triggers,
  }

  function flushTruth(): void {
    if (pendingTruth.length === 0) return
    appendFileSync(truthFile, pendingTruth.join('\n') + '\n')
    pendingTruth = []
  }

  /** Every run of one simulated day, against the schedules and what the emulator ran. */
  async function checkDay(day: number, length: number): Promise<DayCheck> {
    const from = SOAK_START + day * length
    const to = from + length
    const check: DayCheck = {
      coalesced: 0, day: day + 1, duplicates: [], expected: 0, failedToStart: 0, fired: 0, lost: [], missed: 0,
      orphaned: 0, retries: 0, skipped: 0, unexpected: [], wronglyMissed: [], wrongOutcome: [],
    }
    // what the emulator ran for this day's nominal times, by run key
    const ran = new Map<string, Truth[]>()
    for (const line of readFileSync(truthFile, 'utf8').split('\n')) {
      if (line === '') continue
      const truth = JSON.parse(line) as Truth
      const nominal = Date.parse(truth.nominal)
      if (!(nominal >= from && nominal < to)) continue
      ran.set(truth.key, [...ran.get(truth.key) ?? [], truth])
    }

    for (const dyno of emulator.dynos(APP)) {
      const nominal = Date.parse(dyno.env.HEROKU_TRIGGER_NOMINAL_AT ?? '')
      if (nominal >= from && nominal < to) check.unexpected.push(`${dyno.env.HEROKU_TRIGGER_RUN_ID} still running (${dyno.name})`)
    }

    // what the clocks recorded: every disk's history (file store) or the one database's
    const records = new Map<string, Run>()
    const sources = options.store === 'file' ? disks : [disks[0]]
    for (const disk of sources) {
      const reader = await buildContext({app: APP, beforeSharedWrite() {}, dataRoot: disk, env, heroku: async () => new APIClient(config), now: () => new Date(vt.now()), retentionDays: 30})
      try {
        for (const run of (await reader.history.latest({since: from - DAY})).values()) {
          const known = records.get(run.id)
          if (!known || (!isTerminal(known.state) && isTerminal(run.state))) records.set(run.id, run)
        }
      } finally {
        reader.platform?.close()
        await reader.storage.close()
      }
    }

    const expected = new Set<string>()
    for (const trigger of triggers) {
      const nominals = trigger.at
        ? [new Date(trigger.at)].filter(d => d.getTime() >= from && d.getTime() < to)
        : oracleFireTimes(trigger.schedule!, trigger.timezone, new Date(from - 1), new Date(to - 1))
      for (const nominal of nominals) {
        const key = runKey(trigger.id, nominal)
        expected.add(key)
        check.expected++
        const dynos = ran.get(key) ?? []
        const record = records.get(key)
        if (dynos.length > 1) check.duplicates.push(`${trigger.name} @ ${nominal.toISOString()}: ${dynos.map(d => d.dyno).join(', ')}`)
        if (dynos.length === 0) {
          const state = record?.state
          const where = `${trigger.name} @ ${nominal.toISOString()}`
          if (state === 'skipped') check.skipped++
          else if (state === 'failed-to-start') check.failedToStart++
          else if (state === 'missed' && record?.reason?.startsWith('coalesced')) check.coalesced++ // a later time of it ran in its place
          else if (state === 'missed') {
            check.missed++
            const window = catchUpWindowSeconds(trigger) * 1000
            if (!dark.some(d => nominal.getTime() + window < d.to && nominal.getTime() >= d.from - window)) check.wronglyMissed.push(where)
          } else check.lost.push(`${where} (${record ? state : 'no record'})`)

          continue
        }

        check.fired++
        outcome(trigger, key, dynos[0], record)
        // its retries: every attempt the emulator ran for this nominal time
        for (let attempt = 2; attempt <= trigger.retries + 1; attempt++) {
          const retryKey = runKey(trigger.id, nominal, attempt)
          expected.add(retryKey)
          const retried = ran.get(retryKey) ?? []
          if (retried.length > 1) check.duplicates.push(`${trigger.name} @ ${nominal.toISOString()} attempt ${attempt}`)
          if (retried.length === 0) continue
          check.retries++
          outcome(trigger, retryKey, retried[0], records.get(retryKey))
        }
      }
    }

    for (const key of ran.keys()) if (!expected.has(key)) check.unexpected.push(key)
    return check

    function outcome(trigger: Trigger, key: string, dyno: Truth, record: Run | undefined): void {
      const want = dyno.exit === 0 ? 'succeeded' : dyno.exit === 143 || dyno.exit === 137 ? 'interrupted' : 'failed'
      if (record && record.state === want && record.exitStatus === dyno.exit) return
      const straddles = options.store === 'file' && (!record || !isTerminal(record.state))
      if (straddles) {
        check.orphaned++
        return
      }

      check.wrongOutcome.push(`${trigger.name} ${key.slice(key.indexOf('@'))} ${dyno.dyno}: exit ${dyno.exit}, recorded ${record ? `${record.state} (exit ${record.exitStatus})` : 'nothing'}`)
    }
  }
}

/** One line per figure, for `npm run soak` and the test's failure message. */
export function describe(report: SoakReport): string {
  const worst = (name: string, list: string[]) => (list.length === 0 ? [] : [`  ${name}: ${list.slice(0, 5).join('; ')}${list.length > 5 ? ` … (${list.length})` : ''}`])
  const all = (f: (c: DayCheck) => string[]) => report.checks.flatMap(f)
  return [
    `soak on the ${report.store} store: ${report.triggers} triggers, ${report.days} simulated days in ${report.realSeconds} s (${report.steps} steps)`,
    `  runs fired ${report.fired} (+${report.checks.reduce((a, c) => a + c.retries, 0)} retries), skipped ${report.checks.reduce((a, c) => a + c.skipped, 0)}, coalesced ${report.checks.reduce((a, c) => a + c.coalesced, 0)}, failed to start ${report.checks.reduce((a, c) => a + c.failedToStart, 0)}, missed ${report.checks.reduce((a, c) => a + c.missed, 0)}, duplicates ${report.duplicates}, lost ${report.lost}`,
    `  wrong outcomes ${all(c => c.wrongOutcome).length}, wrongly missed ${all(c => c.wronglyMissed).length}, unexpected ${all(c => c.unexpected).length}, orphaned (file store: the clock died first) ${report.checks.reduce((a, c) => a + c.orphaned, 0)}`,
    `  fire lag in simulated time: p50 ${report.lagP50} ms, p99 ${report.lagP99} ms, max ${report.lagMax} ms (catch-up after restarts included); a clock up for a minute or more: p50 ${report.steadyLagP50} ms, p99 ${report.steadyLagP99} ms`,
    `  heap after a full collection: day 1 ${report.heapDay1Mb} MB, day ${report.days} ${report.heapLastMb} MB (${Math.round(((report.heapLastMb / report.heapDay1Mb) - 1) * 1000) / 10} %)`,
    `  run store: ${report.storedRuns} runs, the oldest ${report.oldestStoredDays} days old (retention ${report.retentionDays} days)`,
    `  clocks: ${report.restarts} killed and restarted, ${report.standbyTakeovers} standby takeovers, ${report.refusedSecondClocks} second clocks refused; faults: ${Object.entries(report.faults).map(([k, v]) => `${k} ×${v}`).join(', ')}`,
    ...worst('lost', all(c => c.lost)),
    ...worst('duplicates', all(c => c.duplicates)),
    ...worst('wrong outcomes', all(c => c.wrongOutcome)),
    ...worst('wrongly missed', all(c => c.wronglyMissed)),
    ...worst('unexpected', all(c => c.unexpected)),
  ].join('\n')
}
