// runs and runs:info on a Heroku app: the Platform API emulator over real HTTP, each command run as
// a user runs it (bin/run.js on dist). The runs come from dynos the emulator really ran: started
// outside the plugin (heroku run:detached, Heroku Scheduler), by triggers:run, and with the
// platform's faults (lines out of order, a lost exit line, R15). runs-local.test.ts is the --local twin.
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {api} from '../emulator/helpers.js'
import {type Emulator, type EmulatorOptions, startEmulator} from '../emulator/index.js'
import {cli, type CliResult, parseJson} from '../helpers/cli.js'

const APP = 'runs-app'

interface RunJson {
  command: null | string
  dyno: null | string
  durationMs: null | number
  endedAt: null | string
  exitStatus: null | number
  id: string
  memoryQuotaMb: null | number
  peakMemoryMb: null | number
  reason: null | string
  requestedAt: null | string
  source: string
  startedAt: null | string
  state: string
  trigger: null | string
  triggerId: null | string
}

interface RunInfoJson extends RunJson {
  advice: string[]
  lines: string[]
  memoryErrors: string[]
}

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `runs-heroku-${prefix}-`))
}

function ok(result: CliResult): CliResult {
  expect(result.code, `exit ${result.code}\n${result.stderr}`).to.equal(0)
  return result
}

describe('runs and runs:info on a Heroku app (the Platform API emulator)', function () {
  this.timeout(60_000)
  let emulator: Emulator
  let env: Record<string, string | undefined>

  async function start(options: EmulatorOptions = {}): Promise<void> {
    emulator = await startEmulator({stopGraceMs: 500, ...options})
    env = {
      HEROKU_API_KEY: emulator.apiKey,
      HEROKU_APP: undefined,
      HEROKU_HOST: emulator.url,
      HEROKU_PARTICLEBOARD_URL: emulator.url,
      HEROKU_TRIGGERS_DATA_DIR: tmp('data'),
      HOME: tmp('home'),
    }
  }

  afterEach(async () => {
    await emulator?.stop()
  })

  const run = (...args: string[]) => cli(args, {env})
  const runsJson = async (...args: string[]) => parseJson<RunJson[]>(ok(await run('runs', '--app', APP, '--json', ...args)))
  const byDyno = (runs: RunJson[], dyno: string) => {
    const found = runs.filter(r => r.dyno === dyno)
    expect(found, `runs of ${dyno} in ${JSON.stringify(runs.map(r => r.dyno))}`).to.have.length(1)
    return found[0]
  }

  /** POST /apps/:app/dynos as heroku run:detached does, then waits for the dyno to finish */
  async function detached(command: string, type?: string): Promise<string> {
    const created = await api(emulator, 'POST', `/apps/${APP}/dynos`, {attach: false, command, ...(type ? {type} : {})})
    expect(created.status, JSON.stringify(created.body)).to.equal(201)
    await emulator.waitForDyno(APP, created.body.name, 15_000)
    return created.body.name as string
  }

  /** runs Heroku Scheduler's job now, as the add-on does (a scheduler.N dyno), and waits for it */
  async function schedulerRun(): Promise<string> {
    const app = emulator.app(APP)!
    const dyno = app.runSchedulerJob(app.schedulerJobs[0].id)
    await emulator.waitForDyno(APP, dyno.name, 15_000)
    return dyno.name
  }

  /** the lines of a run:detached dyno that succeeded `hoursAgo`, written straight into the app's log */
  function pastRun(dyno: string, command: string, hoursAgo: number): void {
    const at = Date.now() - hoursAgo * 3_600_000
    const lines: Array<[string, null | string, string]> = [
      ['app', 'api', `Starting process with command \`${command}\` by user dev@example.com`],
      ['heroku', dyno, `Starting process with command \`${command}\``],
      ['heroku', dyno, 'State changed from starting to up'],
      ['app', dyno, 'done long ago'],
      ['heroku', dyno, 'Process exited with status 0'],
      ['heroku', dyno, 'State changed from up to complete'],
    ]
    for (const [i, [source, ps, message]] of lines.entries()) emulator.appendLog(APP, source, ps, message, new Date(at + i * 200))
  }

  it('--json prints [] and the table says so when the app has no runs', async () => {
    await start()
    emulator.createApp({name: APP})
    const [json, human] = await Promise.all([run('runs', '--app', APP, '--json'), run('runs', '--app', APP)])
    expect(parseJson(ok(json))).to.deep.equal([])
    expect(ok(human).stdout.trim()).to.equal(`No runs on ${APP}.`)
  })

  it('dynos of heroku run:detached and of Heroku Scheduler are runs, with their real exit status and source', async () => {
    await start()
    emulator.createApp({name: APP, schedulerJobs: [{at: 0, command: 'echo scheduled', every: 10}]})
    const runDyno = await detached('echo detached; exit 3')
    const schedulerDyno = await schedulerRun()
    const typed = await detached('echo typed', 'scheduler')
    const [runs, table] = await Promise.all([runsJson(), run('runs', '--app', APP)])
    expect(runs).to.have.length(3)
    expect(byDyno(runs, runDyno)).to.include({command: 'echo detached; exit 3', exitStatus: 3, reason: null, source: 'run', state: 'failed', trigger: null, triggerId: null})
    expect(byDyno(runs, schedulerDyno)).to.include({command: 'echo scheduled', exitStatus: 0, source: 'scheduler', state: 'succeeded', trigger: 'Heroku Scheduler', triggerId: null})
    expect(byDyno(runs, typed)).to.include({command: 'echo typed', exitStatus: 0, source: 'scheduler', state: 'succeeded'})
    for (const r of runs) {
      // started, ended, and the request time from the app[api] announcement
      expect(r.requestedAt, r.dyno!).to.be.a('string')
      expect(Date.parse(r.startedAt!)).to.be.at.least(Date.parse(r.requestedAt!))
      expect(Date.parse(r.endedAt!)).to.be.at.least(Date.parse(r.startedAt!))
    }

    // newest first
    expect(runs.map(r => r.dyno)).to.deep.equal([typed, schedulerDyno, runDyno])
    const rows = ok(table).stdout.split('\n')
    expect(rows.find(l => l.includes(runDyno))).to.match(/echo detached; exit 3\s+run\.\d+\s+failed\s+3\b/)
    expect(rows.find(l => l.includes(schedulerDyno))).to.match(/Heroku Scheduler\s+scheduler\.\d+\s+succeeded\s+0\b/)
  })

  it('a run whose complete line comes before its exit line has the exit line\'s outcome', async () => {
    await start()
    emulator.createApp({name: APP})
    emulator.faults.outOfOrder({count: 2})
    const good = await detached('echo fine')
    const bad = await detached('echo broken; exit 4')
    // the fault really reordered them: `complete` is delivered first
    for (const dyno of [good, bad]) {
      const mine = emulator.logLines(APP).filter(l => l.includes(`heroku[${dyno}]`))
      expect(mine.findIndex(l => l.endsWith('State changed from up to complete'))).to.be.below(mine.findIndex(l => l.includes('Process exited with status')))
    }

    const runs = await runsJson()
    expect(byDyno(runs, good)).to.include({exitStatus: 0, state: 'succeeded'})
    expect(byDyno(runs, bad)).to.include({exitStatus: 4, reason: null, state: 'failed'})
  })

  it('a run whose exit line is lost is unknown once its dyno is gone, never succeeded; runs:info says why', async () => {
    await start()
    emulator.createApp({name: APP})
    emulator.faults.dropExitLine()
    const dyno = await detached('echo quiet')
    expect(emulator.logLines(APP).some(l => l.includes(`heroku[${dyno}]: Process exited`))).to.equal(false)
    const [runs, info] = await Promise.all([runsJson(), run('runs:info', dyno, '--app', APP, '--json')])
    expect(byDyno(runs, dyno)).to.include({exitStatus: null, reason: 'exit line missing', state: 'unknown'})
    const details = parseJson<RunInfoJson>(ok(info))
    expect(details).to.include({dyno, state: 'unknown'})
    expect(details.advice.join(' ')).to.match(/exit line never arrived/)
    expect(details.lines.join('\n')).to.contain('State changed from up to complete').and.not.to.contain('Process exited')
  })

  it('a finished dyno the API still lists as down settles a lost exit line too; a dyno still up is running', async () => {
    await start({completedDynoVisibleMs: 60_000})
    emulator.createApp({name: APP})
    emulator.faults.dropExitLine()
    const quiet = await detached('echo quiet')
    const created = await api(emulator, 'POST', `/apps/${APP}/dynos`, {attach: false, command: 'sleep 30'})
    const busy = created.body.name as string
    await emulator.waitForLine(APP, new RegExp(`heroku\\[${busy.replace('.', String.raw`\.`)}\\]: State changed from starting to up`), 5000)
    const listed = await api(emulator, 'GET', `/apps/${APP}/dynos`)
    expect(listed.body.map((d: {name: string; state: string}) => `${d.name} ${d.state}`)).to.include.members([`${quiet} down`, `${busy} up`])
    const runs = await runsJson()
    expect(byDyno(runs, quiet)).to.include({exitStatus: null, reason: 'exit line missing', state: 'unknown'})
    expect(byDyno(runs, busy)).to.include({exitStatus: null, endedAt: null, state: 'running'})
  })

  it('R15 gives interrupted with exit 137; runs:info shows the peak memory and advice about memory', async () => {
    await start()
    emulator.createApp({name: APP, runtimeMetrics: true})
    emulator.faults.memory({app: APP, kind: 'R15'})
    const dyno = await detached('sleep 30')
    const runs = await runsJson()
    const r15 = byDyno(runs, dyno)
    expect(r15).to.include({exitStatus: 137, memoryQuotaMb: 512, reason: 'R15', state: 'interrupted'})
    // the sample at the kill: about twice the quota
    expect(r15.peakMemoryMb).to.be.within(1000, 1100)
    const [human, json] = await Promise.all([run('runs:info', dyno, '--app', APP), run('runs:info', r15.id, '--app', APP, '--json')])
    const text = ok(human).stdout
    expect(text).to.match(/Exit status:\s+137/).and.to.match(/Reason:\s+R15/)
    expect(text).to.match(/Peak memory:\s+10\d\d\.\d MB of 512 MB \(R15\)/)
    expect(text).to.contain('Error R15 (Memory quota vastly exceeded)').and.to.contain('Stopping process with SIGKILL').and.to.contain('sample#memory_total=')
    expect(text).to.match(/What to do[\s\S]*R15: .*memory.*--size/)
    const details = parseJson<RunInfoJson>(ok(json))
    expect(details).to.include({dyno, exitStatus: 137, state: 'interrupted'})
    expect(details.memoryErrors).to.deep.equal(['R15'])
    expect(details.advice.join(' ')).to.match(/memory/).and.not.to.match(/SIGTERM/)
  })

  it('a run fired by triggers:run shows the trigger\'s name; --trigger, --filter, --since and --limit select runs', async () => {
    await start()
    emulator.createApp({name: APP, schedulerJobs: [{at: 0, command: 'echo scheduled', every: 10}]})
    pastRun('run.4242', 'echo long ago', 3)
    ok(await run('triggers:create', '--app', APP, '--name', 'nightly', '--command', 'echo from trigger', '--schedule', '@daily'))
    const failed = await detached('echo detached; exit 3')
    const scheduled = await schedulerRun()
    const fired = parseJson<{dyno: string}>(ok(await run('triggers:run', 'nightly', '--app', APP, '--json')))
    expect(fired.dyno).to.match(/^trigger-[\da-f]{8}\.\d+$/)
    await emulator.waitForDyno(APP, fired.dyno, 15_000)

    const query = (...args: string[]) => runsJson(...args)
    const dynos = (runs: RunJson[]) => runs.map(r => r.dyno)
    const [all, mine, onlyFailed, notSucceeded, schedulerType, byName, since2h, since4h, sinceDate, limited, unknownTrigger] = await Promise.all([
      query(),
      query('--trigger', 'nightly'),
      query('--filter', 'state:failed'),
      query('--filter', '-state:succeeded'),
      query('--filter', 'type:scheduler'),
      query('--filter', 'name:nightly'),
      query('--since', '2h'),
      query('--since', '4h'),
      query('--since', new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)),
      query('--limit', '2'),
      run('runs', '--app', APP, '--trigger', 'no-such-trigger', '--json'),
    ])
    expect(dynos(all)).to.deep.equal([fired.dyno, scheduled, failed, 'run.4242'])
    expect(byDyno(all, fired.dyno)).to.include({exitStatus: 0, source: 'trigger', state: 'succeeded', trigger: 'nightly'})
    expect(byDyno(all, 'run.4242')).to.include({command: 'echo long ago', exitStatus: 0, source: 'run', state: 'succeeded'})
    expect(dynos(mine)).to.deep.equal([fired.dyno])
    expect(dynos(onlyFailed)).to.deep.equal([failed])
    expect(dynos(notSucceeded)).to.deep.equal([failed])
    expect(dynos(schedulerType)).to.deep.equal([scheduled])
    expect(dynos(byName)).to.deep.equal([fired.dyno])
    expect(dynos(since2h)).to.deep.equal([fired.dyno, scheduled, failed])
    expect(dynos(since4h)).to.deep.equal(dynos(all))
    expect(sinceDate).to.deep.equal([])
    expect(dynos(limited)).to.deep.equal([fired.dyno, scheduled])
    expect(unknownTrigger.code).to.equal(3)
    expect(unknownTrigger.stdout).to.equal('')
    expect(unknownTrigger.stderr.trim().split('\n')).to.have.length(1)
    expect(unknownTrigger.stderr).to.match(/no trigger "no-such-trigger"/)
  })

  it('rejects a bad --filter and a bad --since in one line each', async () => {
    await start()
    emulator.createApp({name: APP})
    const [badFilter, badSince] = await Promise.all([
      run('runs', '--app', APP, '--filter', 'colour:red', '--json'),
      run('runs', '--app', APP, '--since', 'last tuesday', '--json'),
    ])
    for (const result of [badFilter, badSince]) {
      expect(result.code, result.stderr).to.equal(2)
      expect(result.stdout).to.equal('')
      expect(result.stderr.trim().split('\n')).to.have.length(1)
    }

    expect(badFilter.stderr).to.match(/invalid filter term "colour:red"/)
    expect(badSince.stderr).to.match(/invalid --since "last tuesday"/)
  })
})
