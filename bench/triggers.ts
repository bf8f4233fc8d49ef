// Issue 2's figures: startup of a plugin command against a minimal oclif command, and
// triggers:create with 10,000 stored triggers against 10.
import {mkdtempSync, realpathSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {localAppDataDir} from '../src/base.js'
import {seedDefinitions} from '../test/helpers/store.js'
import {type BenchResult, compareCommands, ROOT, RUN, timeCommand} from './lib.js'

const MINIMAL = path.join(ROOT, 'bench', 'fixtures', 'minimal-cli', 'bin', 'run.js')

function seedStore(count: number): {dataDir: string; project: string} {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-data-'))
  const project = mkdtempSync(path.join(tmpdir(), 'bench-project-'))
  const specs = Array.from({length: count}, (_, i) => ({command: `bin/task --n ${i}`, name: `task ${i}`, schedule: `${i % 60} * * * *`}))
  seedDefinitions(localAppDataDir(dataDir, realpathSync(project)), specs)
  return {dataDir, project}
}

export async function benchTriggers(rounds = 9): Promise<BenchResult[]> {
  const results: BenchResult[] = []

  const empty = seedStore(0)
  const startup = await compareCommands(
    () => timeCommand([process.execPath, RUN, 'triggers', '--json', '--local'], {cwd: empty.project, env: {HEROKU_TRIGGERS_DATA_DIR: empty.dataDir}}),
    () => timeCommand([process.execPath, MINIMAL, 'noop']),
    rounds,
  )
  results.push({
    baseline: startup.baseline, name: 'startup: triggers --json --local vs a minimal oclif command', ours: startup.ours,
    pass: startup.ours / startup.baseline <= 2, ratio: startup.ours / startup.baseline, target: '≤ 2×', unit: 'ms, median',
  })

  const small = seedStore(10)
  const large = seedStore(10_000)
  let n = 0
  const create = (store: {dataDir: string; project: string}) => () =>
    timeCommand([process.execPath, RUN, 'triggers:create', '--local', '--name', `bench ${n++}`, '--command', 'true', '--schedule', '*/5 * * * *', '--json'], {cwd: store.project, env: {HEROKU_TRIGGERS_DATA_DIR: store.dataDir}})
  const creates = await compareCommands(create(large), create(small), rounds)
  results.push({
    baseline: creates.baseline, name: 'triggers:create with 10,000 triggers vs 10', ours: creates.ours,
    pass: creates.ours / creates.baseline <= 1.5, ratio: creates.ours / creates.baseline, target: '≤ 1.5×', unit: 'ms, median',
  })
  return results
}
