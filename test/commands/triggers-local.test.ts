// Trigger management on --local, through the real bin/run.js: what a user types and sees.
import {expect} from 'chai'
import {mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {TriggerView} from '../../src/core/views.js'

import {cli, oneLineError, parseJson} from '../helpers/cli.js'

/** what --json prints for a trigger (triggers:info adds its next run times) */
type TriggerJson = TriggerView & {nextRuns?: string[]}

function storeFile(dataDir: string): string {
  const local = path.join(dataDir, 'local')
  const [project] = readdirSync(local)
  return path.join(local, project, 'definitions.json')
}

describe('triggers on --local', () => {
  let dataDir: string
  let project: string
  const run = (...args: string[]) => cli([...args], {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}})

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'triggers-data-'))
    project = mkdtempSync(path.join(tmpdir(), 'triggers-project-'))
  })

  it('lists nothing as [] and in words', async () => {
    const listed = await run('triggers', '--local', '--json')
    expect(listed.code).to.equal(0)
    expect(parseJson(listed)).to.deep.equal([])
    const human = await run('triggers', '--local')
    expect(human.stdout).to.match(/No triggers on local/)
  })

  it('creates, lists, shows, updates, deactivates, activates and deletes a trigger', async () => {
    const created = await run('triggers:create', '--local', '--name', 'nightly report', '--command', 'bin/report --all', '--schedule', '30 2 * * *', '--timezone', 'Europe/Berlin', '--json')
    expect(created.code, created.stderr).to.equal(0)
    const trigger = parseJson<TriggerJson>(created)
    expect(trigger).to.include({concurrency: 'forbid', name: 'nightly report', schedule: '30 2 * * *', state: 'active', timeout: 1800, timezone: 'Europe/Berlin'})
    expect(trigger.id).to.match(/^[\da-f]{8}-[\da-f]{4}-/)
    expect(new Date(trigger.nextRunAt!).getTime()).to.be.greaterThan(Date.now())
    expect(trigger.description).to.contain('Europe/Berlin')

    const list = parseJson<TriggerJson[]>(await run('triggers', '--local', '--json'))
    expect(list.map(t => t.id)).to.deep.equal([trigger.id])

    const human = await run('triggers', '--local')
    expect(human.stdout).to.contain('nightly report').and.to.contain('active').and.to.contain(trigger.id.slice(0, 8))

    const info = parseJson<TriggerJson>(await run('triggers:info', trigger.id.slice(0, 6), '--local', '--json'))
    expect(info.nextRuns).to.have.length(5)
    expect(new Set(info.nextRuns).size).to.equal(5)

    const updated = parseJson<TriggerJson>(await run('triggers:update', 'nightly report', '--local', '--timeout', '3600', '--env', 'MODE=full', '--json'))
    expect(updated).to.include({schedule: '30 2 * * *', timeout: 3600})
    expect(updated.env).to.deep.equal({MODE: 'full'})

    const off = await run('triggers:deactivate', 'nightly report', '--local', '--note', 'migration')
    expect(off.code).to.equal(0)
    const again = await run('triggers:deactivate', 'nightly report', '--local')
    expect(again.code, 'deactivate is idempotent').to.equal(0)
    expect(again.stderr).to.contain('already inactive')
    const inactive = parseJson<TriggerJson>(await run('triggers:info', 'nightly report', '--local', '--json'))
    expect(inactive).to.include({nextRunAt: null, note: 'migration', state: 'inactive'})

    expect((await run('triggers:activate', trigger.id, '--local')).code).to.equal(0)
    const on = await run('triggers:activate', trigger.id, '--local')
    expect(on.code).to.equal(0)
    expect(on.stderr).to.contain('already active')

    const refused = await run('triggers:delete', 'nightly report', '--local')
    oneLineError(refused, 5, /--confirm local/)
    expect(parseJson<TriggerJson[]>(await run('triggers', '--local', '--json'))).to.have.length(1)
    const deleted = await run('triggers:delete', 'nightly report', '--local', '--confirm', 'local')
    expect(deleted.code, deleted.stderr).to.equal(0)
    expect(parseJson(await run('triggers', '--local', '--json'))).to.deep.equal([])
  })

  it('keeps the store private: mode 0600 and a schema version', async () => {
    await run('triggers:create', '--local', '--name', 'a', '--command', 'true', '--schedule', '@hourly')
    const file = storeFile(dataDir)
    expect(statSync(file).mode & 0o777).to.equal(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).to.equal(1)
  })

  it('takes the Advanced Scheduler CLI flags as aliases', async () => {
    const recurring = await run('triggers:create', '--local', '--name', 'as', '--value', 'npm run x', '--frequencyType', 'recurring', '--schedule', '*/5 * * * *', '--dyno', 'Standard-1X', '--state', 'inactive', '--json')
    expect(recurring.code, recurring.stderr).to.equal(0)
    expect(parseJson<TriggerJson>(recurring)).to.include({schedule: '*/5 * * * *', size: 'Standard-1X', state: 'inactive'})
    const oneOff = await run('triggers:create', '--local', '--name', 'as once', '--value', 'npm run y', '--frequencyType', 'one-off', '--schedule', '2099-12-25 00:00:00', '--json')
    expect(oneOff.code, oneOff.stderr).to.equal(0)
    expect(parseJson<TriggerJson>(oneOff)).to.include({at: '2099-12-25T00:00:00.000Z', schedule: null})
  })

  it('creates a one-off trigger read in its timezone', async () => {
    const created = parseJson<TriggerJson>(await run('triggers:create', '--local', '--name', 'launch', '--command', 'bin/launch', '--at', '2099-07-04 09:00', '--timezone', 'America/New_York', '--json'))
    expect(created.at).to.equal('2099-07-04T13:00:00.000Z')
    expect(created.nextRunAt).to.equal('2099-07-04T13:00:00.000Z')
  })

  it('accepts Heroku Scheduler phrases and macros', async () => {
    for (const [name, schedule] of [['ten', 'every 10 minutes'], ['half', 'every hour at :30'], ['morning', 'every day at 09:30'], ['daily', '@daily'], ['secs', '*/30 * * * * *']]) {
      const result = await run('triggers:create', '--local', '--name', name, '--command', 'true', '--schedule', schedule, '--json')
      expect(result.code, `${schedule}: ${result.stderr}`).to.equal(0)
    }
  })

  describe('bad input: one line, a documented exit code, and the store untouched', () => {
    let before: string

    beforeEach(async () => {
      const seed = await run('triggers:create', '--local', '--name', 'existing', '--command', 'true', '--schedule', '0 * * * *')
      expect(seed.code, seed.stderr).to.equal(0)
      before = readFileSync(storeFile(dataDir), 'utf8')
    })

    afterEach(() => {
      expect(readFileSync(storeFile(dataDir), 'utf8')).to.equal(before)
    })

    const base = ['triggers:create', '--local', '--name', 'new one', '--command', 'true']

    it('an invalid cron names the field', async () => {
      oneLineError(await run(...base, '--schedule', '61 * * * *'), 2, /minute/)
      oneLineError(await run(...base, '--schedule', '0 25 * * *'), 2, /hour/)
      oneLineError(await run(...base, '--schedule', '0 0 32 * *'), 2, /day-of-month/)
      oneLineError(await run(...base, '--schedule', '0 0 * 13 *'), 2, /month/)
      oneLineError(await run(...base, '--schedule', '0 0 * * 9'), 2, /day-of-week/)
    })

    it('an unknown timezone', async () => {
      oneLineError(await run(...base, '--schedule', '@daily', '--timezone', 'Mars/Olympus'), 2, /timezone.*IANA/i)
    })

    it('--at in the past', async () => {
      oneLineError(await run(...base, '--at', '2001-01-01 00:00'), 2, /past/)
    })

    it('a timeout outside 1..86400', async () => {
      oneLineError(await run(...base, '--schedule', '@daily', '--timeout', '90000'), 2, /--timeout must be 1\.\.86400 seconds, got 90000/)
      oneLineError(await run(...base, '--schedule', '@daily', '--timeout', '0'), 2, /--timeout/)
    })

    it('a duplicate name', async () => {
      oneLineError(await run('triggers:create', '--local', '--name', 'Existing', '--command', 'true', '--schedule', '@daily'), 4, /already exists/)
    })

    it('an unknown or ambiguous trigger', async () => {
      oneLineError(await run('triggers:info', 'nope', '--local'), 3, /no trigger "nope"/)
      oneLineError(await run('triggers:update', 'nope', '--local', '--timeout', '10'), 3, /no trigger/)
    })

    it('--schedule with --at', async () => {
      const result = await run(...base, '--schedule', '@daily', '--at', '2099-01-01 00:00')
      expect(result.code).to.equal(2)
      expect(result.stderr).to.match(/--at|--schedule/)
    })

    it('a missing required flag, without waiting for input', async () => {
      oneLineError(await run('triggers:create', '--local', '--name', 'x', '--command', 'true'), 2, /missing --schedule or --at/)
      oneLineError(await run('triggers:create', '--local', '--command', 'true', '--schedule', '@daily'), 2, /missing --name/)
    })

    it('delete without --confirm when not interactive', async () => {
      oneLineError(await run('triggers:delete', 'existing', '--local'), 5, /--confirm/)
    })

    it('a bad --env, --concurrency or --jitter', async () => {
      oneLineError(await run(...base, '--schedule', '@daily', '--env', 'NOEQUALS'), 2, /KEY=value/)
      oneLineError(await run(...base, '--schedule', '@daily', '--jitter', 'soon'), 2, /--jitter/)
    })
  })

  it('leaves a corrupt store as it was and says so', async () => {
    await run('triggers:create', '--local', '--name', 'a', '--command', 'true', '--schedule', '@hourly')
    const file = storeFile(dataDir)
    writeFileSync(file, '{"schemaVersion": 1, "triggers": [', {mode: 0o600})
    const listed = await run('triggers', '--local', '--json')
    oneLineError(listed, 8, /not valid JSON.*left as it was/)
    const created = await run('triggers:create', '--local', '--name', 'b', '--command', 'true', '--schedule', '@hourly')
    expect(created.code).to.equal(8)
    expect(readFileSync(file, 'utf8')).to.equal('{"schemaVersion": 1, "triggers": [')
  })

  it('lands all of 20 triggers:create started at once', async () => {
    const runs = Array.from({length: 20}, (_, i) => run('triggers:create', '--local', '--name', `job ${i}`, '--command', `echo ${i}`, '--schedule', '*/5 * * * *', '--json'))
    const results = await Promise.all(runs)
    for (const result of results) expect(result.code, result.stderr).to.equal(0)
    const list = parseJson<TriggerJson[]>(await run('triggers', '--local', '--json'))
    expect(list.map(t => t.name).sort()).to.deep.equal(Array.from({length: 20}, (_, i) => `job ${i}`).sort())
    const leftovers = readdirSync(path.dirname(storeFile(dataDir))).filter(f => f.endsWith('.tmp') || f.endsWith('.lock'))
    expect(leftovers).to.deep.equal([])
  })
})
