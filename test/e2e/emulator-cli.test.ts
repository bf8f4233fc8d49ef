// The real heroku CLI (npm package heroku v11) against the Platform API emulator: its own commands
// must be happy with what the emulator answers, and nothing may reach the internet.
import {expect} from 'chai'
import {execFile, spawn} from 'node:child_process'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {ensureHerokuCli, herokuEnv} from './heroku-cli.js'

interface Result {
  code: number
  stderr: string
  stdout: string
}

describe('the real heroku CLI against the emulator', function () {
  this.timeout(300_000)
  let heroku: string
  let emulator: Emulator
  let env: NodeJS.ProcessEnv

  const run = (args: string[]): Promise<Result> =>
    new Promise(resolve => {
      execFile(heroku, args, {env, timeout: 60_000}, (error, stdout, stderr) => {
        resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stderr, stdout})
      })
    })

  before(async () => {
    heroku = await ensureHerokuCli()
    // retry: 100 on SSE streams, so a finished `heroku logs` is not kept alive 3 s by EventSource's reconnect timer
    emulator = await startEmulator({sseRetryMs: 100, stopGraceMs: 500})
    emulator.createApp({
      configVars: {DATABASE_URL: 'postgres://u:p@localhost:5432/db', LANG: 'en_US.UTF-8'},
      formation: {web: 1},
      name: 'example-app',
      procfile: {web: 'node server.js', worker: 'node worker.js'},
      sizeTier: 'standard',
    })
    env = herokuEnv(emulator)
  })

  after(async () => {
    await emulator?.stop()
  })

  it('keeps the CLI offline: host, key, particleboard at the emulator; update checks and telemetry off', () => {
    expect(env).to.include({
      DISABLE_TELEMETRY: 'true',
      HEROKU_API_KEY: emulator.apiKey,
      HEROKU_DISABLE_AUTOUPDATE: 'true',
      HEROKU_HOST: emulator.url,
      HEROKU_PARTICLEBOARD_URL: emulator.url,
      HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
      NO_COLOR: '1',
    })
    expect(env.HOME).to.match(/heroku-cli-home-/)
  })

  it('heroku auth:whoami: GET /account, with the client delinquency check on the particleboard URL', async () => {
    const before = emulator.requests.filter(r => r.path === '/account').length
    const result = await run(['auth:whoami'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout.trim()).to.equal('dev@example.com')
    expect(emulator.requests.filter(r => r.path === '/account').length - before).to.equal(2)
  })

  it('heroku config -a example-app', async () => {
    const result = await run(['config', '-a', 'example-app'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.contain('=== example-app Config Vars')
    expect(result.stdout).to.match(/DATABASE_URL:\s+postgres:\/\/u:p@localhost:5432\/db/)
    expect(result.stdout).to.match(/LANG:\s+en_US\.UTF-8/)
    const json = await run(['config', '--json', '-a', 'example-app'])
    expect(JSON.parse(json.stdout)).to.deep.equal({DATABASE_URL: 'postgres://u:p@localhost:5432/db', LANG: 'en_US.UTF-8'})
  })

  it('heroku config:set FOO=bar -a example-app: a release, its lines in the log, the formation restarted', async () => {
    const result = await run(['config:set', 'FOO=bar', '-a', 'example-app'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/FOO:\s+bar/)
    expect(result.stderr).to.contain('Setting FOO and restarting example-app... done, v2')
    await emulator.waitForLine('example-app', /app\[api\]: Set FOO config vars by user dev@example\.com$/)
    await emulator.waitForLine('example-app', /app\[api\]: Release v2 created by user dev@example\.com$/)
    await emulator.waitForLine('example-app', /heroku\[web\.1\]: Restarting$/)
    const logs = await run(['logs', '-a', 'example-app'])
    expect(logs.stdout).to.match(/app\[api\]: Release v2 created by user dev@example\.com/)
  })

  it('heroku ps -a example-app shows the formation and a running one-off', async () => {
    const created = await fetch(`${emulator.url}/apps/example-app/dynos`, {
      body: JSON.stringify({command: 'sleep 20', size: 'standard-2x'}),
      headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${emulator.apiKey}`, 'Content-Type': 'application/json'},
      method: 'POST',
    })
    const dyno = (await created.json()) as {name: string}
    await emulator.waitForLine('example-app', new RegExp(`heroku\\[${dyno.name.replace('.', String.raw`\.`)}\\]: State changed from starting to up`))
    const result = await run(['ps', '-a', 'example-app'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.contain('=== run: one-off processes (1)')
    expect(result.stdout).to.match(new RegExp(`${dyno.name.replace('.', String.raw`\.`)} \\(Standard-2X\\): up .*: sleep 20`))
    expect(result.stdout).to.contain('=== web (Standard-1X): node server.js (1)')
    expect(result.stdout).to.match(/web\.1: up /)
    const json = await run(['ps', '--json', '-a', 'example-app'])
    expect((JSON.parse(json.stdout) as Array<{name: string}>).map(d => d.name)).to.include.members([dyno.name, 'web.1'])
    await fetch(`${emulator.url}/apps/example-app/dynos/${dyno.name}/actions/stop`, {
      headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${emulator.apiKey}`},
      method: 'POST',
    })
    expect(await emulator.waitForDyno('example-app', dyno.name)).to.equal(143)
  })

  it('heroku run:detached "echo hi" -a example-app runs it, and heroku logs shows its lines', async () => {
    const result = await run(['run:detached', 'echo hi', '-a', 'example-app'])
    expect(result.code, result.stderr).to.equal(0)
    const match = /Run heroku logs --app example-app --dyno (run\.\d+) to view the output\./.exec(result.stdout)
    expect(match, result.stdout).to.not.equal(null)
    const name = match![1]
    expect(result.stderr).to.contain(`Running echo hi on example-app... done, ${name}`)
    const create = emulator.requests.find(r => r.method === 'POST' && r.path === '/apps/example-app/dynos' && (r.body as {command?: string}).command === 'echo hi')
    expect(create?.body).to.include({attach: false, command: 'echo hi'})
    expect(await emulator.waitForDyno('example-app', name)).to.equal(0)
    const logs = await run(['logs', '-a', 'example-app', '--dyno', name])
    expect(logs.code, logs.stderr).to.equal(0)
    const lines = logs.stdout.trimEnd().split('\n').map(l => l.replace(/^\S+ /, ''))
    expect(lines).to.deep.equal([
      `heroku[${name}]: Starting process with command \`echo hi\``,
      `heroku[${name}]: State changed from starting to up`,
      `app[${name}]: hi`,
      `heroku[${name}]: Process exited with status 0`,
      `heroku[${name}]: State changed from up to complete`,
    ])
    const all = await run(['logs', '-a', 'example-app', '-n', '200'])
    expect(all.stdout).to.match(/app\[api\]: Starting process with command `echo hi` by user dev@example\.com/)
    const source = await run(['logs', '-a', 'example-app', '--source', 'app', '--dyno', 'api'])
    expect(source.stdout.trim().split('\n').every(l => / app\[api\]: /.test(l))).to.equal(true)
  })

  it('heroku logs --tail -a example-app streams new lines until it is killed', async () => {
    const child = spawn(heroku, ['logs', '--tail', '-a', 'example-app'], {env, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => {
      stdout += chunk
    })
    child.stderr.on('data', chunk => {
      stderr += chunk
    })
    const exited = new Promise<null | number>(resolve => {
      child.on('exit', code => resolve(code))
    })
    const waitFor = async (pattern: RegExp, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`heroku logs --tail: no ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }
    }

    try {
      await waitFor(/Release v2 created/, 'backlog')
      const created = await fetch(`${emulator.url}/apps/example-app/dynos`, {
        body: JSON.stringify({command: 'echo tailed-line-from-the-dyno'}),
        headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${emulator.apiKey}`, 'Content-Type': 'application/json'},
        method: 'POST',
      })
      const {name} = (await created.json()) as {name: string}
      await waitFor(new RegExp(`app\\[${name.replace('.', String.raw`\.`)}\\]: tailed-line-from-the-dyno`), 'tailed dyno output')
      await waitFor(new RegExp(`heroku\\[${name.replace('.', String.raw`\.`)}\\]: State changed from up to complete`), 'tailed completion')
      expect(child.exitCode).to.equal(null)
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM')
      await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 5000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }

    const stream = emulator.requests.find(r => r.path === '/stream' && r.query.tail === 'true')
    expect(stream?.headers.accept).to.equal('text/event-stream')
    expect(stream?.headers['user-agent']).to.equal('heroku-run')
  })
})
