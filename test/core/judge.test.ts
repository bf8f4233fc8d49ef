// The judge, with time passed in: each monitor type at and around its threshold, sensitivity,
// resolve, reminders, and the daily failure email.
import {expect} from 'chai'

import {emptyState, judge, type JudgeContext, judgeFailureEmail, type MonitorState} from '../../src/core/judge.js'
import {applyMonitorInput, type Monitor, type MonitorInput, viewMonitor} from '../../src/core/monitors.js'
import {newRun, type Run} from '../../src/core/runs.js'
import {createTrigger} from '../../src/core/trigger.js'

const T0 = Date.parse('2026-11-23T12:00:00Z')
const {trigger} = createTrigger({command: 'bin/report --token=abc', name: 'report', schedule: '@hourly'}, [], new Date(T0))
const ctx = (now = T0): JudgeContext => ({app: 'example-app', now, triggerName: id => (id === trigger.id ? 'report' : null)})
const monitor = (input: MonitorInput): Monitor => applyMonitorInput(null, {name: 'm', trigger: 'report', ...input}, [], [trigger], new Date(T0), 'mon-1')

let n = 0
function run(state: Run['state'], extra: Partial<Run> = {}): Run {
  const nominal = T0 + (n++) * 3_600_000
  const base = newRun('pending', {nominalAt: new Date(nominal), trigger}, nominal)
  const startedAt = new Date(nominal + 1000).toISOString()
  return {...base, dyno: `trigger-x.${n}`, endedAt: new Date(nominal + 61_000).toISOString(), exitStatus: state === 'failed' ? 1 : state === 'succeeded' ? 0 : null, startedAt, state, ...extra}
}

/** Feeds runs one by one; returns the events notified, in order. */
function feed(m: Monitor, runs: Run[], state: MonitorState = emptyState(m.id)): {events: string[]; state: MonitorState} {
  const events: string[] = []
  for (const r of runs) {
    const judged = judge(m, state, {kind: 'run', run: r}, ctx())
    state = judged.state
    events.push(...judged.notifications.filter(x => x.channel.kind === 'email').map(x => x.event))
  }

  return {events, state}
}

describe('judge', () => {
  it('job-failure, sensitivity 1: the first failure opens, it is not re-notified while open, the first success resolves', () => {
    const m = monitor({type: 'job-failure'})
    const {events, state} = feed(m, [run('succeeded'), run('failed'), run('failed'), run('failed-to-start'), run('succeeded'), run('succeeded')])
    expect(events).to.deep.equal(['alert.opened', 'alert.resolved'])
    expect(state.alert).to.equal(null)
  })

  it('sensitivity 3 opens on the third consecutive match only; a non-match in between resets the streak', () => {
    const m = monitor({sensitivity: 3, type: 'job-failure'})
    expect(feed(m, [run('failed'), run('failed'), run('succeeded'), run('failed'), run('failed')]).events).to.deep.equal([])
    const opened = feed(m, [run('failed'), run('failed'), run('failed')])
    expect(opened.events).to.deep.equal(['alert.opened'])
    expect(opened.state.alert!.runIds).to.have.length(3)
    expect(opened.state.alert!.message).to.match(/3 times in a row/)
  })

  it('runs told out of order: one due before the streak neither ends it nor is notified twice', () => {
    const m = monitor({grace: '1s', type: 'missed-run'})
    const earlier = run('succeeded') // ran on time, but its lines are read after the missed times
    const [missed1, missed2] = [run('missed', {startedAt: null}), run('missed', {startedAt: null})]
    const {events, state} = feed(m, [missed1, earlier, missed2])
    expect(events).to.deep.equal(['alert.opened'])
    expect(state.alert!.runIds).to.deep.equal([missed2.id, missed1.id])
    expect(feed(m, [run('succeeded')], state).events).to.deep.equal(['alert.resolved']) // a later one still resolves
  })

  it('a run judged twice (replayed after a restart) counts once', () => {
    const m = monitor({sensitivity: 2, type: 'job-failure'})
    const r = run('failed')
    expect(feed(m, [r, r]).events).to.deep.equal([])
  })

  it('job-execution-time: longer than the threshold matches, exactly the threshold does not; a run still going past it matches', () => {
    const m = monitor({threshold: 60, type: 'job-execution-time'})
    const exact = run('succeeded')
    exact.endedAt = new Date(Date.parse(exact.startedAt!) + 60_000).toISOString()
    expect(feed(m, [exact]).events).to.deep.equal([])
    const over = run('succeeded')
    over.endedAt = new Date(Date.parse(over.startedAt!) + 61_000).toISOString()
    expect(feed(m, [over]).events).to.deep.equal(['alert.opened'])
    const hanging = {...run('running'), endedAt: null, startedAt: new Date(T0 - 120_000).toISOString()}
    expect(judge(m, emptyState(m.id), {kind: 'run', run: hanging}, ctx()).notifications.map(x => x.event)).to.include('alert.opened')
  })

  it('job-interruption and memory', () => {
    expect(feed(monitor({type: 'job-interruption'}), [run('interrupted', {reason: 'timeout'})]).events).to.deep.equal(['alert.opened'])
    const mem = monitor({threshold: 90, type: 'memory'})
    expect(feed(mem, [run('succeeded', {memoryQuotaMb: 512, peakMemoryMb: 460})]).events).to.deep.equal([]) // 89.8 %
    expect(feed(mem, [run('succeeded', {memoryQuotaMb: 512, peakMemoryMb: 461})]).events).to.deep.equal(['alert.opened'])
    expect(feed(mem, [run('succeeded', {memoryErrors: ['R14']})]).events).to.deep.equal(['alert.opened'])
  })

  it('concurrency: opens at the threshold, resolves on the first evaluation below it', () => {
    const m = applyMonitorInput(null, {name: 'c', threshold: 3, type: 'scheduler-concurrency'}, [], [trigger], new Date(T0), 'c')
    let state = emptyState(m.id)
    const events: string[] = []
    for (const count of [1, 2, 3, 4, 3, 2]) {
      const judged = judge(m, state, {count, kind: 'concurrency'}, ctx())
      state = judged.state
      events.push(...judged.notifications.map(x => `${x.event}@${count}`))
    }

    expect(events).to.deep.equal(['alert.opened@3', 'alert.resolved@2'])
  })

  it('missed-run: missed, skipped and failed-to-start match; a start later than the grace matches; one on time resolves', () => {
    const m = monitor({grace: '2m', type: 'missed-run'})
    expect(feed(m, [run('missed', {startedAt: null})]).events).to.deep.equal(['alert.opened'])
    const late = run('succeeded')
    late.startedAt = new Date(Date.parse(late.nominalAt!) + 121_000).toISOString()
    expect(feed(m, [late]).events).to.deep.equal(['alert.opened'])
    expect(feed(m, [run('skipped', {startedAt: null}), run('succeeded')]).events).to.deep.equal(['alert.opened', 'alert.resolved'])
  })

  it('--renotify re-sends on ticks while the alert stays open, not before the interval', () => {
    const m = monitor({renotify: '4h', type: 'job-failure'})
    const {state} = feed(m, [run('failed')])
    expect(judge(m, state, {kind: 'tick'}, ctx(T0 + 3 * 3_600_000)).notifications).to.have.length(0)
    const reminded = judge(m, state, {kind: 'tick'}, ctx(T0 + 4 * 3_600_000))
    expect(reminded.notifications.map(x => x.event)).to.deep.equal(['alert.opened'])
    expect(judge(m, reminded.state, {kind: 'tick'}, ctx(T0 + 5 * 3_600_000)).notifications).to.have.length(0)
  })

  it('a paused monitor judges nothing', () => {
    const m = {...monitor({type: 'job-failure'}), paused: true}
    expect(feed(m, [run('failed')]).events).to.deep.equal([])
  })

  it('the email says which trigger, run, exit status, reason, the command with a warning, what to do and the runs:info line', () => {
    const m = monitor({type: 'job-failure'})
    const r = run('failed', {command: 'bin/report --token=abc', exitStatus: 127})
    const [email] = judge(m, emptyState(m.id), {kind: 'run', run: r}, ctx()).notifications
    expect(email.body).to.include('Trigger: report').and.include(`Run: ${r.id}`).and.include('Exit status: 127').and.include('Command: bin/report --token=abc')
    expect(email.body).to.match(/may hold secrets/).and.match(/did not find the command/)
    expect(email.body).to.include(`heroku runs:info ${r.id} --app example-app`)
  })

  it('the daily failure email: the first failed run of each UTC day, once', () => {
    let state = emptyState(`failure-email:${trigger.id}`)
    const sent: string[] = []
    const day = (iso: string, s: Run['state'] = 'failed') => run(s, {endedAt: iso})
    for (const r of [day('2026-11-23T01:00:00Z', 'succeeded'), day('2026-11-23T02:00:00Z'), day('2026-11-23T23:59:00Z'), day('2026-11-24T00:01:00Z'), day('2026-11-24T05:00:00Z', 'failed-to-start')]) {
      const judged = judgeFailureEmail(trigger, state, r, ctx())
      state = judged.state
      sent.push(...judged.notifications.map(x => x.id))
    }

    expect(sent).to.have.length(2)
    expect(judgeFailureEmail({...trigger, failureEmail: false}, emptyState('x'), run('failed'), ctx()).notifications).to.have.length(0)
  })
})

describe('monitors: bad input is one clear line', () => {
  const bad = (input: MonitorInput) => {
    try {
      monitor(input)
    } catch (error) {
      return (error as Error).message
    }

    throw new Error('expected an error')
  }

  it('unknown type, threshold out of range, bad email or URL, unknown trigger', () => {
    expect(bad({type: 'job-fail'})).to.match(/^unknown --type "job-fail": use one of job-failure/)
    expect(bad({threshold: 0, type: 'job-execution-time'})).to.equal('--threshold must be 1..86400 seconds for job-execution-time, got 0')
    expect(bad({threshold: 101, type: 'memory'})).to.match(/--threshold must be 1..100/)
    expect(bad({type: 'job-execution-time'})).to.match(/needs --threshold/)
    expect(bad({sensitivity: 101, type: 'job-failure'})).to.equal('--sensitivity must be 1..100, got 101')
    expect(bad({email: 'ops@', type: 'job-failure'})).to.match(/^--email takes addresses/)
    expect(bad({type: 'job-failure', webhook: ['ftp://x']})).to.match(/^--webhook must be an http\(s\) URL/)
    expect(bad({trigger: 'nope', type: 'job-failure'})).to.match(/nope/)
    expect(bad({grace: '2d', type: 'missed-run'})).to.match(/--grace must be between 1 and 86400/)
  })

  it('views mask the webhook path and never show the secret', () => {
    const m = monitor({secret: 's3cret', type: 'job-failure', webhook: ['https://hooks.slack.com/services/T1/B2/XYZ']})
    const text = JSON.stringify(viewMonitor(m, new Map([[trigger.id, 'report']]), false))
    expect(text).to.include('https://hooks.slack.com/…').and.include('"signed":true').and.include('"trigger":"report"')
    expect(text).not.to.include('XYZ')
    expect(text).not.to.include('s3cret')
  })
})
