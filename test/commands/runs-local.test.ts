// triggers:run and runs on --local: a run's real outcome, read from the local log the same way
// an app's log stream is read.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {cli, parseJson} from '../helpers/cli.js'

interface RunJson {
  advice?: string[]
  dyno: string
  exitStatus: null | number
  lines?: string[]
  reason: null | string
  state: string
  trigger: string
}

describe('runs on --local', function () {
  this.timeout(60_000)
  let dataDir: string
  let project: string
  const run = (...args: string[]) => cli(args, {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir, HEROKU_TRIGGERS_LOCAL_STOP_GRACE_MS: '500'}})

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'runs-data-'))
    project = mkdtempSync(path.join(tmpdir(), 'runs-project-'))
  })

  it('triggers:run --tail streams the output and exits with the task\'s exit status', async () => {
    await run('triggers:create', '--local', '--name', 'seven', '--command', 'echo working; exit 7', '--schedule', '@daily')
    const result = await run('triggers:run', 'seven', '--local', '--tail')
    expect(result.stdout).to.contain('working')
    expect(result.code).to.equal(7)
    const runs = parseJson<RunJson[]>(await run('runs', '--local', '--json'))
    expect(runs).to.have.length(1)
    expect(runs[0]).to.include({exitStatus: 7, state: 'failed', trigger: 'seven'})
    expect(runs[0].dyno).to.match(/^trigger-[\da-f]{8}\.\d+$/)
  })

  it('loads .env and resolves a Procfile process type, as heroku local does', async () => {
    writeFileSync(path.join(project, '.env'), 'GREETING="hello there"\n# a comment\n')
    writeFileSync(path.join(project, 'Procfile'), 'web: node server.js\ngreet: echo $GREETING\n')
    await run('triggers:create', '--local', '--name', 'greet', '--command', 'greet', '--schedule', '@daily')
    const result = await run('triggers:run', 'greet', '--local', '--tail')
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.contain('hello there')
  })

  it('enforces the timeout as Heroku does: SIGTERM, status 143, interrupted', async () => {
    await run('triggers:create', '--local', '--name', 'slow', '--command', 'sleep 30', '--schedule', '@daily', '--timeout', '1')
    const result = await run('triggers:run', 'slow', '--local', '--tail')
    expect(result.code).to.equal(143)
    const [only] = parseJson<RunJson[]>(await run('runs', '--local', '--json'))
    expect(only).to.include({exitStatus: 143, state: 'interrupted'})
  })

  it('kills with SIGKILL a task that ignores SIGTERM, after the grace', async () => {
    await run('triggers:create', '--local', '--name', 'stubborn', '--command', 'trap "" TERM; sleep 30', '--schedule', '@daily', '--timeout', '1')
    const result = await run('triggers:run', 'stubborn', '--local', '--tail')
    expect(result.code).to.equal(137)
    const info = parseJson<RunJson>(await run('runs:info', parseJson<RunJson[]>(await run('runs', '--local', '--json'))[0].dyno, '--local', '--json'))
    expect(info.lines!.join('\n')).to.match(/Error R12 \(Exit timeout\)/).and.to.match(/Stopping process with SIGKILL/)
    expect(info.advice!.join(' ')).to.match(/SIGTERM/)
  })

  it('runs:info says what to do when the command was not found', async () => {
    await run('triggers:create', '--local', '--name', 'typo', '--command', 'no-such-command-here', '--schedule', '@daily')
    const tailed = await run('triggers:run', 'typo', '--local', '--tail')
    expect(tailed.code).to.equal(127)
    const [latest] = parseJson<RunJson[]>(await run('runs', '--local', '--json'))
    const info = await run('runs:info', latest.dyno, '--local')
    expect(info.code, info.stderr).to.equal(0)
    expect(info.stdout).to.contain('Process exited with status 127').and.to.match(/not find the command/)
  })

  it('filters runs with the filter language and rejects a bad filter in one line', async () => {
    await run('triggers:create', '--local', '--name', 'ok', '--command', 'true', '--schedule', '@daily')
    await run('triggers:create', '--local', '--name', 'bad', '--command', 'false', '--schedule', '@daily')
    await run('triggers:run', 'ok', '--local', '--tail')
    await run('triggers:run', 'bad', '--local', '--tail')
    const failed = parseJson<RunJson[]>(await run('runs', '--local', '--json', '--filter', 'state:failed'))
    expect(failed.map(r => r.trigger)).to.deep.equal(['bad'])
    const notFailed = parseJson<RunJson[]>(await run('runs', '--local', '--json', '--filter', '-state:failed'))
    expect(notFailed.map(r => r.trigger)).to.deep.equal(['ok'])
    const bad = await run('runs', '--local', '--filter', 'colour:red')
    expect(bad.code).to.equal(2)
    expect(bad.stderr.trim().split('\n')).to.have.length(1)
  })

  it('the clock records what it fires, and runs shows it', async () => {
    await run('triggers:create', '--local', '--name', 'tick', '--command', 'echo tick', '--schedule', '* * * * * *')
    await new Promise(resolve => setTimeout(resolve, 1100)) // a second boundary after the trigger was created
    const once = await run('triggers:clock', '--local', '--once')
    expect(once.code, once.stderr).to.equal(0)
    expect(once.stdout).to.match(/at=fired .*trigger=tick/)
    await new Promise(resolve => setTimeout(resolve, 1500))
    const runs = parseJson<RunJson[]>(await run('runs', '--local', '--json'))
    expect(runs.length).to.be.at.least(1)
    expect(runs[0]).to.include({exitStatus: 0, state: 'succeeded', trigger: 'tick'})
  })
})
