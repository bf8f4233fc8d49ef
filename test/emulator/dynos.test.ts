// One-off dynos really run: the lifecycle lines, exit statuses, env, Procfile types, TTL, stop,
// SIGTERM → SIGKILL, concurrency limits, visibility after completion, Scheduler runs.
import {expect} from 'chai'
import {mkdtempSync, readFileSync, realpathSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {api, dynoMessages, eventually, runDyno} from './helpers.js'
import {type Emulator, startEmulator} from './index.js'

/** a process that exists and is not a zombie waiting for init to reap it */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

const TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00`

describe('emulator: dynos', () => {
  let emulator: Emulator
  let dir: string

  before(async () => {
    emulator = await startEmulator({stopGraceMs: 300, timeToLiveUnitMs: 100})
    dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'emulated-dir-')))
    emulator.createApp({
      configVars: {GREETING: 'hello', SECRET: 's3cret'},
      dir,
      name: 'dyno-app',
      procfile: {report: 'echo report for', web: 'node server.js'},
      schedulerJobs: [{at: 0, command: 'echo scheduled; exit 4', dynoSize: 'Standard-2X', every: 10}],
      sizeTier: 'standard',
    })
    emulator.createApp({name: 'eco-app', sizeTier: 'eco'})
  })

  after(async () => {
    await emulator.stop()
  })

  afterEach(() => emulator.reset())

  it('answers 201 with the dyno, then runs it: Heroku lifecycle lines in order, output as app[run.N]', async () => {
    const created = await api(emulator, 'POST', '/apps/dyno-app/dynos', {attach: false, command: 'echo hi; echo oops >&2', env: {TERM: 'xterm-256color'}, size: 'standard-2x'})
    expect(created.status).to.equal(201)
    expect(created.headers.get('content-type')).to.equal('application/json')
    const dyno = created.body
    expect(dyno).to.include({attach_url: null, command: 'echo hi; echo oops >&2', size: 'Standard-2X', state: 'starting', type: 'run'})
    expect(dyno.name).to.match(/^run\.\d+$/)
    expect(dyno.id).to.match(/^[\da-f-]{36}$/)
    expect(dyno.app).to.deep.equal({id: emulator.app('dyno-app')!.id, name: 'dyno-app'})
    expect(dyno.release.version).to.equal(1)
    expect(await emulator.waitForDyno('dyno-app', dyno.name)).to.equal(0)
    const n = dyno.name.replace('.', String.raw`\.`)
    const lines = emulator.logLines('dyno-app').filter(l => l.includes(dyno.name) || l.includes('app[api]'))
    const expected = [
      new RegExp(`^${TS} app\\[api\\]: Starting process with command \`echo hi; echo oops >&2\` by user dev@example\\.com$`),
      new RegExp(`^${TS} heroku\\[${n}\\]: Starting process with command \`echo hi; echo oops >&2\`$`),
      new RegExp(`^${TS} heroku\\[${n}\\]: State changed from starting to up$`),
      new RegExp(`^${TS} app\\[${n}\\]: hi$`),
      new RegExp(`^${TS} app\\[${n}\\]: oops$`),
      new RegExp(`^${TS} heroku\\[${n}\\]: Process exited with status 0$`),
      new RegExp(`^${TS} heroku\\[${n}\\]: State changed from up to complete$`),
    ]
    expect(lines).to.have.length(expected.length)
    for (const [i, re] of expected.entries()) expect(lines[i]).to.match(re)
    const stamps = lines.map(l => l.slice(0, 26))
    expect(stamps).to.deep.equal([...stamps].sort())
  })

  it('gives the exit status of the command: exit 3 is 3', async () => {
    const {dyno, status} = await runDyno(emulator, 'dyno-app', {command: 'exit 3'})
    expect(status).to.equal(3)
    expect(dynoMessages(emulator, 'dyno-app', dyno.name).slice(-2)).to.deep.equal(['Process exited with status 3', 'State changed from up to complete'])
    expect(emulator.dynos('dyno-app').find(d => d.name === dyno.name)).to.include({exitStatus: 3, state: 'complete'})
  })

  it('runs in the app dir with config vars, the request env (numbers too), DYNO and PORT', async () => {
    const {dyno} = await runDyno(emulator, 'dyno-app', {command: 'echo "$GREETING $COLUMNS $EXTRA $DYNO $PORT $(pwd)"', env: {COLUMNS: 80, EXTRA: 'x'}})
    const output = dynoMessages(emulator, 'dyno-app', dyno.name).find(m => m.startsWith('hello'))
    expect(output).to.match(new RegExp(`^hello 80 x ${dyno.name.replace('.', String.raw`\.`)} \\d{4,5} ${dir}$`))
  })

  it('logs the command with config vars expanded on the heroku[...] line, as the Common Runtime does', async () => {
    const {dyno} = await runDyno(emulator, 'dyno-app', {command: 'echo $GREETING'})
    expect(dynoMessages(emulator, 'dyno-app', dyno.name)[0]).to.equal('Starting process with command `echo hello`')
  })

  it('substitutes a Procfile process type with its command plus arguments', async () => {
    const {dyno} = await runDyno(emulator, 'dyno-app', {command: 'report 2024-01', type: 'worker'})
    expect(dyno.name).to.match(/^worker\.\d+$/)
    expect(dyno.command).to.equal('report 2024-01')
    const messages = dynoMessages(emulator, 'dyno-app', dyno.name)
    expect(messages[0]).to.equal('Starting process with command `echo report for 2024-01`')
    expect(messages).to.include('report for 2024-01')
  })

  it('splits output lines over 10,000 bytes', async () => {
    const {dyno} = await runDyno(emulator, 'dyno-app', {command: String.raw`node -e "process.stdout.write('a'.repeat(25000) + '\n')"`})
    const pieces = dynoMessages(emulator, 'dyno-app', dyno.name).filter(m => /^a+$/.test(m))
    expect(pieces.map(p => p.length)).to.deep.equal([10_000, 10_000, 5000])
  })

  it('lists running dynos and answers GET by name or id; a finished one-off is 404 by default', async () => {
    const created = await api(emulator, 'POST', '/apps/dyno-app/dynos', {command: 'sleep 5'})
    const {id, name} = created.body
    await emulator.waitForLine('dyno-app', new RegExp(`heroku\\[${name}\\]: State changed from starting to up`))
    const list = await api(emulator, 'GET', '/apps/dyno-app/dynos')
    expect(list.body.map((d: {name: string}) => d.name)).to.include(name)
    expect((await api(emulator, 'GET', `/apps/dyno-app/dynos/${name}`)).body).to.include({id, state: 'up'})
    expect((await api(emulator, 'GET', `/apps/dyno-app/dynos/${id}`)).body.name).to.equal(name)
    expect((await api(emulator, 'POST', `/apps/dyno-app/dynos/${name}/actions/stop`)).body).to.deep.equal({})
    expect(await emulator.waitForDyno('dyno-app', name)).to.equal(143)
    const gone = await api(emulator, 'GET', `/apps/dyno-app/dynos/${name}`)
    expect(gone.status).to.equal(404)
    expect(gone.body.id).to.equal('not_found')
  })

  it('actions/stop: State changed from up to complete, then SIGTERM, then status 143', async () => {
    const created = await api(emulator, 'POST', '/apps/dyno-app/dynos', {command: 'sleep 5'})
    const {name} = created.body
    await emulator.waitForLine('dyno-app', new RegExp(`heroku\\[${name}\\]: State changed from starting to up`))
    await api(emulator, 'POST', `/apps/dyno-app/dynos/${name}/actions/stop`)
    expect(await emulator.waitForDyno('dyno-app', name)).to.equal(143)
    expect(dynoMessages(emulator, 'dyno-app', name).slice(2)).to.deep.equal([
      'State changed from up to complete',
      'Stopping all processes with SIGTERM',
      'Process exited with status 143',
    ])
  })

  it('enforces time_to_live: SIGTERM and status 143 when it expires', async () => {
    const started = Date.now()
    const {dyno, status} = await runDyno(emulator, 'dyno-app', {command: 'sleep 10', time_to_live: 2})
    expect(status).to.equal(143)
    expect(Date.now() - started).to.be.within(150, 3000)
    expect(dynoMessages(emulator, 'dyno-app', dyno.name).slice(2)).to.deep.equal([
      'Stopping all processes with SIGTERM',
      'Process exited with status 143',
      'State changed from up to complete',
    ])
  })

  it('SIGKILLs a process that ignores SIGTERM after the grace: R12, SIGKILL, status 137', async () => {
    const started = Date.now()
    const {dyno, status} = await runDyno(emulator, 'dyno-app', {command: "trap '' TERM; sleep 30", time_to_live: 1})
    expect(status).to.equal(137)
    expect(Date.now() - started).to.be.within(100 + 300, 5000)
    expect(dynoMessages(emulator, 'dyno-app', dyno.name).slice(2)).to.deep.equal([
      'Stopping all processes with SIGTERM',
      'Error R12 (Exit timeout) -> Process failed to exit within 0.3 seconds of SIGTERM',
      'Stopping process with SIGKILL',
      'Process exited with status 137',
      'State changed from up to complete',
    ])
  })

  it('kills the whole process group, background children included', async () => {
    const {dyno, status} = await runDyno(emulator, 'dyno-app', {command: 'sleep 30 & echo $! ; wait', time_to_live: 1})
    expect(status).to.equal(143)
    const child = Number(dynoMessages(emulator, 'dyno-app', dyno.name).find(m => /^\d+$/.test(m)))
    await eventually(() => !alive(child), 3000, `child ${child} gone`)
  })

  it('refuses time_to_live over 86400 with 422 invalid_params, and a missing command', async () => {
    const ttl = await api(emulator, 'POST', '/apps/dyno-app/dynos', {command: 'true', time_to_live: 86_401})
    expect(ttl.status).to.equal(422)
    expect(ttl.body.id).to.equal('invalid_params')
    expect(ttl.body.message).to.contain('86400')
    const none = await api(emulator, 'POST', '/apps/dyno-app/dynos', {size: 'basic'})
    expect(none.status).to.equal(422)
    expect(none.body.id).to.equal('invalid_params')
    const size = await api(emulator, 'POST', '/apps/dyno-app/dynos', {command: 'true', size: 'gigantic-9x'})
    expect(size.status).to.equal(422)
  })

  it('enforces the one-off limit of the size tier: eco runs one at a time (422 cannot_run_above_limit)', async () => {
    const first = await api(emulator, 'POST', '/apps/eco-app/dynos', {command: 'sleep 5'})
    expect(first.status).to.equal(201)
    expect(first.body.size).to.equal('Eco')
    const second = await api(emulator, 'POST', '/apps/eco-app/dynos', {command: 'true'})
    expect(second.status).to.equal(422)
    expect(second.body).to.deep.equal({
      id: 'cannot_run_above_limit',
      limit: 1,
      message: 'Cannot run more than 1 Eco size dynos.',
      size: 1,
      url: 'https://devcenter.heroku.com/articles/dyno-size#default-scaling-limits',
    })
    await api(emulator, 'POST', `/apps/eco-app/dynos/${first.body.name}/actions/stop`)
    await emulator.waitForDyno('eco-app', first.body.name)
    const third = await api(emulator, 'POST', '/apps/eco-app/dynos', {command: 'true'})
    expect(third.status).to.equal(201)
    await emulator.waitForDyno('eco-app', third.body.name)
  })

  it('restart (DELETE) stops a run one-off, is ignored by a custom-type one-off, and restarts formation dynos', async () => {
    const run = await api(emulator, 'POST', '/apps/dyno-app/dynos', {command: 'sleep 5'})
    const custom = await api(emulator, 'POST', '/apps/dyno-app/dynos', {command: 'sleep 5', type: 'test'})
    await emulator.waitForLine('dyno-app', new RegExp(`heroku\\[${custom.body.name}\\]: State changed from starting to up`))
    await emulator.waitForLine('dyno-app', new RegExp(`heroku\\[${run.body.name}\\]: State changed from starting to up`))
    expect((await api(emulator, 'DELETE', `/apps/dyno-app/dynos/${run.body.name}`)).body).to.deep.equal({})
    expect((await api(emulator, 'DELETE', `/apps/dyno-app/dynos/${custom.body.name}`)).body).to.deep.equal({})
    expect(await emulator.waitForDyno('dyno-app', run.body.name)).to.equal(143)
    expect((await api(emulator, 'GET', `/apps/dyno-app/dynos/${custom.body.name}`)).body.state).to.equal('up')
    await api(emulator, 'POST', `/apps/dyno-app/dynos/${custom.body.name}/actions/stop`)
    expect(await emulator.waitForDyno('dyno-app', custom.body.name)).to.equal(143)
  })

  it('keeps a finished one-off visible for completedDynoVisibleMs when asked', async () => {
    const other = await startEmulator({completedDynoVisibleMs: 60_000})
    try {
      other.createApp({name: 'visible'})
      const {dyno} = await runDyno(other, 'visible', {command: 'true'})
      const reply = await api(other, 'GET', `/apps/visible/dynos/${dyno.name}`)
      expect(reply.status).to.equal(200)
      expect(reply.body.state).to.equal('down')
    } finally {
      await other.stop()
    }
  })

  it('with launchDelayMs, a dyno stays starting until its process starts; a stop meanwhile ends it without a process', async () => {
    const other = await startEmulator({launchDelayMs: 300})
    try {
      other.createApp({name: 'slow-start'})
      const created = await api(other, 'POST', '/apps/slow-start/dynos', {command: 'echo started'})
      expect((await api(other, 'GET', `/apps/slow-start/dynos/${created.body.name}`)).body.state).to.equal('starting')
      expect(dynoMessages(other, 'slow-start', created.body.name)).to.deep.equal([])
      expect(await other.waitForDyno('slow-start', created.body.name)).to.equal(0)
      const stopped = await api(other, 'POST', '/apps/slow-start/dynos', {command: 'echo never'})
      await api(other, 'POST', `/apps/slow-start/dynos/${stopped.body.name}/actions/stop`)
      expect(await other.waitForDyno('slow-start', stopped.body.name)).to.equal(143)
      expect(dynoMessages(other, 'slow-start', stopped.body.name)).to.deep.equal([
        'State changed from starting to complete',
        'Stopping all processes with SIGTERM',
        'Process exited with status 143',
      ])
    } finally {
      await other.stop()
    }
  })

  it('runs a Scheduler job as the add-on does: scheduler.N, by user scheduler@addons.heroku.com, TTL of its interval', async () => {
    const app = emulator.app('dyno-app')!
    const [job] = app.schedulerJobs
    const dyno = app.runSchedulerJob(job.id)
    expect(dyno.name).to.match(/^scheduler\.\d+$/)
    expect(dyno).to.include({size: 'Standard-2X', timeToLive: 600, type: 'scheduler'})
    expect(await emulator.waitForDyno('dyno-app', dyno.name)).to.equal(4)
    await emulator.waitForLine('dyno-app', /app\[api\]: Starting process with command `echo scheduled; exit 4` by user scheduler@addons\.heroku\.com$/)
    expect(app.schedulerJobs[0].ranAt).to.be.instanceOf(Date)
  })

  it('stop() kills every dyno process and closes the server without hanging', async () => {
    const other = await startEmulator({stopGraceMs: 60_000})
    other.createApp({name: 'doomed'})
    const created = await api(other, 'POST', '/apps/doomed/dynos', {command: "trap '' TERM; sleep 60"})
    await other.waitForLine('doomed', /State changed from starting to up/)
    const {pid} = other.dynos('doomed')[0]
    expect(pid).to.be.a('number')
    const started = Date.now()
    await other.stop()
    expect(Date.now() - started).to.be.below(3000)
    await eventually(() => !alive(pid as number), 2000, 'the dyno process gone')
    expect(created.status).to.equal(201)
    let refused = false
    await fetch(`${other.url}/account`).catch(() => {
      refused = true
    })
    expect(refused).to.equal(true)
  })
})
