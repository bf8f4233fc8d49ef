/* eslint-disable no-template-curly-in-string -- ${NAME} is the schedule file's own syntax */
// Monitors in the schedule file: export → apply is no change (secrets stay on the app), every kind
// of change has its line in the plan, ${NAME} reads a secret from the environment, and bad monitor
// entries are named by line along with bad triggers.
import {Ajv} from 'ajv'
import {expect} from 'chai'
import {parse as parseYaml} from 'yaml'

import {SCHEDULE_FILE_SCHEMA} from '../../src/core/file-schema.js'
import {exportMonitors} from '../../src/core/monitor-file.js'
import {applyMonitorInput, type Monitor, type MonitorInput} from '../../src/core/monitors.js'
import {applyFile, checkScheduleFile, hasChanges, type Plan, planFile, planJson} from '../../src/core/plan.js'
import {exportFile, formatFile, parseScheduleFile, ScheduleFileError} from '../../src/core/schedule-file.js'
import {createTrigger, type Trigger} from '../../src/core/trigger.js'
import {renderPlan} from '../../src/render/plan.js'

const NOW = new Date('2026-06-01T12:00:00Z')
const SLACK = 'https://hooks.slack.com/services/T000/B000/secret-path-xyz'

function appTriggers(): Trigger[] {
  const out: Trigger[] = []
  for (const input of [{command: 'bin/nightly', name: 'nightly', schedule: '0 3 * * *'}, {command: 'bin/often', name: 'often', schedule: '*/5 * * * *'}]) out.push(createTrigger(input, out, NOW).trigger)
  return out
}

function appMonitors(triggers: Trigger[]): Monitor[] {
  const inputs: MonitorInput[] = [
    {name: 'failures', sensitivity: 2, type: 'job-failure', webhook: [SLACK], secret: 'whsec-0123-never-written'},
    {email: 'ops@example.com,dev@example.com', grace: '5m', name: 'late', trigger: 'nightly', type: 'missed-run'},
    {email: 'none', filter: 'command:bin/often', name: 'slow', renotify: '4h', threshold: 600, type: 'job-execution-time'},
  ]
  const out: Monitor[] = []
  for (const [i, input] of inputs.entries()) out.push(applyMonitorInput(null, input, out, triggers, NOW, `m${i}`))
  out[2].paused = true
  return out
}

function fileOf(defs: {monitors: Monitor[]; triggers: Trigger[]}): string {
  return formatFile(exportFile(defs.triggers, exportMonitors(defs.monitors, defs.triggers), NOW), 'yaml', 'example-app')
}

function plan(text: string, defs: {monitors: unknown[]; triggers: Trigger[]}, options: {env?: Record<string, string>; prune?: boolean} = {}): Plan {
  const checked = checkScheduleFile('f.yml', parseScheduleFile(text), NOW, options.env ?? {})
  return planFile(checked, defs, NOW, {prune: options.prune ?? false, scope: 'example-app'}, 'f.yml')
}

function problemsOf(run: () => unknown): string[] {
  try {
    run()
  } catch (error) {
    if (error instanceof ScheduleFileError) return error.lines()
    throw error
  }

  throw new Error('expected a ScheduleFileError')
}

describe('monitors in the schedule file', () => {
  const triggers = appTriggers()
  const defs = () => ({monitors: appMonitors(triggers), triggers: structuredClone(triggers)})

  it('are exported by name with only what differs from the defaults, trigger by name, and no secret', () => {
    const text = fileOf(defs())
    expect(text).not.to.include('whsec-0123').and.not.to.include('secret-path-xyz')
    expect(parseYaml(text).monitors).to.deep.equal({
      failures: {sensitivity: 2, signed: true, type: 'job-failure', webhooks: ['https://hooks.slack.com/…']},
      late: {email: ['ops@example.com', 'dev@example.com'], grace: '5m', trigger: 'nightly', type: 'missed-run'},
      slow: {email: 'none', filter: 'command:bin/often', paused: true, renotify: '4h', threshold: 600, type: 'job-execution-time'},
    })
  })

  it('export → apply is no change: a masked webhook and signed: true keep what the app has', () => {
    const app = defs()
    const result = plan(fileOf(app), app)
    expect(hasChanges(result), JSON.stringify(planJson(result))).to.equal(false)
    expect(renderPlan(result, 'example-app').at(-1)).to.equal('No changes: example-app matches the file (2 unchanged, 3 monitors unchanged).')
  })

  it('plans a create, an update of each field shown (secrets masked), and a delete only with --prune', () => {
    const app = defs()
    const text = fileOf(app)
      .replace('    sensitivity: 2\n', '    sensitivity: 3\n')
      .replace('    webhooks:\n      - https://hooks.slack.com/…\n', '    webhooks:\n      - ${SLACK_URL}\n')
      .replace('    signed: true\n', '    secret: ${HOOK_SECRET}\n')
      .replace(/ {2}late:\n(?: {4}.*\n)+/, '  failing nightly:\n    trigger: nightly\n    type: job-failure\n')
    const env = {HOOK_SECRET: 'rotated-secret', SLACK_URL: 'https://hooks.slack.com/services/T000/B000/new-path'}
    const kept = plan(text, app, {env})
    expect(planJson(kept).monitors).to.deep.equal({
      create: ['failing nightly'],
      delete: [],
      unchanged: 1,
      update: [{changes: {secret: {from: 'set', to: 'another'}, sensitivity: {from: 2, to: 3}, webhooks: {from: ['https://hooks.slack.com/…'], to: 'another URL on the same host'}}, name: 'failures'}],
    })
    const lines = renderPlan(kept, 'example-app')
    expect(lines).to.include.members(['+ monitor failing nightly: job-failure', '~ monitor failures', '    sensitivity: 2 → 3', '  monitors kept, not in the file (--prune deletes them): late'])
    expect(lines.join('\n')).not.to.include('rotated-secret').and.not.to.include('new-path')
    expect(lines.at(-1)).to.equal('Plan for example-app: 0 to create, 0 to update, 0 to delete, 2 unchanged; monitors: 1 to create, 1 to update, 0 to delete, 1 unchanged.')

    const pruned = plan(text, app, {env, prune: true})
    expect(pruned.monitors!.delete.map(m => m.name)).to.deep.equal(['late'])
    applyFile(pruned, app)
    const byName = new Map((app.monitors as Monitor[]).map(m => [m.name, m]))
    expect([...byName.keys()].sort()).to.deep.equal(['failing nightly', 'failures', 'slow'])
    expect(byName.get('failures')).to.include({id: 'm0', secret: 'rotated-secret', sensitivity: 3})
    expect(byName.get('failures')!.webhooks).to.deep.equal([env.SLACK_URL])
    expect(byName.get('failing nightly')!.trigger).to.equal(triggers[0].id)
    expect(hasChanges(plan(text, app, {env, prune: true}))).to.equal(false) // applied: now the app matches
  })

  it('a monitor may watch a trigger the same file creates; one the file and the app lack is named', () => {
    const text = 'version: 1\ntriggers:\n  fresh:\n    command: bin/fresh\n    schedule: "@hourly"\nmonitors:\n  watch fresh:\n    type: missed-run\n    trigger: fresh\n'
    const made = plan(text, {monitors: [], triggers: []})
    expect(made.monitors!.create[0].trigger).to.equal(made.create[0].id)
    expect(problemsOf(() => plan(text.replace('trigger: fresh', 'trigger: stale'), {monitors: [], triggers: []}))).to.deep.equal([
      'f.yml:7: monitor "watch fresh": trigger "stale" is not a trigger of the app or the file: write the name of one under triggers:',
    ])
  })

  it('names every bad monitor and trigger entry by its line, and an unset ${NAME}', () => {
    const text = [
      'version: 1',
      'triggers:',
      '  broken:',
      '    command: x',
      '    schedule: "61 * * * *"',
      'monitors:',
      '  no type:',
      '    trigger: broken',
      '  typo:',
      '    type: job-failure',
      '    sensitivty: 2',
      '  too slow:',
      '    type: job-execution-time',
      '  hook:',
      '    type: job-failure',
      '    webhooks: ["${NOT_SET}"]',
    ].join('\n')
    const lines = problemsOf(() => plan(text, {monitors: [], triggers: []}))
    expect(lines[0]).to.equal('f.yml has 4 bad entries, nothing was applied:')
    expect(lines.slice(1).map(l => /^f\.yml:(\d+): (\w+ "[^"]+")/.exec(l)!.slice(1).join(' '))).to.deep.equal(['3 trigger "broken"', '7 monitor "no type"', '9 monitor "typo"', '14 monitor "hook"'])
    expect(lines[2]).to.match(/missing type: write e\.g\. type: job-failure/)
    expect(lines[3]).to.match(/unknown field "sensitivty": write sensitivity/)
    expect(lines[4]).to.match(/\$\{NOT_SET\} is not set in the environment: set NOT_SET where triggers:apply runs/)
    // what needs the app is checked once the file is: a missing threshold speaks the file's words
    const slow = 'version: 1\nmonitors:\n  too slow:\n    type: job-execution-time\n'
    expect(problemsOf(() => plan(slow, {monitors: [], triggers: []}))).to.deep.equal(['f.yml:3: monitor "too slow": a job-execution-time monitor needs threshold (1..86400 seconds)'])
  })

  it('a masked webhook or signed: true with nothing on the app to keep says what to write', () => {
    const text = 'version: 1\nmonitors:\n  new:\n    type: job-failure\n    webhooks: ["https://hooks.slack.com/…"]\n    signed: true\n'
    const [line] = problemsOf(() => plan(text, {monitors: [], triggers: []}))
    expect(line).to.match(/webhooks: https:\/\/hooks\.slack\.com\/… is masked \(as export writes it\) and the monitor is not on the app yet/)
    expect(line).to.match(/write the whole URL, or "\$\{NAME\}" to read it from the environment$/)
  })

  it('without a monitors key the app\'s monitors are left as they are, even with --prune', () => {
    const app = defs()
    const result = plan('version: 1\ntriggers: {}\n', app, {prune: true})
    expect(result.monitors).to.equal(undefined)
    expect(result.delete.map(t => t.name).sort()).to.deep.equal(['nightly', 'often'])
    applyFile(result, app)
    expect(app.monitors).to.have.length(3)
  })

  it('the exported file is valid against the JSON Schema, which refuses a bad monitor', () => {
    const validate = new Ajv({allErrors: true, strict: false}).compile(SCHEDULE_FILE_SCHEMA)
    const data = parseYaml(fileOf(defs()))
    expect(validate(data), JSON.stringify(validate.errors)).to.equal(true)
    const bad = (monitor: unknown) => validate({monitors: {x: monitor}, version: 1})
    expect(bad({type: 'job-failure'})).to.equal(true)
    expect(bad({type: 'job-falure'})).to.equal(false)
    expect(bad({sensitivity: 0, type: 'job-failure'})).to.equal(false)
    expect(bad({email: ['not an address'], type: 'job-failure'})).to.equal(false)
    expect(bad({trigger: 'x'})).to.equal(false)
  })
})
