// Schedules as code against a Heroku app (the Platform API emulator over real HTTP, bin/run.js with
// no terminal): one release per apply on the config var, sizes from the API, two machines applying
// at once, and imports of the app's Heroku Scheduler jobs and of an Advanced Scheduler file.
import {expect} from 'chai'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {TriggerView} from '../../src/core/views.js'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, type CliResult, oneLineError, parseJson} from '../helpers/cli.js'

interface ImportJson {
  skippedAs: null | string
  source: {description: string; id: string; kind: string}
  trigger: null | TriggerView
}

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `apply-heroku-${prefix}-`))

describe('schedules as code on a Heroku app (the emulator)', function () {
  this.timeout(90_000)
  let emulator: Emulator
  let env: Record<string, string | undefined>
  let dir: string

  beforeEach(async () => {
    emulator = await startEmulator()
    dir = tmp('files')
    env = {
      HEROKU_API_KEY: emulator.apiKey,
      HEROKU_APP: undefined,
      HEROKU_HOST: emulator.url,
      HEROKU_PARTICLEBOARD_URL: emulator.url,
      HEROKU_TRIGGERS_DATA_DIR: tmp('data'),
      HEROKU_TRIGGERS_VERIFY_DELAY_MS: '150',
      HOME: tmp('home'),
    }
  })

  afterEach(async () => {
    await emulator.stop()
  })

  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => cli(args, {env: {...env, ...extra}, timeoutMs: 60_000})
  const patches = (app: string) => emulator.requests.filter(r => r.method === 'PATCH' && r.path === `/apps/${app}/config-vars`).length
  const stored = (app: string) => (JSON.parse(emulator.app(app)!.configVars.HEROKU_TRIGGERS) as {triggers: Array<{name: string; size?: string}>}).triggers

  function file(name: string, text: string): string {
    const where = path.join(dir, name)
    writeFileSync(where, text)
    return where
  }

  const SCHEDULE = [
    'version: 1',
    'triggers:',
    '  nightly:',
    '    command: bin/nightly',
    '    schedule: 0 3 * * *',
    '    size: standard-1x',
    '  hourly:',
    '    command: bin/hourly',
    '    schedule: "@hourly"',
    '  every ten:',
    '    command: bin/ten',
    '    schedule: every 10 minutes',
    '    state: inactive',
    '',
  ].join('\n')

  it('applies in one release on the config var; no change makes none; sizes are checked against the API', async () => {
    const app = emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: 'team-app'})
    const schedule = file('triggers.yml', SCHEDULE)
    const first = await run(['triggers:apply', schedule, '--app', 'team-app'])
    expect(first.code, first.stderr).to.equal(0)
    expect(first.stderr).to.match(/Writing HEROKU_TRIGGERS on team-app: this creates a release/)
    expect(patches('team-app'), 'one write').to.equal(1)
    expect(app.releases).to.have.length(2)
    expect(stored('team-app').map(t => t.name).sort()).to.deep.equal(['every ten', 'hourly', 'nightly'])
    expect(stored('team-app').find(t => t.name === 'nightly')!.size).to.equal('Standard-1X')

    const again = await run(['triggers:apply', schedule, '--app', 'team-app', '--exit-code'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stdout).to.contain('No changes: team-app matches the file (3 unchanged).')
    expect(patches('team-app')).to.equal(1)
    expect(app.releases).to.have.length(2)

    const exported = await run(['triggers:export', '--app', 'team-app'])
    expect(exported.stdout).to.contain('size: Standard-1X')
    const changed = file('changed.yml', SCHEDULE.replace('0 3 * * *', '0 4 * * *').replace('"@hourly"', '"@daily"'))
    const update = await run(['triggers:apply', changed, '--app', 'team-app', '--json'])
    expect(update.code, update.stderr).to.equal(0)
    expect(parseJson<{update: unknown[]}>(update).update).to.have.length(2)
    expect(patches('team-app')).to.equal(2)
    expect(app.releases).to.have.length(3)

    const before = emulator.app('team-app')!.configVars.HEROKU_TRIGGERS
    const badSize = file('bad-size.yml', SCHEDULE.replace('size: standard-1x', 'size: standard-3x'))
    oneLineError(await run(['triggers:apply', badSize, '--app', 'team-app']), 2, /bad-size\.yml:3: trigger "nightly": unknown size "standard-3x": use one of /)
    expect(emulator.app('team-app')!.configVars.HEROKU_TRIGGERS).to.equal(before)
  })

  it('the same file applied from two machines at once: each trigger and monitor once, both succeed', async () => {
    emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: 'race-app'})
    const schedule = file('triggers.yml', `${SCHEDULE}monitors:\n  nightly fails:\n    type: job-failure\n    trigger: nightly\n  late:\n    type: missed-run\n    trigger: hourly\n`)
    // each PATCH is held up, so (unless one machine starts over a second late) both read the empty var
    // before either write lands, and both write: the later write must not leave a trigger twice
    emulator.faults.slow({count: 2, match: /^PATCH \/apps\/race-app\/config-vars$/, ms: 1500})
    const [a, b] = await Promise.all([
      run(['triggers:apply', schedule, '--app', 'race-app'], {HEROKU_TRIGGERS_DATA_DIR: tmp('machine-a')}),
      run(['triggers:apply', schedule, '--app', 'race-app'], {HEROKU_TRIGGERS_DATA_DIR: tmp('machine-b')}),
    ])
    expect(a.code, a.stderr).to.equal(0)
    expect(b.code, b.stderr).to.equal(0)
    expect(stored('race-app').map(t => t.name).sort()).to.deep.equal(['every ten', 'hourly', 'nightly'])
    const {monitors} = (JSON.parse(emulator.app('race-app')!.configVars.HEROKU_TRIGGERS) as {monitors: Array<{name: string}>})
    expect(monitors.map(m => m.name).sort()).to.deep.equal(['late', 'nightly fails'])
    const check = await run(['triggers:apply', schedule, '--app', 'race-app', '--dry-run', '--exit-code'], {HEROKU_TRIGGERS_DATA_DIR: tmp('machine-c')})
    expect(check.code, check.stdout + check.stderr).to.equal(0)
  })

  it('imports every Heroku Scheduler interval and offset as inactive triggers, once', async () => {
    const jobs = [{at: 0, command: 'bin/ten', every: 10 as const}]
    for (let at = 0; at <= 50; at += 10) jobs.push({at, command: `bin/hourly ${at}`, every: 60 as const} as never)
    for (const at of [0, 30, 570, 1410]) jobs.push({at, command: `bin/daily ${at}`, every: 1440 as const} as never)
    const app = emulator.createApp({name: 'sched-app', schedulerJobs: jobs.map(j => ({...j, dynoSize: 'Standard-2X'}))})
    app.schedulerJobs.push({...app.schedulerJobs[0], command: 'bin/hobby', dynoSize: 'Hobby', id: '999'})

    const first = await run(['triggers:import', '--app', 'sched-app', '--json'])
    expect(first.code, first.stderr).to.equal(0)
    const items = parseJson<ImportJson[]>(first)
    expect(items).to.have.length(jobs.length + 1)
    const byCommand = new Map(items.map(i => [i.trigger!.command, i.trigger!]))
    expect(byCommand.get('bin/ten')).to.include({name: 'bin/ten', schedule: 'every 10 minutes', size: 'Standard-2X', state: 'inactive', timeout: 600, timezone: 'UTC'})
    for (let at = 0; at <= 50; at += 10) expect(byCommand.get(`bin/hourly ${at}`)).to.include({schedule: `every hour at :${String(at).padStart(2, '0')}`, timeout: 3600})
    expect(byCommand.get('bin/daily 570')).to.include({schedule: 'every day at 09:30', timeout: 86_400})
    expect(byCommand.get('bin/daily 1410')).to.include({schedule: 'every day at 23:30'})
    expect(byCommand.get('bin/hobby')).to.include({size: null})
    expect(first.stderr.replaceAll(/\s+(›\s+)?/g, ' ')).to.match(/size Hobby no longer exists on Heroku/)
    const jobsRead = emulator.requests.filter(r => r.method === 'GET' && r.path === `/apps/${app.id}/jobs`)
    expect(jobsRead, 'jobs read from particleboard by the app\'s uuid').to.have.length(1)

    const again = await run(['triggers:import', '--app', 'sched-app'])
    expect(again.code, again.stderr).to.equal(0)
    expect(again.stdout).to.contain('→ skipped: already imported as trigger "bin/ten"').and.to.contain('Nothing new to import')
    const listed = parseJson<TriggerView[]>(await run(['triggers', '--app', 'sched-app', '--json']))
    expect(listed).to.have.length(jobs.length + 1)

    const human = await run(['triggers:import', '--app', 'fresh-app'], {})
    oneLineError(human, 7, /app fresh-app not found/)
  })

  it('--activate makes them active; the report says what to do next', async () => {
    emulator.createApp({name: 'active-app', schedulerJobs: [{at: 30, command: 'bin/hourly', dynoSize: 'Basic', every: 60}]})
    const result = await run(['triggers:import', '--app', 'active-app', '--activate'])
    expect(result.code, result.stderr).to.equal(0)
    expect(result.stdout).to.match(/Heroku Scheduler job \d+: every hour at :30 \(UTC\), Basic: bin\/hourly\n {2}→ trigger "bin\/hourly" \([\da-f]{8}\), active, timeout 3600s/)
    expect(result.stdout).to.contain('remove its Heroku Scheduler job')
    const [trigger] = parseJson<TriggerView[]>(await run(['triggers', '--app', 'active-app', '--json']))
    expect(trigger).to.include({size: 'Basic', state: 'active'})
  })

  it('imports an Advanced Scheduler file with --from: sizes mapped, a past one-off completed, nothing twice', async () => {
    emulator.createApp({name: 'as-app'})
    const asFile = file('as.json', JSON.stringify([
      {dyno: 'Standartd-2X', frequencyType: 'recurring', name: 'typo', schedule: '*/5 * * * *', state: 'active', timeout: 1800, timezone: 'UTC', uuid: 'a1', value: 'npm run a'},
      {dyno: 'Free', frequencyType: 'recurring', name: 'free', schedule: '0 9 * * 1-5', state: 'active', timeout: 60, timezone: 'Europe/Amsterdam', uuid: 'a2', value: 'npm run b'},
      {dyno: 'Hobby', frequencyType: 'one-off', name: 'past', schedule: '2020-12-25 00:00:00', state: 'active', timeout: 600, timezone: 'America/New_York', uuid: 'a3', value: 'npm run c'},
    ]))
    const result = await run(['triggers:import', '--app', 'as-app', '--from', asFile, '--json'])
    expect(result.code, result.stderr).to.equal(0)
    const made = parseJson<ImportJson[]>(result).map(i => i.trigger!)
    expect(made.map(t => [t.name, t.size, t.state])).to.deep.equal([['typo', 'Standard-2X', 'inactive'], ['free', null, 'inactive'], ['past', null, 'completed']])
    const warnings = result.stderr.replaceAll(/\s+(›\s+)?/g, ' ')
    expect(warnings).to.contain('size Standartd-2X (its misspelling) imported as standard-2x').and.to.contain('size Free no longer exists').and.to.contain('size Hobby no longer exists')
    const again = parseJson<ImportJson[]>(await run(['triggers:import', '--app', 'as-app', '--from', asFile, '--json']))
    expect(again.map(i => i.skippedAs)).to.deep.equal(['typo', 'free', 'past'])
    oneLineError(await run(['triggers:import', '--app', 'as-app', '--from', file('empty.txt', 'You have no triggers.')]), 2, /is not JSON/)
  })
})
