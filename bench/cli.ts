// Issue 3's figure: the plugin's overhead inside the real Heroku CLI, `heroku triggers --json`
// against the CLI's own `heroku config --json`, on the same emulated app, in one run.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {ensureHerokuCli, herokuEnv} from '../test/e2e/heroku-cli.js'
import {startEmulator} from '../test/emulator/index.js'
import {type BenchResult, compareCommands, ROOT, timeCommand} from './lib.js'

export async function benchCli(rounds = 9): Promise<BenchResult[]> {
  const heroku = await ensureHerokuCli()
  const emulator = await startEmulator()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-cli-'))
  try {
    emulator.createApp({configVars: {DATABASE_URL: 'postgres://example', LOG_LEVEL: 'info'}, name: 'bench-app'})
    const env = {...herokuEnv(emulator), HEROKU_TRIGGERS_DATA_DIR: dataDir}
    await timeCommand([process.execPath, heroku, 'plugins:link', ROOT, '--no-install'], {env})
    await timeCommand([process.execPath, heroku, 'triggers:create', '--app', 'bench-app', '--name', 'nightly', '--command', 'bin/report', '--schedule', '30 2 * * *'], {env})
    const ours = () => timeCommand([process.execPath, heroku, 'triggers', '--json', '--app', 'bench-app'], {env})
    const theirs = () => timeCommand([process.execPath, heroku, 'config', '--json', '--app', 'bench-app'], {env})
    const result = await compareCommands(ours, theirs, rounds)
    return [{
      baseline: result.baseline, name: 'heroku triggers --json vs heroku config --json (real CLI, emulator)', ours: result.ours,
      pass: result.ours / result.baseline <= 1.15, ratio: result.ours / result.baseline, target: '≤ 1.15×', unit: 'ms, median',
    }]
  } finally {
    await emulator.stop()
    rmSync(dataDir, {force: true, recursive: true})
  }
}
