// The soak, shortened for every test run: 100 triggers over 12 simulated hours on each store, with
// every fault the full soak has (npm run soak: 1,000 triggers over 7 days). See soak.ts.
import {expect} from 'chai'

import {testDatabase} from '../helpers/postgres.js'
import {runSoak, type SoakReport, describe as story} from './soak.js'

for (const store of ['file', 'postgres'] as const) {
  describe(`soak on the ${store} store: 100 triggers, 12 simulated hours`, function () {
    this.timeout(900_000)
    let report: SoakReport

    before(async () => {
      report = await runSoak({databaseUrl: store === 'postgres' ? await testDatabase() : undefined, days: 0.5, store, triggers: 100})
    })

    it('fires every nominal time once: none lost, none twice, none that was never due', () => {
      const [check] = report.checks
      expect(check.lost, story(report)).to.deep.equal([])
      expect(check.duplicates, story(report)).to.deep.equal([])
      expect(check.unexpected, story(report)).to.deep.equal([])
      // the independent count: each due time fired, skipped by its concurrency, coalesced, refused by the API, or missed
      expect(check.fired + check.skipped + check.coalesced + check.failedToStart + check.missed).to.equal(check.expected)
      expect(check.fired).to.be.above(3000)
      expect(check.retries, 'the failing trigger is retried').to.be.above(0)
    })

    it('misses only what fell out of its catch-up window while no clock ran', () => {
      const [check] = report.checks
      expect(check.missed, story(report)).to.be.above(0)
      expect(check.wronglyMissed, story(report)).to.deep.equal([])
    })

    it('records each run with the outcome its dyno had', () => {
      const [check] = report.checks
      expect(check.wrongOutcome, story(report)).to.deep.equal([])
      // on the file store a run that outlives its clock is not on the next clock's new disk: a few, said so
      if (store === 'postgres') expect(check.orphaned).to.equal(0)
      else expect(check.orphaned).to.be.below(20)
    })

    it('went through every fault: restarts, a second clock, 429s, 5xx, cut streams, expired sessions, a gap', () => {
      expect(Object.keys(report.faults).sort()).to.deep.equal([
        '429 storm (30 s)', '5xx burst (40 requests)', 'log stream cut', 'no clock for 90 minutes', 'restart on an empty disk', 'second clock beside the first', 'sessions expired',
      ])
      // the second clock: on Postgres it stands by and takes over; on the file store's lock it is refused
      if (store === 'postgres') expect(report.standbyTakeovers).to.equal(1)
      else expect(report.refusedSecondClocks).to.equal(1)
    })

    it('keeps the run store within its retention', () => {
      expect(report.oldestStoredDays).to.be.at.most(report.retentionDays + 1)
    })
  })
}
