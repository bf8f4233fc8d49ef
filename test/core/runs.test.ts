// From lifecycle events to runs: the outcome a user reads in `runs`, whatever order the lines came in.
import {expect} from 'chai'

import {type LifecycleEvent, parseEvents} from '../../src/core/lifecycle.js'
import {
  applyEvent, dynoTypeFor, newRun, noteStop, reconcile, type Run, settle, SETTLE_GRACE_MS, triggerIdsByDynoType, triggerPrefixFromDyno,
} from '../../src/core/runs.js'
import {SCHEDULER_JOB_SUCCEEDS} from '../helpers/heroku-lines.js'

const T0 = Date.parse('2026-11-23T10:00:00Z')
const TRIGGER = {command: 'python report.py', id: '1a2b3c4d-0000-4000-8000-000000000001', size: 'Standard-1X', timeout: 600}
const TYPE = 'trigger-1a2b3c4d'

/** Heroku log lines at T0 + seconds, as the stream shows them. */
function log(entries: Array<[number, string, string]>): string {
  return entries.map(([s, where, message]) => {
    const t = T0 + Math.round(s * 1000)
    return `${new Date(t).toISOString().slice(0, 23)}${String(Math.round(s * 1e6) % 1000).padStart(3, '0')}+00:00 ${where}: ${message}`
  }).join('\n') + '\n'
}

function events(entries: Array<[number, string, string]>): LifecycleEvent[] {
  return parseEvents(log(entries)).events
}

/** A trigger run as the clock records it: pending, then its dyno created. */
function triggerRun(dyno = `${TYPE}.1`): Run {
  const pending = newRun('pending', {nominalAt: new Date(T0), trigger: TRIGGER}, T0 - 500)
  return {...pending, dyno, state: 'starting'}
}

function applyAll(run: Run, list: LifecycleEvent[]): Run {
  let r = run
  for (const e of list) r = applyEvent(r, e)
  return r
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items]
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map(rest => [item, ...rest]))
}

/** What a user sees of a run (without the evidence behind it). */
function seen(run: Run) {
  const rest = {...run}
  delete rest.evidence
  return rest
}

const iso = (s: number) => new Date(T0 + s * 1000).toISOString()

describe('runs: outcome from the log stream', () => {
  it('a Heroku Scheduler job (verbatim lines) is a run of its own that succeeded', () => {
    const stream = SCHEDULER_JOB_SUCCEEDS.join('\n') + '\n'
    const runs = reconcile([], parseEvents(stream).events)
    expect(runs).to.have.length(1)
    expect(seen(runs[0])).to.deep.include({
      id: 'scheduler.8715@2020-11-07T16:04:50.236Z',
      source: 'scheduler', triggerId: null, dyno: 'scheduler.8715', command: 'php src/test.php',
      state: 'succeeded', exitStatus: 0, reason: null,
      requestedAt: '2020-11-07T16:04:49.309Z', startedAt: '2020-11-07T16:04:50.236Z', upAt: '2020-11-07T16:04:50.824Z', endedAt: '2020-11-07T16:04:52.156Z',
    })
  })

  it('a non-zero exit is a failure, with its status', () => {
    const run = applyAll(triggerRun(), events([
      [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
      [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
      [3, `app[${TYPE}.1]`, 'Traceback (most recent call last):'],
      [4, `heroku[${TYPE}.1]`, 'Process exited with status 127'],
      [4.1, `heroku[${TYPE}.1]`, 'State changed from up to complete'],
    ]))
    expect(run).to.include({state: 'failed', exitStatus: 127, reason: null, endedAt: iso(4)})
  })

  it('moves through pending, starting and running as the lines come', () => {
    let run = newRun('pending', {nominalAt: new Date(T0), trigger: TRIGGER}, T0)
    expect(run.state).to.equal('pending')
    run = {...run, dyno: `${TYPE}.1`}
    const [start, up, out, out2] = events([
      [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
      [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
      [3, `app[${TYPE}.1]`, 'working'],
      [4, `app[${TYPE}.1]`, 'still working'],
    ])
    run = applyEvent(run, start)
    expect(run.state).to.equal('starting')
    run = applyEvent(run, up)
    expect(run.state).to.equal('running')
    run = applyEvent(run, out)
    expect(applyEvent(run, out2)).to.equal(run) // more output tells nothing new
  })

  it('complete before its exit line (the order Heroku really sent): not over until the exit line comes', () => {
    const [complete, exit] = parseEvents([
      '2020-11-07T16:05:00.405389+00:00 heroku[scheduler.8317]: State changed from up to complete',
      '2020-11-07T16:05:00.388323+00:00 heroku[scheduler.8317]: Process exited with status 0',
    ].join('\n') + '\n').events
    const [first] = reconcile([], [complete])
    expect(first.state).to.not.equal('succeeded')
    expect(first.state).to.not.equal('failed')
    const done = applyEvent(first, exit)
    expect(done).to.include({state: 'succeeded', exitStatus: 0, endedAt: '2020-11-07T16:05:00.388Z'})
  })

  it('"starting to up" arriving after complete does not reopen the run', () => {
    const list = events([
      [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
      [5, `heroku[${TYPE}.1]`, 'Process exited with status 0'],
      [5.1, `heroku[${TYPE}.1]`, 'State changed from up to complete'],
      [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
    ])
    const run = applyAll(triggerRun(), list)
    expect(run).to.include({state: 'succeeded', upAt: iso(2), endedAt: iso(5)})
  })

  it('a terminal state is never overwritten by a later non-terminal event', () => {
    const list = events([
      [5, `heroku[${TYPE}.1]`, 'Process exited with status 1'],
      [6, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
      [7, `heroku[${TYPE}.1]`, 'Error R14 (Memory quota exceeded)'],
      [8, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#memory_rss=100.00MB'],
      [9, `app[${TYPE}.1]`, 'late output'],
    ])
    let run = applyEvent(triggerRun(), list[0])
    expect(run.state).to.equal('failed')
    for (const e of list.slice(1)) {
      run = applyEvent(run, e)
      expect(run.state).to.equal('failed')
    }

    expect(run.memoryErrors).to.deep.equal(['R14'])
  })

  it('every order of the same lines, and every repeat, gives the same run', () => {
    const scenarios: Array<Array<[number, string, string]>> = [
      [
        [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
        [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
        [30, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#memory_total=300.00MB sample#memory_rss=250.00MB sample#memory_quota=512.00MB'],
        [35, `app[${TYPE}.1]`, 'done'],
        [40, `heroku[${TYPE}.1]`, 'Process exited with status 0'],
        [40.1, `heroku[${TYPE}.1]`, 'State changed from up to complete'],
      ],
      [
        [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
        [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
        [600, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
        [630, `heroku[${TYPE}.1]`, 'Error R12 (Exit timeout) -> Process failed to exit within 30 seconds of SIGTERM'],
        [630.1, `heroku[${TYPE}.1]`, 'Stopping process with SIGKILL'],
        [630.2, `heroku[${TYPE}.1]`, 'Process exited with status 137'],
      ],
      [
        [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
        [20, `heroku[${TYPE}.1]`, 'Process running mem=1038M(202.8%)'],
        [20.1, `heroku[${TYPE}.1]`, 'Error R15 (Memory quota vastly exceeded)'],
        [20.2, `heroku[${TYPE}.1]`, 'Stopping process with SIGKILL'],
        [20.3, `heroku[${TYPE}.1]`, 'Process exited with status 137'],
      ],
    ]
    for (const scenario of scenarios) {
      const list = events(scenario)
      const expected = applyAll(triggerRun(), list)
      for (const order of permutations(list)) {
        expect(applyAll(triggerRun(), order)).to.deep.equal(expected)
        expect(applyAll(triggerRun(), order.flatMap(e => [e, e]))).to.deep.equal(expected)
        // reconcile sorts, binds and applies: the same run again
        expect(reconcile([triggerRun()], order)).to.deep.equal([expected])
      }
    }
  })

  it('applying the same event twice changes nothing (same object back)', () => {
    const [start, up, exit] = events([
      [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
      [2, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
      [3, `heroku[${TYPE}.1]`, 'Process exited with status 0'],
    ])
    const run = applyAll(triggerRun(), [start, up, exit])
    for (const e of [start, up, exit]) expect(applyEvent(run, e)).to.equal(run)
  })
})

describe('runs: interrupted, with the reason kept', () => {
  const started: Array<[number, string, string]> = [
    [0.5, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
    [1, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
  ]

  it('SIGTERM at the time-to-live is the timeout: interrupted, 143', () => {
    const run = applyAll(triggerRun(), events([...started,
      [600.2, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
      [600.5, `heroku[${TYPE}.1]`, 'Process exited with status 143'],
      [600.6, `heroku[${TYPE}.1]`, 'State changed from up to complete'],
    ]))
    expect(run).to.include({state: 'interrupted', reason: 'timeout', exitStatus: 143, endedAt: iso(600.5)})
  })

  it('SIGTERM long before the time-to-live is a stop', () => {
    const run = applyAll(triggerRun(), events([...started,
      [100, `heroku[${TYPE}.1]`, 'State changed from up to complete'],
      [100.1, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
      [100.4, `heroku[${TYPE}.1]`, 'Process exited with status 143'],
    ]))
    expect(run).to.include({state: 'interrupted', reason: 'stopped', exitStatus: 143})
  })

  it('a stop the caller made keeps the caller\'s reason, even when the lines come first', () => {
    const lines = events([...started,
      [100.1, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
      [100.4, `heroku[${TYPE}.1]`, 'Process exited with status 143'],
    ])
    const before = noteStop(applyAll(triggerRun(), lines.slice(0, 2)), 'concurrency replace')
    expect(applyAll(before, lines.slice(2))).to.include({state: 'interrupted', reason: 'concurrency replace', exitStatus: 143})
    const after = noteStop(applyAll(triggerRun(), lines), 'concurrency replace', T0 + 100_000)
    expect(after).to.include({state: 'interrupted', reason: 'concurrency replace', exitStatus: 143})
  })

  it('a stop that came after the run ended on its own changes nothing', () => {
    const done = applyAll(triggerRun(), events([...started, [50, `heroku[${TYPE}.1]`, 'Process exited with status 0']]))
    expect(noteStop(done, 'concurrency replace')).to.equal(done)
    expect(noteStop(done, 'concurrency replace', T0 + 60_000)).to.include({state: 'succeeded', reason: null})
    const failed = applyAll(triggerRun(), events([...started, [50, `heroku[${TYPE}.1]`, 'Process exited with status 1']]))
    expect(noteStop(failed, 'concurrency replace', T0 + 60_000)).to.include({state: 'failed', reason: null})
  })

  it('Cycling then SIGTERM: interrupted by cycling, 143', () => {
    const run = applyAll(triggerRun(), events([...started,
      [300, `heroku[${TYPE}.1]`, 'Cycling'],
      [300.1, `heroku[${TYPE}.1]`, 'State changed from up to starting'],
      [300.2, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
      [300.5, `heroku[${TYPE}.1]`, 'Process exited with status 143'],
    ]))
    expect(run).to.include({state: 'interrupted', reason: 'cycling', exitStatus: 143})
  })

  it('R15 (verbatim sequence): interrupted R15, 137, with its memory', () => {
    const run = applyAll(triggerRun(), events([...started,
      [20, `heroku[${TYPE}.1]`, 'Process running mem=1038M(202.8%)'],
      [20.1, `heroku[${TYPE}.1]`, 'Error R15 (Memory quota vastly exceeded)'],
      [20.2, `heroku[${TYPE}.1]`, 'Stopping process with SIGKILL'],
      [20.3, `heroku[${TYPE}.1]`, 'Process exited with status 137'],
      [20.4, `heroku[${TYPE}.1]`, 'State changed from up to complete'],
    ]))
    expect(run).to.deep.include({state: 'interrupted', reason: 'R15', exitStatus: 137, memoryErrors: ['R15'], peakMemoryMb: 1038, memoryQuotaMb: 512})
  })

  it('SIGKILL after R12 at the timeout: interrupted by the timeout, 137, R12 on record', () => {
    const run = applyAll(triggerRun(), events([...started,
      [600.1, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
      [630.1, `heroku[${TYPE}.1]`, 'Error R12 (Exit timeout) -> Process failed to exit within 30 seconds of SIGTERM'],
      [630.2, `heroku[${TYPE}.1]`, 'Stopping process with SIGKILL'],
      [630.3, `heroku[${TYPE}.1]`, 'Process exited with status 137'],
    ]))
    expect(run).to.include({state: 'interrupted', reason: 'timeout', exitStatus: 137})
    expect(run.evidence!.seen).to.have.property('R12')
  })

  it('SIGKILL after R12 with the SIGTERM line lost: interrupted R12', () => {
    const run = applyAll(triggerRun(), events([...started,
      [130.1, `heroku[${TYPE}.1]`, 'Error R12 (Exit timeout) -> Process failed to exit within 30 seconds of SIGTERM'],
      [130.2, `heroku[${TYPE}.1]`, 'Stopping process with SIGKILL'],
      [130.3, `heroku[${TYPE}.1]`, 'Process exited'],
    ]))
    expect(run).to.include({state: 'interrupted', reason: 'R12', exitStatus: 137})
  })

  it('143 right at the time-to-live with the SIGTERM line lost is still the timeout', () => {
    const run = applyAll(triggerRun(), events([...started, [600.3, `heroku[${TYPE}.1]`, 'Process exited with status 143']]))
    expect(run).to.include({state: 'interrupted', reason: 'timeout', exitStatus: 143})
  })

  it('a task that handles SIGTERM and exits 0 succeeded (the stop is noted)', () => {
    const run = applyAll(triggerRun(), events([...started,
      [600.1, `heroku[${TYPE}.1]`, 'Stopping all processes with SIGTERM'],
      [601, `heroku[${TYPE}.1]`, 'Process exited with status 0'],
    ]))
    expect(run).to.include({state: 'succeeded', exitStatus: 0, reason: 'timeout'})
  })

  it('a Heroku Scheduler dyno stopped at its 10-minute interval timed out', () => {
    const [run] = reconcile([], events([
      [0, 'heroku[scheduler.4321]', 'Starting process with command `rake sync`'],
      [1, 'heroku[scheduler.4321]', 'State changed from starting to up'],
      [600.2, 'heroku[scheduler.4321]', 'Stopping all processes with SIGTERM'],
      [600.9, 'heroku[scheduler.4321]', 'Process exited with status 143'],
    ]))
    expect(run).to.include({source: 'scheduler', state: 'interrupted', reason: 'timeout', exitStatus: 143})
  })
})

describe('runs: dynos that never ran the command', () => {
  it('R99 is failed-to-start with exit status null, even with a status line after the kill', () => {
    const list = events([
      [0.5, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
      [10.5, `heroku[${TYPE}.1]`, 'Error R99 (Platform error) -> Failed to launch the dyno within 10 seconds'],
      [10.6, `heroku[${TYPE}.1]`, 'Stopping process with SIGKILL'],
      [10.7, `heroku[${TYPE}.1]`, 'Process exited with status 137'],
    ])
    for (const order of permutations(list)) expect(applyAll(triggerRun(), order)).to.include({state: 'failed-to-start', exitStatus: null, reason: 'R99'})
  })

  it('R17 then starting to crashed is failed-to-start', () => {
    const run = applyAll(triggerRun(), events([
      [0.5, `heroku[${TYPE}.1]`, 'Error R17 (Checksum error) -> Checksum does match expected value'],
      [0.6, `heroku[${TYPE}.1]`, 'State changed from starting to crashed'],
    ]))
    expect(run).to.include({state: 'failed-to-start', exitStatus: null, reason: 'R17'})
    const crashed = applyAll(triggerRun(), events([[0.6, `heroku[${TYPE}.1]`, 'State changed from starting to crashed']]))
    expect(crashed).to.include({state: 'failed-to-start', exitStatus: null, reason: 'crashed'})
  })

  it('newRun records what the clock decided: pending before the API call, skipped, missed, failed-to-start', () => {
    const nominal = new Date(T0)
    const pending = newRun('pending', {nominalAt: nominal, scheduledAt: new Date(T0 + 7000), trigger: TRIGGER}, T0 + 7000)
    expect(pending).to.deep.include({
      id: `${TRIGGER.id}@2026-11-23T10:00:00.000Z`, triggerId: TRIGGER.id, nominalAt: '2026-11-23T10:00:00.000Z', scheduledAt: '2026-11-23T10:00:07.000Z',
      state: 'pending', requestedAt: '2026-11-23T10:00:07.000Z', endedAt: null, command: 'python report.py', size: 'Standard-1X', timeToLive: 600, source: 'trigger', attempt: 1,
    })
    expect(newRun('skipped', {nominalAt: nominal, reason: 'concurrency', trigger: TRIGGER}, T0)).to.include({state: 'skipped', reason: 'concurrency', requestedAt: null, dyno: null})
    expect(newRun('missed', {nominalAt: nominal, reason: 'clock was down', trigger: TRIGGER}, T0 + 3_600_000)).to.include({state: 'missed', reason: 'clock was down'})
    const failed = newRun('failed-to-start', {nominalAt: nominal, reason: 'cannot_run_above_limit', trigger: TRIGGER}, T0)
    expect(failed).to.include({state: 'failed-to-start', exitStatus: null, reason: 'cannot_run_above_limit'})
  })

  it('skipped and missed runs take no events', () => {
    const skipped = {...newRun('skipped', {nominalAt: new Date(T0), reason: 'concurrency', trigger: TRIGGER}, T0), dyno: `${TYPE}.1`}
    for (const e of events([[1, `heroku[${TYPE}.1]`, 'Process exited with status 0']])) expect(applyEvent(skipped, e)).to.equal(skipped)
  })
})

describe('runs: a missing exit line', () => {
  const lines = events([
    [0.5, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
    [1, `heroku[${TYPE}.1]`, 'State changed from starting to up'],
  ])

  it('stays open while the dyno lives and its time-to-live has not passed', () => {
    const run = applyAll(triggerRun(), lines)
    expect(settle(run, T0 + 300_000, {dynoGone: false})).to.equal(run)
  })

  it('resolves as unknown once the dyno is gone: never as success', () => {
    const run = settle(applyAll(triggerRun(), lines), T0 + 60_000, {dynoGone: true})
    expect(run).to.include({state: 'unknown', reason: 'exit line missing', exitStatus: null})
  })

  it('resolves as unknown once the time-to-live and a grace have passed', () => {
    const run = applyAll(triggerRun(), lines)
    expect(settle(run, T0 + 600_000, {dynoGone: false}).state).to.equal('running')
    expect(settle(run, T0 + 600_000 + SETTLE_GRACE_MS, {dynoGone: false})).to.include({state: 'unknown', reason: 'exit line missing'})
  })

  it('resolves as unknown a grace after complete was logged without an exit line', () => {
    const run = applyAll(triggerRun(), [...lines, ...events([[40, `heroku[${TYPE}.1]`, 'State changed from up to complete']])])
    expect(settle(run, T0 + 41_000, {dynoGone: false}).state).to.equal('running')
    expect(settle(run, T0 + 40_000 + SETTLE_GRACE_MS, {dynoGone: false})).to.include({state: 'unknown', endedAt: iso(40)})
  })

  it('a pending run whose dyno was never recorded resolves after its time-to-live', () => {
    const pending = newRun('pending', {nominalAt: new Date(T0), trigger: TRIGGER}, T0)
    expect(settle(pending, T0 + 1000, {dynoGone: false})).to.equal(pending)
    expect(settle(pending, T0 + 600_000 + SETTLE_GRACE_MS, {dynoGone: false})).to.include({state: 'unknown', reason: 'no dyno recorded'})
  })

  it('a late exit line refines unknown into the real outcome; other late lines do not', () => {
    const unknown = settle(applyAll(triggerRun(), lines), T0 + 60_000, {dynoGone: true})
    const [late, exit] = events([[3, `heroku[${TYPE}.1]`, 'State changed from up to complete'], [2, `heroku[${TYPE}.1]`, 'Process exited with status 2']])
    expect(applyEvent(unknown, late).state).to.equal('unknown')
    expect(applyEvent(applyEvent(unknown, late), exit)).to.include({state: 'failed', exitStatus: 2, reason: null})
  })
})

describe('runs: memory and load belong to the run', () => {
  it('keeps the peak of rss, total and mem= lines, the quota, and the peak 1-minute load', () => {
    const run = applyAll(triggerRun(), events([
      [20, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#memory_total=338.52MB sample#memory_rss=252.74MB sample#memory_quota=512.00MB'],
      [40, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#memory_total=300.00MB sample#memory_rss=410.10MB sample#memory_quota=512.00MB'],
      [41, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#load_avg_1m=1.75 sample#load_avg_5m=0.08 sample#load_avg_15m=0.20'],
      [61, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#load_avg_1m=0.50 sample#load_avg_5m=3.00 sample#load_avg_15m=0.20'],
      [70, `heroku[${TYPE}.1]`, 'Process running mem=646M(126.2%)'],
      [70.1, `heroku[${TYPE}.1]`, 'Error R14 (Memory quota exceeded)'],
      [80, `heroku[${TYPE}.1]`, 'source=x dyno=heroku.1.x sample#memory_total=600.00MB sample#memory_rss=500.00MB sample#memory_quota=512.00MB'],
    ]))
    expect(run).to.deep.include({peakMemoryMb: 646, memoryQuotaMb: 512, peakLoad: 1.75, memoryErrors: ['R14'], state: 'running'})
  })
})

describe('runs: reconcile binds lines to runs by dyno', () => {
  it('scheduler.N and run.N are runs without a trigger; web and router lines are not runs', () => {
    const runs = reconcile([], events([
      [1, 'heroku[scheduler.1234]', 'Starting process with command `rake sync`'],
      [2, 'heroku[run.4993]', 'Starting process with command `/app/.heroku/bin/release`'],
      [3, 'heroku[web.1]', 'Process exited with status 143'],
      [3, 'heroku[router]', 'at=error code=H12 desc="Request timeout" method=GET path="/"'],
      [4, 'heroku[run.4993]', 'Process exited with status 0'],
      [5, 'app[worker.2]', 'hello'],
    ]))
    expect(runs.map(r => [r.dyno, r.source, r.triggerId, r.state, r.command])).to.deep.equal([
      ['scheduler.1234', 'scheduler', null, 'starting', 'rake sync'],
      ['run.4993', 'run', null, 'succeeded', '/app/.heroku/bin/release'],
    ])
  })

  it('a trigger\'s dyno type leads to the trigger; an unknown trigger dyno is still a run', () => {
    const lookup = triggerIdsByDynoType([TRIGGER])
    const runs = reconcile([], events([
      [1, `heroku[${TYPE}.17]`, 'Starting process with command `python report.py`'],
      [2, 'heroku[trigger-9f8e7d6c.3]', 'Starting process with command `true`'],
      [600.1, `heroku[${TYPE}.17]`, 'Stopping all processes with SIGTERM'],
      [600.3, `heroku[${TYPE}.17]`, 'Process exited with status 143'],
    ]), lookup)
    expect(runs.map(r => [r.dyno, r.source, r.triggerId])).to.deep.equal([[`${TYPE}.17`, 'trigger', TRIGGER.id], ['trigger-9f8e7d6c.3', 'other', null]])
    // the time-to-live came with the trigger, so the SIGTERM at 600 s is its timeout
    expect(runs[0]).to.include({state: 'interrupted', reason: 'timeout', timeToLive: 600})
  })

  it('binds lines to the run the clock recorded rather than making a new one', () => {
    const recorded = triggerRun(`${TYPE}.1`)
    const runs = reconcile([recorded], events([
      [1, `heroku[${TYPE}.1]`, 'Starting process with command `python report.py`'],
      [3, `heroku[${TYPE}.1]`, 'Process exited with status 0'],
    ]), triggerIdsByDynoType([TRIGGER]))
    expect(runs).to.have.length(1)
    expect(runs[0]).to.include({id: recorded.id, state: 'succeeded', nominalAt: '2026-11-23T10:00:00.000Z'})
  })

  it('a dyno name used again later is a new run', () => {
    const day = 86_400
    const runs = reconcile([], events([
      [0, 'heroku[scheduler.8715]', 'Starting process with command `rake sync`'],
      [5, 'heroku[scheduler.8715]', 'Process exited with status 0'],
      [day, 'heroku[scheduler.8715]', 'Starting process with command `rake sync`'],
      [day + 5, 'heroku[scheduler.8715]', 'Process exited with status 1'],
    ]))
    expect(runs.map(r => [r.id, r.state])).to.deep.equal([
      ['scheduler.8715@2026-11-23T10:00:00.000Z', 'succeeded'],
      ['scheduler.8715@2026-11-24T10:00:00.000Z', 'failed'],
    ])
  })

  it('a backlog that begins mid-run reveals a running run; its earlier lines, read later, complete it', () => {
    const first = reconcile([], events([[130, 'app[run.77]', 'step 3 of 9']]))
    expect(first).to.have.length(1)
    expect(first[0]).to.include({dyno: 'run.77', source: 'run', state: 'running'})
    const later = reconcile(first, events([
      [0, 'heroku[run.77]', 'Starting process with command `rake backfill`'],
      [1, 'heroku[run.77]', 'State changed from starting to up'],
      [200, 'heroku[run.77]', 'Process exited with status 0'],
    ]))
    expect(later).to.have.length(1)
    expect(later[0]).to.include({id: first[0].id, state: 'succeeded', startedAt: iso(0), command: 'rake backfill'})
  })

  it('a line with no readable time goes to the latest run of its dyno', () => {
    const runs = reconcile([], [
      ...events([[0, 'heroku[run.5]', 'Starting process with command `x`']]),
      ...parseEvents('2020-13-45T99:00:00+00:00 heroku[run.5]: Process exited with status 3\n').events,
    ])
    expect(runs).to.have.length(1)
    expect(runs[0]).to.include({state: 'failed', exitStatus: 3})
  })

  it('gives each run the announcement of its command, once', () => {
    const runs = reconcile([], events([
      [0, 'app[api]', 'Starting process with command `rake sync` by user scheduler@addons.heroku.com'],
      [0.2, 'app[api]', 'Starting process with command `rake sync` by user scheduler@addons.heroku.com'],
      [1, 'heroku[scheduler.1]', 'Starting process with command `rake sync`'],
      [1.1, 'heroku[scheduler.2]', 'Starting process with command `rake sync`'],
      [100, 'heroku[scheduler.3]', 'Starting process with command `rake sync`'],
    ]))
    expect(runs.map(r => r.requestedAt)).to.deep.equal([iso(0.2), iso(0), null])
  })

  it('reconciling the same lines again changes nothing', () => {
    const list = events([
      [0, 'app[api]', 'Starting process with command `rake sync` by user scheduler@addons.heroku.com'],
      [1, 'heroku[scheduler.1]', 'Starting process with command `rake sync`'],
      [2, 'heroku[scheduler.1]', 'State changed from starting to up'],
      [3, 'app[scheduler.1]', 'ok'],
      [4, 'heroku[scheduler.1]', 'Process exited with status 0'],
    ])
    const once = reconcile([], list)
    expect(reconcile(once, list)).to.deep.equal(once)
    expect(reconcile(once, [...list].reverse())).to.deep.equal(once)
  })
})

describe('runs: dyno identity', () => {
  it('a trigger\'s process type is trigger- and the first 8 hex digits of its id', () => {
    expect(dynoTypeFor('1A2B3C4D-0000-4000-8000-000000000001')).to.equal('trigger-1a2b3c4d')
    expect(dynoTypeFor('1a2b-3c4d-0000-4000-8000-000000000001')).to.equal('trigger-1a2b3c4d')
    expect(() => dynoTypeFor('nightly')).to.throw(/invalid trigger id/)
  })

  it('reads the prefix back from a dyno name', () => {
    expect(triggerPrefixFromDyno('trigger-1a2b3c4d.17')).to.equal('1a2b3c4d')
    expect(triggerPrefixFromDyno('trigger-1a2b3c4d')).to.equal('1a2b3c4d')
    expect(triggerPrefixFromDyno('trigger-1a2b3c4dx.1')).to.equal(null)
    expect(triggerPrefixFromDyno('scheduler.8715')).to.equal(null)
    expect(triggerPrefixFromDyno('trigger-nothex00.1')).to.equal(null)
  })
})
