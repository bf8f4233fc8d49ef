/* eslint-disable no-template-curly-in-string -- ${NAME} is the schedule file's own syntax */
// triggers:export and triggers:apply on --local, through the real bin/run.js with no terminal (as in CI).
import {expect} from 'chai'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {PlanJson} from '../../src/core/plan.js'

import {cli, oneLineError, parseJson} from '../helpers/cli.js'

describe('triggers:export and triggers:apply on --local', () => {
  let dataDir: string
  let project: string
  const run = (...args: string[]) => cli(args, {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}})
  const store = () => {
    const local = path.join(dataDir, 'local')
    return readFileSync(path.join(local, readdirSync(local)[0], 'definitions.json'), 'utf8')
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'apply-data-'))
    project = mkdtempSync(path.join(tmpdir(), 'apply-project-'))
    for (const args of [
      ['--name', 'nightly report', '--command', 'bin/report --all', '--schedule', '30 2 * * *', '--timezone', 'Europe/Berlin'],
      ['--name', 'launch', '--command', 'bin/launch', '--at', '2099-07-04 09:00', '--timezone', 'America/New_York', '--inactive', '--env', 'ZIP=01234'],
      ['--name', 'cleanup', '--command', 'rake cleanup', '--schedule', 'every 10 minutes', '--timeout', '600', '--retries', '2', '--concurrency', 'replace'],
    ]) {
      const created = await run('triggers:create', '--local', ...args)
      expect(created.code, created.stderr).to.equal(0)
    }
  })

  it('export → apply is no change and writes nothing; export → apply → export is identical', async () => {
    const exported = await run('triggers:export', '--local')
    expect(exported.code, exported.stderr).to.equal(0)
    expect(exported.stdout).to.match(/^# heroku-triggers schedule of local/).and.to.contain('nightly report:\n    command: bin/report --all')
    const file = path.join(project, 'triggers.yml')
    writeFileSync(file, exported.stdout)
    const before = store()
    const applied = await run('triggers:apply', file, '--local', '--exit-code')
    expect(applied.code, applied.stderr).to.equal(0)
    expect(applied.stdout).to.equal('= 3 unchanged\nNo changes: local matches the file (3 unchanged).\n')
    expect(store(), 'no write').to.equal(before)
    expect((await run('triggers:export', '--local')).stdout).to.equal(exported.stdout)

    // JSON, through --file, and into a fresh project: the same triggers come out again
    const json = path.join(project, 'triggers.json')
    expect((await run('triggers:export', '--local', '--file', json)).code).to.equal(0)
    expect(JSON.parse(readFileSync(json, 'utf8'))).to.have.property('version', 1)
    const otherProject = mkdtempSync(path.join(tmpdir(), 'apply-other-'))
    const elsewhere = (...args: string[]) => cli(args, {cwd: otherProject, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}})
    const created = await elsewhere('triggers:apply', json, '--local', '--json')
    expect(created.code, created.stderr).to.equal(0)
    expect(parseJson<PlanJson>(created)).to.deep.equal({create: ['cleanup', 'launch', 'nightly report'], delete: [], monitors: {create: [], delete: [], unchanged: 0, update: []}, unchanged: 0, update: []})
    expect((await elsewhere('triggers:export', '--local')).stdout).to.equal(exported.stdout)
  })

  it('in CI (no terminal): --dry-run --exit-code exits 10 on changes and writes nothing; the apply then writes once', async () => {
    const file = path.join(project, 'triggers.yml')
    writeFileSync(file, (await run('triggers:export', '--local')).stdout.replace('30 2 * * *', '0 3 * * *'))
    const before = store()
    const dry = await run('triggers:apply', file, '--local', '--dry-run', '--exit-code')
    expect(dry.code, dry.stderr).to.equal(10)
    expect(dry.stdout).to.equal('~ nightly report\n    schedule: "30 2 * * *" → "0 3 * * *"\n= 2 unchanged\nPlan for local: 0 to create, 1 to update, 0 to delete, 2 unchanged.\n')
    expect(dry.stderr).to.contain('--dry-run: nothing was written')
    expect(store()).to.equal(before)
    const json = await run('triggers:apply', file, '--local', '--dry-run', '--exit-code', '--json')
    expect(json.code).to.equal(10)
    expect(parseJson<PlanJson>(json).update).to.deep.equal([{changes: {schedule: {from: '30 2 * * *', to: '0 3 * * *'}}, name: 'nightly report'}])

    const applied = await run('triggers:apply', file, '--local', '--exit-code')
    expect(applied.code, applied.stderr).to.equal(10)
    expect(applied.stderr).to.contain('Applying to local... done, in one write')
    expect(JSON.parse(store()).triggers.find((t: {name: string}) => t.name === 'nightly report').schedule).to.equal('0 3 * * *')
    const again = await run('triggers:apply', file, '--local', '--exit-code')
    expect(again.code, again.stderr).to.equal(0)
  })

  it('--prune deletes what is not in the file, only with --confirm when there is no terminal', async () => {
    const file = path.join(project, 'triggers.yml')
    writeFileSync(file, 'version: 1\ntriggers:\n  cleanup:\n    command: rake cleanup\n    schedule: every 10 minutes\n    timeout: 600\n    concurrency: replace\n    retries: 2\n')
    const before = store()
    const kept = await run('triggers:apply', file, '--local')
    expect(kept.code, kept.stderr).to.equal(0)
    expect(kept.stdout).to.contain('kept, not in the file (--prune deletes them): launch, nightly report')
    expect(store()).to.equal(before)
    oneLineError(await run('triggers:apply', file, '--local', '--prune'), 5, /--prune deletes 2 triggers from local \(launch, nightly report\).*--confirm local/)
    expect(store()).to.equal(before)
    const pruned = await run('triggers:apply', file, '--local', '--prune', '--confirm', 'local')
    expect(pruned.code, pruned.stderr).to.equal(0)
    expect(pruned.stdout).to.contain('- launch\n- nightly report\n= 1 unchanged')
    expect(JSON.parse(store()).triggers.map((t: {name: string}) => t.name)).to.deep.equal(['cleanup'])
  })

  it('a file with 3 bad entries: all three named by line, exit 2, nothing written', async () => {
    const file = path.join(project, 'bad.yml')
    writeFileSync(file, [
      'version: 1',
      'triggers:',
      '  fine:',
      '    command: bin/fine',
      '    schedule: "@daily"',
      '  bad cron:',
      '    command: bin/x',
      '    schedule: 0 25 * * *',
      '  bad size:',
      '    command: bin/y',
      '    schedule: "@hourly"',
      '    size: "standard 1x"',
      '  bad zone:',
      '    command: bin/z',
      '    schedule: "@hourly"',
      '    timezone: Mars/Olympus',
      '',
    ].join('\n'))
    const before = store()
    const result = await run('triggers:apply', file, '--local')
    expect(result.code).to.equal(2)
    expect(result.stdout).to.equal('')
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).to.have.length(4)
    expect(lines[0]).to.equal(` ›   Error: ${file} has 3 bad entries, nothing was applied:`)
    expect(lines[1]).to.match(/:6: trigger "bad cron": invalid schedule "0 25 \* \* \*": .*hour/)
    expect(lines[2]).to.match(/:9: trigger "bad size": invalid size "standard 1x": give a dyno size such as basic/)
    expect(lines[3]).to.match(/:13: trigger "bad zone": unknown timezone "Mars\/Olympus": use an IANA name/)
    expect(store()).to.equal(before)
  })

  it('a missing file, and a YAML error, are one line and exit 2', async () => {
    oneLineError(await run('triggers:apply', path.join(project, 'nope.yml'), '--local'), 2, /cannot read .*nope\.yml: no such file; .*triggers:export/)
    const broken = path.join(project, 'broken.yml')
    writeFileSync(broken, 'version: 1\ntriggers:\n  a:\n    command: [x\n')
    oneLineError(await run('triggers:apply', broken, '--local'), 2, /broken\.yml:\d: not valid YAML or JSON/)
  })

  it('prints the JSON Schema', async () => {
    const schema = await run('triggers:export', '--schema')
    expect(schema.code, schema.stderr).to.equal(0)
    expect(parseJson<{title: string}>(schema).title).to.equal('heroku-triggers schedule file')
  })

  it('applies monitors: export → apply keeps their secrets on the app, ${NAME} reads one from the environment', async () => {
    const hook = 'https://hooks.slack.com/services/T000/B000/secret-path'
    expect((await run('monitors:create', '--local', '--name', 'failures', '--type', 'job-failure', '--webhook', hook, '--secret', 's3cret')).code).to.equal(0)
    const exported = await run('triggers:export', '--local')
    expect(exported.stdout).to.contain('failures:\n    type: job-failure\n    webhooks:\n      - https://hooks.slack.com/…\n    signed: true').and.not.to.contain('secret-path')
    const file = path.join(project, 'with-monitors.yml')
    writeFileSync(file, exported.stdout)
    expect((await run('triggers:apply', file, '--local', '--exit-code')).code).to.equal(0) // nothing to change, secrets kept

    writeFileSync(file, exported.stdout + '  late report:\n    type: missed-run\n    trigger: nightly report\n    grace: 10m\n    webhooks: ["${LATE_HOOK}"]\n')
    const missing = await run('triggers:apply', file, '--local')
    expect(missing.code).to.equal(2)
    expect(missing.stderr).to.match(/with-monitors\.yml:\d+: monitor "late report": webhooks: \$\{LATE_HOOK\} is not set in the environment/)
    const applied = await cli(['triggers:apply', file, '--local', '--json'], {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir, LATE_HOOK: 'https://example.com/hooks/late'}})
    expect(applied.code, applied.stderr).to.equal(0)
    expect(parseJson<PlanJson>(applied).monitors).to.deep.equal({create: ['late report'], delete: [], unchanged: 1, update: []})
    const monitors = parseJson<Array<{grace: number; name: string; notify: {webhook: string[]}; signed: boolean; trigger: string}>>(await run('monitors', '--local', '--json'))
    expect(monitors.map(m => [m.name, m.trigger, m.grace, m.notify.webhook, m.signed])).to.deep.equal([
      ['failures', null, null, ['https://hooks.slack.com/…'], true],
      ['late report', 'nightly report', 600, ['https://example.com/…'], false],
    ])
    expect(store()).to.contain('s3cret').and.to.contain(hook) // the export's masks kept the real ones
  })
})
