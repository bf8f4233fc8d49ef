// Clocks sharing one Postgres store, as on Heroku: one holds the lease and fires, a second stands
// by and takes over when the first exits (SIGTERM at the daily restart, or SIGKILL mid-burst), and
// no run is ever fired twice. The clocks run as users run them, against the emulator.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, parseJson} from '../helpers/cli.js'
import {type ClockProcess, startClock, stop} from '../helpers/clock.js'
import {sql, testDatabase} from '../helpers/postgres.js'
import {startTcpProxy} from '../helpers/tcp-proxy.js'

describe('triggers:clock on the Postgres store', function () {
  this.timeout(120_000)
  let emulator: Emulator
  let databaseUrl: string
  const clocks: ClockProcess[] = []

  /** each clock on a machine of its own: an empty disk, as a new clock dyno has */
  const machine = () => ({
    HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url,
    HEROKU_TRIGGERS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'pg-clock-')),
  })

  beforeEach(async () => {
    emulator = await startEmulator({stopGraceMs: 500})
    databaseUrl = await testDatabase()
    emulator.createApp({configVars: {DATABASE_URL: databaseUrl, HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}, name: 'pg-clock'})
  })

  afterEach(async () => {
    await Promise.all(clocks.splice(0).map(c => stop(c)))
    await emulator.stop()
  })

  const clock = () => {
    const c = startClock(machine(), ['--app', 'pg-clock'])
    clocks.push(c)
    return c
  }

  const create = async (...args: string[]) => {
    const result = await cli(['triggers:create', '--app', 'pg-clock', '--json', ...args], {env: machine()})
    expect(result.code, result.stderr).to.equal(0)
    return parseJson<{id: string}>(result)
  }

  /** the nominal time of every dyno the API was asked to create, per trigger */
  const fired = () => emulator.requests
    .filter(r => r.method === 'POST' && r.path === '/apps/pg-clock/dynos')
    .map(r => (r.body as {env: Record<string, string>}).env)
    .map(e => `${e.HEROKU_TRIGGER_ID}@${e.HEROKU_TRIGGER_NOMINAL_AT}`)

  const noDuplicates = () => {
    const all = fired()
    expect(all.length, all.join('\n')).to.equal(new Set(all).size)
  }

  it('a second clock stands by, and takes over within 5 s of the first one\'s exit (the daily restart)', async () => {
    await create('--name', 'tick', '--command', 'true', '--schedule', '* * * * * *')
    const first = clock()
    await first.waitFor(/at=fired/)
    const second = clock()
    await second.waitFor(/at=standby .*another clock holds the lease \(held by .* since /)
    const before = fired().length
    await new Promise(resolve => {
      setTimeout(resolve, 2000)
    })
    expect(second.lines.filter(l => l.includes('at=fired'))).to.deep.equal([]) // the standby fires nothing
    expect(fired().length).to.be.greaterThan(before) // while the first goes on firing
    // at most 3 connections a clock (Heroku's smallest plans allow 20): its pool and its lease
    const connections = await sql<{n: number; pid: string}>(databaseUrl, `SELECT substring(application_name from 'pid (\\d+)') AS pid, count(*)::int AS n
      FROM pg_stat_activity WHERE application_name LIKE 'heroku-triggers%' GROUP BY 1`)
    expect(connections.map(c => c.pid).sort()).to.deep.equal([String(first.child.pid), String(second.child.pid)].sort())
    for (const c of connections) expect(c.n).to.be.within(1, 3)
    first.child.kill('SIGTERM')
    const stoppedAt = Date.now()
    await first.exited
    await second.waitFor(/at=fired/, 10_000)
    expect(Date.now() - stoppedAt).to.be.lessThan(5000)
    noDuplicates()
  })

  it('a clock SIGKILLed mid-burst: the standby takes over, fires what was left, and nothing twice', async () => {
    // 30 triggers due in one second, a few seconds from now, written in one go (schedules as code)
    const due = new Date(Math.ceil((Date.now() + 9000) / 1000) * 1000)
    const cron = `${due.getUTCSeconds()} ${due.getUTCMinutes()} ${due.getUTCHours()} * * *`
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pg-burst-')), 'triggers.yml')
    writeFileSync(file, `version: 1\ntriggers:\n${Array.from({length: 30}, (_, i) => `  burst ${i}: {command: "true", schedule: "${cron}"}\n`).join('')}`)
    const applied = await cli(['triggers:apply', file, '--app', 'pg-clock'], {env: machine()})
    expect(applied.code, applied.stderr).to.equal(0)
    // the first clock may run 10 at once: 20 of the burst wait for room when it is killed
    const first = startClock(machine(), ['--app', 'pg-clock', '--max-dynos', '10'])
    clocks.push(first)
    await first.waitFor(/at=started/)
    const second = clock()
    await second.waitFor(/at=standby/)
    // kill the first as soon as its first create reaches the API: mid-burst
    const deadline = Date.now() + 20_000
    while (fired().length === 0 && Date.now() < deadline) await new Promise(resolve => {
      setImmediate(resolve)
    })
    first.child.kill('SIGKILL')
    await first.exited
    await second.waitFor(/at=started/, 10_000)
    const settle = Date.now() + 15_000
    while (new Set(fired()).size < 30 && Date.now() < settle) await new Promise(resolve => {
      setTimeout(resolve, 100)
    })
    expect(new Set(fired()).size, second.lines.join('\n')).to.equal(30)
    noDuplicates()
    // the first was stopped mid-burst: the second fired what it never launched
    expect(second.lines.filter(l => l.includes('at=fired')).length, second.lines.join('\n')).to.be.greaterThan(0)
    const rows = await sql<{n: number}>(databaseUrl, 'SELECT count(DISTINCT id)::int AS n FROM heroku_triggers.runs WHERE app = $1', ['pg-clock'])
    expect(rows[0].n).to.equal(30)
  })

  it('the database connection lost mid-run: the clock reconnects, takes the lease again and goes on, with no claimed run lost or fired twice', async () => {
    const proxy = await startTcpProxy(Number(new URL(databaseUrl).port))
    try {
      const viaProxy = new URL(databaseUrl)
      viaProxy.port = String(proxy.port)
      emulator.createApp({configVars: {DATABASE_URL: viaProxy.toString(), HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}, name: 'blip-clock'})
      const created = await cli(['triggers:create', '--app', 'blip-clock', '--name', 'tick', '--command', 'true', '--schedule', '* * * * * *'], {env: machine()})
      expect(created.code, created.stderr).to.equal(0)
      const running = startClock(machine(), ['--app', 'blip-clock'])
      clocks.push(running)
      await running.waitFor(/at=fired/)
      await new Promise(resolve => {
        setTimeout(resolve, 1500)
      })
      expect(proxy.cut()).to.be.greaterThan(0)
      const cutAt = Date.now()
      await running.waitFor(/at=lease-lost/, 10_000)
      const creates = () => emulator.requests.filter(r => r.method === 'POST' && r.path === '/apps/blip-clock/dynos' && r.at > cutAt)
      const deadline = Date.now() + 15_000
      while (creates().length < 3 && Date.now() < deadline) await new Promise(resolve => {
        setTimeout(resolve, 100)
      })
      expect(creates().length, running.lines.join('\n')).to.be.at.least(3) // firing again
      await stop(running)
      const all = emulator.requests.filter(r => r.method === 'POST' && r.path === '/apps/blip-clock/dynos').map(r => (r.body as {env: Record<string, string>}).env.HEROKU_TRIGGER_RUN_ID)
      expect(all.length, all.join('\n')).to.equal(new Set(all).size)
      // every run that reached the API is in the store
      const stored = new Set((await sql<{id: string}>(databaseUrl, 'SELECT id FROM heroku_triggers.runs WHERE app = $1', ['blip-clock'])).map(r => r.id))
      expect(all.filter(id => !stored.has(id))).to.deep.equal([])
    } finally {
      await proxy.close()
    }
  })

  it('a trigger created on another machine reaches the running clock within a second', async () => {
    const running = clock()
    await running.waitFor(/at=started/)
    await new Promise(resolve => {
      setTimeout(resolve, 1000)
    })
    // every second, so how long the create itself takes (a loaded machine) does not decide whether a due time is left
    const t = await create('--name', 'late', '--command', 'true', '--schedule', '* * * * * *')
    const created = Date.now()
    const line = await running.waitFor(new RegExp(`at=fired nominal=\\S+ .*trigger_id=${t.id.slice(0, 8)}`), 10_000)
    expect(line).to.match(/lag=\d+ms/)
    const nominal = Date.parse(/nominal=(\S+)/.exec(line)![1])
    expect(nominal - created, 'its first due second after the create returned').to.be.at.most(2000)
  })

  it('--once refuses while a clock holds the lease (exit 4), and works alone', async () => {
    await create('--name', 'daily', '--command', 'true', '--schedule', '@daily')
    const running = clock()
    await running.waitFor(/at=started/)
    const refused = await cli(['triggers:clock', '--app', 'pg-clock', '--once'], {env: machine()})
    expect(refused.code, refused.stderr).to.equal(4)
    expect(refused.stderr).to.match(/a clock for pg-clock is already running \(held by .*\)/)
    await stop(running)
    const alone = await cli(['triggers:clock', '--app', 'pg-clock', '--once'], {env: machine()})
    expect(alone.code, alone.stderr).to.equal(0)
  })
})
