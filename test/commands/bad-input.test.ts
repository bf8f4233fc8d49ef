// Every bad input of bad-input-cases.ts, run as a user runs it (bin/run.js, stdin not a terminal):
// each is one line on stderr saying what is wrong and how to write it right, its documented exit
// code, no stack trace, and every stored byte (the data folders, the apps' config vars) unchanged.
// The README's "Bad input" table is written from the same cases: UPDATE_README=1 rewrites it.
import {expect} from 'chai'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {localAppDataDir} from '../../src/context.js'
import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, type CliResult, ROOT} from '../helpers/cli.js'
import {APPS, type BadInput, CASES, DATA_DIRS, FILES} from './bad-input-cases.js'

const API_KEY = 'bad-input-key-5d1e0c3a9b7f'
/** commands run at once; the stored bytes are compared around each group */
const GROUP = 6
const README = path.join(ROOT, 'README.md')
const ERROR_PREFIX = ' ›   Error: '

interface Outcome {
  result: CliResult
  /** files or config vars that differ after the case's group ran */
  changed: string[]
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {recursive: true, withFileTypes: true})
    .filter(entry => entry.isFile())
    .map(entry => path.join(entry.parentPath, entry.name))
}

/** how the README shows an argument: quoted when the shell needs it, shortened when long */
function shownArg(arg: string): string {
  const short = arg.length > 40 ? `${arg.slice(0, 16)}…` : arg
  return /^[\w@%+=:,./-]+$/.test(short) ? short : JSON.stringify(short)
}

function shownCommand(badInput: BadInput): string {
  const env = Object.entries(badInput.env ?? {}).map(([key, value]) => `${key}=${shownArg(value)} `)
  return `${env.join('')}heroku ${badInput.argv.map(arg => shownArg(arg)).join(' ')}`
}

const cell = (text: string) => text.replaceAll('|', String.raw`\|`)

/** the exit codes README "Exit codes" documents */
function documentedExitCodes(readme: string): number[] {
  const section = readme.split('## Exit codes')[1].split('\n## ')[0]
  return [...section.matchAll(/^\| (\d+) \|/gm)].map(match => Number(match[1]))
}

describe('bad input: one line, a documented exit code, no stack trace, nothing written', function () {
  this.timeout(150_000)
  const outcomes = new Map<BadInput, Outcome>()
  let emulator: Emulator
  let root: string
  let project: string
  let data: string
  let env: Record<string, string | undefined>

  /** a message as the README shows it: without this run's folders, port or project key */
  function shownMessage(line: string): string {
    const text = line
      .slice(ERROR_PREFIX.length)
      .replaceAll(`${project}/`, '')
      .replaceAll(root, '')
      .replaceAll(emulator.url, '$HEROKU_HOST')
      .replaceAll(/project-[\da-f]{8}/g, 'PROJECT')
      .replaceAll(/[\da-f]{8}(-[\da-f]{4}){3}-[\da-f]{12}/g, 'ID')
      .replaceAll(/\(now [^)]*\)/g, '(now …)')
      .replaceAll(/(.)\1{15,}/g, '$1$1$1…')
    return text.length > 150 ? `${text.slice(0, 149)}…` : text
  }

  function readmeSection(): string {
    const rows = CASES.map(badInput => {
      const {result} = outcomes.get(badInput)!
      const line = result.stderr.split('\n').find(l => l.trim() !== '') ?? ''
      return `| \`${cell(shownCommand(badInput))}\` | ${cell(badInput.wrong)} | ${badInput.code} | ${cell(shownMessage(line))} |`
    })
    return [
      '## Bad input',
      '',
      `Each of these ${CASES.length} mistakes is one line on stderr saying what is wrong and how to write it right, with the`,
      'exit code shown (see "Exit codes"), no stack trace, and nothing written: the data folder and the app\'s config vars',
      'stay byte for byte as they were. `test/commands/bad-input.test.ts` runs every row (they are',
      '`test/commands/bad-input-cases.ts`; `UPDATE_README=1` rewrites this table from what the commands print). They run in',
      'a project folder whose `--local` store and app `example-app` hold a trigger `existing` and a monitor `watch`.',
      '',
      '| command | what is wrong | exit | message |',
      '|---|---|---|---|',
      ...rows,
      '',
      '',
    ].join('\n')
  }

  /** every stored byte a command could change */
  function snapshot(): Map<string, string> {
    const bytes = new Map<string, string>()
    for (const dir of [project, data]) for (const file of filesUnder(dir)) bytes.set(file, readFileSync(file, 'base64'))
    for (const name of Object.keys(APPS)) {
      const app = emulator.app(name)!
      bytes.set(`config vars of ${name}`, JSON.stringify(app.configVars))
      bytes.set(`releases of ${name}`, String(app.releases.length))
    }

    return bytes
  }

  function changes(before: Map<string, string>, after: Map<string, string>): string[] {
    const keys = new Set([...after.keys(), ...before.keys()])
    return [...keys].filter(key => before.get(key) !== after.get(key)).map(key => key.replace(`${root}/`, ''))
  }

  function run(badInput: BadInput): Promise<CliResult> {
    const own: Record<string, string> = {}
    for (const [key, value] of Object.entries(badInput.env ?? {})) own[key] = key.endsWith('_DIR') ? path.resolve(project, value) : value
    return cli(badInput.argv, {cwd: project, env: {...env, ...own}, timeoutMs: 30_000})
  }

  before(async () => {
    emulator = await startEmulator({apiKey: API_KEY})
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'bad-input-')))
    project = path.join(root, 'project')
    data = path.join(root, 'data')
    mkdirSync(project)
    env = {
      HEROKU_API_KEY: API_KEY,
      HEROKU_APP: undefined,
      HEROKU_HOST: emulator.url,
      HEROKU_PARTICLEBOARD_URL: emulator.url,
      HEROKU_TRIGGERS_DATA_DIR: data,
      HOME: path.join(root, 'home'),
    }

    // the local store, seeded through the CLI; the apps' HEROKU_TRIGGERS hold the same definitions
    for (const seed of [
      ['triggers:create', '--local', '--name', 'existing', '--command', 'bin/existing', '--schedule', '0 * * * *'],
      ['monitors:create', '--local', '--name', 'watch', '--type', 'job-failure', '--trigger', 'existing', '--email', 'none'],
    ]) {
      const seeded = await cli(seed, {cwd: project, env})
      expect(seeded.code, seeded.stderr).to.equal(0)
    }

    const localKey = path.basename(localAppDataDir(data, project))
    const definitions = JSON.stringify(JSON.parse(readFileSync(path.join(data, 'local', localKey, 'definitions.json'), 'utf8')))
    for (const [name, spec] of Object.entries(APPS) as Array<[string, {configVars?: Record<string, string>; filler?: number; seeded?: boolean}]>) {
      const configVars: Record<string, string> = {...spec.configVars}
      if (spec.filler) Object.assign(configVars, {DATABASE_URL: 'postgres://u:p@db.example.com:5432/app', LARGE_SETTING: 'x'.repeat(spec.filler)})
      if (spec.seeded) configVars.HEROKU_TRIGGERS = definitions
      emulator.createApp({configVars, name})
    }

    for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(project, name), text)
    for (const [name, text] of Object.entries(DATA_DIRS)) {
      const file = path.join(project, name, 'local', localKey, 'definitions.json')
      mkdirSync(text === null ? file : path.dirname(file), {recursive: true})
      if (text !== null) writeFileSync(file, text)
    }

    for (let start = 0; start < CASES.length; start += GROUP) {
      const group = CASES.slice(start, start + GROUP)
      const before = snapshot()
      const results = await Promise.all(group.map(badInput => run(badInput)))
      const changed = changes(before, snapshot())
      for (const [i, badInput] of group.entries()) outcomes.set(badInput, {changed, result: results[i]})
    }
  })

  after(async () => {
    await emulator?.stop()
  })

  it('has at least 60 cases, each command of the plugin among them', () => {
    expect(CASES.length).to.be.at.least(60)
    const commands = new Set(CASES.map(c => c.argv[0]))
    const all = readdirSync(path.join(ROOT, 'src', 'commands'), {recursive: true, withFileTypes: true})
      .filter(entry => entry.isFile() && entry.name.endsWith('.ts'))
      .map(entry => {
        const topic = path.relative(path.join(ROOT, 'src', 'commands'), entry.parentPath)
        const verb = entry.name.replace(/\.ts$/, '')
        return verb === 'index' ? topic : `${topic}:${verb}`
      })
    expect(all.filter(command => !commands.has(command)), 'commands with no bad input').to.deep.equal([])
  })

  const documented = documentedExitCodes(readFileSync(README, 'utf8'))
  for (const badInput of CASES) {
    it(`${shownCommand(badInput)}: ${badInput.wrong}, exit ${badInput.code}`, () => {
      const {changed, result} = outcomes.get(badInput)!
      expect(result.code, result.stderr).to.equal(badInput.code)
      expect(documented, 'a documented exit code').to.include(badInput.code)
      expect(badInput.code, 'an error a user caused, not an unexpected one').to.be.greaterThan(1)
      expect(result.stdout, 'nothing on stdout').to.equal('')
      expect(result.stderr, 'no stack trace').not.to.match(/^\s+at /m)
      const lines = result.stderr.split('\n').filter(line => line.trim() !== '')
      expect(lines, result.stderr).to.have.length(1)
      expect(lines[0].startsWith(ERROR_PREFIX), lines[0]).to.equal(true)
      expect(lines[0]).to.match(badInput.message)
      expect(changed, 'stored bytes changed while its group ran').to.deep.equal([])
    })
  }

  it('the README "Bad input" table has a row for each case, with what it prints', () => {
    const readme = readFileSync(README, 'utf8')
    const expected = readmeSection()
    const start = readme.indexOf('## Bad input\n')
    const end = readme.indexOf('## Exit codes\n')
    if (process.env.UPDATE_README) {
      const before = start === -1 ? readme.slice(0, end) : readme.slice(0, start)
      writeFileSync(README, before + expected + readme.slice(end))
      return
    }

    expect(start, 'README has a "## Bad input" section just before "## Exit codes" (UPDATE_README=1 writes it)').to.be.greaterThan(-1)
    expect(readme.slice(start, end)).to.equal(expected)
  })
})
