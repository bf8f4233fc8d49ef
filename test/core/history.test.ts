// What `runs` shows for a run: its duration is the execution time metrics counts, from the dyno's
// Starting process line to its exit line (not from `up`, which comes a moment later).
import {expect} from 'chai'

import {viewRun} from '../../src/core/history.js'
import {newRun} from '../../src/core/runs.js'

describe('history: a run as runs shows it', () => {
  const trigger = {command: 'bin/report', id: '1a2b3c4d-0000-4000-8000-000000000001', size: 'basic', timeout: 60}
  const base = newRun('pending', {nominalAt: new Date('2026-11-23T10:00:00Z'), trigger}, Date.parse('2026-11-23T10:00:00Z'))

  it('duration runs from Starting process to the exit line, and lag from the nominal time to the start', () => {
    const run = {...base, endedAt: '2026-11-23T10:00:04.500Z', startedAt: '2026-11-23T10:00:01.000Z', state: 'succeeded' as const, upAt: '2026-11-23T10:00:02.000Z'}
    expect(viewRun(run, new Map())).to.include({durationMs: 3500, lagMs: 1000})
  })

  it('a run seen only from up to its exit still has a duration; one not ended has none', () => {
    expect(viewRun({...base, endedAt: '2026-11-23T10:00:04Z', upAt: '2026-11-23T10:00:02Z'}, new Map()).durationMs).to.equal(2000)
    expect(viewRun({...base, startedAt: '2026-11-23T10:00:01Z'}, new Map()).durationMs).to.equal(null)
  })
})
