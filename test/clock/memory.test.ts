// What a long-running clock holds in memory: the runs its decisions can still need (its triggers'
// catch-up windows), not every run since it started (the history stays in the store); and which run
// a dyno's lines belong to when its name has been used before.
import {expect} from 'chai'

import type {DynoInfo} from '../../src/platform/types.js'

import {newRun, type Run} from '../../src/core/runs.js'
import {createTrigger} from '../../src/core/trigger.js'
import {runClock, stamp} from '../helpers/virtual-clock.js'

describe('the clock\'s memory over a long run (time injected)', () => {
  const start = Date.parse('2026-11-23T00:00:00Z')

  it('after 12 simulated hours it holds the last few minutes of an every-minute trigger and the last hour or so of an hourly one, and fired each nominal time once', async () => {
    const at = new Date('2026-01-01T00:00:00Z')
    const {trigger: minutely} = createTrigger({command: 'exit 1', name: 'minutely', schedule: '* * * * *'}, [], at, '1a2b3c4d-0000-4000-8000-0000000000a1')
    const {trigger: hourly} = createTrigger({command: 'exit 1', jitter: '60s', name: 'hourly', schedule: '0 * * * *'}, [], at, '5e6f7a8b-0000-4000-8000-0000000000a2')
    const end = start + 12 * 3_600_000 + 59_999 // the 12:00 hourly fires within its 60 s jitter, before the 12:01 minutely
    const {clock, creates, history, lines} = await runClock(minutely, {end, lateMs: 2000, others: [hourly], runMs: 20_000, start: start - 1000})
    // every nominal time fired exactly once: forgetting ended runs made nothing fire again
    const ids = creates.map(c => c.runId)
    expect(new Set(ids).size, lines.slice(-20).join('\n')).to.equal(ids.length)
    expect(ids.filter(id => id.startsWith(minutely.id))).to.have.length(12 * 60 + 1)
    expect(ids.filter(id => id.startsWith(hourly.id))).to.have.length(13)
    // the store has them all, with the exit status each dyno had
    expect([...history.runs.values()].filter(r => r.state === 'failed' && r.exitStatus === 1)).to.have.length(721 + 13)
    // memory: the minutely trigger's window (60 s) and the hourly one's (1 h + 60 s jitter), each with 10 minutes beside, forgotten every 5 minutes
    const held = clock.held()
    expect(held.runs, JSON.stringify(held)).to.be.within(2, 1 + 16 + 3)
    expect(held.starts, JSON.stringify(held)).to.be.at.most(90)
  })
})

describe('a dyno name used again (Heroku reuses one-off numbers)', () => {
  it('a clock that takes over a running dyno records its exit, though a day of history holds an older run on the same dyno name', async () => {
    const at = new Date('2026-01-01T00:00:00Z')
    const {trigger} = createTrigger({command: 'exit 1', name: 'minutely', schedule: '* * * * *'}, [], at, '1a2b3c4d-0000-4000-8000-0000000000b1')
    const dyno = 'trigger-1a2b3c4d.2221'
    const now = Date.parse('2026-11-23T06:00:20Z')
    // 05:59 fired by the clock before (killed at 06:00), still running; yesterday's 06:27 ran on the same name
    const open: Run = {...newRun('pending', {nominalAt: '2026-11-23T05:59:00.000Z', trigger}, Date.parse('2026-11-23T05:59:00Z')), dyno, startedAt: '2026-11-23T05:59:00.500Z', state: 'running'}
    const old: Run = {...newRun('pending', {nominalAt: '2026-11-22T06:27:00.000Z', trigger}, Date.parse('2026-11-22T06:27:00Z')), dyno, endedAt: '2026-11-22T06:28:30.000Z', exitStatus: 0, state: 'succeeded'}
    const alive: DynoInfo[] = [{command: 'exit 1', createdAt: '2026-11-23T05:59:00Z', id: 'id-open', name: dyno, size: 'Standard-1X', state: 'up', type: 'trigger-1a2b3c4d'}]
    const exitAt = Date.parse('2026-11-23T06:00:30Z')
    const {history, lines} = await runClock(trigger, {
      alive, end: now + 60_000, lastPassAt: Date.parse('2026-11-23T06:00:00Z'), lateMs: 0,
      logs: [{at: exitAt, line: `${stamp(exitAt)} heroku[${dyno}]: Process exited with status 0`}], recorded: [open, old], runMs: 20_000, start: now,
    })
    expect(history.runs.get(open.id), lines.join('\n')).to.include({exitStatus: 0, state: 'succeeded'})
    expect(history.runs.get(old.id)).to.include({endedAt: '2026-11-22T06:28:30.000Z', exitStatus: 0, state: 'succeeded'})
  })

  it('an earlier dyno\'s exit on the same name, replayed in a log backlog after the name went to a new run, is not the new run\'s', async () => {
    const at = new Date('2026-01-01T00:00:00Z')
    const {trigger} = createTrigger({command: 'exit 1', name: 'minutely', schedule: '* * * * *'}, [], at, '1a2b3c4d-0000-4000-8000-0000000000b2')
    const start = Date.parse('2026-11-23T18:00:00Z')
    // the helper's first dyno is trigger-1a2b3c4d.1; at 17:42 another dyno of that name was stopped (exit 143)
    const replayed = Date.parse('2026-11-23T17:42:09Z')
    const {history, lines} = await runClock(trigger, {
      end: start + 50_000, lateMs: 0, logs: [{at: start + 1000, line: `${stamp(replayed)} heroku[trigger-1a2b3c4d.1]: Process exited with status 143`}], runMs: 20_000, start: start - 1000,
    })
    const run = [...history.runs.values()].find(r => r.nominalAt === '2026-11-23T18:00:00.000Z')
    expect(run, lines.join('\n')).to.include({dyno: 'trigger-1a2b3c4d.1', exitStatus: 1, state: 'failed'})
  })
})
