// The clock against the Platform API emulator over real HTTP, run as a user runs it (bin/run.js).
// Schedules with a seconds field make real time fast enough to test.
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, parseJson} from '../helpers/cli.js'
import {type ClockProcess, startClock, stop} from '../helpers/clock.js'
import {cronAt, seedDefinitions} from '../helpers/store.js'

describe('triggers:clock against the emulator', function () {
  this.timeout(90_000)
  let emulator: Emulator
  let env: Record<string, string>
  const clocks: ClockProcess[] = []

  beforeEach(async () => {
    emulator = await startEmulator({stopGraceMs: 500})
    emulator.createApp({name: 'clock-app', procfile: {report: 'echo report done'}})
    env = {HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url, HEROKU_TRIGGERS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'clock-data-'))}
  })

  afterEach(async () => {
    await Promise.all(clocks.splice(0).map(c => stop(c)))
    await emulator.stop()
  })

  const create = async (...args: string[]) => {
    const result = await cli(['triggers:create', '--app', 'clock-app', '--json', ...args], {env})
    expect(result.code, result.stderr).to.equal(0)
    return parseJson<{id: string}>(result)
  }

  const clock = (...args: string[]) => {
    const c = startClock(env, ['--app', 'clock-app', ...args])
    clocks.push(c)
    return c
  }

  const dynoCreates = () => emulator.requests.filter(r => r.method === 'POST' && /\/apps\/clock-app\/dynos$/.test(r.path))

  it('fires a due trigger as a detached dyno named after the trigger, and records its outcome', async () => {
    const t = await create('--name', 'every2s', '--command', 'echo hi; exit 3', '--schedule', '*/2 * * * * *', '--size', 'basic', '--timeout', '120', '--env', 'MODE=test')
    const c = clock()
    const fired = await c.waitFor(/at=fired .*trigger=every2s/)
    expect(fired).to.match(/dyno=trigger-[\da-f]{8}\.\d+/).and.to.match(/lag=\d+ms/)
    await c.waitFor(/at=completed .*state=failed/)
    const [request] = dynoCreates()
    const body = request.body as Record<string, unknown>
    expect(body).to.include({attach: false, command: 'echo hi; exit 3', size: 'Basic', time_to_live: 120, type: `trigger-${t.id.replaceAll('-', '').slice(0, 8)}`})
    expect(body.env).to.include({HEROKU_TRIGGER_ID: t.id, MODE: 'test'})
    expect(await stop(c)).to.equal(0)
  })

  it('--once fires what is due and exits', async () => {
    await create('--name', 'every-second', '--command', 'true', '--schedule', '* * * * * *')
    await new Promise(resolve => setTimeout(resolve, 1100)) // a second boundary after the trigger was created
    const result = await cli(['triggers:clock', '--app', 'clock-app', '--once'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/at=fired .*trigger=every-second/)
    expect(dynoCreates()).to.have.length(1)
  })

  it('keeps one clock per app on this machine', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '*/3 * * * * *')
    const first = clock()
    await first.waitFor(/at=started/)
    const second = await cli(['triggers:clock', '--app', 'clock-app'], {env})
    expect(second.code).to.equal(4)
    expect(second.stderr).to.match(/already running/)
  })

  it('a clock killed with SIGKILL and restarted neither fires twice nor loses the due run', async () => {
    await create('--name', 'slow', '--command', 'sleep 1', '--schedule', '*/5 * * * * *', '--catch-up', '30s')
    const first = clock()
    await first.waitFor(/at=fired/)
    first.child.kill('SIGKILL')
    await first.exited
    const second = clock()
    await second.waitFor(/at=fired/, 15_000)
    await stop(second)
    const types = dynoCreates().map(r => (r.body as {env: Record<string, string>}).env.HEROKU_TRIGGER_NOMINAL_AT)
    expect(new Set(types).size, `nominal times fired: ${types.join(', ')}`).to.equal(types.length)
  })

  it('a new clock with an empty disk learns from the app what was already fired', async () => {
    await create('--name', 'daily-ish', '--command', 'true', '--schedule', '*/10 * * * * *', '--catch-up', '1m')
    const first = clock()
    await first.waitFor(/at=fired/)
    await stop(first)
    const fired = dynoCreates().length
    // a fresh data dir: like a new clock dyno after the daily restart
    env.HEROKU_TRIGGERS_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'clock-data-'))
    await create('--name', 'marker', '--command', 'true', '--schedule', '@yearly')
    const result = await cli(['triggers:clock', '--app', 'clock-app', '--once'], {env})
    expect(result.code, result.stderr).to.equal(0)
    expect(dynoCreates().length - fired, result.stdout).to.be.at.most(1)
    const nominals = dynoCreates().map(r => (r.body as {env: Record<string, string>}).env.HEROKU_TRIGGER_NOMINAL_AT)
    expect(new Set(nominals).size).to.equal(nominals.length)
  })

  it('stops firing at SIGTERM and exits within a few seconds', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '* * * * * *')
    const c = clock()
    await c.waitFor(/at=fired/)
    const sent = Date.now()
    c.child.kill('SIGTERM')
    expect(await c.exited).to.equal(0)
    expect(Date.now() - sent).to.be.below(5000)
    const after = dynoCreates().filter(r => r.at > sent + 50)
    expect(after).to.have.length(0)
  })

  it('retries 429 and 5xx answers, then fires', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '*/2 * * * * *', '--catch-up', '1m')
    const creates = /^POST \/apps\/[^/]+\/dynos$/
    emulator.faults.rateLimit({count: 2, match: creates})
    emulator.faults.serverError({count: 1, match: creates, status: 503})
    const c = clock()
    await c.waitFor(/at=fired/)
    expect(c.lines.some(l => /at=api-retry .*status=(429|503)/.test(l))).to.equal(true)
  })

  it('a dyno refused by the one-off limit is a run that failed to start, with exit status null', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '*/2 * * * * *')
    emulator.faults.aboveLimit({count: 1})
    const c = clock()
    await c.waitFor(/at=failed-to-start .*trigger=tick/)
    await stop(c)
    const runs = parseJson<Array<{exitStatus: null | number; state: string}>>(await cli(['runs', '--app', 'clock-app', '--json'], {env}))
    expect(runs.find(r => r.state === 'failed-to-start')).to.include({exitStatus: null})
  })

  it('a dyno that fails to launch (R99) is a run that failed to start', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '*/2 * * * * *')
    emulator.faults.launchFailure({count: 1})
    const c = clock()
    await c.waitFor(/at=completed .*state=failed-to-start/)
  })

  it('stops with a clear message when the API key is rejected', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '@hourly')
    const result = await cli(['triggers:clock', '--app', 'clock-app', '--once'], {env: {...env, HEROKU_API_KEY: 'wrong-key'}})
    expect(result.code).to.equal(6)
    expect(result.stderr).to.match(/rejected the API key/)
    expect(result.stderr + result.stdout).not.to.contain('wrong-key')
  })

  it('in maintenance mode passes HEROKU_MAINTENANCE_MODE=true, or records a skip when told to', async () => {
    emulator.createApp({maintenance: true, name: 'paused-app'})
    const inPaused = (...args: string[]) => cli(['triggers:create', '--app', 'paused-app', '--json', ...args], {env})
    expect((await inPaused('--name', 'runs-anyway', '--command', 'true', '--schedule', '*/2 * * * * *')).code).to.equal(0)
    expect((await inPaused('--name', 'polite', '--command', 'true', '--schedule', '*/2 * * * * *', '--maintenance', 'skip')).code).to.equal(0)
    const c = startClock(env, ['--app', 'paused-app'])
    clocks.push(c)
    await c.waitFor(/at=fired .*trigger=runs-anyway/)
    await c.waitFor(/at=skipped .*trigger=polite .*maintenance/)
    const create = emulator.requests.find(r => r.method === 'POST' && r.path === '/apps/paused-app/dynos')
    expect((create!.body as {env: Record<string, string>}).env).to.include({HEROKU_MAINTENANCE_MODE: 'true'})
  })

  it('triggers:run --tail does not hang when the exit line is lost, and never calls it a success', async () => {
    await create('--name', 'quiet', '--command', 'echo done', '--schedule', '@daily')
    emulator.faults.dropExitLine({count: 1})
    const result = await cli(['triggers:run', 'quiet', '--app', 'clock-app', '--tail'], {env, timeoutMs: 30_000})
    expect(result.stdout).to.contain('done')
    expect(result.code).to.equal(1)
    expect(result.stderr).to.match(/unknown/)
  })

  it('forbid skips a run while the previous one is still going, and records the skip', async () => {
    await create('--name', 'long', '--command', 'sleep 4', '--schedule', '*/2 * * * * *')
    const c = clock()
    await c.waitFor(/at=fired/)
    await c.waitFor(/at=skipped .*previous run still going/)
  })

  it('replace stops the running dyno, then fires', async () => {
    await create('--name', 'long', '--command', 'sleep 30', '--schedule', '*/3 * * * * *', '--concurrency', 'replace')
    const c = clock()
    await c.waitFor(/at=fired/)
    await c.waitFor(/at=stopped .*concurrency replace/)
    expect(emulator.requests.some(r => r.method === 'POST' && r.path.endsWith('/actions/stop'))).to.equal(true)
  })

  it('opens its connections before a burst, and each request carries its own Request-Id', async () => {
    // 20 triggers due in the same second, a few seconds from now (written straight to the store)
    const due = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000)
    seedDefinitions(path.join(env.HEROKU_TRIGGERS_DATA_DIR, 'apps', 'clock-app'), Array.from({length: 20}, (_, i) => ({name: `burst-${i}`, schedule: cronAt(due)})))
    const c = clock()
    await c.waitFor(/at=started/)
    for (let i = 0; i < 20; i++) await c.waitFor(new RegExp(`at=fired .*trigger=burst-${i} `), due.getTime() - Date.now() + 20_000)
    expect(dynoCreates()).to.have.length(20)
    expect(dynoCreates().every(r => r.at >= due.getTime()), 'no create before its nominal time').to.equal(true)
    expect(emulator.connections.filter(at => at >= due.getTime()), 'connections opened during the burst').to.deep.equal([])
    expect(emulator.connections.filter(at => at >= due.getTime() - 1500).length, 'connections opened just ahead of it').to.be.at.least(15)
    // @heroku-cli/command would add every earlier request's id to the header; the clock sends one
    const api = emulator.requests.filter(r => r.path !== '/stream') // the log stream is not a Platform API request
    expect(api.length).to.be.above(20)
    for (const r of api) expect(r.headers['request-id'], `${r.method} ${r.path}`).to.match(/^[\da-f-]{36}$/)
  })
})
