// The Postgres store as a user meets it: an app on the emulator with Heroku Postgres attached
// (DATABASE_URL points at a real PostgreSQL server on loopback, TLS with a self-signed
// certificate, as Heroku's is to a client), every command run through bin/run.js.
import {expect} from 'chai'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, type CliOptions, type CliResult, oneLineError, parseJson} from '../helpers/cli.js'
import {sql, testDatabase} from '../helpers/postgres.js'

const API_KEY = 'hrkuKEY-pg-0e1f-NEVER-PRINT-ME-77aa'

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `pg-store-${prefix}-`))
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true}).filter(e => e.isFile()).map(e => path.join(e.parentPath, e.name))
}

describe('the Postgres store (emulator + a real PostgreSQL server)', function () {
  this.timeout(120_000)
  let emulator: Emulator
  let databaseUrl: string
  let password: string
  const outputs: string[] = []
  const dirs: string[] = []

  const machine = () => {
    const dir = tmp('machine')
    dirs.push(dir)
    return {HEROKU_API_KEY: API_KEY, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url, HEROKU_TRIGGERS_DATA_DIR: dir}
  }

  let env: Record<string, string>
  const run = async (args: string[], options: CliOptions = {}): Promise<CliResult> => {
    const result = await cli(args, {env: {...env, ...options.env}, timeoutMs: 60_000})
    outputs.push(result.stdout, result.stderr)
    return result
  }

  const names = (result: CliResult) => parseJson<Array<{name: string}>>(result).map(t => t.name).sort()

  before(async () => {
    emulator = await startEmulator({apiKey: API_KEY})
  })

  after(async () => {
    await emulator.stop()
    // the database URL's password is in no output of any command, and in no file they wrote
    for (const text of outputs) expect(text).not.to.contain(password)
    for (const dir of dirs) for (const file of filesUnder(dir)) expect(readFileSync(file, 'utf8'), file).not.to.contain(password)
  })

  beforeEach(async () => {
    databaseUrl = await testDatabase()
    password = new URL(databaseUrl).password
    env = machine()
  })

  const postgresApp = (name: string) => emulator.createApp({configVars: {DATABASE_URL: databaseUrl, HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}, name})

  it('triggers:store --to postgres copies the definitions and history in, with one release, and --to file moves them back', async () => {
    const app = emulator.createApp({configVars: {DATABASE_URL: databaseUrl}, name: 'move-pg'})
    for (const name of ['first', 'second']) {
      const created = await run(['triggers:create', '--app', 'move-pg', '--name', name, '--command', 'true', '--schedule', '@hourly'])
      expect(created.code, created.stderr).to.equal(0)
    }

    oneLineError(await run(['triggers:store', '--app', 'move-pg', '--to', 'postgres']), 5, /creates a release.*--confirm move-pg/)
    const releases = app.releases.length
    const moved = await run(['triggers:store', '--app', 'move-pg', '--to', 'postgres', '--confirm', 'move-pg'])
    expect(moved.code, moved.stderr).to.equal(0)
    expect(moved.stderr).to.match(/Copied 2 trigger\(s\) and 0 run\(s\) into schema heroku_triggers of DATABASE_URL, and set HEROKU_TRIGGERS_DATABASE=DATABASE_URL on move-pg \(one release\)/)
    expect(app.configVars.HEROKU_TRIGGERS_DATABASE).to.equal('DATABASE_URL')
    expect(app.releases.length).to.equal(releases + 1)

    // another machine sees the same store, and a change there makes no release
    const other = machine()
    expect(parseJson(await run(['triggers:store', '--app', 'move-pg', '--json'], {env: other}))).to.deep.include({database: 'DATABASE_URL', store: 'postgres'})
    const third = await run(['triggers:create', '--app', 'move-pg', '--name', 'third', '--command', 'true', '--schedule', '@daily'], {env: other})
    expect(third.code, third.stderr).to.equal(0)
    expect(third.stderr).not.to.match(/release/)
    expect(app.releases.length).to.equal(releases + 1)
    expect(names(await run(['triggers', '--app', 'move-pg', '--json']))).to.deep.equal(['first', 'second', 'third'])
    const rows = await sql<{n: number}>(databaseUrl, 'SELECT count(*)::int AS n FROM heroku_triggers.triggers WHERE app = $1', ['move-pg'])
    expect(rows[0].n).to.equal(3)

    const back = await run(['triggers:store', '--app', 'move-pg', '--to', 'file', '--confirm', 'move-pg'], {env: other})
    expect(back.code, back.stderr).to.equal(0)
    expect(back.stderr).to.match(/Moved 3 trigger\(s\) of move-pg to .*definitions\.json\. The schema heroku_triggers was left in DATABASE_URL; /)
    expect(back.stderr).to.contain("drop it when no app needs it: heroku pg:psql DATABASE_URL --app move-pg -c 'DROP SCHEMA heroku_triggers CASCADE'")
    expect(app.configVars).not.to.have.property('HEROKU_TRIGGERS_DATABASE')
    expect(names(await run(['triggers', '--app', 'move-pg', '--json'], {env: other}))).to.deep.equal(['first', 'second', 'third'])
  })

  it('twenty machines creating at once on Postgres all land, with no release', async () => {
    const app = postgresApp('busy-pg')
    const results = await Promise.all(Array.from({length: 20}, (_, i) =>
      cli(['triggers:create', '--app', 'busy-pg', '--name', `job ${i}`, '--command', 'true', '--schedule', '@daily'], {env: machine(), timeoutMs: 90_000})))
    for (const result of results) expect(result.code, result.stderr).to.equal(0)
    expect(names(await run(['triggers', '--app', 'busy-pg', '--json']))).to.deep.equal(Array.from({length: 20}, (_, i) => `job ${i}`).sort())
    expect(app.releases.map(r => r.description)).to.deep.equal(['Initial release'])
  })

  it('the same schedule file applied from two machines at once: one transaction each, every trigger once, no release', async () => {
    const app = postgresApp('apply-pg')
    const file = path.join(tmp('file'), 'triggers.yml')
    writeFileSync(file, 'version: 1\ntriggers:\n  nightly: {command: bin/report, schedule: "30 2 * * *"}\n  cleanup: {command: rake cleanup, schedule: every 10 minutes}\n  hourly: {command: bin/hourly, schedule: "@hourly", timeout: 600}\n')
    const results = await Promise.all([machine(), machine()].map(m => cli(['triggers:apply', file, '--app', 'apply-pg'], {env: m, timeoutMs: 60_000})))
    for (const result of results) expect(result.code, result.stderr).to.equal(0)
    expect(names(await run(['triggers', '--app', 'apply-pg', '--json']))).to.deep.equal(['cleanup', 'hourly', 'nightly'])
    const again = await run(['triggers:apply', file, '--app', 'apply-pg', '--dry-run', '--exit-code'])
    expect(again.code, again.stdout + again.stderr).to.equal(0) // no drift left
    expect(app.releases.map(r => r.description)).to.deep.equal(['Initial release'])
  })

  it('runs recorded on Postgres are the same from every machine', async () => {
    postgresApp('history-pg')
    const created = parseJson<{id: string}>(await run(['triggers:create', '--app', 'history-pg', '--name', 'now', '--command', 'echo hi; exit 4', '--schedule', '@daily', '--json']))
    const ran = await run(['triggers:run', 'now', '--app', 'history-pg', '--tail'])
    expect(ran.code, ran.stderr).to.equal(4)
    const seen = parseJson<Array<{exitStatus: number; state: string; triggerId: string}>>(await run(['runs', '--app', 'history-pg', '--json'], {env: machine()}))
    expect(seen.filter(r => r.triggerId === created.id).map(r => [r.state, r.exitStatus])).to.deep.equal([['failed', 4]])
    const stored = await sql<{state: string}>(databaseUrl, 'SELECT state FROM heroku_triggers.runs WHERE app = $1', ['history-pg'])
    expect(stored.map(r => r.state)).to.deep.equal(['failed'])
  })

  describe('a database that cannot be used is exit 8, one line, nothing written', () => {
    const closedPort = () => new Promise<number>(resolve => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const {port} = server.address() as {port: number}
        server.close(() => resolve(port))
      })
    })

    it('a config var that names no database', async () => {
      emulator.createApp({configVars: {HEROKU_TRIGGERS_DATABASE: 'MISSING_URL'}, name: 'nodb'})
      oneLineError(await run(['triggers', '--app', 'nodb']), 8, /HEROKU_TRIGGERS_DATABASE on nodb names MISSING_URL, which nodb does not have: attach a database .* or move the store with heroku triggers:store --app nodb --to file/)
    })

    it('a database that cannot be reached', async () => {
      const url = new URL(databaseUrl)
      url.port = String(await closedPort())
      emulator.createApp({configVars: {DATABASE_URL: url.toString(), HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}, name: 'down-pg'})
      const result = await run(['triggers:create', '--app', 'down-pg', '--name', 'x', '--command', 'true', '--schedule', '@daily'])
      oneLineError(result, 8, /cannot reach the Postgres store \(DATABASE_URL on down-pg, 127\.0\.0\.1:\d+\/\w+\): ECONNREFUSED: check that the database is up/)
    })

    it('refused credentials', async () => {
      const url = new URL(databaseUrl)
      url.password = 'wrong-password'
      emulator.createApp({configVars: {DATABASE_URL: url.toString(), HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}, name: 'badpw-pg'})
      oneLineError(await run(['triggers', '--app', 'badpw-pg', '--json']), 8, /the Postgres store \(DATABASE_URL on badpw-pg, .*\) refused the credentials/)
    })

    it('a schema newer than this plugin, left as it was', async () => {
      postgresApp('newer-pg')
      const created = await run(['triggers:create', '--app', 'newer-pg', '--name', 'x', '--command', 'true', '--schedule', '@daily'])
      expect(created.code, created.stderr).to.equal(0)
      await sql(databaseUrl, 'INSERT INTO heroku_triggers.schema_migrations (version) VALUES (99)')
      const before = await sql(databaseUrl, 'SELECT id, doc FROM heroku_triggers.triggers ORDER BY id')
      oneLineError(await run(['triggers:create', '--app', 'newer-pg', '--name', 'y', '--command', 'true', '--schedule', '@daily']), 8, /schema heroku_triggers is at version 99, newer than this plugin understands \(\d+\): upgrade heroku-triggers/)
      expect(await sql(databaseUrl, 'SELECT id, doc FROM heroku_triggers.triggers ORDER BY id')).to.deep.equal(before)
    })

    it('a bad trigger on Postgres writes nothing', async () => {
      postgresApp('bad-pg')
      expect((await run(['triggers:create', '--app', 'bad-pg', '--name', 'good', '--command', 'true', '--schedule', '@daily'])).code).to.equal(0)
      const before = await sql(databaseUrl, 'SELECT * FROM heroku_triggers.triggers')
      oneLineError(await run(['triggers:update', 'good', '--app', 'bad-pg', '--timeout', '90000']), 2, /--timeout must be 1\.\.86400/)
      oneLineError(await run(['triggers:create', '--app', 'bad-pg', '--name', 'x', '--command', 'true', '--schedule', '61 * * * *']), 2, /minute/)
      expect(await sql(databaseUrl, 'SELECT * FROM heroku_triggers.triggers')).to.deep.equal(before)
    })

    it('a pooled URL is refused for the store, naming the direct one', async () => {
      emulator.createApp({configVars: {DATABASE_CONNECTION_POOL_URL: databaseUrl, DATABASE_URL: databaseUrl}, name: 'pool-pg'})
      oneLineError(await run(['triggers:store', '--app', 'pool-pg', '--to', 'postgres', '--database', 'DATABASE_CONNECTION_POOL_URL', '--confirm', 'pool-pg']), 2, /pooled URL .* --database DATABASE_URL/)
    })
  })
})
