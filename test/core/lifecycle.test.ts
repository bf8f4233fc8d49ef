// The one parser of Heroku's log lines, fed the real lines of platform-api.md §3 verbatim.
import {expect} from 'chai'

import {compareEvents, type LifecycleEvent, parseEvents, parseLine, toEvent} from '../../src/core/lifecycle.js'
import {SCHEDULER_JOB_SUCCEEDS} from '../helpers/heroku-lines.js'

/** The event of one line, without the line it came from (for comparing). */
function event(raw: string): Omit<LifecycleEvent, 'line'> {
  const line = parseLine(raw)
  expect(line, `no envelope found in ${raw}`).to.not.equal(null)
  const rest: Partial<LifecycleEvent> = {...toEvent(line!)}
  delete rest.line
  return rest as Omit<LifecycleEvent, 'line'>
}

const at = (iso: string) => Date.parse(iso)

describe('lifecycle: the envelope', () => {
  it('reads time to the microsecond, source, dyno and message', () => {
    const line = parseLine('2020-11-07T16:04:50.824747+00:00 heroku[scheduler.8715]: State changed from starting to up')!
    expect(line.timestamp).to.equal('2020-11-07T16:04:50.824747+00:00')
    expect(line.time).to.equal(at('2020-11-07T16:04:50.824Z'))
    expect(line.micros).to.equal(747)
    expect(line.source).to.equal('heroku')
    expect(line.dyno).to.equal('scheduler.8715')
    expect(line.message).to.equal('State changed from starting to up')
    expect(line.raw).to.equal('2020-11-07T16:04:50.824747+00:00 heroku[scheduler.8715]: State changed from starting to up')
  })

  it('reads old timestamps: no fractional seconds, local offsets, .000000, Z', () => {
    expect(parseLine('2015-08-18T06:20:13+00:00 heroku[web.1]: Cycling')!.time).to.equal(at('2015-08-18T06:20:13Z'))
    expect(parseLine('2012-03-10T07:47:40-08:00 heroku[web.1]: Cycling')!.time).to.equal(at('2012-03-10T15:47:40Z'))
    expect(parseLine('2011-09-01T12:00:00+05:30 app[web.1]: hi')!.time).to.equal(at('2011-09-01T06:30:00Z'))
    const build = parseLine('2024-05-01T10:00:00.000000+00:00 app[api]: Build started by user dev@example.com')!
    expect(build.time).to.equal(at('2024-05-01T10:00:00Z'))
    expect(build.micros).to.equal(0)
    expect(parseLine('2024-05-01T10:00:00.5Z app[web.1]: x')!.time).to.equal(at('2024-05-01T10:00:00.500Z'))
  })

  it('agrees with Date.parse across a year of timestamps', () => {
    for (let t = at('2023-12-31T22:59:59Z'); t < at('2025-01-02T00:00:00Z'); t += 86_400_000 * 3 + 3_601_001) {
      const iso = new Date(t).toISOString().replace('Z', '123+00:00')
      const line = parseLine(`${iso} app[web.1]: x`)!
      expect(line.time, iso).to.equal(t)
      expect(line.micros).to.equal(123)
    }
  })

  it('keeps a line whose timestamp cannot be read, with time NaN', () => {
    const line = parseLine('2020-13-45T99:00:00+00:00 heroku[web.1]: Cycling')!
    expect(line.time).to.be.NaN
    expect(toEvent(line).kind).to.equal('cycling')
  })

  it('returns null only for a line with no envelope at all', () => {
    expect(parseLine('')).to.equal(null)
    expect(parseLine('hello world')).to.equal(null)
    expect(parseLine('  File "/app/scrape.py", line 88, in <module>')).to.equal(null)
    expect(parseLine('2020-11-07T16:04:50.824747+00:00')).to.equal(null)
  })

  it('reads a line with no dyno, and a drain line in RFC 5424 form', () => {
    const bare = parseLine('2020-11-07T16:04:50.824747+00:00 logplex: L11 (Tail buffer overflow) -> This tail session dropped 1101 messages since 2020-11-07T16:00:00+00:00.')!
    expect(bare.source).to.equal('logplex')
    expect(bare.dyno).to.equal(null)
    const drain = parseLine('<45>1 2020-01-06T23:48:43.304215+00:00 host heroku web.1 - Process exited with status 143')!
    expect(drain).to.include({source: 'heroku', dyno: 'web.1', message: 'Process exited with status 143', micros: 215})
    expect(toEvent(drain)).to.include({kind: 'exited', status: 143})
  })

  it('drops a trailing carriage return', () => {
    expect(parseLine('2020-11-07T16:04:52.153919+00:00 app[scheduler.8715]: It Works !\r')!.message).to.equal('It Works !')
  })
})

describe('lifecycle: the canonical one-off lines (platform-api.md §3.5, verbatim)', () => {
  it('a Heroku Scheduler job that succeeds', () => {
    expect(SCHEDULER_JOB_SUCCEEDS.map(l => event(l))).to.deep.equal([
      {kind: 'announced', command: 'php src/test.php', user: 'scheduler@addons.heroku.com', dyno: 'api', time: at('2020-11-07T16:04:49.309Z'), micros: 888},
      {kind: 'starting', command: 'php src/test.php', dyno: 'scheduler.8715', time: at('2020-11-07T16:04:50.236Z'), micros: 685},
      {kind: 'state', from: 'starting', to: 'up', dyno: 'scheduler.8715', time: at('2020-11-07T16:04:50.824Z'), micros: 747},
      {kind: 'output', dyno: 'scheduler.8715', time: at('2020-11-07T16:04:52.153Z'), micros: 919},
      {kind: 'exited', status: 0, dyno: 'scheduler.8715', time: at('2020-11-07T16:04:52.156Z'), micros: 169},
      {kind: 'state', from: 'up', to: 'complete', dyno: 'scheduler.8715', time: at('2020-11-07T16:04:52.196Z'), micros: 298},
    ])
  })

  it('the 2015 API line (heroku[api], "by" without "user") and a detached run', () => {
    expect(event('2015-03-02T10:00:00.000000+00:00 heroku[api]: Starting process with command `/app/.heroku/bin/release` by dz@heroku.com'))
      .to.include({kind: 'announced', command: '/app/.heroku/bin/release', user: 'dz@heroku.com', dyno: 'api'})
    expect(event('2015-03-02T10:00:01.000000+00:00 heroku[run.4993]: Starting process with command `/app/.heroku/bin/release`'))
      .to.include({kind: 'starting', command: '/app/.heroku/bin/release', dyno: 'run.4993'})
  })

  it('a command holding backticks keeps them', () => {
    expect(event('2020-11-07T16:04:50.236685+00:00 heroku[run.1]: Starting process with command `echo `date` done`'))
      .to.include({kind: 'starting', command: 'echo `date` done'})
  })

  it('the 2011-2012 format: created to starting, and the start line under app[run.1]', () => {
    expect(event('2011-09-01T12:00:00+00:00 heroku[run.1]: State changed from created to starting')).to.include({kind: 'state', from: 'created', to: 'starting'})
    expect(event('2011-09-01T12:00:01+00:00 app[run.1]: Starting process with command `rake jobs:work`')).to.include({kind: 'starting', command: 'rake jobs:work', dyno: 'run.1'})
  })

  it('exit statuses, and a bare "Process exited"', () => {
    expect(event('2020-01-06T23:48:43.304215+00:00 heroku[web.1]: Process exited with status 143')).to.include({kind: 'exited', status: 143, dyno: 'web.1'})
    expect(event('2020-01-06T23:48:43.304215+00:00 heroku[run.2]: Process exited with status 1')).to.include({kind: 'exited', status: 1})
    expect(event('2020-01-06T23:49:13.304215+00:00 heroku[run.2]: Process exited')).to.include({kind: 'exited', status: null})
  })

  it('SIGTERM, SIGKILL (both wordings), cycling, restarting', () => {
    expect(event('2020-01-06T23:48:43.021851+00:00 heroku[web.1]: Stopping all processes with SIGTERM').kind).to.equal('sigterm')
    expect(event('2020-01-06T23:49:13.021851+00:00 heroku[release.4242]: Stopping process with SIGKILL').kind).to.equal('sigkill')
    expect(event('2013-01-06T23:49:13+00:00 heroku[web.1]: Stopping all processes with SIGKILL').kind).to.equal('sigkill')
    expect(event('2015-08-18T06:20:13+00:00 heroku[web.1]: Cycling')).to.deep.equal({kind: 'cycling', dyno: 'web.1', time: at('2015-08-18T06:20:13Z'), micros: 0})
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[web.1]: Restarting').kind).to.equal('restarting')
  })

  it('memory: mem= in both unit styles, R14 and R15', () => {
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[worker.1]: Process running mem=646M(126.2%)')).to.include({kind: 'memory-usage', memoryMb: 646, percent: 126.2})
    expect(event('2014-06-01T10:00:00+00:00 heroku[worker.1]: Process running mem=1028MB(103.3%)')).to.include({kind: 'memory-usage', memoryMb: 1028, percent: 103.3})
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[worker.1]: Error R14 (Memory quota exceeded)')).to.include({kind: 'error', code: 'R14', text: 'Memory quota exceeded'})
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[release.4242]: Error R15 (Memory quota vastly exceeded)')).to.include({kind: 'error', code: 'R15', text: 'Memory quota vastly exceeded'})
  })

  it('the other error codes: R10, R12, R17, R99, L10, L11', () => {
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch'))
      .to.include({kind: 'error', code: 'R10', text: 'Boot timeout -> Web process failed to bind to $PORT within 60 seconds of launch'})
    expect(event('2020-06-01T10:00:30.000001+00:00 heroku[run.7]: Error R12 (Exit timeout) -> Process failed to exit within 30 seconds of SIGTERM')).to.include({kind: 'error', code: 'R12'})
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[run.7]: Error R17 (Checksum error) -> Checksum does match expected value')).to.include({kind: 'error', code: 'R17'})
    expect(event('2013-06-01T10:00:00+00:00 heroku[run.7]: Error R99 (Platform error) -> Failed to launch the dyno within 10 seconds')).to.include({kind: 'error', code: 'R99', text: 'Platform error -> Failed to launch the dyno within 10 seconds'})
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[logplex]: Error L10 (output buffer overflow): 500 messages dropped since 2020-06-01T09:59:00+00:00.')).to.include({kind: 'error', code: 'L10'})
    expect(event('2020-06-01T10:00:00.000001+00:00 logplex[1]: Error L11 (Tail buffer overflow) -> This tail session dropped 1101 messages since 2020-06-01T09:59:00+00:00.')).to.include({kind: 'error', code: 'L11', dyno: '1'})
    expect(event('2020-06-01T10:00:00.000001+00:00 logplex: L11 (Tail buffer overflow) -> This tail session dropped 1101 messages since 2020-06-01T09:59:00+00:00.')).to.include({kind: 'error', code: 'L11'})
  })

  it('router errors carry their H code', () => {
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=example-app.herokuapp.com dyno=web.1 connect=0ms service=30000ms status=503 bytes=0'))
      .to.include({kind: 'error', code: 'H12', text: 'Request timeout', dyno: 'router'})
    expect(event('2020-06-01T10:00:00.000001+00:00 heroku[router]: at=info method=GET path="/" host=example-app.herokuapp.com status=200').kind).to.equal('unknown')
  })

  it('runtime-metrics samples, memory and load (verbatim)', () => {
    expect(event('2020-01-29T00:02:49.243705+00:00 heroku[web.1]: source=web.1 dyno=heroku.93034875.4635d2a8-08be-4bf5-93c8-aed05a2fda5c sample#memory_total=338.52MB sample#memory_rss=252.74MB sample#memory_cache=85.79MB sample#memory_swap=0.00MB sample#memory_pgpgin=5641245pages sample#memory_pgpgout=5554583pages sample#memory_quota=512.00MB'))
      .to.deep.equal({kind: 'sample', dyno: 'web.1', time: at('2020-01-29T00:02:49.243Z'), micros: 705, memoryTotalMb: 338.52, memoryRssMb: 252.74, memorySwapMb: 0, memoryQuotaMb: 512})
    expect(event('2016-08-02T22:23:31.718210+00:00 heroku[web.1]: source=web.1 dyno=heroku.49170529.b313ea93-6d23-470c-af62-2e7bf7acd76d sample#load_avg_1m=0.00 sample#load_avg_5m=0.08 sample#load_avg_15m=0.20'))
      .to.deep.equal({kind: 'sample', dyno: 'web.1', time: at('2016-08-02T22:23:31.718Z'), micros: 210, load1m: 0, load5m: 0.08, load15m: 0.2})
  })

  it('a sample with no dyno in its envelope takes it from source=', () => {
    expect(event('2020-01-29T00:02:49.243705+00:00 heroku: source=scheduler.1234 dyno=heroku.1.x sample#memory_rss=1.5GB')).to.include({kind: 'sample', dyno: 'scheduler.1234', memoryRssMb: 1536})
  })

  it('API lines: release and config (set and remove)', () => {
    expect(event('2020-06-01T10:00:00.000001+00:00 app[api]: Release v9 created by user x@y.com')).to.include({kind: 'release', version: 9, user: 'x@y.com'})
    expect(event('2020-06-01T10:00:00.000001+00:00 app[api]: Set FOO, BAR config vars by user x@y.com')).to.deep.include({kind: 'config', keys: ['FOO', 'BAR'], action: 'set', user: 'x@y.com'})
    expect(event('2020-06-01T10:00:00.000001+00:00 app[api]: Remove FOO config vars by user x@y.com')).to.deep.include({kind: 'config', keys: ['FOO'], action: 'remove', user: 'x@y.com'})
  })

  it('output is the task\'s own, whatever it says', () => {
    expect(event('2020-11-07T16:04:52.153919+00:00 app[scheduler.8715]: It Works !').kind).to.equal('output')
    // a task printing platform-like text under app[] is still output
    expect(event('2020-11-07T16:04:52.153919+00:00 app[run.3]: Process exited with status 0').kind).to.equal('output')
    expect(event('2020-11-07T16:04:52.153919+00:00 app[run.3]: Error R15 (Memory quota vastly exceeded)').kind).to.equal('output')
    expect(event('2020-11-07T16:04:52.153919+00:00 app[run.3]: ').kind).to.equal('output')
  })

  it('keeps what it does not understand as unknown, never throws', () => {
    const odd = [
      '2022-01-01T00:00:00.000000+00:00 heroku[run.1952]: Awaiting client',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: Idling',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: State changed from',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: Process exited with status banana',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: Process running mem=lots',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: Starting process with command',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: Error',
      '2022-01-01T00:00:00.000000+00:00 app[api]: Scaled to web@2:Standard-1X by user x@y.com',
      '2022-01-01T00:00:00.000000+00:00 app[api]: Deploy 1a2b3c4 by user x@y.com',
      '2022-01-01T00:00:00.000000+00:00 heroku[web.1]: ',
    ]
    for (const raw of odd) expect(event(raw).kind, raw).to.equal('unknown')
  })
})

describe('lifecycle: streams', () => {
  const text = SCHEDULER_JOB_SUCCEEDS.slice(1, 5).join('\n') + '\n' // the dyno's lines up to its exit

  it('gives the same events however the stream is cut into chunks', () => {
    const whole = parseEvents(text).events.map(e => e.line.raw)
    expect(whole).to.have.length(4)
    for (let size = 1; size < 60; size += 7) {
      let carry = ''
      const got: string[] = []
      for (let i = 0; i < text.length; i += size) {
        const r = parseEvents(text.slice(i, i + size), carry)
        carry = r.carry
        got.push(...r.events.map(e => e.line.raw))
      }

      expect(got, `chunks of ${size}`).to.deep.equal(whole)
      expect(carry).to.equal('')
    }
  })

  it('keeps the unfinished last line for the next chunk', () => {
    const r = parseEvents(text.slice(0, -20))
    expect(r.events).to.have.length(3)
    expect(r.carry).to.equal(text.slice(0, -1).split('\n')[3].slice(0, -19))
    const rest = parseEvents(text.slice(-20), r.carry)
    expect(rest.events.map(e => e.kind)).to.deep.equal(['exited'])
  })

  it('handles CRLF, blank lines, and keeps a line with no envelope as unknown', () => {
    const r = parseEvents('2020-11-07T16:04:52.153919+00:00 app[run.1]: a\r\n\r\n\njunk without envelope\n')
    expect(r.events.map(e => [e.kind, e.line.message])).to.deep.equal([['output', 'a'], ['unknown', 'junk without envelope']])
    expect(r.events[1].time).to.be.NaN
  })

  it('treats the pieces of a line split at 10,000 bytes as output, each with its envelope', () => {
    const big = 'x'.repeat(25_000)
    const pieces = [big.slice(0, 10_000), big.slice(10_000, 20_000), big.slice(20_000)]
    const chunk = pieces.map(p => `2020-11-07T16:04:52.153919+00:00 app[run.1]: ${p}`).join('\n') + '\n'
    const r = parseEvents(chunk)
    expect(r.events.map(e => e.kind)).to.deep.equal(['output', 'output', 'output'])
    expect(r.events.map(e => e.line.message).join('')).to.equal(big)
  })

  it('orders events by time, then microseconds', () => {
    const r = parseEvents([
      '2020-11-07T16:05:00.405389+00:00 heroku[scheduler.8317]: State changed from up to complete',
      '2020-11-07T16:05:00.388323+00:00 heroku[scheduler.8317]: Process exited with status 0',
      '2020-11-07T16:05:00.388100+00:00 app[scheduler.8317]: done',
    ].join('\n') + '\n')
    expect(r.events.sort(compareEvents).map(e => e.kind)).to.deep.equal(['output', 'exited', 'state'])
  })
})
