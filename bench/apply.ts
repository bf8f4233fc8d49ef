// Issue 12's figure: triggers:apply of a 1,000-trigger file with 10 changes against the same command
// with no changes (≤ 1.5×), and one store write with the changes, none without, counted from the
// store's atomic writes (each one a fresh temporary file renamed over definitions.json).
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdtempSync, readFileSync, realpathSync, watch, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {localAppDataDir} from '../src/context.js'
import {seedDefinitions} from '../test/helpers/store.js'
import {type BenchResult, median, RUN, timeCommand} from './lib.js'

const TRIGGERS = 1000
const CHANGES = 10

export async function benchApply(rounds = 9): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-apply-data-'))
  const project = realpathSync(mkdtempSync(path.join(tmpdir(), 'bench-apply-project-')))
  const appDir = localAppDataDir(dataDir, project)
  const specs = Array.from({length: TRIGGERS}, (_, i) => ({command: `bin/task --n ${i}`, name: `task ${i}`, schedule: `${i % 60} ${i % 24} * * *`}))
  seedDefinitions(appDir, specs)
  const store = path.join(appDir, 'definitions.json')
  const seeded = path.join(dataDir, 'seeded.json')
  copyFileSync(store, seeded)

  const env = {HEROKU_TRIGGERS_DATA_DIR: dataDir}
  const same = path.join(project, 'same.yml')
  execFileSync(process.execPath, [RUN, 'triggers:export', '--local', '--file', same], {cwd: project, env: {...process.env, ...env}, stdio: 'ignore'})
  const changed = path.join(project, 'changed.yml')
  let text = readFileSync(same, 'utf8')
  for (let i = 0; i < CHANGES; i++) text = text.replace(`  task ${i * 97}:\n    command: bin/task --n ${i * 97}\n`, `  task ${i * 97}:\n    command: bin/task --n ${i * 97}\n    timeout: 600\n`)
  writeFileSync(changed, text)

  // each atomic write is one temporary file, named uniquely, in the store's folder
  const writes = new Set<string>()
  const watcher = watch(appDir, (_event, name) => {
    if (name && /^definitions\.json\..+\.tmp$/.test(name)) writes.add(name)
  })
  const apply = async (file: string): Promise<{ms: number; writes: number}> => {
    copyFileSync(seeded, store) // every round starts from the same 1,000 triggers
    writes.clear()
    const ms = await timeCommand([process.execPath, RUN, 'triggers:apply', file, '--local', '--json'], {cwd: project, env})
    await new Promise(resolve => {
      setTimeout(resolve, 50)
    })
    return {ms, writes: writes.size}
  }

  await apply(changed)
  await apply(same)
  const ours: number[] = []
  const baseline: number[] = []
  const writeCounts = {changed: new Set<number>(), same: new Set<number>()}
  for (let i = 0; i < rounds; i++) {
    const withChanges = await apply(changed)
    const without = await apply(same)
    ours.push(withChanges.ms)
    baseline.push(without.ms)
    writeCounts.changed.add(withChanges.writes)
    writeCounts.same.add(without.writes)
  }

  watcher.close()
  const ratio = median(ours) / median(baseline)
  const oneWrite = [...writeCounts.changed].join('/') === '1' && [...writeCounts.same].join('/') === '0'
  return [{
    baseline: median(baseline),
    name: `triggers:apply of ${TRIGGERS.toLocaleString('en-US')} triggers, ${CHANGES} changes vs none (store writes ${[...writeCounts.changed].join('/')} vs ${[...writeCounts.same].join('/')})`,
    ours: median(ours),
    pass: ratio <= 1.5 && oneWrite,
    ratio,
    target: '≤ 1.5×, 1 write vs 0',
    unit: 'ms, median',
  }]
}
