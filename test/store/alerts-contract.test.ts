// The alerts part of the one store interface, on every store: states, alerts and the outbox are
// recorded in one write, a notification decided twice is kept once, and the outbox's life cycle.
import {expect} from 'chai'

import type {Alert, MonitorState, Notification} from '../../src/core/judge.js'
import type {Store} from '../../src/store/store.js'

import {storeMakers} from '../helpers/stores.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')

const alert = (id: string, monitorId: string, openedAt: number, state: Alert['state'] = 'open'): Alert => ({
  id, message: 'report failed with exit status 1', monitor: `name of ${monitorId}`, monitorId, openedAt: new Date(openedAt).toISOString(),
  resolvedAt: state === 'resolved' ? new Date(openedAt + 60_000).toISOString() : null, runIds: ['r1'], state, type: 'job-failure',
})
const stateOf = (key: string, a: Alert | null): MonitorState => ({alert: a, count: a ? 1 : 0, judged: ['r1'], key, notifiedAt: a ? NOW : null, runIds: a ? ['r1'] : []})
const notification = (id: string, a: Alert | null): Notification => ({
  alert: a, body: 'body', channel: {kind: 'webhook', secret: 'x', url: 'https://hooks.example.com/T/B/X'}, createdAt: NOW, event: 'alert.opened', id,
  monitor: {id: 'm1', name: 'm', type: 'job-failure'}, run: null, subject: 's', text: 't', triggerName: null,
})

const makers = storeMakers()

let apps = 0

for (const maker of makers) {
  describe(`alerts contract: ${maker.name}`, function () {
    this.timeout(60_000)
    let store: Store
    const opened: Store[] = []

    before(async () => maker.setup?.())

    after(async () => {
      await Promise.all(opened.splice(0).map(s => s.close()))
      await maker.teardown?.()
    })

    beforeEach(async () => {
      store = await maker.open(`alerts-${maker.name}-${++apps}`)
      opened.push(store)
    })

    it('starts empty', async () => {
      expect([...(await store.alerts.states()).values()]).to.deep.equal([])
      expect(await store.alerts.list()).to.deep.equal([])
      expect(await store.alerts.pending(NOW)).to.deep.equal([])
    })

    it('records a transition, its alert and its notifications in one write, and reads them back', async () => {
      const a = alert('a1', 'm1', NOW)
      await store.alerts.record({alerts: [a], notifications: [notification('n1', a), notification('n2', a)], states: [stateOf('m1', a)]}, NOW)
      expect((await store.alerts.states()).get('m1')).to.deep.equal(stateOf('m1', a))
      expect(await store.alerts.list()).to.deep.equal([a])
      const pending = await store.alerts.pending(NOW)
      expect(pending.map(p => p.notification.id).sort()).to.deep.equal(['n1', 'n2'])
      expect(pending[0]).to.include({attempts: 0, gaveUp: null, sentAt: null})
      expect(pending[0].notification.channel).to.deep.equal(notification('n1', a).channel)
    })

    it('a notification decided again (same id) is kept once, as it was', async () => {
      const a = alert('a1', 'm1', NOW)
      await store.alerts.record({alerts: [a], notifications: [notification('n1', a)], states: [stateOf('m1', a)]}, NOW)
      await store.alerts.markSent('n1', NOW + 1000)
      await store.alerts.record({alerts: [a], notifications: [notification('n1', a)], states: [stateOf('m1', a)]}, NOW + 2000)
      expect(await store.alerts.pending(NOW + 10_000)).to.deep.equal([])
    })

    it('sent, retried and given-up notifications: only those due and not done are pending', async () => {
      await store.alerts.record({alerts: [], notifications: ['a', 'b', 'c'].map(id => notification(id, null)), states: [stateOf('m1', null)]}, NOW)
      await store.alerts.markSent('a', NOW)
      await store.alerts.markRetry('b', 1, NOW + 5000, 'HTTP 500')
      await store.alerts.markGivenUp('c', 'HTTP 410', NOW)
      expect(await store.alerts.pending(NOW + 4999)).to.deep.equal([])
      const [b] = await store.alerts.pending(NOW + 5000)
      expect(b).to.include({attempts: 1, lastError: 'HTTP 500', nextAt: NOW + 5000})
    })

    it('lists alerts newest first, by --open, --since and --monitor; a resolve replaces its alert', async () => {
      const old = alert('old', 'm1', NOW - 3_600_000)
      const recent = alert('new', 'm2', NOW)
      await store.alerts.record({alerts: [old, recent], notifications: [], states: [stateOf('m1', old), stateOf('m2', recent)]}, NOW)
      const resolved = {...old, resolvedAt: new Date(NOW - 1_800_000).toISOString(), state: 'resolved' as const}
      await store.alerts.record({alerts: [resolved], notifications: [], states: [stateOf('m1', null)]}, NOW)
      expect((await store.alerts.list()).map(a => a.id)).to.deep.equal(['new', 'old'])
      expect((await store.alerts.list({open: true})).map(a => a.id)).to.deep.equal(['new'])
      expect((await store.alerts.list({monitor: 'm1'}))[0]).to.deep.equal(resolved)
      expect((await store.alerts.list({since: NOW - 60_000})).map(a => a.id)).to.deep.equal(['new'])
      expect((await store.alerts.states()).get('m1')!.alert).to.equal(null)
    })

    // the file stores are per machine: there the same directory is the same store
    if (maker.name === 'postgres') it('another process opening the same app sees the same alerts and outbox', async () => {
      const a = alert('a1', 'm1', NOW)
      await store.alerts.record({alerts: [a], notifications: [notification('n1', a)], states: [stateOf('m1', a)]}, NOW)
      const other = await maker.open(`alerts-${maker.name}-${apps}`)
      opened.push(other)
      expect((await other.alerts.pending(NOW)).map(p => p.notification.id)).to.deep.equal(['n1'])
    })
  })
}
