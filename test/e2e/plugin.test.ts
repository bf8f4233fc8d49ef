// The plugin inside the real Heroku CLI (npm package heroku v11), linked with heroku plugins:link,
// driven as a user drives it, against the Platform API emulator.
import {expect} from 'chai'
import {execFile} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {ROOT} from '../helpers/cli.js'
import {ensureHerokuCli, herokuEnv} from './heroku-cli.js'

interface Result {
  code: number
  stderr: string
  stdout: string
}

describe('heroku-triggers in the real heroku CLI', function () {
  this.timeout(300_000)
  let heroku: string
  let emulator: Emulator
  let env: NodeJS.ProcessEnv
  let dataDir: string

  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Result> =>
    new Promise(resolve => {
      execFile(heroku, args, {env: {...env, ...extra}, timeout: 120_000}, (error, stdout, stderr) => {
        resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stderr, stdout})
      })
    })

  before(async () => {
    heroku = await ensureHerokuCli()
    emulator = await startEmulator({stopGraceMs: 500})
    emulator.createApp({name: 'example-app'})
    dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-data-'))
    env = {...herokuEnv(emulator), HEROKU_TRIGGERS_DATA_DIR: dataDir}
    const linked = await run(['plugins:link', ROOT, '--no-install'])
    expect(linked.code, linked.stderr).to.equal(0)
  })

  after(async () => {
    await emulator?.stop()
  })

  it('is listed as a linked plugin, and heroku help triggers shows its commands', async () => {
    const plugins = await run(['plugins'])
    expect(plugins.stdout).to.contain('heroku-triggers')
    const help = await run(['help', 'triggers'])
    expect(help.code, help.stderr).to.equal(0)
    expect(help.stdout).to.contain('triggers:create').and.to.contain('triggers:clock')
  })

  it('creates a trigger and lists it as JSON a script can read', async () => {
    const created = await run(['triggers:create', '--app', 'example-app', '--name', 'nightly', '--command', 'bin/report', '--schedule', '30 2 * * *', '--size', 'standard-1x', '--json'])
    expect(created.code, created.stderr).to.equal(0)
    const trigger = JSON.parse(created.stdout) as {id: string; size: string}
    expect(trigger.size).to.equal('Standard-1X')
    const listed = await run(['triggers', '--app', 'example-app', '--json'])
    expect(listed.code, listed.stderr).to.equal(0)
    const list = JSON.parse(listed.stdout) as Array<{id: string; name: string; nextRunAt: string}>
    expect(list.map(t => t.name)).to.deep.equal(['nightly'])
    expect(Date.parse(list[0].nextRunAt)).to.be.greaterThan(Date.now())
  })

  it('refuses a size the app cannot use, naming the sizes there are', async () => {
    const refused = await run(['triggers:create', '--app', 'example-app', '--name', 'x', '--command', 'true', '--schedule', '@daily', '--size', 'gigantic-9x'])
    expect(refused.code).to.equal(2)
    expect(refused.stderr).to.match(/unknown --size "gigantic-9x": use one of .*Standard-1X/)
  })

  it('runs a trigger now and, with --tail, exits with its exit status', async () => {
    await run(['triggers:create', '--app', 'example-app', '--name', 'fails', '--command', 'echo about to fail; exit 7', '--schedule', '@daily'])
    const result = await run(['triggers:run', 'fails', '--app', 'example-app', '--tail'])
    expect(result.stdout).to.contain('about to fail')
    expect(result.code).to.equal(7)
  })

  it('never prints or stores the API key', async () => {
    await run(['triggers', '--app', 'example-app'])
    const files: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name)
        if (statSync(file).isDirectory()) walk(file)
        else files.push(file)
      }
    }

    walk(dataDir)
    expect(files.length).to.be.greaterThan(0)
    for (const file of files) expect(readFileSync(file, 'utf8'), file).not.to.contain(emulator.apiKey)
  })
})
