// The clock's decisions with time injected: a week of schedule, outages and restarts in milliseconds.
import {expect} from 'chai'

import {decideFire, type Due, jitterMs, Planner, retryDelayMs, runKey} from '../../src/core/clock.js'
import {createTrigger, type Trigger} from '../../src/core/trigger.js'

const T0 = Date.parse('2026-11-23T10:05:00Z')
const MIN = 60_000

function trigger(extra: Record<string, unknown>, id = '1a2b3c4d-0000-4000-8000-000000000001'): Trigger {
  return createTrigger({command: 'true', name: `t-${id.slice(0, 4)}`, ...extra}, [], new Date('2025-01-01T00:00:00Z'), id).trigger
}

/** A clock that remembers what it handed out, as the real one does through its run store. */
function planner(triggers: Trigger[], now: number, lastPassAt: null | number = null, known = new Set<string>()) {
  const p = new Planner(triggers, now, {isKnown: key => known.has(key), lastPassAt})
  const take = (at: number): Due[] => {
    const due = p.due(at)
    for (const d of due) known.add(d.key)
    return due
  }

  return {known, p, take}
}

const iso = (d: Due) => d.nominal.toISOString()

describe('the clock (core)', () => {
  it('fires a week of */15 exactly once per nominal time, waking only when something is due', () => {
    const t = trigger({schedule: '*/15 * * * *'})
    const {p, take} = planner([t], T0, T0)
    const fired: string[] = []
    let now = T0
    let wakes = 0
    while (now < T0 + 7 * 24 * 60 * MIN) {
      for (const d of take(now)) {
        expect(d.kind).to.equal('fire')
        fired.push(iso(d))
      }

      now = p.nextWakeAt()!
      wakes++
    }

    expect(fired).to.have.length(7 * 24 * 4)
    expect(new Set(fired).size).to.equal(fired.length)
    expect(fired[0]).to.equal('2026-11-23T10:15:00.000Z')
    expect(wakes).to.be.at.most(7 * 24 * 4 + 1)
  })

  it('walks the spring-forward and fall-back days in New York: fixed times once, hourly jobs by real time', () => {
    const daily = trigger({schedule: '30 2 * * *', timezone: 'America/New_York'}, '1a2b3c4d-0000-4000-8000-000000000002')
    const hourly = trigger({schedule: '0 * * * *', timezone: 'America/New_York'}, '1a2b3c4d-0000-4000-8000-000000000003')
    const fallBack = trigger({schedule: '30 1 * * *', timezone: 'America/New_York'}, '1a2b3c4d-0000-4000-8000-000000000004')
    const count = (from: string, to: string) => {
      const start = Date.parse(from)
      const {p, take} = planner([daily, hourly, fallBack], start, start)
      const fired: Record<string, string[]> = {}
      for (let now = p.nextWakeAt()!; now <= Date.parse(to); now = p.nextWakeAt()!) {
        for (const d of take(now)) (fired[d.trigger.id.slice(-1)] ??= []).push(iso(d))
      }

      return fired
    }

    const spring = count('2026-03-08T04:59:00Z', '2026-03-09T03:59:00Z') // New York's 2026-03-08 (02:00 → 03:00), midnight to midnight
    expect(spring['2']).to.deep.equal(['2026-03-08T07:00:00.000Z']) // 02:30 does not exist: once, at 03:00 EDT
    expect(spring['3']).to.have.length(23)
    const fall = count('2026-11-01T03:59:00Z', '2026-11-02T04:59:00Z') // 2026-11-01 (01:00-01:59 twice), midnight to midnight
    expect(fall['4']).to.deep.equal(['2026-11-01T05:30:00.000Z']) // once, at the first 01:30
    expect(fall['3']).to.have.length(25)
  })

  it('after an outage fires the latest time within the catch-up window and records older ones as missed', () => {
    const t = trigger({schedule: '0 * * * *'}) // window: min(1 h, 1 h)
    const {take} = planner([t], Date.parse('2026-11-23T12:30:00Z'), T0)
    const due = take(Date.parse('2026-11-23T12:30:00Z'))
    expect(due.map(d => `${d.kind} ${iso(d)}`)).to.deep.equal([
      'missed 2026-11-23T11:00:00.000Z',
      'fire 2026-11-23T12:00:00.000Z',
    ])
  })

  it('coalesces the times within a long catch-up window into one run', () => {
    const t = trigger({catchUp: '1h', schedule: '*/10 * * * *'})
    const now = Date.parse('2026-11-23T10:47:00Z')
    const due = planner([t], now, T0).take(now)
    expect(due.filter(d => d.kind === 'fire').map(d => iso(d))).to.deep.equal(['2026-11-23T10:40:00.000Z'])
    const missed = due.filter(d => d.kind === 'missed')
    expect(missed.map(d => iso(d))).to.deep.equal(['2026-11-23T10:10:00.000Z', '2026-11-23T10:20:00.000Z', '2026-11-23T10:30:00.000Z'])
    expect((missed[0] as Due & {kind: 'missed'}).reason).to.match(/coalesced/)
  })

  it('does not fire again what a previous clock already fired (restart, overlap)', () => {
    const t = trigger({schedule: '*/5 * * * *'})
    const first = planner([t], T0, T0)
    const at = Date.parse('2026-11-23T10:10:00Z')
    expect(first.take(at)).to.have.length(1)
    // a second clock starting a few seconds later, knowing what the first recorded
    const second = planner([t], at + 3000, null, first.known)
    expect(second.take(at + 3000)).to.deep.equal([])
  })

  it('on a fresh disk looks back one catch-up window, no further', () => {
    const t = trigger({schedule: '*/5 * * * *'}) // window 5 min
    const now = Date.parse('2026-11-23T10:12:00Z')
    const due = planner([t], now).take(now)
    expect(due.map(d => `${d.kind} ${iso(d)}`)).to.deep.equal(['fire 2026-11-23T10:10:00.000Z'])
  })

  it('does not catch up times from before a trigger was created or changed', () => {
    const now = Date.parse('2026-11-23T10:12:30Z')
    const fresh = createTrigger({command: 'true', name: 'fresh', schedule: '*/5 * * * *'}, [], new Date('2026-11-23T10:12:00Z')).trigger
    expect(planner([fresh], now).take(now)).to.deep.equal([])
    expect(planner([fresh], now, T0).take(now)).to.deep.equal([])
  })

  it('never stalls after a very long outage', () => {
    const t = trigger({schedule: '* * * * *'})
    const now = T0 + 90 * 24 * 60 * MIN
    const started = performance.now()
    const due = planner([t], now, T0).take(now)
    expect(performance.now() - started).to.be.below(2000)
    expect(due.filter(d => d.kind === 'fire')).to.have.length(1)
    // at most the cap's 1000 too old to run, and the time exactly a window old, coalesced into the fire
    expect(due.filter(d => d.kind === 'missed').length).to.be.within(1, 1001)
  })

  it('a time exactly a catch-up window old is still caught up, not missed', () => {
    const t = trigger({schedule: '* * * * *'})
    const now = T0 + 60 * MIN
    const due = planner([t], now, T0).take(now)
    const edge = due.find(d => d.nominal.getTime() === now - 60_000)
    expect(edge?.kind === 'missed' && edge.reason).to.match(/^coalesced/)
    expect(due.filter(d => d.kind === 'missed' && /not running/.test(d.reason)).map(d => d.nominal.getTime())).to.not.include(now - 60_000)
  })

  it('a one-off fires once, at its time', () => {
    const t = trigger({at: '2026-11-23 11:00'})
    const {p, take} = planner([t], T0, T0)
    expect(p.nextWakeAt()).to.equal(Date.parse('2026-11-23T11:00:00Z'))
    expect(take(Date.parse('2026-11-23T11:00:00Z')).map(d => d.kind)).to.deep.equal(['fire'])
    expect(take(Date.parse('2026-11-24T11:00:00Z'))).to.deep.equal([])
    expect(p.nextWakeAt()).to.equal(null)
  })

  it('ignores inactive triggers', () => {
    const t = trigger({schedule: '* * * * *', state: 'inactive'})
    const {p, take} = planner([t], T0, T0)
    expect(take(T0 + 10 * MIN)).to.deep.equal([])
    expect(p.nextWakeAt()).to.equal(null)
  })

  it('jitter is deterministic, within the maximum, and never reaches the next fire time', () => {
    const t = trigger({jitter: '10m', schedule: '*/2 * * * *'})
    const nominal = new Date('2026-11-23T10:00:00Z')
    const next = new Date('2026-11-23T10:02:00Z')
    const a = jitterMs(t, nominal, next)
    expect(a).to.equal(jitterMs(t, nominal, next))
    expect(a).to.be.below(2 * MIN - 1000)
    const spread = new Set(Array.from({length: 20}, (_, i) => jitterMs(t, new Date(nominal.getTime() + i * 2 * MIN), new Date(next.getTime() + i * 2 * MIN))))
    expect(spread.size).to.be.greaterThan(10)
    // over an hour of passes, each nominal time fires once, late by its jitter only
    const {p, take} = planner([t], T0, T0)
    const fired = new Map<string, number>()
    for (let now = p.nextWakeAt()!; now < T0 + 60 * MIN; now = p.nextWakeAt()!) {
      expect(now).to.be.greaterThan(T0)
      for (const d of take(now)) {
        expect(d.kind).to.equal('fire')
        expect(fired.has(iso(d))).to.equal(false)
        fired.set(iso(d), (d as Due & {kind: 'fire'}).scheduledAt.getTime() - d.nominal.getTime())
      }
    }

    expect(fired.size).to.be.within(29, 31)
    for (const delay of fired.values()) expect(delay).to.be.within(0, 2 * MIN - 1000)
  })

  it('retries a failed run after a growing backoff counted from when it ended, up to --retries times', () => {
    const t = trigger({retries: 2, schedule: '@hourly'})
    const added: number[] = []
    const p = new Planner([t], T0, {isKnown: () => false, lastPassAt: T0, onAdded: at => added.push(at)})
    const nominal = new Date('2026-11-23T11:00:00Z')
    const first = {attempt: 1, endedAt: '2026-11-23T11:00:30.000Z', id: runKey(t.id, nominal), nominalAt: nominal.toISOString(), retryOf: null, state: 'failed' as const}
    expect(p.due(nominal.getTime()).map(d => d.kind)).to.deep.equal(['fire'])
    // the exit line is read 5 s after it was written: the retry still counts from the end
    const plan = p.scheduleRetry(t, first, Date.parse('2026-11-23T11:00:35Z'))
    expect(plan).to.deep.include({attempt: 2, attemptsLeft: 2, status: 'due'})
    expect(added).to.deep.equal([Date.parse('2026-11-23T11:00:40Z')])
    expect(p.nextWakeAt()).to.equal(Date.parse('2026-11-23T11:00:40Z'))
    expect(p.due(Date.parse('2026-11-23T11:00:39.999Z'))).to.deep.equal([])
    const retry = p.due(Date.parse('2026-11-23T11:00:40Z'))
    expect(retry).to.have.length(1)
    expect(retry[0]).to.include({attempt: 2, key: runKey(t.id, nominal, 2), retryOf: runKey(t.id, nominal)})
    const second = {...first, attempt: 2, endedAt: '2026-11-23T11:01:00.000Z', id: runKey(t.id, nominal, 2), retryOf: first.id}
    expect(p.scheduleRetry(t, second, Date.parse('2026-11-23T11:01:00Z'))).to.deep.include({attempt: 3, attemptsLeft: 1, status: 'due'})
    expect(p.nextWakeAt()).to.equal(Date.parse('2026-11-23T11:01:20Z'))
    expect(p.scheduleRetry(t, {...second, attempt: 3}, Date.parse('2026-11-23T11:02:00Z'))).to.deep.equal({attempt: 3, attemptsLeft: 0, status: 'exhausted'})
  })

  it('backs off 10 s, 20 s, 40 s ... at most 10 minutes apart', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 10].map(k => retryDelayMs(k) / 1000)).to.deep.equal([10, 20, 40, 80, 160, 320, 600, 600, 600])
  })

  it('drops a retry the next nominal time comes before, and never retries a manual run', () => {
    const t = trigger({retries: 10, schedule: '* * * * *'})
    const p = new Planner([t], T0, {isKnown: () => false, lastPassAt: T0})
    const nominal = new Date('2026-11-23T10:06:00Z')
    expect(p.due(nominal.getTime())).to.have.length(1)
    const failed = {attempt: 3, endedAt: '2026-11-23T10:06:25.000Z', id: runKey(t.id, nominal, 3), nominalAt: nominal.toISOString(), retryOf: runKey(t.id, nominal), state: 'failed' as const}
    // 25 s + 40 s = 10:07:05, after the next nominal time (10:07): not fired
    expect(p.scheduleRetry(t, failed, Date.parse('2026-11-23T10:06:25Z'))).to.deep.include({attempt: 4, reason: 'retry dropped: the next run (due 2026-11-23T10:07:00.000Z) came first', status: 'dropped'})
    // exactly at the next nominal time is dropped too
    expect(p.scheduleRetry(t, {...failed, endedAt: '2026-11-23T10:06:20.000Z'}, 0)).to.deep.include({status: 'dropped'})
    expect(p.nextWakeAt(), 'nothing scheduled before the next nominal time').to.equal(Date.parse('2026-11-23T10:07:00Z'))
    expect(p.due(Date.parse('2026-11-23T10:07:05Z')).map(d => (d.kind === 'fire' ? d.attempt : null))).to.deep.equal([1])
    expect(p.scheduleRetry(t, {...failed, attempt: 1, nominalAt: null, retryOf: null}, T0)).to.equal(null)
    expect(p.scheduleRetry(trigger({retries: 0, schedule: '* * * * *'}), failed, T0)).to.equal(null)
  })

  it('tells how many runs fall due by a time, so connections can be opened ahead of a burst', () => {
    const every = [1, 2, 3].map(i => trigger({schedule: '*/15 * * * *'}, `1a2b3c4d-0000-4000-8000-00000000000${i}`))
    const hourly = trigger({schedule: '0 * * * *'}, '1a2b3c4d-0000-4000-8000-000000000009')
    const {p, take} = planner([...every, hourly], T0, T0)
    const quarter = Date.parse('2026-11-23T10:15:00Z')
    expect(p.dueCountBy(quarter - 1)).to.equal(0)
    expect(p.dueCountBy(quarter)).to.equal(3)
    expect(p.dueCountBy(Date.parse('2026-11-23T11:00:00Z'))).to.equal(4) // each trigger counts once, at its next time
    take(quarter)
    expect(p.dueCountBy(quarter)).to.equal(0)
  })

  describe('whether a due run starts', () => {
    const facts = {cap: 10, maintenance: false, running: [] as string[], runningTotal: 0}

    it('forbid skips while the previous run goes on, replace stops it, allow runs alongside', () => {
      const running = {...facts, running: ['trigger-1a2b3c4d.1'], runningTotal: 1}
      expect(decideFire(trigger({schedule: '@hourly'}), running)).to.deep.include({action: 'skip'})
      expect(decideFire(trigger({concurrency: 'replace', schedule: '@hourly'}), running)).to.deep.include({action: 'replace', stop: ['trigger-1a2b3c4d.1']})
      expect(decideFire(trigger({concurrency: 'allow', schedule: '@hourly'}), running)).to.deep.include({action: 'fire'})
    })

    it('in maintenance mode passes HEROKU_MAINTENANCE_MODE, or skips when told to', () => {
      const maintenance = {...facts, maintenance: true}
      expect(decideFire(trigger({schedule: '@hourly'}), maintenance)).to.deep.equal({action: 'fire', env: {HEROKU_MAINTENANCE_MODE: 'true'}})
      expect(decideFire(trigger({maintenance: 'skip', schedule: '@hourly'}), maintenance)).to.deep.include({action: 'skip', reason: 'app in maintenance mode'})
    })

    it('waits at the global cap', () => {
      expect(decideFire(trigger({concurrency: 'allow', schedule: '@hourly'}), {...facts, runningTotal: 10})).to.deep.include({action: 'wait'})
    })
  })
})
