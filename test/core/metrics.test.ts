// The metrics core: buckets, percentiles and concurrency, checked against plain oracles.
import {expect} from 'chai'

import {parseFilter} from '../../src/core/filter.js'
import {ALL, bucketsOf, histPercentile, percentile, planSpan, rollupsOf, rollupsOfRun, statesFor} from '../../src/core/metrics.js'
import {newRun, type Run} from '../../src/core/runs.js'

const T0 = Date.parse('2026-11-23T12:00:00Z')
const MIN = 60_000
const iso = (ms: number) => new Date(ms).toISOString()
const trigger = {command: 'x', id: '00000000-0000-4000-8000-000000000001', size: null, timeout: 60}

function run(start: number, end: number, state: Run['state'] = 'succeeded', n = 0): Run {
  const r = newRun('pending', {nominalAt: new Date(start + n), trigger}, start)
  return {...r, dyno: `trigger-00000000.${n}`, endedAt: iso(end), exitStatus: state === 'succeeded' ? 0 : 1, startedAt: iso(start), state}
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648
    return s / 2_147_483_648
  }
}

const report = (runs: Run[], resolution: string, since: number, until: number) =>
  bucketsOf(rollupsOf(runs).filter(r => r.key === ALL), planSpan({resolution, since, until}, until))

describe('metrics core', () => {
  it('percentile is the nearest rank of the sorted values', () => {
    const next = random(7)
    for (let round = 0; round < 200; round++) {
      const values = Array.from({length: 1 + Math.floor(next() * 50)}, () => Math.floor(next() * 100_000)).sort((a, b) => a - b)
      for (const p of [1, 50, 95, 99, 100]) {
        expect(percentile(values, p)).to.equal(values[Math.ceil((p / 100) * values.length) - 1])
        const hist: Record<string, number> = {}
        for (const v of rollupsOf(values.map((v, i) => run(T0, T0 + v, 'succeeded', i)))) if (v.key === ALL) for (const [k, c] of Object.entries(v.duration.hist)) hist[k] = (hist[k] ?? 0) + c
        const approx = histPercentile(hist, values.length, p, values[0], values.at(-1)!)!
        expect(Math.abs(approx - percentile(values, p)!)).to.be.at.most(percentile(values, p)! * 0.01 + 1)
      }
    }

    expect(percentile([], 50)).to.equal(null)
  })

  it('concurrency max and avg match a brute-force sweep over every start and end', () => {
    const next = random(11)
    for (let round = 0; round < 20; round++) {
      const runs = Array.from({length: 30}, (_, i) => {
        const start = T0 + Math.floor(next() * 10 * MIN)
        return run(start, start + Math.floor(next() * 3 * MIN) + (next() < 0.2 ? 0 : 1), 'succeeded', i)
      })
      // ends exactly on a minute, and a start at the same instant as another's end
      runs.push(run(T0 + 2 * MIN - 5000, T0 + 3 * MIN, 'failed', 100), run(T0 + 3 * MIN, T0 + 3 * MIN + 10, 'succeeded', 101))
      const {buckets} = report(runs, '1m', T0, T0 + 14 * MIN)
      for (const [i, bucket] of buckets.entries()) {
        const from = T0 + i * MIN
        // the count only changes at a start or an end: try the bucket's start and each of those instants in it
        const instants = [from, ...runs.flatMap(r => [Date.parse(r.startedAt!), Date.parse(r.endedAt!)]).filter(t => t >= from && t < from + MIN)]
        let max = 0
        for (const t of instants) max = Math.max(max, runs.filter(r => Date.parse(r.startedAt!) <= t && t < Date.parse(r.endedAt!)).length)
        let busy = 0
        for (const r of runs) busy += Math.max(0, Math.min(from + MIN, Date.parse(r.endedAt!)) - Math.max(from, Date.parse(r.startedAt!)))

        expect(bucket.concurrency.max, `max at ${bucket.at}`).to.equal(max)
        expect(bucket.concurrency.avg, `avg at ${bucket.at}`).to.equal(Math.round((busy / MIN) * 100) / 100)
      }
    }
  })

  it('a run counts in the bucket where it ended, an end on a boundary in the next bucket; a run going counts in none', () => {
    const edge = run(T0 + 5 * MIN, T0 + 10 * MIN)
    const going = {...run(T0, T0), endedAt: null, state: 'running' as const}
    const r = report([edge, going], '10m', T0, T0 + 30 * MIN)
    expect(r.buckets.map(b => b.throughput.succeeded)).to.deep.equal([0, 1, 0])
    expect(r.buckets.map(b => b.durationMs.count)).to.deep.equal([0, 1, 0])
    expect(r.buckets[0].concurrency).to.deep.equal({avg: 0.5, max: 1})
    expect(r.buckets[1].concurrency.max).to.equal(0)
    // a run spanning many buckets is running in each, counted once
    const long = report([run(T0 + 5 * MIN, T0 + 95 * MIN)], '10m', T0, T0 + 2 * 3_600_000)
    expect(long.buckets.map(b => b.concurrency.max)).to.deep.equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
    expect(long.totals.runs).to.equal(1)
    // a run still going is running to `now` when asked
    expect(rollupsOfRun(going, ALL, T0 + 90_000).map(x => [x.at, x.busyMs])).to.deep.equal([[T0, MIN], [T0 + MIN, 30_000]])
  })

  it('every bucket of the span is present, empty ones with counts 0 and statistics null', () => {
    const r = report([], '1h', T0 - 7 * 86_400_000, T0)
    expect(r.buckets).to.have.length(168)
    expect(r.buckets[0]).to.deep.equal({
      at: iso(T0 - 7 * 86_400_000), concurrency: {avg: 0, max: 0}, durationMs: {avg: null, count: 0, max: null, min: null, p50: null, p95: null},
      load: {max: null}, memoryErrors: {r14: 0, r15: 0}, memoryMb: {max: null, quota: null}, throughput: {failed: 0, failedToStart: 0, interrupted: 0, succeeded: 0, unknown: 0},
    })
    expect(r.totals).to.deep.equal({concurrency: {max: 0}, durationMs: {avg: null, count: 0, max: null, min: null, p50: null, p95: null}, runs: 0, successRate: null,
      throughput: {failed: 0, failedToStart: 0, interrupted: 0, succeeded: 0, unknown: 0}})
  })

  it('buckets are UTC: a DST day has 24 hourly buckets, aligned to the hour, wherever the machine is', () => {
    const day = Date.parse('2026-03-29T00:00:00Z') // Europe's spring-forward day
    const r = report([run(day + 3_600_000 - 1000, day + 3_600_000 + 1000)], '1h', day, day + 86_400_000)
    expect(r.buckets).to.have.length(24)
    expect(r.buckets[1].at).to.equal('2026-03-29T01:00:00.000Z')
    expect(r.buckets.map(b => b.throughput.succeeded).indexOf(1)).to.equal(1)
    expect(r.buckets[0].concurrency.max).to.equal(1)
  })

  it('a filter on state narrows the states to read, with the filter engine\'s own meaning', () => {
    expect(statesFor(parseFilter('state:failed -command:x'))).to.deep.equal(['failed', 'failed-to-start'])
    expect(statesFor(parseFilter('state:"failed" state:interrupted'))).to.deep.equal(['failed', 'interrupted'])
    expect(statesFor(parseFilter('-state:succeeded'))).to.not.include('succeeded')
    expect(statesFor(parseFilter('command:x'))).to.equal(null)
  })

  it('picks the resolution from --since, and says what is wrong with a bad one', () => {
    expect(planSpan({}, T0).resolution).to.equal('10m')
    expect(planSpan({since: T0 - 2 * 3_600_000}, T0).resolution).to.equal('1m')
    expect(planSpan({since: T0 - 7 * 86_400_000}, T0).resolution).to.equal('1h')
    expect(planSpan({resolution: '10m', since: T0 - 48 * 3_600_000, until: T0 - 24 * 3_600_000}, T0)).to.deep.include({from: T0 - 48 * 3_600_000, to: T0 - 24 * 3_600_000})
    expect(() => planSpan({resolution: '5m'}, T0)).to.throw(/invalid --resolution "5m": use one of 1m, 10m, 30m, 1h/)
  })
})
