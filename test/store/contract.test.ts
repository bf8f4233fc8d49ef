// One store interface, every store: the same behaviours, run on the file store, the config-var
// store (against the emulator) and the Postgres store (against a real PostgreSQL server).
import {expect} from 'chai'

import type {Store} from '../../src/store/store.js'

import {ConflictError} from '../../src/core/errors.js'
import {newRun, type Run} from '../../src/core/runs.js'
import {createTrigger, type Trigger} from '../../src/core/trigger.js'
import {storeMakers} from '../helpers/stores.js'

const NOW = Date.parse('2026-11-23T12:00:00Z')
const DAY = 86_400_000
const trigger = (name: string, existing: Trigger[] = []): Trigger => createTrigger({command: `echo ${name}`, name, schedule: '@hourly'}, existing, new Date(NOW)).trigger
const run = (t: Trigger, nominal: number, state: Run['state'] = 'pending'): Run => {
  const r = newRun(state === 'pending' ? 'pending' : 'pending', {nominalAt: new Date(nominal), trigger: t}, nominal)
  return {...r, state}
}

const makers = storeMakers()

/** The error a promise rejects with (failing the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }

  throw new Error('expected a rejection, but it resolved')
}

let apps = 0

for (const maker of makers) {
  describe(`store contract: ${maker.name}`, function () {
    this.timeout(60_000)
    let store: Store
    const opened: Store[] = []
    let app = ''
    const open = async (same = false) => {
      if (!same) app = `contract-${maker.name}-${++apps}`
      const s = await maker.open(app)
      opened.push(s)
      return s
    }

    before(async () => maker.setup?.())

    after(async () => maker.teardown?.())

    beforeEach(async () => {
      store = await open()
    })

    afterEach(async () => {
      await Promise.all(opened.splice(0).map(s => s.close()))
    })

    it('says what it is and where things live', () => {
      expect(store.kind).to.equal(maker.name)
      expect(store.definitions.kind).to.equal(maker.name)
      expect(store.definitions.location).to.be.a('string').and.not.equal('')
      expect(store.history.location).to.be.a('string').and.not.equal('')
      expect(store.database).to.equal(maker.name === 'postgres' ? 'HEROKU_TRIGGERS_DATABASE_URL' : null)
    })

    it('starts empty, and keeps triggers in the order they were created', async () => {
      expect((await store.definitions.read()).triggers).to.deep.equal([])
      for (const name of ['c', 'a', 'b']) await store.definitions.update(defs => {
        defs.triggers.push(trigger(name, defs.triggers))
      })
      const {triggers} = await store.definitions.read()
      expect(triggers.map(t => t.name)).to.deep.equal(['c', 'a', 'b'])
      expect(triggers[0]).to.deep.include({command: 'echo c', schedule: '@hourly', timeout: 1800})
    })

    it('an update changes, removes, and returns what the change returned', async () => {
      await store.definitions.update(defs => {
        defs.triggers.push(trigger('x'), trigger('y'))
      })
      const result = await store.definitions.update(defs => {
        defs.triggers[0].timeout = 60
        defs.triggers.splice(1, 1)
        return 'done'
      })
      expect(result).to.equal('done')
      const {triggers} = await store.definitions.read()
      expect(triggers.map(t => [t.name, t.timeout])).to.deep.equal([['x', 60]])
    })

    it('a change that throws writes nothing', async () => {
      await store.definitions.update(defs => {
        defs.triggers.push(trigger('kept'))
      })
      const failing = store.definitions.update(defs => {
        defs.triggers.push(trigger('lost'))
        defs.triggers[0].command = 'changed'
        throw new ConflictError('no')
      })
      expect(await rejection(failing)).to.be.instanceOf(ConflictError)
      const {triggers} = await store.definitions.read()
      expect(triggers.map(t => [t.name, t.command])).to.deep.equal([['kept', 'echo kept']])
    })

    it('concurrent changes all land', async () => {
      const n = maker.name === 'config-var' ? 5 : 20
      await Promise.all(Array.from({length: n}, (_, i) => store.definitions.update(defs => {
        defs.triggers.push(trigger(`job ${i}`, defs.triggers))
      })))
      const {triggers} = await store.definitions.read()
      expect(triggers.map(t => t.name).sort()).to.deep.equal(Array.from({length: n}, (_, i) => `job ${i}`).sort())
    })

    it('monitors are kept as they are', async () => {
      await store.definitions.update(defs => {
        defs.monitors.push({id: 'm1', name: 'failures', type: 'job-failure'})
      })
      expect((await store.definitions.read()).monitors).to.deep.equal([{id: 'm1', name: 'failures', type: 'job-failure'}])
    })

    it('records runs: the newest snapshot of a run wins, the latest written come first', async () => {
      const t = trigger('t')
      const first = run(t, NOW)
      const second = run(t, NOW + 60_000)
      await store.history.appendMany([first, second], NOW)
      await store.history.append({...first, dyno: 'trigger-x.1', state: 'succeeded'}, NOW + 2 * DAY)
      const latest = [...(await store.history.latest()).values()]
      expect(latest.map(r => [r.id, r.state])).to.deep.equal([[first.id, 'succeeded'], [second.id, 'pending']])
      expect((await store.history.latest({limit: 1})).size).to.equal(1)
      expect([...(await store.history.latest({since: NOW + 2 * DAY})).keys()]).to.deep.equal([first.id])
    })

    it('a run recorded twice in one batch is one run, its last snapshot', async () => {
      const r = run(trigger('t'), NOW)
      await store.history.appendMany([r, {...r, state: 'starting'}, {...r, state: 'failed'}], NOW)
      expect([...(await store.history.latest()).values()].map(x => x.state)).to.deep.equal(['failed'])
    })

    it('claims: a clock gets its claims, and a claim retried by the same clock is its own', async () => {
      const t = trigger('t')
      const runs = [run(t, NOW), run(t, NOW + 60_000)]
      const won = await store.history.claim(runs, NOW, store.owner)
      expect([...won].sort()).to.deep.equal(runs.map(r => r.id).sort())
      expect([...(await store.history.claim(runs, NOW, store.owner))].sort()).to.deep.equal(runs.map(r => r.id).sort())
      expect((await store.history.latest()).get(runs[0].id)?.state).to.equal('pending')
    })

    it('retention drops what is older than its window and keeps the rest', async () => {
      const t = trigger('t')
      const old = run(t, NOW - 9 * DAY, 'succeeded')
      const recent = run(t, NOW - DAY, 'succeeded')
      await store.history.append(old, NOW - 9 * DAY)
      await store.history.append(recent, NOW - DAY)
      await store.history.prune(NOW)
      expect([...(await store.history.latest()).keys()]).to.deep.equal([recent.id])
    })

    it('remembers where the clock stopped', async () => {
      expect(await store.clockState.read()).to.deep.equal({lastPassAt: null})
      await store.clockState.write({lastPassAt: NOW})
      expect(await store.clockState.read()).to.deep.equal({lastPassAt: NOW})
    })

    it('one clock at a time: a second is refused while the first holds the lease, and gets it after', async () => {
      const {signal} = new AbortController()
      const standby: string[] = []
      const lease = await store.lease({onStandby: h => standby.push(h), signal, wait: false})
      expect(lease).not.to.equal(null)
      const other = maker.name === 'postgres' ? await open(true) : store // the file lock is per machine: the same store stands for a second process
      const refused = await rejection(other.lease({onStandby() {}, signal, wait: false}))
      expect(refused).to.be.instanceOf(ConflictError)
      expect(refused.message).to.match(/already running/)
      await lease!.release()
      const second = await other.lease({onStandby() {}, signal, wait: false})
      expect(second).not.to.equal(null)
      await second!.release()
      expect(standby).to.deep.equal([])
    })

    it('tells a watching clock of a change made through another handle at once; the config var, changed on Heroku, is polled', async () => {
      const heard = {count: 0}
      const unwatch = await store.watch(() => heard.count++, error => {
        throw error
      })
      if (maker.name === 'config-var') {
        expect(unwatch).to.equal(null)
        return
      }

      try {
        expect(unwatch).not.to.equal(null)
        const other = maker.name === 'postgres' ? await open(true) : store // the file is watched, whoever writes it
        await other.definitions.update(defs => {
          defs.triggers.push(trigger('elsewhere'))
        })
        const until = Date.now() + 5000
        while (heard.count === 0 && Date.now() < until) {
          await new Promise(resolve => {
            setTimeout(resolve, 50)
          })
        }

        expect(heard.count).to.be.greaterThan(0)
      } finally {
        await unwatch?.()
      }
    })
  })
}
