import {expect} from 'chai'

import {ConflictError, InvalidInputError, NotFoundError} from '../../src/core/errors.js'
import {createTrigger, parseDuration, resolveTrigger, setState, type Trigger, updateTrigger} from '../../src/core/trigger.js'

const NOW = new Date('2026-11-23T12:00:00Z')

function make(name: string, id: string, extra: Record<string, unknown> = {}): Trigger {
  return createTrigger({command: 'true', name, schedule: '@hourly', ...extra}, [], NOW, id).trigger
}

describe('triggers (core)', () => {
  it('fills in the documented defaults', () => {
    const t = make('a', '11111111-1111-4111-8111-111111111111')
    expect(t).to.include({concurrency: 'forbid', failureEmail: true, jitter: 0, maintenance: 'run', retries: 0, state: 'active', timeout: 1800, timezone: 'UTC'})
    expect(t.createdAt).to.equal(NOW.toISOString())
  })

  it('refuses a duplicate name, whatever its case', () => {
    const existing = [make('Nightly', '11111111-1111-4111-8111-111111111111')]
    expect(() => createTrigger({command: 'x', name: 'nightly', schedule: '@daily'}, existing, NOW)).to.throw(ConflictError, /already exists/)
  })

  it('lets a trigger keep its own name on update', () => {
    const t = make('Nightly', '11111111-1111-4111-8111-111111111111')
    const {trigger} = updateTrigger(t, {name: 'Nightly', timeout: 60}, [t], new Date('2026-11-24T00:00:00Z'))
    expect(trigger).to.include({name: 'Nightly', timeout: 60, updatedAt: '2026-11-24T00:00:00.000Z'})
  })

  it('changes only what is given', () => {
    const t = make('a', '11111111-1111-4111-8111-111111111111', {env: ['A=1'], retries: 2})
    const {trigger} = updateTrigger(t, {env: ['B=2']}, [t], NOW)
    expect(trigger.env).to.deep.equal({A: '1', B: '2'})
    expect(trigger.retries).to.equal(2)
    expect(trigger.schedule).to.equal('@hourly')
  })

  it('switching between --schedule and --at clears the other', () => {
    const t = make('a', '11111111-1111-4111-8111-111111111111')
    const once = updateTrigger(t, {at: '2099-01-01 00:00'}, [t], NOW).trigger
    expect(once).to.include({at: '2099-01-01T00:00:00.000Z', schedule: null})
    const back = updateTrigger(once, {schedule: '0 9 * * *'}, [once], NOW).trigger
    expect(back).to.include({at: null, schedule: '0 9 * * *'})
  })

  it('checks every bounded value with a message saying how to write it', () => {
    const base = {command: 'x', name: 'a', schedule: '@daily'}
    expect(() => createTrigger({...base, timeout: 90_000}, [], NOW)).to.throw(InvalidInputError, '--timeout must be 1..86400 seconds, got 90000')
    expect(() => createTrigger({...base, retries: 11}, [], NOW)).to.throw(InvalidInputError, /^--retries must be 0..10, got 11$/)
    expect(() => createTrigger({...base, concurrency: 'sometimes'}, [], NOW)).to.throw(InvalidInputError, /allow, forbid, replace/)
    expect(() => createTrigger({...base, env: ['A-B=1']}, [], NOW)).to.throw(InvalidInputError, /KEY=value/)
    expect(() => createTrigger({...base, name: ' '}, [], NOW)).to.throw(InvalidInputError, /--name/)
    expect(() => createTrigger({...base, at: '2099-01-01 00:00'}, [], NOW)).to.throw(InvalidInputError, /cannot be used together/)
  })

  it('reads durations in seconds, minutes, hours and days', () => {
    expect(parseDuration('--jitter', '90', {max: 86_400, min: 0})).to.equal(90)
    expect(parseDuration('--jitter', '15m', {max: 86_400, min: 0})).to.equal(900)
    expect(parseDuration('--jitter', '2h', {max: 86_400, min: 0})).to.equal(7200)
    expect(() => parseDuration('--jitter', '2 weeks', {max: 86_400, min: 0})).to.throw(InvalidInputError)
  })

  describe('naming a trigger', () => {
    const a = make('alpha', 'abcd1111-1111-4111-8111-111111111111')
    const b = make('beta', 'abcd2222-2222-4222-8222-222222222222')
    const hexName = make('abcd', 'ffff3333-3333-4333-8333-333333333333')

    it('by id, name, or unique id prefix', () => {
      expect(resolveTrigger([a, b], a.id).name).to.equal('alpha')
      expect(resolveTrigger([a, b], 'BETA').name).to.equal('beta')
      expect(resolveTrigger([a, b], 'abcd2').name).to.equal('beta')
    })

    it('an exact name wins over an id prefix', () => {
      expect(resolveTrigger([a, b, hexName], 'abcd').id).to.equal(hexName.id)
    })

    it('an ambiguous prefix or an unknown name is a clear error', () => {
      expect(() => resolveTrigger([a, b], 'abcd')).to.throw(NotFoundError, /ambiguous/)
      expect(() => resolveTrigger([a, b], 'gamma')).to.throw(NotFoundError, /no trigger "gamma"/)
    })
  })

  it('activation is idempotent and a passed one-off cannot be reactivated', () => {
    const t = make('a', '11111111-1111-4111-8111-111111111111')
    expect(setState(t, 'active', null, NOW).changed).to.equal(false)
    const off = setState(t, 'inactive', 'maintenance', NOW)
    expect(off.changed).to.equal(true)
    expect(off.trigger).to.include({note: 'maintenance', state: 'inactive'})
    expect(setState(off.trigger, 'inactive', null, NOW).changed).to.equal(false)
    const once = createTrigger({at: '2026-11-23 13:00', command: 'x', name: 'once'}, [], NOW).trigger
    expect(() => setState({...once, state: 'completed'}, 'active', null, new Date('2026-11-24T00:00:00Z'))).to.throw(InvalidInputError, /has passed/)
  })
})
