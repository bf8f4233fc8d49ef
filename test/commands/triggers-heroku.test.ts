// Trigger management against a Heroku app: the Platform API emulator over real HTTP, every command
// run as a user runs it (bin/run.js, stdin not a terminal). triggers-local.test.ts is the --local twin.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {TriggerView} from '../../src/core/views.js'

import {api} from '../emulator/helpers.js'
import {DYNO_SIZES, type Emulator, startEmulator} from '../emulator/index.js'
import {cli, type CliOptions, type CliResult, oneLineError, parseJson, type RunningCli, startCli} from '../helpers/cli.js'

/** distinctive, so that finding it anywhere it should not be is unambiguous */
const API_KEY = 'hrkuKEY-7f3c9e1d-NEVER-PRINT-ME-a5b2c4'
const RELEASE_NOTICE = /Writing HEROKU_TRIGGERS on ([\w-]+): this creates a release and restarts the app's dynos/

/** what --json prints for a trigger (triggers:info adds its next run times) */
type TriggerJson = TriggerView & {nextRuns?: string[]}

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `triggers-heroku-${prefix}-`))
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter(entry => entry.isFile())
    .map(entry => path.join(entry.parentPath, entry.name))
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => {
      setTimeout(resolve, 5)
    })
  }
}

describe('triggers on a Heroku app (the Platform API emulator)', function () {
  this.timeout(60_000)
  /** every output of every command of this file, and every directory they could write to */
  const outputs: string[] = []
  const dirs: string[] = []
  let emulator: Emulator
  let dataDir: string
  let env: Record<string, string | undefined>

  function newDir(prefix: string): string {
    const dir = tmp(prefix)
    dirs.push(dir)
    return dir
  }

  beforeEach(async () => {
    emulator = await startEmulator({apiKey: API_KEY})
    dataDir = newDir('data')
    env = {
      HEROKU_API_KEY: API_KEY,
      HEROKU_APP: undefined,
      HEROKU_HOST: emulator.url,
      HEROKU_PARTICLEBOARD_URL: emulator.url,
      HEROKU_TRIGGERS_DATA_DIR: dataDir,
      HOME: newDir('home'),
    }
  })

  afterEach(async () => {
    await emulator.stop()
  })

  async function run(args: string[], options: CliOptions = {}): Promise<CliResult> {
    const result = await cli(args, {...options, env: {...env, ...options.env}})
    outputs.push(result.stdout, result.stderr)
    return result
  }

  /** a command whose stderr can be read while it runs */
  function start(args: string[], extraEnv: Record<string, string> = {}): RunningCli {
    const running = startCli(args, {env: {...env, ...extraEnv}, timeoutMs: 60_000})
    return {done: running.done.then(result => {
      outputs.push(result.stdout, result.stderr)
      return result
    }), stderr: running.stderr}
  }

  const requests = (method: string, pathname: string, since = 0) => emulator.requests.slice(since).filter(r => r.method === method && r.path === pathname)
  const configVar = (app: string) => emulator.app(app)!.configVars.HEROKU_TRIGGERS
  const namesIn = (app: string) => (JSON.parse(configVar(app)) as {triggers: Array<{name: string}>}).triggers.map(t => t.name).sort()
  const names = (result: CliResult) => parseJson<TriggerJson[]>(result).map(t => t.name).sort()

  describe('trigger commands', () => {
    it('triggers:info reads the app once: one log read and one config-var read for its runs, stats and definitions', async () => {
      emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: 'once-app'})
      expect((await run(['triggers:create', '--app', 'once-app', '--name', 'nightly', '--command', 'true', '--schedule', '@daily'])).code).to.equal(0)
      const since = emulator.requests.length
      const info = await run(['triggers:info', 'nightly', '--app', 'once-app', '--json'])
      expect(info.code, info.stderr).to.equal(0)
      expect(parseJson<{recentRuns: unknown[]}>(info).recentRuns).to.deep.equal([])
      // the read's session, and a one-line one confirming the read reached the log's end (a short read can be a cut)
      expect(requests('POST', '/apps/once-app/log-sessions', since).map(r => (r.body as {lines: number}).lines)).to.deep.equal([1500, 1])
      expect(requests('GET', '/apps/once-app/config-vars', since)).to.have.length(1)
    })

    it('create, list, info, update, deactivate, activate and delete with --app; [] when empty', async () => {
      emulator.createApp({name: 'example-app'})
      const [emptyJson, emptyHuman] = await Promise.all([run(['triggers', '--app', 'example-app', '--json']), run(['triggers', '--app', 'example-app'])])
      expect(emptyJson.code, emptyJson.stderr).to.equal(0)
      expect(parseJson(emptyJson)).to.deep.equal([])
      expect(emptyHuman.stdout).to.match(/No triggers on example-app\. .*--app example-app/)

      const created = await run(['triggers:create', '--app', 'example-app', '--name', 'nightly report', '--command', 'bin/report --all', '--schedule', '30 2 * * *', '--timezone', 'Europe/Berlin', '--json'])
      expect(created.code, created.stderr).to.equal(0)
      const trigger = parseJson<TriggerJson>(created)
      expect(trigger).to.include({name: 'nightly report', schedule: '30 2 * * *', size: null, state: 'active', timeout: 1800, timezone: 'Europe/Berlin'})
      expect(new Date(trigger.nextRunAt!).getTime()).to.be.greaterThan(Date.now())
      // no HEROKU_TRIGGERS config var: the definitions stay on this machine, and no release is made
      const file = path.join(dataDir, 'apps', 'example-app', 'definitions.json')
      expect(JSON.parse(readFileSync(file, 'utf8')).triggers.map((t: TriggerJson) => t.id)).to.deep.equal([trigger.id])
      expect(statSync(file).mode & 0o777).to.equal(0o600)
      expect(requests('PATCH', '/apps/example-app/config-vars')).to.deep.equal([])

      const [listed, human, info] = await Promise.all([
        run(['triggers', '--app', 'example-app', '--json']),
        run(['triggers', '-a', 'example-app']),
        run(['triggers:info', trigger.id.slice(0, 6), '--app', 'example-app', '--json']),
      ])
      expect(parseJson<TriggerJson[]>(listed).map(t => t.id)).to.deep.equal([trigger.id])
      expect(human.stdout).to.contain('nightly report').and.to.contain(trigger.id.slice(0, 8)).and.to.contain('active')
      const shown = parseJson<TriggerJson>(info)
      expect(shown.id).to.equal(trigger.id)
      expect(new Set(shown.nextRuns)).to.have.property('size', 5)

      const updated = await run(['triggers:update', 'nightly report', '--app', 'example-app', '--timeout', '3600', '--env', 'MODE=full', '--json'])
      expect(updated.code, updated.stderr).to.equal(0)
      expect(parseJson<TriggerJson>(updated)).to.include({schedule: '30 2 * * *', timeout: 3600})
      expect(parseJson<TriggerJson>(updated).env).to.deep.equal({MODE: 'full'})

      const off = await run(['triggers:deactivate', 'nightly report', '--app', 'example-app', '--note', 'migration'])
      expect(off.code, off.stderr).to.equal(0)
      expect(off.stderr).to.match(/Deactivating nightly report on example-app\.\.\. done/)
      const [offAgain, inactive] = await Promise.all([
        run(['triggers:deactivate', trigger.id, '--app', 'example-app']),
        run(['triggers:info', 'nightly report', '--app', 'example-app', '--json']),
      ])
      expect(offAgain.code, offAgain.stderr).to.equal(0)
      expect(offAgain.stderr).to.contain('already inactive')
      expect(parseJson<TriggerJson>(inactive)).to.include({nextRunAt: null, note: 'migration', state: 'inactive'})

      const on = await run(['triggers:activate', 'nightly report', '--app', 'example-app', '--json'])
      expect(on.code, on.stderr).to.equal(0)
      expect(parseJson<TriggerJson>(on)).to.include({state: 'active'})
      const onAgain = await run(['triggers:activate', 'nightly report', '--app', 'example-app'])
      expect(onAgain.stderr).to.contain('already active')

      oneLineError(await run(['triggers:delete', 'nightly report', '--app', 'example-app']), 5, /--confirm example-app/)
      oneLineError(await run(['triggers:delete', 'nightly report', '--app', 'example-app', '--confirm', 'other-app']), 2, /does not match.*--confirm example-app/)
      expect(names(await run(['triggers', '--app', 'example-app', '--json']))).to.deep.equal(['nightly report'])
      const deleted = await run(['triggers:delete', 'nightly report', '--app', 'example-app', '--confirm', 'example-app'])
      expect(deleted.code, deleted.stderr).to.equal(0)
      expect(parseJson(await run(['triggers', '--app', 'example-app', '--json']))).to.deep.equal([])
    })

    it('takes the app from HEROKU_APP when --app is not given (and --app still wins)', async () => {
      emulator.createApp({name: 'env-app'})
      emulator.createApp({name: 'other-app'})
      const asEnv = {env: {HEROKU_APP: 'env-app'}}
      const created = await run(['triggers:create', '--name', 'hourly', '--command', 'true', '--schedule', '0 * * * *', '--json'], asEnv)
      expect(created.code, created.stderr).to.equal(0)
      const {id} = parseJson<TriggerJson>(created)
      const [listed, info, elsewhere] = await Promise.all([
        run(['triggers', '--json'], asEnv),
        run(['triggers:info', 'hourly'], asEnv),
        run(['triggers', '--app', 'other-app', '--json'], asEnv),
      ])
      expect(parseJson<TriggerJson[]>(listed).map(t => t.id)).to.deep.equal([id])
      expect(info.code, info.stderr).to.equal(0)
      expect(info.stdout).to.contain('hourly').and.to.contain('true')
      expect(parseJson(elsewhere)).to.deep.equal([])
      expect(parseJson<TriggerJson>(await run(['triggers:update', 'hourly', '--schedule', '15 * * * *', '--json'], asEnv))).to.include({schedule: '15 * * * *'})
      expect((await run(['triggers:deactivate', 'hourly'], asEnv)).code).to.equal(0)
      expect((await run(['triggers:activate', 'hourly'], asEnv)).code).to.equal(0)
      oneLineError(await run(['triggers:delete', 'hourly'], asEnv), 5, /--confirm env-app/)
      expect((await run(['triggers:delete', 'hourly', '--confirm', 'env-app'], asEnv)).code).to.equal(0)
      expect(parseJson(await run(['triggers', '--json'], asEnv))).to.deep.equal([])
      const apps = new Set(emulator.requests.map(r => /^\/apps\/([^/]+)/.exec(r.path)?.[1]).filter(Boolean))
      expect([...apps].sort()).to.deep.equal(['env-app', 'other-app'])
    })

    it('checks sizes against GET /dyno-sizes and stores them as Heroku spells them', async () => {
      emulator.createApp({name: 'size-app'})
      const created = await run(['triggers:create', '--app', 'size-app', '--name', 'report', '--command', 'bin/report', '--schedule', '@daily', '--size', 'standard-1x', '--json'])
      expect(created.code, created.stderr).to.equal(0)
      expect(parseJson<TriggerJson>(created).size).to.equal('Standard-1X')
      expect(requests('GET', '/dyno-sizes'), 'sizes come from the API').to.have.length(1)
      const updated = await run(['triggers:update', 'report', '--app', 'size-app', '--size', 'PERFORMANCE-m', '--json'])
      expect(updated.code, updated.stderr).to.equal(0)
      expect(parseJson<TriggerJson>(updated).size).to.equal('Performance-M')
      expect(requests('GET', '/dyno-sizes')).to.have.length(2)

      const file = path.join(dataDir, 'apps', 'size-app', 'definitions.json')
      const before = readFileSync(file, 'utf8')
      const [badCreate, badUpdate] = await Promise.all([
        run(['triggers:create', '--app', 'size-app', '--name', 'other', '--command', 'true', '--schedule', '@daily', '--size', 'standard-3x']),
        run(['triggers:update', 'report', '--app', 'size-app', '--size', 'huge']),
      ])
      oneLineError(badCreate, 2, /unknown --size "standard-3x": use one of /)
      oneLineError(badUpdate, 2, /unknown --size "huge": use one of /)
      const offered = badCreate.stderr.trim().replace(/.*use one of /, '').split(', ')
      expect(offered.sort(), 'the sizes the API lists').to.deep.equal(DYNO_SIZES.map(s => s.name).sort())
      expect(requests('GET', '/dyno-sizes')).to.have.length(4)
      expect(readFileSync(file, 'utf8'), 'an unknown size changes nothing').to.equal(before)
    })
  })

  describe('credentials and the app', () => {
    it('a rejected API key is exit 6 in one line, without a prompt, and nothing is written', async () => {
      emulator.createApp({name: 'file-app'})
      emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: 'shared-app'})
      const wrong = {env: {HEROKU_API_KEY: 'not-the-key'}}
      const results = await Promise.all([
        run(['triggers:create', '--app', 'file-app', '--name', 'x', '--command', 'true', '--schedule', '@daily'], wrong),
        run(['triggers:create', '--app', 'shared-app', '--name', 'x', '--command', 'true', '--schedule', '@daily', '--json'], wrong),
        run(['triggers', '--app', 'file-app', '--json'], wrong),
      ])
      for (const result of results) oneLineError(result, 6, /rejected the API key \(401\).*heroku login/)
      expect(emulator.requests.every(r => r.status === 401)).to.equal(true)
      expect(configVar('shared-app')).to.equal('')
      expect(emulator.app('shared-app')!.releases.length).to.equal(1)
      expect(filesUnder(dataDir)).to.deep.equal([])
    })

    it('no API key and no netrc is exit 6 naming heroku login, before any request', async () => {
      emulator.createApp({name: 'file-app'})
      const anonymous = {env: {HEROKU_API_KEY: undefined, HOME: newDir('fresh-home')}}
      const [create, list] = await Promise.all([
        run(['triggers:create', '--app', 'file-app', '--name', 'x', '--command', 'true', '--schedule', '@daily'], anonymous),
        run(['triggers', '--app', 'file-app', '--json'], anonymous),
      ])
      oneLineError(create, 6, /not logged in to Heroku: run heroku login/)
      oneLineError(list, 6, /heroku login/)
      expect(emulator.requests).to.deep.equal([])
      expect(filesUnder(dataDir)).to.deep.equal([])
    })

    it('an app that does not exist is exit 7 and nothing is written', async () => {
      const [create, list, info] = await Promise.all([
        run(['triggers:create', '--app', 'no-such-app', '--name', 'x', '--command', 'true', '--schedule', '@daily', '--size', 'basic']),
        run(['triggers', '--app', 'no-such-app', '--json']),
        run(['triggers:info', 'x', '--app', 'no-such-app']),
      ])
      for (const result of [create, list, info]) oneLineError(result, 7, /app no-such-app not found/)
      expect(filesUnder(dataDir)).to.deep.equal([])
    })
  })

  describe('the shared store: the HEROKU_TRIGGERS config var', () => {
    it('holds the definitions for every machine, and each write says so before it makes a release', async () => {
      const app = emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: 'team-app'})
      // the PATCH is held up, so what the user has read by the time it arrives can be looked at
      emulator.faults.slow({count: 1, match: /^PATCH \/apps\/team-app\/config-vars$/, ms: 800})
      const create = start(['triggers:create', '--app', 'team-app', '--name', 'nightly', '--command', 'bin/nightly', '--schedule', '0 3 * * *'])
      await until('the PATCH of HEROKU_TRIGGERS', () => requests('PATCH', '/apps/team-app/config-vars').length > 0)
      const [patch] = requests('PATCH', '/apps/team-app/config-vars')
      // the notice and the request travel on different pipes: give the notice a moment to arrive
      await until('the notice or the answer to the PATCH', () => RELEASE_NOTICE.test(create.stderr()) || patch.status !== 0)
      expect(patch.status, 'the release notice shows while the PATCH is held up, not after').to.equal(0)
      expect(create.stderr(), 'the release notice, before the write').to.match(RELEASE_NOTICE)
      const created = await create.done
      expect(created.code, created.stderr).to.equal(0)
      expect(created.stderr.match(new RegExp(RELEASE_NOTICE, 'g'))).to.have.length(1)
      expect(namesIn('team-app')).to.deep.equal(['nightly'])
      expect(app.releases.at(-1)!.description).to.equal('Set HEROKU_TRIGGERS config vars')
      expect(app.releases).to.have.length(2)
      expect(filesUnder(dataDir).filter(f => f.endsWith('definitions.json')), 'no local copy').to.deep.equal([])

      // another machine: an empty data dir sees the same triggers, and its change is seen here
      const otherMachine = {env: {HEROKU_TRIGGERS_DATA_DIR: newDir('other-machine')}}
      expect(names(await run(['triggers', '--app', 'team-app', '--json'], otherMachine))).to.deep.equal(['nightly'])
      const off = await run(['triggers:deactivate', 'nightly', '--app', 'team-app', '--note', 'paused', '--json'], otherMachine)
      expect(off.code, off.stderr).to.equal(0)
      expect(parseJson<TriggerJson>(off)).to.include({state: 'inactive'})
      expect(off.stderr).to.match(RELEASE_NOTICE)
      expect(app.releases).to.have.length(3)
      expect(parseJson<TriggerJson>(await run(['triggers:info', 'nightly', '--app', 'team-app', '--json']))).to.include({note: 'paused', state: 'inactive'})

      expect((await run(['triggers:activate', 'nightly', '--app', 'team-app'])).code).to.equal(0)
      expect(app.releases).to.have.length(4)
      // a change that changes nothing makes no release
      const patches = requests('PATCH', '/apps/team-app/config-vars').length
      const noop = await run(['triggers:activate', 'nightly', '--app', 'team-app'])
      expect(noop.code, noop.stderr).to.equal(0)
      expect(noop.stderr).to.contain('already active').and.not.to.match(RELEASE_NOTICE)
      expect(requests('PATCH', '/apps/team-app/config-vars')).to.have.length(patches)
      expect(app.releases).to.have.length(4)
    })

    it('triggers:store moves the definitions into the config var and back, only with --confirm', async () => {
      const app = emulator.createApp({name: 'move-app'})
      const created = await Promise.all(['first', 'second'].map(name => run(['triggers:create', '--app', 'move-app', '--name', name, '--command', 'true', '--schedule', '@hourly'])))
      for (const result of created) expect(result.code, result.stderr).to.equal(0)
      expect(parseJson(await run(['triggers:store', '--app', 'move-app', '--json']))).to.include({database: null, store: 'file'})

      oneLineError(await run(['triggers:store', '--app', 'move-app', '--to', 'config-var']), 5, /creates a release.*--confirm move-app/)
      expect(app.configVars).not.to.have.property('HEROKU_TRIGGERS')
      expect(requests('PATCH', '/apps/move-app/config-vars')).to.deep.equal([])

      const moved = await run(['triggers:store', '--app', 'move-app', '--to', 'config-var', '--confirm', 'move-app'])
      expect(moved.code, moved.stderr).to.equal(0)
      expect(namesIn('move-app')).to.deep.equal(['first', 'second'])
      expect(app.releases.at(-1)!.description).to.equal('Set HEROKU_TRIGGERS config vars')
      const otherMachine = {env: {HEROKU_TRIGGERS_DATA_DIR: newDir('other-machine')}}
      const [seen, where] = await Promise.all([run(['triggers', '--app', 'move-app', '--json'], otherMachine), run(['triggers:store', '--app', 'move-app', '--json'], otherMachine)])
      expect(names(seen)).to.deep.equal(['first', 'second'])
      expect(parseJson(where)).to.deep.include({database: null, definitions: 'HEROKU_TRIGGERS on move-app', store: 'config-var'})

      oneLineError(await run(['triggers:store', '--app', 'move-app', '--to', 'file']), 5, /--confirm move-app/)
      expect(namesIn('move-app')).to.deep.equal(['first', 'second'])
      const back = await run(['triggers:store', '--app', 'move-app', '--to', 'file', '--confirm', 'move-app'], otherMachine)
      expect(back.code, back.stderr).to.equal(0)
      expect(app.configVars).not.to.have.property('HEROKU_TRIGGERS')
      expect(app.releases.at(-1)!.description).to.equal('Remove HEROKU_TRIGGERS config vars')
      expect(names(await run(['triggers', '--app', 'move-app', '--json'], otherMachine))).to.deep.equal(['first', 'second'])
    })

    it('refuses a change past the 32 kB config limit with a clear exit-4 error and writes nothing', async () => {
      // the app's other config vars leave about 600 bytes for the definitions
      const filler = {DATABASE_URL: 'postgres://u:p@db.example.com:5432/app', LARGE_SETTING: 'x'.repeat(32 * 1024 - 700)}
      const app = emulator.createApp({configVars: {...filler, HEROKU_TRIGGERS: ''}, name: 'full-app'})
      const small = await run(['triggers:create', '--app', 'full-app', '--name', 'small', '--command', 'true', '--schedule', '@daily'])
      expect(small.code, small.stderr).to.equal(0)
      const before = configVar('full-app')
      const patches = requests('PATCH', '/apps/full-app/config-vars').length
      const big = ['triggers:create', '--app', 'full-app', '--name', 'big', '--command', `bin/task ${'--flag '.repeat(80)}`, '--schedule', '@daily']
      const [human, json] = await Promise.all([run(big), run([...big, '--json'])])
      const limit = /Error: the definitions would bring full-app's config vars to 3\d\.\d kB, over Heroku's 32 kB limit: .*heroku triggers:store --to file$/
      oneLineError(json, 4, limit)
      expect(human.code, human.stderr).to.equal(4)
      expect(human.stdout).to.equal('')
      expect(human.stderr.trim().split('\n').at(-1)).to.match(limit)
      expect(human.stderr).not.to.match(RELEASE_NOTICE)
      expect(configVar('full-app')).to.equal(before)
      expect(requests('PATCH', '/apps/full-app/config-vars')).to.have.length(patches)
      expect(app.releases).to.have.length(2)
      expect(names(await run(['triggers', '--app', 'full-app', '--json']))).to.deep.equal(['small'])
    })

    // Heroku has no conditional write: a write landing between our last read and our PATCH is
    // overwritten, and its writer puts it back when it checks after its own write (see
    // test/store/config-var-store.test.ts for several machines creating at once).
    it('keeps a change another client makes to the config var between our read and our write', async () => {
      emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: 'race-app'})
      expect((await run(['triggers:create', '--app', 'race-app', '--name', 'existing', '--command', 'true', '--schedule', '@daily'])).code).to.equal(0)
      const since = emulator.requests.length
      const reads = () => requests('GET', '/apps/race-app/config-vars', since)
      // our create reads the var to open the store, reads it to apply the change, and reads it again just
      // before writing: the last read is held up, and another client writes meanwhile
      emulator.faults.slow({count: 3, match: /^GET \/apps\/race-app\/config-vars$/, ms: 1200})
      const ours = start(['triggers:create', '--app', 'race-app', '--name', 'mine', '--command', 'true', '--schedule', '@hourly'])
      await until('the read before the write', () => reads().length === 3)
      const doc = JSON.parse(configVar('race-app')) as {triggers: Array<Record<string, unknown>>}
      const now = new Date().toISOString()
      doc.triggers.push({command: 'bin/theirs', createdAt: now, id: '5eb1a7e0-0000-4000-8000-000000000001', name: 'theirs', schedule: '@weekly', updatedAt: now})
      const theirs = await api(emulator, 'PATCH', '/apps/race-app/config-vars', {HEROKU_TRIGGERS: JSON.stringify(doc)})
      expect(theirs.status).to.equal(200)
      expect(reads()[2].status, 'their write landed while our last read was held up').to.equal(0)

      const result = await ours.done
      expect(result.code, result.stderr).to.equal(0)
      expect(namesIn('race-app')).to.deep.equal(['existing', 'mine', 'theirs'])
      expect(reads(), 'read again, applied on theirs, and read once more after the write to check it was kept').to.have.length(6)
      expect(requests('PATCH', '/apps/race-app/config-vars', since)).to.have.length(2)
      expect(names(await run(['triggers', '--app', 'race-app', '--json']))).to.deep.equal(['existing', 'mine', 'theirs'])
    })
  })

  describe('-r/--remote', () => {
    it('takes the app from the git remote of the current directory', async () => {
      emulator.createApp({name: 'example-app'})
      emulator.createApp({name: 'example-staging'})
      const repo = newDir('repo')
      execFileSync('git', ['init', '-q'], {cwd: repo})
      execFileSync('git', ['remote', 'add', 'heroku', 'https://git.heroku.com/example-app.git'], {cwd: repo})
      // @heroku-cli/command derives the git host from HEROKU_HOST (here the emulator), as the heroku CLI does
      const inRepo = {cwd: repo, env: {HEROKU_GIT_HOST: 'git.heroku.com'}}
      const created = await run(['triggers:create', '--name', 'from-git', '--command', 'true', '--schedule', '@daily', '--json'], inRepo)
      expect(created.code, created.stderr).to.equal(0)
      const [plain, remote] = await Promise.all([run(['triggers', '--json'], inRepo), run(['triggers', '-r', 'heroku', '--json'], inRepo)])
      expect(names(plain)).to.deep.equal(['from-git'])
      expect(names(remote)).to.deep.equal(['from-git'])
      expect(names(await run(['triggers', '--app', 'example-app', '--json']))).to.deep.equal(['from-git'])

      execFileSync('git', ['remote', 'add', 'staging', 'https://git.heroku.com/example-staging.git'], {cwd: repo})
      const [staging, longFlag, ambiguous, unknown] = await Promise.all([
        run(['triggers', '-r', 'staging', '--json'], inRepo),
        run(['triggers:info', 'from-git', '--remote', 'heroku', '--json'], inRepo),
        run(['triggers', '--json'], inRepo),
        run(['triggers', '-r', 'nope', '--json'], inRepo),
      ])
      expect(parseJson(staging)).to.deep.equal([])
      expect(parseJson<TriggerJson>(longFlag).name).to.equal('from-git')
      oneLineError(ambiguous, 2, /missing --app/) // two apps in the remotes: it does not guess
      oneLineError(unknown, 2, /remote nope not found/)
      const apps = new Set(emulator.requests.map(r => /^\/apps\/([^/]+)/.exec(r.path)?.[1]).filter(Boolean))
      expect([...apps].sort()).to.deep.equal(['example-app', 'example-staging'])
    })
  })

  describe('the API key', () => {
    // runs last: it also looks at what every command above printed and wrote
    it('never appears in any output, any file written or the config var, over a whole session', async () => {
      const app = emulator.createApp({name: 'secret-app'})
      const session = [
        ['triggers:create', '--app', 'secret-app', '--name', 'one', '--command', 'bin/one', '--schedule', '@hourly', '--size', 'basic', '--env', 'A=1'],
        ['triggers', '--app', 'secret-app'],
        ['triggers:info', 'one', '--app', 'secret-app'],
        ['triggers:update', 'one', '--app', 'secret-app', '--timeout', '60', '--json'],
        ['triggers:store', '--app', 'secret-app', '--to', 'config-var', '--confirm', 'secret-app'],
        ['triggers:create', '--app', 'secret-app', '--name', 'two', '--command', 'bin/two', '--schedule', 'every 10 minutes', '--json'],
        ['triggers:deactivate', 'two', '--app', 'secret-app'],
        ['triggers:create', '--app', 'secret-app', '--name', 'three', '--command', 'true', '--schedule', '@daily', '--size', 'tiny'],
        ['triggers:info', 'nope', '--app', 'secret-app'],
        ['triggers:store', '--app', 'secret-app', '--to', 'file', '--confirm', 'secret-app'],
        ['triggers:delete', 'one', '--app', 'secret-app', '--confirm', 'secret-app'],
        ['triggers', '--app', 'secret-app', '--json'],
      ]
      const codes: Array<null | number> = []
      for (const args of session) codes.push((await run(args)).code)
      expect(codes).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0])
      expect(app.releases.map(r => r.description).slice(1)).to.deep.equal(['Set HEROKU_TRIGGERS config vars', 'Set HEROKU_TRIGGERS config vars', 'Set HEROKU_TRIGGERS config vars', 'Remove HEROKU_TRIGGERS config vars'])

      expect(outputs.length).to.be.greaterThan(2 * session.length)
      for (const output of outputs) expect(output).not.to.contain(API_KEY)
      const files = dirs.flatMap(dir => filesUnder(dir))
      expect(files.length).to.be.greaterThan(0)
      for (const file of files) expect(readFileSync(file, 'utf8'), file).not.to.contain(API_KEY)
      for (const release of app.releases) expect(JSON.stringify(release.configVars)).not.to.contain(API_KEY)
    })
  })
})
