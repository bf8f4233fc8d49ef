// Metrics rollups, the same on every store: the file store, the config-var store (history on this
// machine, against the emulator) and the Postgres store (against a real PostgreSQL server).
import {expect} from 'chai'

import type {PostgresHistory} from '../../src/store/postgres/store.js'
import type {Store} from '../../src/store/store.js'

import {ALL, bucketsOf, planSpan, rollupsOf} from '../../src/core/metrics.js'
import {newRun, type Run} from '../../src/core/runs.js'
import {createTrigger, type Trigger} from '../../src/core/trigger.js'
import {storeMakers} from '../helpers/stores.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const MIN = 60_000
const DAY = 86_400_000
const trigger = (name: string): Trigger => createTrigger({command: `echo ${name}`, name, schedule: '@hourly'}, [], new Date(NOW)).trigger
const iso = (ms: number) => new Date(ms).toISOString()

/** A run of `t` started at `start`, ended `ms` later in `state` (pending snapshot when state is pending). */
function run(t: Trigger, start: number, ms: number, state: Run['state'] = 'succeeded'): Run {
  const r = newRun('pending', {nominalAt: new Date(start - 1000), trigger: t}, start - 1000)
  if (state === 'pending') return r
  return {...r, dyno: `trigger-${t.id.slice(0, 8)}.${start % 1000}`, endedAt: iso(start + ms), exitStatus: state === 'succeeded' ? 0 : 1, peakMemoryMb: 120, memoryQuotaMb: 512, startedAt: iso(start), state}
}

const makers = storeMakers()

let apps = 0

for (const maker of makers) {
  describe(`rollups contract: ${maker.name}`, function () {
    this.timeout(60_000)
    let store: Store

    before(async () => maker.setup?.())

    after(async () => maker.teardown?.())

    beforeEach(async () => {
      store = await maker.open(`rollups-${maker.name}-${++apps}`)
    })

    afterEach(async () => store.close())

    const span = {since: NOW - DAY, until: NOW + DAY}

    it('starts empty', async () => {
      expect(await store.history.rollups(span)).to.deep.equal([])
    })

    // triggers:store --to postgres copies a machine's history in: the copied runs count in the rollups too, once
    if (maker.name === 'postgres') it('runs copied in are counted in the rollups, once however often they are copied', async () => {
      const t = trigger('t')
      const history = store.history as PostgresHistory
      const copied = [run(t, NOW + 10_000, 4000), run(t, NOW + 70_000, 2000, 'failed')]
      expect(await history.importRuns(copied, NOW)).to.equal(2)
      expect(await history.importRuns(copied, NOW)).to.equal(0)
      const app = await store.history.rollups(span)
      expect(app.map(r => [r.at, r.throughput.succeeded, r.throughput.failed])).to.deep.equal([[NOW, 1, 0], [NOW + 60_000, 0, 1]])
    })

    it('a finished run counts once, in the minute it ended, for the app and for its trigger; a run still going does not', async () => {
      const t = trigger('t')
      const done = run(t, NOW + 10_000, 4000)
      await store.history.appendMany([run(t, NOW + 10_000, 0, 'pending'), {...done, endedAt: null, state: 'running'}], NOW)
      expect(await store.history.rollups(span)).to.deep.equal([])
      await store.history.append(done, NOW + 15_000)
      await store.history.append({...done, peakLoad: 0.5}, NOW + 16_000) // recorded again: still once
      await store.history.appendMany([done, done], NOW + 17_000)
      const app = await store.history.rollups(span)
      expect(app.map(r => [r.key, r.at, r.throughput.succeeded, r.duration.count, r.duration.max, r.memoryMb])).to.deep.equal([[ALL, NOW, 1, 1, 4000, 120]])
      const mine = await store.history.rollups({...span, triggerId: t.id})
      expect(mine.map(r => [r.key, r.at, r.throughput.succeeded])).to.deep.equal([[t.id, NOW, 1]])
      expect(await store.history.rollups({...span, triggerId: trigger('other').id})).to.deep.equal([])
    })

    it('gives the same buckets as the runs themselves, across a run spanning many minutes and a day boundary', async () => {
      const t = trigger('long')
      const u = trigger('short')
      const midnight = Date.parse('2026-11-24T00:00:00Z')
      const runs = [
        run(t, midnight - 5 * MIN - 500, 9 * MIN), // spans the UTC day boundary
        run(u, midnight - 2 * MIN, 2 * MIN, 'failed'), // ends exactly on the boundary
        run(u, midnight + 30_000, 1000),
        {...run(u, midnight + 90_000, 0), endedAt: iso(midnight + 90_000), startedAt: null, state: 'failed-to-start' as const},
      ]
      for (const r of runs) await store.history.append(r, midnight + 20 * MIN)
      const plan = planSpan({resolution: '1m', since: midnight - 10 * MIN, until: midnight + 10 * MIN}, midnight + 20 * MIN)
      const stored = await store.history.rollups({since: plan.from, until: plan.to})
      expect(bucketsOf(stored, plan)).to.deep.equal(bucketsOf(rollupsOf(runs).filter(r => r.key === ALL), plan))
      const report = bucketsOf(stored, plan)
      expect(report.totals.throughput).to.deep.equal({failed: 1, failedToStart: 1, interrupted: 0, succeeded: 2, unknown: 0})
      expect(report.totals.concurrency.max).to.equal(2)
      const byTrigger = await store.history.rollups({since: plan.from, triggerId: u.id, until: plan.to})
      expect(bucketsOf(byTrigger, plan).totals.runs).to.equal(3)
    })

    it('reads only the minutes of [since, until)', async () => {
      const t = trigger('t')
      await store.history.appendMany([run(t, NOW - 2 * MIN, 1000), run(t, NOW + 5 * MIN, 1000)], NOW + 10 * MIN)
      const rollups = await store.history.rollups({since: NOW, until: NOW + 5 * MIN})
      expect(rollups).to.deep.equal([])
      expect((await store.history.rollups({since: NOW, until: NOW + 6 * MIN})).map(r => r.at)).to.deep.equal([NOW + 5 * MIN])
    })

    it('latest with states: only the runs in those states, however many others are around them (a filter on state reads fast)', async () => {
      const t = trigger('t')
      const runs = Array.from({length: 3000}, (_, i) => run(t, NOW + i * MIN, 1000, i % 1000 === 7 ? 'failed' : 'succeeded'))
      await store.history.appendMany(runs, NOW + DAY)
      const failed = await store.history.latest({since: NOW, states: ['failed', 'failed-to-start']})
      expect([...failed.values()].map(r => r.id).sort()).to.deep.equal(runs.filter(r => r.state === 'failed').map(r => r.id).sort())
      expect((await store.history.latest({since: NOW})).size).to.equal(3000)
    })

    it('retention drops old rollups with their runs', async () => {
      const t = trigger('t')
      await store.history.append(run(t, NOW - 9 * DAY, 1000), NOW - 9 * DAY)
      await store.history.append(run(t, NOW - DAY, 1000), NOW - DAY)
      await store.history.prune(NOW)
      const left = await store.history.rollups({since: NOW - 10 * DAY, until: NOW})
      expect(left.map(r => r.at)).to.deep.equal([NOW - DAY])
    })
  })
}
