// Issue 14's figure: retry lag, from a retry's due time (10 s × 2^(k−1) after the failed attempt's
// exit line) to its dyno create arriving at the API, for 50 triggers whose task exits 1, alone on
// a clock (its own process, bin/run.js) against the emulator. Target p99 ≤ 1 s.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {retryDelayMs} from '../src/core/retries.js'
import {type Emulator, startEmulator} from '../test/emulator/index.js'
import {cronAt, seedDefinitions} from '../test/helpers/store.js'
import {type BenchResult, commandOutput, emulatorEnv, percentile, RUN, sleep, stopProcess} from './lib.js'

const TRIGGERS = 50
const RETRIES = 2

/** The run a retry follows: `…@nominal#3` → `…@nominal#2`, `…@nominal#2` → `…@nominal`. */
function previousAttempt(key: string): {attempt: number; id: string} {
  const [id, attempt] = key.split('#')
  const k = Number(attempt)
  return {attempt: k - 1, id: k === 2 ? id : `${id}#${k - 1}`}
}

async function retryLags(emulator: Emulator, dataDir: string): Promise<number[]> {
  const app = 'retry-app'
  emulator.createApp({name: app, oneOffLimit: 10_000})
  const due = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000)
  const appDir = path.join(dataDir, 'apps', app)
  seedDefinitions(appDir, Array.from({length: TRIGGERS}, () => ({command: 'exit 1', retries: RETRIES, schedule: cronAt(due)})))

  const env = emulatorEnv(emulator, dataDir)
  const clock = spawn(process.execPath, [RUN, 'triggers:clock', '--app', app, '--max-dynos', '1000'], {env, stdio: ['ignore', 'ignore', 'inherit']})
  const creates = () => emulator.requests.filter(r => r.method === 'POST' && r.path === `/apps/${app}/dynos`)
  try {
    const deadline = Date.now() + 120_000
    while (creates().length < TRIGGERS * (RETRIES + 1)) {
      if (Date.now() > deadline) throw new Error(`only ${creates().length} of ${TRIGGERS * (RETRIES + 1)} dyno creates in 2 minutes`)
      await sleep(100)
    }
  } finally {
    await stopProcess(clock)
  }

  const runs = JSON.parse(await commandOutput(['runs', '--app', app, '--json', '--limit', '1000'], env)) as Array<{endedAt: null | string; id: string}>
  const ended = new Map(runs.map(r => [r.id, Date.parse(r.endedAt ?? '')]))
  const lags: number[] = []
  for (const create of creates()) {
    const key = (create.body as {env: Record<string, string>}).env.HEROKU_TRIGGER_RUN_ID
    if (!key.includes('#')) continue
    const previous = previousAttempt(key)
    const end = ended.get(previous.id)
    if (end === undefined || Number.isNaN(end)) throw new Error(`no end recorded for ${previous.id}`)
    lags.push(create.at - (end + retryDelayMs(previous.attempt)))
  }

  return lags
}

export async function benchRetries(): Promise<BenchResult[]> {
  // a dyno's process starts about a second after the API answered, as on Heroku
  const emulator = await startEmulator({launchDelayMs: 1000})
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-retries-'))
  try {
    const lags = await retryLags(emulator, dataDir)
    const p50 = percentile(lags, 50)
    const p99 = percentile(lags, 99)
    const name = `${lags.length} retries of ${TRIGGERS} failing triggers alone on a clock (due time → dyno create arriving)`
    return [
      {baseline: 1000, name: `retry lag p50, ${name}`, ours: p50, pass: p50 <= 1000, ratio: p50 / 1000, target: '≤ 1 s', unit: 'ms (baseline = target)'},
      {baseline: 1000, name: `retry lag p99, ${name}; max ${Math.max(...lags)} ms`, ours: p99, pass: p99 <= 1000, ratio: p99 / 1000, target: '≤ 1 s', unit: 'ms (baseline = target)'},
    ]
  } finally {
    await emulator.stop()
    rmSync(dataDir, {force: true, recursive: true})
  }
}
