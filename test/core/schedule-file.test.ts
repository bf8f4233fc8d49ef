// The schedule file and apply's plan, without a terminal: export → parse → check → plan is no
// change; every kind of change has its line in the plan; bad entries are all named by line.
import {Ajv} from 'ajv'
import {expect} from 'chai'
import {parse as parseYaml} from 'yaml'

import {SCHEDULE_FILE_SCHEMA} from '../../src/core/file-schema.js'
import {applyPlan, hasChanges, type Plan, planApply, planJson} from '../../src/core/plan.js'
import {checkEntries, exportFile, formatFile, parseScheduleFile, ScheduleFileError, wallTimeOf} from '../../src/core/schedule-file.js'
import {createTrigger, type Trigger, type TriggerInput} from '../../src/core/trigger.js'
import {renderPlan} from '../../src/render/plan.js'

const NOW = new Date('2026-06-01T12:00:00Z')

function make(inputs: TriggerInput[], now = NOW): Trigger[] {
  const out: Trigger[] = []
  for (const input of inputs) out.push(createTrigger(input, out, now).trigger)
  return out
}

const ALL_KINDS: TriggerInput[] = [
  {command: 'bin/report --all', name: 'nightly report', schedule: '30 2 * * *', timezone: 'Europe/Berlin'},
  {catchUp: '15m', command: 'bin/launch', env: ['A=1', 'ZIP=01234'], name: 'launch', size: 'Standard-1X', state: 'inactive', at: '2027-07-04 09:00', timezone: 'America/New_York'},
  {command: 'rake cleanup', concurrency: 'replace', failureEmail: false, jitter: '30s', maintenance: 'skip', name: 'cleanup', retries: 3, schedule: 'every 10 minutes', timeout: 600},
  {command: 'bin/seconds', name: 'seconds', schedule: '*/30 * * * * *'},
  {command: 'bin/daily', name: 'Daily', schedule: '@daily'},
]

function plan(text: string, triggers: Trigger[], prune = false, now = NOW): Plan {
  const entries = checkEntries('f.yml', parseScheduleFile(text), now)
  return planApply(entries, triggers, now, {prune, scope: 'example-app'}, 'f.yml')
}

function fileOf(triggers: Trigger[], format: 'json' | 'yaml' = 'yaml', now = NOW): string {
  return formatFile(exportFile(triggers, {}, now), format, 'example-app')
}

function problemsOf(run: () => unknown): ScheduleFileError {
  try {
    run()
  } catch (error) {
    if (error instanceof ScheduleFileError) return error
    throw error
  }

  throw new Error('expected a ScheduleFileError')
}

describe('schedule file', () => {
  describe('round trip', () => {
    for (const format of ['yaml', 'json'] as const) {
      it(`${format}: export → apply is no change, and export → apply → export is identical`, () => {
        const triggers = make(ALL_KINDS)
        const text = fileOf(triggers, format)
        const p = plan(text, triggers)
        expect(hasChanges(p), renderPlan(p, 'x').join('\n')).to.equal(false)
        expect(p.unchanged).to.have.length(ALL_KINDS.length)

        // from nothing: apply creates them all, and exporting the result gives the same text
        const created = plan(text, [])
        expect(created.create.map(t => t.name).sort()).to.deep.equal(ALL_KINDS.map(t => t.name!).sort())
        const after = applyPlan(created, [])
        expect(fileOf(after, format)).to.equal(text)
        expect(hasChanges(plan(text, after))).to.equal(false)
      })
    }

    it('writes only what differs from the defaults, in the flags\' names, with at as wall time in its zone', () => {
      const data = parseYaml(fileOf(make(ALL_KINDS)))
      expect(data.version).to.equal(1)
      expect(data.monitors).to.deep.equal({})
      expect(Object.keys(data.triggers)).to.deep.equal(['cleanup', 'Daily', 'launch', 'nightly report', 'seconds'])
      expect(data.triggers['nightly report']).to.deep.equal({command: 'bin/report --all', schedule: '30 2 * * *', timezone: 'Europe/Berlin'})
      expect(data.triggers.launch).to.deep.equal({at: '2027-07-04 09:00', catchUp: '15m', command: 'bin/launch', env: {A: '1', ZIP: '01234'}, size: 'Standard-1X', state: 'inactive', timezone: 'America/New_York'})
      expect(data.triggers.cleanup).to.deep.equal({command: 'rake cleanup', concurrency: 'replace', failureEmail: false, jitter: '30s', maintenance: 'skip', retries: 3, schedule: 'every 10 minutes', timeout: 600})
    })

    it('a one-off whose time passed is state: completed, and applied as such (never fired again)', () => {
      const [once] = make([{at: '2026-06-01 13:00', command: 'bin/once', name: 'once'}])
      const later = new Date('2026-06-02T00:00:00Z')
      const text = fileOf([once], 'yaml', later)
      expect(parseYaml(text).triggers.once).to.deep.equal({at: '2026-06-01 13:00', command: 'bin/once', state: 'completed'})
      expect(hasChanges(plan(text, [once], false, later))).to.equal(false)
      const fresh = plan(text, [], false, later)
      expect(fresh.create[0]).to.include({at: '2026-06-01T13:00:00.000Z', state: 'completed'})
    })

    it('a wall time in a fall-back overlap keeps its offset when it is the second one', () => {
      // 2026-11-01 01:30 happens twice in New York: 05:30Z (EDT) and 06:30Z (EST)
      expect(wallTimeOf('2026-11-01T05:30:00.000Z', 'America/New_York')).to.equal('2026-11-01 01:30')
      expect(wallTimeOf('2026-11-01T06:30:00.000Z', 'America/New_York')).to.equal('2026-11-01 01:30-05:00')
      const [second] = make([{at: '2026-11-01T06:30:00Z', command: 'x', name: 'second', timezone: 'America/New_York'}])
      expect(hasChanges(plan(fileOf([second]), [second]))).to.equal(false)
    })

    it('is valid against its JSON Schema, which refuses what apply refuses', () => {
      const ajv = new Ajv({allErrors: true, strict: false})
      const validate = ajv.compile(SCHEDULE_FILE_SCHEMA)
      for (const format of ['yaml', 'json'] as const) {
        const data = parseYaml(fileOf(make(ALL_KINDS), format))
        expect(validate(data), JSON.stringify(validate.errors)).to.equal(true)
      }

      const bad = (entry: unknown) => validate({triggers: {x: entry}, version: 1})
      expect(bad({command: 'x', schedule: '@daily'})).to.equal(true)
      expect(bad({command: 'x', schedule: '@daily', timeout: 90_000})).to.equal(false)
      expect(bad({command: 'x', schedule: '@daily', at: '2027-01-01 00:00'})).to.equal(false)
      expect(bad({command: 'x'})).to.equal(false)
      expect(bad({command: 'x', schedule: '@daily', schedul: 'typo'})).to.equal(false)
      expect(bad({command: 'x', schedule: '@daily', concurrency: 'sometimes'})).to.equal(false)
      expect(validate({triggers: {}, version: 2})).to.equal(false)
    })
  })

  describe('the plan', () => {
    const base = make([
      {command: 'bin/a', name: 'a', schedule: '0 3 * * *'},
      {command: 'bin/b', name: 'b', schedule: '@hourly', env: ['MODE=full']},
      {command: 'bin/c', name: 'c', schedule: '@daily'},
    ])
    const file = (triggers: string) => `version: 1\ntriggers:\n${triggers}`

    it('+ create, ~ update with each field old → new, = unchanged counted, kept without --prune', () => {
      const text = file([
        '  a:',
        '    command: bin/a',
        '    schedule: 0 4 * * *',
        '    timeout: 3600',
        '    state: inactive',
        '  b:',
        '    command: bin/b',
        '    schedule: "@hourly"',
        '    env: {MODE: fast, EXTRA: "1"}',
        '  d:',
        '    command: bin/d',
        '    schedule: every day at 09:30',
        '',
      ].join('\n'))
      const p = plan(text, base)
      expect(planJson(p)).to.deep.equal({
        create: ['d'],
        delete: [],
        unchanged: 0,
        update: [
          {changes: {schedule: {from: '0 3 * * *', to: '0 4 * * *'}, state: {from: 'active', to: 'inactive'}, timeout: {from: 1800, to: 3600}}, name: 'a'},
          {changes: {env: {from: {MODE: 'full'}, to: {EXTRA: '1', MODE: 'fast'}}}, name: 'b'},
        ],
      })
      expect(p.kept.map(t => t.name)).to.deep.equal(['c'])
      const lines = renderPlan(p, 'example-app')
      expect(lines).to.include('+ d: bin/d, "every day at 09:30"')
      expect(lines).to.include('~ a').and.to.include('    timeout: 1800 → 3600').and.to.include('    state: active → inactive')
      expect(lines).to.include('  kept, not in the file (--prune deletes them): c')
      expect(lines.at(-1)).to.equal('Plan for example-app: 1 to create, 2 to update, 0 to delete, 0 unchanged.')

      const after = applyPlan(p, base)
      expect(after.map(t => t.name)).to.deep.equal(['a', 'b', 'c', 'd'])
      expect(after[0]).to.include({id: base[0].id, schedule: '0 4 * * *', state: 'inactive', timeout: 3600, updatedAt: NOW.toISOString()})
      expect(after[0].createdAt).to.equal(base[0].createdAt)
      expect(after[1].env, 'env is the file\'s, not merged').to.deep.equal({EXTRA: '1', MODE: 'fast'})
    })

    it('- delete only with --prune; = unchanged counted', () => {
      const text = file('  a:\n    command: bin/a\n    schedule: 0 3 * * *\n')
      const pruned = plan(text, base, true)
      expect(planJson(pruned)).to.deep.equal({create: [], delete: ['b', 'c'], unchanged: 1, update: []})
      expect(renderPlan(pruned, 'x')).to.include.members(['- b', '- c', '= 1 unchanged'])
      expect(applyPlan(pruned, base).map(t => t.name)).to.deep.equal(['a'])
    })

    it('every field can change, and a switch from schedule to at', () => {
      const {changes} = plan(file([
        '  a:',
        '    command: bin/a2',
        '    at: 2027-01-01 00:00',
        '    timezone: Asia/Tokyo',
        '    size: basic',
        '    timeout: 60',
        '    concurrency: allow',
        '    catchUp: 5m',
        '    jitter: 10',
        '    retries: 2',
        '    maintenance: skip',
        '    env: {K: v}',
        '    failureEmail: false',
        '    state: inactive',
        '',
      ].join('\n')), base).update[0]
      expect(Object.keys(changes).sort()).to.deep.equal(['at', 'catchUp', 'command', 'concurrency', 'env', 'failureEmail', 'jitter', 'maintenance', 'retries', 'schedule', 'size', 'state', 'timeout', 'timezone'])
      expect(changes.schedule).to.deep.equal({from: '0 3 * * *', to: null})
      expect(changes.at).to.deep.equal({from: null, to: '2027-01-01 00:00'})
      expect(changes.jitter).to.deep.equal({from: '0s', to: '10s'})
    })

    it('a name in another case is the same trigger, renamed; a size in another case is the same size', () => {
      const [sized] = make([{command: 'x', name: 'sized', schedule: '@daily', size: 'Standard-1X'}])
      const p = plan(file('  SIZED:\n    command: x\n    schedule: "@daily"\n    size: standard-1x\n'), [sized])
      expect(planJson(p).update).to.deep.equal([{changes: {name: {from: 'sized', to: 'SIZED'}}, name: 'SIZED'}])
      expect(applyPlan(p, [sized])[0]).to.include({id: sized.id, size: 'Standard-1X'})
    })

    it('a trigger renamed in the file is a delete and a create, and the plan says so', () => {
      const text = file('  a2:\n    command: bin/a\n    schedule: 0 3 * * *\n  b:\n    command: bin/b\n    schedule: "@hourly"\n    env: {MODE: full}\n  c:\n    command: bin/c\n    schedule: "@daily"\n')
      const p = plan(text, base, true)
      expect(planJson(p)).to.deep.equal({create: ['a2'], delete: ['a'], unchanged: 2, update: []})
      expect(p.renames).to.deep.equal([{from: 'a', to: 'a2'}])
      const lines = renderPlan(p, 'x')
      expect(lines).to.include('+ a2 (renamed from a: a delete and a create): bin/a, "0 3 * * *"').and.to.include('- a (renamed to a2)')
      expect(renderPlan(plan(text, base), 'x')).to.include('  kept, not in the file (--prune deletes them): a (renamed to a2 in the file)')
    })

    it('shows drift: a trigger changed on the app since the apply that wrote it', () => {
      const text = file('  a:\n    command: bin/a\n    schedule: 0 3 * * *\n    timeout: 60\n')
      const applied = applyPlan(plan(text, base), base)
      expect(hasChanges(plan(text, applied)), 'applied: no change').to.equal(false)
      // someone runs triggers:update a --timeout 120 on the app
      const changed = applied.map(t => (t.name === 'a' ? {...t, timeout: 120, updatedAt: '2026-06-01T13:00:00.000Z'} : t))
      const p = plan(text, changed)
      expect(planJson(p).update).to.deep.equal([{changes: {timeout: {from: 120, to: 60}}, drift: true, name: 'a'}])
      expect(renderPlan(p, 'x')).to.include('~ a (drift: changed on the app since the last apply)')
      // a change made by the file itself is no drift
      const edited = plan(text.replace('timeout: 60', 'timeout: 90'), applied)
      expect(planJson(edited).update).to.deep.equal([{changes: {timeout: {from: 60, to: 90}}, name: 'a'}])
    })

    it('gives the same id to the same name from any machine, so two applies at once make one trigger', () => {
      const text = file('  new:\n    command: bin/new\n    schedule: "@daily"\n')
      expect(plan(text, []).create[0].id).to.equal(plan(text, []).create[0].id)
      expect(plan(text, []).create[0].id).to.match(/^[\da-f]{8}-[\da-f]{4}-5[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/)
    })

    it('activation state is part of the file: a missing state is active', () => {
      const inactive = make([{command: 'x', name: 'x', schedule: '@daily', state: 'inactive'}])
      const p = plan(file('  x:\n    command: x\n    schedule: "@daily"\n'), inactive)
      expect(planJson(p).update).to.deep.equal([{changes: {state: {from: 'inactive', to: 'active'}}, name: 'x'}])
    })
  })

  describe('bad files: every bad entry named by the line of its key, and nothing else done', () => {
    it('names all three bad entries with their lines and what to write instead', () => {
      const text = [
        'version: 1', // 1
        'triggers:', // 2
        '  good:', // 3
        '    command: bin/good', // 4
        '    schedule: "@daily"', // 5
        '  bad cron:', // 6
        '    command: bin/x', // 7
        '    schedule: 61 * * * *', // 8
        '  bad timeout:', // 9
        '    command: bin/y', // 10
        '    schedule: "@hourly"', // 11
        '    timeout: 90000', // 12
        '  typo:', // 13
        '    command: bin/z', // 14
        '    schedul: "@hourly"', // 15
        '',
      ].join('\n')
      const error = problemsOf(() => checkEntries('f.yml', parseScheduleFile(text), NOW))
      expect(error.exitCode).to.equal(2)
      expect(error.problems.map(p => [p.line, p.name])).to.deep.equal([[6, 'bad cron'], [9, 'bad timeout'], [13, 'typo']])
      const lines = error.lines()
      expect(lines[0]).to.equal('f.yml has 3 bad entries, nothing was applied:')
      expect(lines[1]).to.match(/^f\.yml:6: trigger "bad cron": invalid schedule "61 \* \* \* \*": .*minute/)
      expect(lines[2]).to.equal('f.yml:9: trigger "bad timeout": timeout must be 1..86400 seconds, got 90000')
      expect(lines[3]).to.equal('f.yml:13: trigger "typo": unknown field "schedul": write schedule')
    })

    it('checks types, states, names and the file\'s own keys', () => {
      const cases: Array<[string, RegExp]> = [
        ['version: 1\ntriggers:\n  x:\n    command: x\n    schedule: "@daily"\n    timeout: "1h"\n', /timeout must be a whole number, got "1h": write e\.g\. timeout: 3600/],
        ['version: 1\ntriggers:\n  x:\n    command: x\n    schedule: "@daily"\n    state: paused\n', /invalid state "paused": use one of active, inactive, completed/],
        ['version: 1\ntriggers:\n  x:\n    command: x\n    schedule: "@daily"\n    state: completed\n', /state completed is for a one-off/],
        ['version: 1\ntriggers:\n  x:\n    command: x\n    schedule: "@daily"\n    value: y\n', /unknown field "value": write command/],
        ['version: 1\ntriggers:\n  x:\n    schedule: "@daily"\n', /missing command: give the command to run/],
        ['version: 1\ntriggers:\n  x:\n    command: x\n', /missing schedule or at/],
        ['version: 1\ntriggers:\n  x:\n    command: x\n    schedule: "@daily"\n    at: 2027-01-01 00:00\n', /schedule and at cannot be used together/],
        ['version: 1\ntriggers:\n  x:\n    command: x\n    schedule: "@daily"\n    timezone: Mars/Olympus\n', /unknown timezone "Mars\/Olympus"/],
        ['version: 1\ntriggers:\n  Nightly:\n    command: x\n    schedule: "@daily"\n  nightly:\n    command: y\n    schedule: "@daily"\n', /:6: trigger "nightly": the name is already used by "Nightly"/],
        ['version: 2\ntriggers: {}\n', /f\.yml:1: version 2 is not one this plugin reads: write version: 1/],
        ['triggers: {}\n', /no version: add "version: 1"/],
        ['version: 1\ntrigers: {}\n', /f\.yml:2: unknown key "trigers"/],
        ['version: 1\ntriggers: [a, b]\n', /triggers must be a map/],
        ['version: 1\nmonitors: [a]\n', /monitors must be a map/],
        ['version: 1\ntriggers:\n  x: {command: x, schedule: "@daily"}\n  x: {command: y, schedule: "@daily"}\n', /f\.yml:4: not valid YAML or JSON \(Map keys must be unique/],
      ]
      for (const [text, pattern] of cases) {
        const error = problemsOf(() => checkEntries('f.yml', parseScheduleFile(text), NOW))
        expect(error.lines().join('\n'), text).to.match(pattern)
      }
    })

    it('refuses a new one-off in the past, but keeps an inactive one whose time is unchanged', () => {
      const past = 'version: 1\ntriggers:\n  once:\n    command: x\n    at: 2026-05-01 00:00\n'
      expect(problemsOf(() => plan(past, [])).lines()[0]).to.match(/f\.yml:3: trigger "once": at 2026-05-01 00:00 \(UTC\) is in the past: .*state: completed/)
      const [once] = make([{at: '2026-05-01 00:00', command: 'x', name: 'once', state: 'inactive'}], new Date('2026-04-01T00:00:00Z'))
      expect(hasChanges(plan(`${past}    state: inactive\n`, [once]))).to.equal(false)
    })
  })

  describe('YAML', () => {
    it('reads anchors, aliases, merge keys and comments, which are not data', () => {
      const text = [
        '# the team\'s schedule',
        'version: 1',
        'x-defaults: &defaults  # anchors live under x- keys',
        '  timezone: Europe/Berlin',
        '  timeout: 600',
        '  env: {MODE: full, WORKERS: 4, ZIP: 01234}',
        'triggers:',
        '  one:',
        '    <<: *defaults',
        '    command: bin/one # not part of the command',
        '    schedule: "0 3 * * *"',
        '  two:',
        '    <<: *defaults',
        '    timeout: 900',
        '    command: bin/two',
        '    schedule: &hourly "@hourly"',
        '  three:',
        '    command: bin/three',
        '    schedule: *hourly',
        'monitors: {}',
      ].join('\n')
      const p = plan(text, [])
      const [one, two, three] = p.create
      expect(one).to.include({command: 'bin/one', schedule: '0 3 * * *', timeout: 600, timezone: 'Europe/Berlin'})
      expect(one.env).to.deep.equal({MODE: 'full', WORKERS: '4', ZIP: '01234'})
      expect(two).to.include({command: 'bin/two', schedule: '@hourly', timeout: 900, timezone: 'Europe/Berlin'})
      expect(three).to.include({command: 'bin/three', schedule: '@hourly', timeout: 1800, timezone: 'UTC'})
    })

    it('reads JSON with its lines', () => {
      const text = '{\n  "version": 1,\n  "triggers": {\n\t"ok": {"command": "x", "schedule": "@daily"},\n\t"bad": {"command": "x", "schedule": "@daily", "retries": 99}\n  }\n}\n'
      expect(problemsOf(() => plan(text, [])).lines()).to.deep.equal(['f.yml:5: trigger "bad": retries must be 0..10, got 99'])
    })
  })
})
