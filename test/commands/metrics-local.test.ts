// metrics on --local, as a user runs it: a history recorded through the store, then the command's
// --json, its charts at 80 and 200 columns without colour, the filter on every plot, and its errors.
import {expect} from 'chai'
import {mkdtempSync, realpathSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {MetricsJson} from '../../src/metrics/load.js'

import {localAppDataDir} from '../../src/context.js'
import {newRun, type Run} from '../../src/core/runs.js'
import {FileHistory} from '../../src/store/machine-store.js'
import {cli, oneLineError, parseJson} from '../helpers/cli.js'
import {seedDefinitions} from '../helpers/store.js'

const MIN = 60_000
const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
const date = (ms: number) => iso(ms).slice(0, 16).replace('T', ' ')
const ids = ['00000000-0000-4000-8000-000000000000', '00000001-0000-4000-8000-000000000000']

function run(t: number, start: number, ms: number, state: Run['state'], extra: Partial<Run> = {}): Run {
  const r = newRun('pending', {nominalAt: new Date(start - 1000), trigger: {command: t === 0 ? 'bin/report' : 'bin/sync', id: ids[t], size: 'Basic', timeout: 600}}, start - 1000)
  return {...r, dyno: `trigger-0000000${t}.${start % 10_000}`, endedAt: iso(start + ms), exitStatus: state === 'succeeded' ? 0 : 1, startedAt: iso(start), state, ...extra}
}

describe('metrics on --local', function () {
  this.timeout(60_000)
  let dataDir: string
  let project: string
  // a whole hour, two hours back, so the span is fixed whatever the time
  const hour = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR
  const metrics = (...args: string[]) => cli(['metrics', '--local', ...args], {cwd: project, env: {COLUMNS: '100', HEROKU_TRIGGERS_DATA_DIR: dataDir}})
  const span = ['--resolution', '10m', '--since', date(hour), '--until', date(hour + HOUR)]

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'metrics-data-'))
    project = realpathSync(mkdtempSync(path.join(tmpdir(), 'metrics-project-')))
    const dir = localAppDataDir(dataDir, project)
    seedDefinitions(dir, [{command: 'bin/report', name: 'report', schedule: '@hourly'}, {command: 'bin/sync', name: 'sync', schedule: '*/10 * * * *'}])
    const history = new FileHistory(path.join(dir, 'runs'))
    await history.appendMany([
      run(0, hour + MIN, 30_000, 'succeeded', {memoryQuotaMb: 512, peakLoad: 0.4, peakMemoryMb: 300}),
      run(1, hour + MIN + 10_000, 5000, 'failed'),
      run(1, hour + 12 * MIN, 8 * MIN, 'succeeded'), // ends exactly on 20m: counts in the bucket at 20m
      run(0, hour + 15 * MIN, 2 * MIN, 'failed', {memoryErrors: ['R14'], peakMemoryMb: 600}),
      {...run(1, hour + 55 * MIN, 0, 'failed-to-start'), dyno: null, startedAt: null},
    ], Date.now())
  })

  it('--json: every bucket of the span, each run where it ended, totals, and the filter applied to every plot', async () => {
    const all = parseJson<MetricsJson>(await metrics(...span, '--json'))
    expect(Object.keys(all)).to.deep.equal(['app', 'from', 'to', 'resolution', 'filter', 'buckets', 'totals'])
    expect(all).to.deep.include({app: 'local', filter: null, from: iso(hour), resolution: '10m', to: iso(hour + HOUR)})
    expect(all.buckets.map(b => b.at)).to.deep.equal(Array.from({length: 6}, (_, i) => iso(hour + i * 10 * MIN)))
    expect(Object.keys(all.buckets[0])).to.deep.equal(['at', 'throughput', 'durationMs', 'concurrency', 'memoryMb', 'memoryErrors', 'load'])
    expect(all.buckets.map(b => b.throughput.succeeded + b.throughput.failed + b.throughput.failedToStart)).to.deep.equal([2, 1, 1, 0, 0, 1])
    expect(all.buckets[0]).to.deep.include({concurrency: {avg: 0.06, max: 2}, load: {max: 0.4}, memoryMb: {max: 300, quota: 512}})
    expect(all.buckets[0].durationMs).to.deep.equal({avg: 17_500, count: 2, max: 30_000, min: 5000, p50: 5000, p95: 30_000})
    expect(all.buckets[1].memoryErrors).to.deep.equal({r14: 1, r15: 0})
    // a percentile between the extremes is read from a log histogram: within 1 % (30,000 → 29,987)
    expect(all.totals).to.deep.equal({
      concurrency: {max: 2}, durationMs: {avg: 158_750, count: 4, max: 480_000, min: 5000, p50: 29_987, p95: 480_000}, runs: 5, successRate: 0.4,
      throughput: {failed: 2, failedToStart: 1, interrupted: 0, succeeded: 2, unknown: 0},
    })

    const failed = parseJson<MetricsJson>(await metrics(...span, '--json', '--filter', 'state:failed -command:sync'))
    expect(failed.filter).to.equal('state:failed -command:sync')
    expect(failed.totals.throughput).to.deep.equal({failed: 1, failedToStart: 0, interrupted: 0, succeeded: 0, unknown: 0})
    expect(failed.buckets.map(b => b.concurrency.max)).to.deep.equal([0, 1, 0, 0, 0, 0])
    expect(failed.buckets.map(b => b.durationMs.count)).to.deep.equal([0, 1, 0, 0, 0, 0])
    expect(failed.buckets.map(b => b.memoryMb.max)).to.deep.equal([null, 600, null, null, null, null])

    const sync = parseJson<MetricsJson>(await metrics(...span, '--json', '--trigger', 'sync'))
    expect(sync.totals.runs).to.equal(3)
    expect(sync.buckets.map(b => b.concurrency.max)).to.deep.equal([1, 1, 0, 0, 0, 0]) // a dyno that exited on 20m was not running in it
  })

  for (const width of [80, 200]) {
    it(`draws every plot within ${width} columns, without colour when not a terminal`, async () => {
      const result = await cli(['metrics', '--local', ...span], {cwd: project, env: {COLUMNS: String(width), HEROKU_TRIGGERS_DATA_DIR: dataDir}})
      expect(result.code, result.stderr).to.equal(0)
      const lines = result.stdout.trimEnd().split('\n')
      expect(result.stdout).not.to.match(/\u001B\[/)
      for (const line of lines) expect([...line].length, line).to.be.at.most(width)
      expect(lines[0]).to.equal('local: 5 runs, 40.0% succeeded, p95 8.0m, peak 2 at once')
      expect(lines).to.include.members(['Throughput', 'Events (· requested  [ starting  ] exit  T SIGTERM  K SIGKILL  M R14/R15)', 'Memory and load'])
      const failedRow = lines.find(l => l.startsWith('failed    '))!
      expect(failedRow).to.match(/^failed {10}[ ▁-█]+ 2$/)
      expect(lines.some(l => l.startsWith('trigger-00000001.'))).to.equal(true)
    })
  }

  it('triggers --json gives each trigger its last run; triggers:info its recent runs and 7-day stats', async () => {
    const env = {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}}
    const listed = parseJson<Array<{lastRun: unknown; name: string}>>(await cli(['triggers', '--local', '--json'], env))
    expect(listed.map(t => [t.name, t.lastRun])).to.deep.equal([
      ['report', {endedAt: iso(hour + 17 * MIN), exitStatus: 1, id: `${ids[0]}@${iso(hour + 15 * MIN - 1000)}`, state: 'failed'}],
      ['sync', {endedAt: iso(hour + 55 * MIN), exitStatus: 1, id: `${ids[1]}@${iso(hour + 55 * MIN - 1000)}`, state: 'failed-to-start'}],
    ])
    const table = await cli(['triggers', '--local'], env)
    expect(table.stdout).to.match(/Last run/).and.to.match(/failed \(exit 1\)/)
    const info = parseJson<{recentRuns: Array<{id: string; state: string}>; stats: unknown}>(await cli(['triggers:info', 'report', '--local', '--json'], env))
    expect(info.recentRuns.map(r => r.state)).to.deep.equal(['failed', 'succeeded'])
    expect(info.stats).to.deep.equal({p95DurationMs: 120_000, runs: 2, successRate: 0.5})
    const human = await cli(['triggers:info', 'report', '--local'], env)
    expect(human.stdout).to.contain('Last 7 days: 2 runs, 50.0% succeeded, p95 2m00s')
  })

  it('--plot shows only the plots named', async () => {
    const result = await metrics(...span, '--plot', 'throughput')
    expect(result.stdout).to.contain('Throughput')
    expect(result.stdout).not.to.contain('Concurrency')
    expect(result.stdout).not.to.contain('Execution time')
  })

  it('says what is wrong in one line: --watch without a terminal, a bad resolution, a bad plot (exit 2)', async () => {
    oneLineError(await metrics('--watch'), 2, /--watch needs a terminal/)
    oneLineError(await metrics('--resolution', '5m'), 2, /invalid --resolution "5m": use one of 1m, 10m, 30m, 1h/)
    oneLineError(await metrics('--plot', 'pie'), 2, /invalid --plot "pie"/)
  })

  it('hints at log-runtime-metrics when there are no samples', async () => {
    const result = await metrics('--resolution', '1m', '--since', date(hour + 30 * MIN), '--until', date(hour + 40 * MIN), '--plot', 'memory')
    expect(result.stdout).to.contain('heroku labs:enable log-runtime-metrics')
  })
})
