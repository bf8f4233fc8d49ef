// Metrics as numbers: per-minute rollups of runs (what a store keeps as runs are recorded), and the
// buckets, percentiles and concurrency a span is drawn from. Pure: runs, rollups and `now` come in.
//
// A rollup is one UTC minute of one trigger's runs (or of every run of the app, key '*'). Runs count
// where they ended; a dyno's running interval [started, ended) adds to every minute it covers, so the
// exact peak of a minute is its level at the minute's start plus the running sum of its deltas.
import type {Run, RunState} from './runs.js'

import {InvalidInputError} from './errors.js'
import {type Filter, matches} from './filter.js'

export const MINUTE_MS = 60_000
/** the key of the rollups that hold every run of the app */
export const ALL = '*'
/** durations are kept in log buckets this far apart: a percentile from rollups is within 1 % */
const STEP = Math.log(1.01)

export const OUTCOMES = ['succeeded', 'failed', 'interrupted', 'failedToStart', 'unknown'] as const
export type Outcome = typeof OUTCOMES[number]
export type Throughput = Record<Outcome, number>

export interface Rollup {
  /** the minute's start, ms since the epoch (UTC) */
  at: number
  /** a trigger id, or ALL */
  key: string
  throughput: Throughput
  /** durations of the runs that ended in the minute: exact count/sum/min/max, and a log histogram */
  duration: {count: number; hist: Record<string, number>; max: null | number; min: null | number; sum: number}
  /** dynos running just before the minute began */
  level: number
  /** +1 when a dyno started, -1 when it ended, by ms offset in the minute ('t1500') */
  deltas: Record<string, number>
  /** ms of dyno time inside the minute */
  busyMs: number
  memoryMb: null | number
  quotaMb: null | number
  load: null | number
  r14: number
  r15: number
}

export interface Stats {count: number; min: null | number; avg: null | number; p50: null | number; p95: null | number; max: null | number}

export interface Bucket {
  at: string
  throughput: Throughput
  durationMs: Stats
  concurrency: {max: number; avg: number}
  memoryMb: {max: null | number; quota: null | number}
  memoryErrors: {r14: number; r15: number}
  load: {max: null | number}
}

export interface MetricsReport {
  from: string
  to: string
  resolution: string
  buckets: Bucket[]
  totals: {runs: number; throughput: Throughput; successRate: null | number; durationMs: Stats; concurrency: {max: number}}
}

export const RESOLUTIONS: Record<string, {ms: number; spanMs: number}> = {
  '1m': {ms: MINUTE_MS, spanMs: 3 * 3_600_000},
  '10m': {ms: 10 * MINUTE_MS, spanMs: 24 * 3_600_000},
  '30m': {ms: 30 * MINUTE_MS, spanMs: 72 * 3_600_000},
  '1h': {ms: 3_600_000, spanMs: 7 * 86_400_000},
}

/** The span and resolution: --resolution's default span, or the finest resolution whose span covers --since. */
export function planSpan(options: {resolution?: string; since?: number; until?: number}, now: number): {from: number; ms: number; resolution: string; to: number} {
  let {resolution} = options
  if (resolution !== undefined && !RESOLUTIONS[resolution]) throw new InvalidInputError(`invalid --resolution ${JSON.stringify(resolution)}: use one of ${Object.keys(RESOLUTIONS).join(', ')}`)
  const until = options.until ?? now
  if (resolution === undefined) {
    resolution = options.since === undefined ? '10m' : Object.keys(RESOLUTIONS).find(r => until - options.since! <= RESOLUTIONS[r].spanMs) ?? '10m'
  }

  const {ms, spanMs} = RESOLUTIONS[resolution]
  const since = options.since ?? until - spanMs
  if (!(since < until)) throw new InvalidInputError('--since must be before --until: e.g. --since 48h --until 24h')
  return {from: Math.floor(since / ms) * ms, ms, resolution, to: Math.ceil(until / ms) * ms}
}

// ---- statistics --------------------------------------------------------------------------------

/** The nearest-rank percentile of sorted values (p in 0..100); null when there are none. */
export function percentile(sorted: readonly number[], p: number): null | number {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]
}

// keys are prefixed so they are never array indices: an object keyed 0..59999 is an array to V8, slow to merge
function histKey(ms: number): string {
  return `b${Math.round(Math.log(ms + 1) / STEP)}`
}

const keyNumber = (key: string): number => Number(key.slice(1))

function histValue(key: string): number {
  return Math.exp(keyNumber(key) * STEP) - 1
}

/** The nearest-rank percentile of a log histogram, kept inside [min, max]. */
export function histPercentile(hist: Record<string, number>, count: number, p: number, min: number, max: number): null | number {
  if (count === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * count))
  let seen = 0
  for (const key of Object.keys(hist).sort((a, b) => keyNumber(a) - keyNumber(b))) {
    seen += hist[key]
    if (seen < rank) continue
    // the buckets of the smallest and the largest value are those values exactly
    if (key === histKey(max)) return max
    if (key === histKey(min)) return min
    return Math.round(Math.min(max, Math.max(min, histValue(key))))
  }

  return max
}

// ---- the filter ---------------------------------------------------------------------------------

const RUN_STATES: readonly RunState[] = ['pending', 'starting', 'running', 'succeeded', 'failed', 'interrupted', 'failed-to-start', 'unknown', 'missed', 'skipped']

/** The states a run the filter lets through can be in, when its state terms narrow them (null: any). */
export function statesFor(filter: Filter): null | RunState[] {
  const terms = filter.terms.filter(t => t.attribute === 'state')
  if (terms.length === 0) return null
  return RUN_STATES.filter(state => matches({source: '', terms}, {state}))
}

// ---- runs → rollups ----------------------------------------------------------------------------

export function outcomeOf(state: Run['state']): null | Outcome {
  switch (state) {
    case 'succeeded':
    case 'failed':
    case 'interrupted':
    case 'unknown': {
      return state
    }

    case 'failed-to-start': {
      return 'failedToStart'
    }

    default: {
      return null
    }
  }
}

function emptyThroughput(): Throughput {
  return {succeeded: 0, failed: 0, interrupted: 0, failedToStart: 0, unknown: 0}
}

export function emptyRollup(at: number, key: string): Rollup {
  const duration = {count: 0, hist: {}, max: null, min: null, sum: 0}
  return {at, busyMs: 0, deltas: {}, duration, key, level: 0, load: null, memoryMb: null, quotaMb: null, r14: 0, r15: 0, throughput: emptyThroughput()}
}

const maxOf = (a: null | number, b: null | number): null | number => (a === null ? b : b === null ? a : Math.max(a, b))
const minOf = (a: null | number, b: null | number): null | number => (a === null ? b : b === null ? a : Math.min(a, b))

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) {
    const sum = (into[k] ?? 0) + v
    if (sum === 0) delete into[k]
    else into[k] = sum
  }
}

/** Adds b into a (same minute and key). */
export function mergeRollup(a: Rollup, b: Rollup): Rollup {
  for (const o of OUTCOMES) a.throughput[o] += b.throughput[o]
  a.duration.count += b.duration.count
  a.duration.sum += b.duration.sum
  a.duration.min = minOf(a.duration.min, b.duration.min)
  a.duration.max = maxOf(a.duration.max, b.duration.max)
  addCounts(a.duration.hist, b.duration.hist)
  a.level += b.level
  addCounts(a.deltas, b.deltas)
  a.busyMs += b.busyMs
  a.memoryMb = maxOf(a.memoryMb, b.memoryMb)
  a.quotaMb = maxOf(a.quotaMb, b.quotaMb)
  a.load = maxOf(a.load, b.load)
  a.r14 += b.r14
  a.r15 += b.r15
  return a
}

/** Rollups merged by (key, minute), in time order. */
export function mergeRollups(rollups: Iterable<Rollup>): Rollup[] {
  const byKey = new Map<string, Rollup>()
  for (const r of rollups) {
    const id = `${r.key} ${r.at}`
    const had = byKey.get(id)
    if (had) mergeRollup(had, r)
    else byKey.set(id, mergeRollup(emptyRollup(r.at, r.key), r))
  }

  return [...byKey.values()].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

const parse = (iso: null | string | undefined): number => (iso ? Date.parse(iso) : Number.NaN)

/** When a run counts for throughput and execution time: its end; NaN while it is going. */
export function endOf(run: Run): number {
  return outcomeOf(run.state) === null ? Number.NaN : parse(run.endedAt)
}

/**
 * A run's rollups under one key: its outcome, duration and samples in the minute it ended, and its
 * running interval (to `openUntil` for a run still going) in every minute it covers.
 */
export function rollupsOfRun(run: Run, key: string, openUntil?: number): Rollup[] {
  const out = new Map<number, Rollup>()
  const at = (minute: number) => {
    let r = out.get(minute)
    if (!r) out.set(minute, (r = emptyRollup(minute, key)))
    return r
  }

  const outcome = outcomeOf(run.state)
  const ended = outcome === null ? Number.NaN : parse(run.endedAt)
  if (outcome !== null && Number.isFinite(ended)) {
    const r = at(Math.floor(ended / MINUTE_MS) * MINUTE_MS)
    r.throughput[outcome]++
    const started = parse(run.startedAt ?? run.upAt)
    if (Number.isFinite(started)) {
      const ms = Math.max(0, ended - started)
      r.duration = {count: 1, hist: {[histKey(ms)]: 1}, max: ms, min: ms, sum: ms}
    }

    r.memoryMb = run.peakMemoryMb
    r.quotaMb = run.memoryQuotaMb
    r.load = run.peakLoad
    r.r14 = run.memoryErrors.includes('R14') ? 1 : 0
    r.r15 = run.memoryErrors.includes('R15') ? 1 : 0
  }

  const start = parse(run.startedAt ?? run.upAt)
  const end = outcome === null ? openUntil ?? Number.NaN : parse(run.endedAt)
  if (Number.isFinite(start) && Number.isFinite(end) && end > start) {
    const first = Math.floor(start / MINUTE_MS) * MINUTE_MS
    for (let m = first; m < end; m += MINUTE_MS) {
      const r = at(m)
      if (m > start) r.level++
      r.busyMs += Math.min(end, m + MINUTE_MS) - Math.max(start, m)
    }

    addCounts(at(first).deltas, {[`t${start - first}`]: 1})
    const last = Math.floor(end / MINUTE_MS) * MINUTE_MS
    if (outcome !== null) {
      // an end exactly on a minute is that minute's first instant: the dyno ran just before it
      if (last === end && last > start) at(last).level++
      addCounts(at(last).deltas, {[`t${end - last}`]: -1})
    }
  }

  return [...out.values()]
}

/** The rollups a store keeps for newly finished runs: each under its trigger and under ALL. */
export function rollupsOf(runs: Iterable<Run>): Rollup[] {
  const all: Rollup[] = []
  for (const run of runs) {
    const mine = rollupsOfRun(run, ALL)
    all.push(...mine)
    if (run.triggerId) for (const r of mine) all.push({...structuredClone(r), key: run.triggerId})
  }

  return mergeRollups(all)
}

// ---- rollups → buckets -------------------------------------------------------------------------

function peakOf(r: Rollup): number {
  const offsets = Object.keys(r.deltas).sort((a, b) => keyNumber(a) - keyNumber(b))
  let cur = r.level
  let peak = offsets[0] === 't0' ? Number.NEGATIVE_INFINITY : cur
  for (const o of offsets) {
    cur += r.deltas[o]
    peak = Math.max(peak, cur)
  }

  return Math.max(0, peak)
}

function statsOf(d: Rollup['duration']): Stats {
  if (d.count === 0 || d.min === null || d.max === null) return {count: 0, min: null, avg: null, p50: null, p95: null, max: null}
  return {
    count: d.count, min: d.min, avg: Math.round(d.sum / d.count),
    p50: histPercentile(d.hist, d.count, 50, d.min, d.max), p95: histPercentile(d.hist, d.count, 95, d.min, d.max), max: d.max,
  }
}

/** Every bucket of [from, to), from minute rollups of one key. */
export function bucketsOf(rollups: readonly Rollup[], span: {from: number; ms: number; resolution: string; to: number}): MetricsReport {
  const n = Math.max(0, Math.round((span.to - span.from) / span.ms))
  const merged = Array.from({length: n}, (_, i) => emptyRollup(span.from + i * span.ms, ALL))
  const peaks = Array.from({length: n}, () => 0)
  const total = emptyRollup(span.from, ALL)
  for (const r of rollups) {
    const i = Math.floor((r.at - span.from) / span.ms)
    if (i < 0 || i >= n) continue
    mergeRollup(merged[i], {...r, deltas: {}, level: 0})
    peaks[i] = Math.max(peaks[i], peakOf(r))
    mergeRollup(total, {...r, deltas: {}, level: 0})
  }

  // keys in the order PRODUCT.md gives them
  const buckets = merged.map((r, i): Bucket => ({
    at: new Date(r.at).toISOString(),
    throughput: r.throughput,
    durationMs: statsOf(r.duration),
    concurrency: {max: peaks[i], avg: Math.round((r.busyMs / span.ms) * 100) / 100},
    memoryMb: {max: r.memoryMb, quota: r.quotaMb},
    memoryErrors: {r14: r.r14, r15: r.r15},
    load: {max: r.load},
  }))
  const runs = OUTCOMES.reduce((sum, o) => sum + total.throughput[o], 0)
  return {
    buckets, from: new Date(span.from).toISOString(), resolution: span.resolution, to: new Date(span.to).toISOString(),
    totals: {
      runs, throughput: total.throughput, successRate: runs === 0 ? null : Math.round((total.throughput.succeeded / runs) * 10_000) / 10_000,
      durationMs: statsOf(total.duration), concurrency: {max: Math.max(0, ...peaks)},
    },
  }
}

// ---- events --------------------------------------------------------------------------------------

export interface Lane {
  dyno: string
  /** [ms, mark]: r requested, s starting, u up, x exit, t SIGTERM, k SIGKILL, m R14/R15 */
  marks: Array<[number, string]>
  state: Run['state']
}

/** One lane per dyno for the runs of [from, to): their lifecycle events, newest dynos last. */
export function lanesOf(runs: readonly Run[], from: number, to: number, most = 12): Lane[] {
  const lanes: Lane[] = []
  for (const run of runs) {
    if (!run.dyno) continue
    const seen = run.evidence?.seen ?? {}
    const marks: Array<[number, string]> = []
    const facts: Array<[null | string | undefined, string]> = [[run.requestedAt, 'r'], [run.startedAt, 's'], [run.upAt, 'u'], [seen.SIGTERM, 't'], [seen.SIGKILL, 'k'], [seen.R14 ?? seen.R15, 'm'], [run.endedAt, 'x']]
    for (const [when, mark] of facts) {
      const t = parse(when)
      if (Number.isFinite(t) && t >= from && t < to) marks.push([t, mark])
    }

    if (marks.length > 0) lanes.push({dyno: run.dyno, marks: marks.sort((a, b) => a[0] - b[0]), state: run.state})
  }

  return lanes.sort((a, b) => a.marks[0][0] - b.marks[0][0]).slice(-most)
}
