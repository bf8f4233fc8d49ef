// Issue 5's figures: recording run #1,000,000 against run #1,000, and `runs --json` over 7 days of
// 100 triggers firing every minute (about 1,000,000 runs) against the same command on no history.
import {createWriteStream, mkdtempSync, realpathSync, rmSync} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {localAppDataDir} from '../src/base.js'
import {newRun, type Run} from '../src/core/runs.js'
import {RunStore} from '../src/store/run-store.js'
import {type BenchResult, compareCommands, median, RUN, timeCommand} from './lib.js'

const DAY = 86_400_000

function triggerId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
}

/** A finished run as the clock stores it: a pending line, then its outcome. */
function runsAt(nominal: number, i: number): [Run, Run] {
  const trigger = {command: `bin/task ${i}`, id: triggerId(i), size: 'Basic', timeout: 1800}
  const pending = newRun('pending', {nominalAt: new Date(nominal), trigger}, nominal + 20)
  const done: Run = {...pending, dyno: `trigger-00000000.${1000 + (i % 9000)}`, endedAt: new Date(nominal + 4000).toISOString(), exitStatus: 0,
    startedAt: new Date(nominal + 900).toISOString(), state: 'succeeded', upAt: new Date(nominal + 1200).toISOString()}
  return [pending, done]
}

/** Writes `days` day files of `triggers` triggers firing every minute, ending now. */
async function seedHistory(dir: string, triggers: number, days: number, now: number): Promise<number> {
  await mkdir(dir, {recursive: true})
  let count = 0
  const start = now - days * DAY
  for (let day = 0; day < days; day++) {
    const dayStart = start + day * DAY
    const file = createWriteStream(path.join(dir, `${new Date(dayStart).toISOString().slice(0, 10)}.jsonl`))
    for (let minute = 0; minute < 1440; minute++) {
      const nominal = dayStart + minute * 60_000
      if (nominal > now) break
      let chunk = ''
      for (let i = 0; i < triggers; i++) {
        const [pending, done] = runsAt(nominal, i)
        chunk += JSON.stringify(pending) + '\n' + JSON.stringify(done) + '\n'
        count++
      }

      if (!file.write(chunk)) await new Promise<void>(resolve => {
        file.once('drain', () => resolve())
      })
    }

    await new Promise<void>(resolve => {
      file.end(() => resolve())
    })
  }

  return count
}

async function appendCost(store: RunStore<Run>, now: number, rounds: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const [, done] = runsAt(now + i * 60_000, 100_000 + i)
    const started = performance.now()
    await store.append(done, now)
    times.push(performance.now() - started)
  }

  return median(times)
}

export async function benchRuns(): Promise<BenchResult[]> {
  const now = Date.now()
  const results: BenchResult[] = []

  // recording: the same append into a store holding 1,000 runs and one holding 1,000,000
  const smallDir = mkdtempSync(path.join(tmpdir(), 'bench-runs-small-'))
  const largeDir = mkdtempSync(path.join(tmpdir(), 'bench-runs-large-'))
  await seedHistory(smallDir, 1, 1, now) // 1,440 runs
  const largeCount = await seedHistory(largeDir, 100, 7, now)
  const small = new RunStore<Run>(smallDir)
  const large = new RunStore<Run>(largeDir)
  await appendCost(small, now, 50)
  await appendCost(large, now, 50)
  const ours = await appendCost(large, now, 400)
  const baseline = await appendCost(small, now, 400)
  results.push({baseline, name: `recording a run with ${largeCount.toLocaleString('en')} stored vs ~1,000`, ours, pass: ours / baseline <= 1.5, ratio: ours / baseline, target: '≤ 1.5×', unit: 'ms per run, median'})

  // runs --json on that history, against the same command with none (its own startup)
  const emptyData = mkdtempSync(path.join(tmpdir(), 'bench-runs-empty-'))
  const fullData = mkdtempSync(path.join(tmpdir(), 'bench-runs-full-'))
  const project = mkdtempSync(path.join(tmpdir(), 'bench-runs-project-'))
  await seedHistory(path.join(localAppDataDir(fullData, realpathSync(project)), 'runs'), 100, 7, now)
  const cmd = (dataDir: string) => () => timeCommand([process.execPath, RUN, 'runs', '--local', '--json'], {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}})
  const listing = await compareCommands(cmd(fullData), cmd(emptyData), 7)
  results.push({baseline: listing.baseline, name: 'runs --json over 7 days x 100 triggers every minute vs no history', ours: listing.ours,
    pass: listing.ours / listing.baseline <= 2, ratio: listing.ours / listing.baseline, target: '≤ 2×', unit: 'ms, median'})
  for (const dir of [smallDir, largeDir, emptyData, fullData, project]) rmSync(dir, {force: true, recursive: true})
  return results
}
