// Issue 3's figure: the plugin's overhead inside the real Heroku CLI, `heroku triggers --json`
// against the CLI's own `heroku config --json`, on the same emulated app, in one run.
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {ensureHerokuCli, herokuEnv} from '../test/e2e/heroku-cli.js'
import {startEmulator} from '../test/emulator/index.js'
import {type BenchResult, compareCommands, ROOT, timeCommand} from './lib.js'

/**
 * The plugin as it runs installed: what `npm pack` ships (bin, dist, the manifest) with its
 * dependencies, linked. For a *linked* plugin whose devDependencies name tsx, oclif runs the
 * TypeScript source through tsx (its development mode, measured at 1.15-1.20x); an installed plugin
 * runs dist. The copy's package.json leaves out devDependencies so the linked copy runs dist too.
 */
function packedCopy(under: string): string {
  const dir = path.join(under, 'heroku-triggers')
  mkdirSync(dir, {recursive: true})
  for (const entry of ['oclif.manifest.json', 'bin', 'dist']) cpSync(path.join(ROOT, entry), path.join(dir, entry), {recursive: true})
  const pjson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
  delete pjson.devDependencies
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pjson, null, 2))
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

export async function benchCli(rounds = 9): Promise<BenchResult[]> {
  const heroku = await ensureHerokuCli()
  const emulator = await startEmulator()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-cli-'))
  try {
    emulator.createApp({configVars: {DATABASE_URL: 'postgres://example', LOG_LEVEL: 'info'}, name: 'bench-app'})
    const env = {...herokuEnv(emulator), HEROKU_TRIGGERS_DATA_DIR: dataDir, OCLIF_DISABLE_LINKED_ESM_WARNING: '1'}
    await timeCommand([process.execPath, heroku, 'plugins:link', packedCopy(dataDir), '--no-install'], {env})
    await timeCommand([process.execPath, heroku, 'triggers:create', '--app', 'bench-app', '--name', 'nightly', '--command', 'bin/report', '--schedule', '30 2 * * *'], {env})
    const ours = () => timeCommand([process.execPath, heroku, 'triggers', '--json', '--app', 'bench-app'], {env})
    const theirs = () => timeCommand([process.execPath, heroku, 'config', '--json', '--app', 'bench-app'], {env})
    const result = await compareCommands(ours, theirs, rounds)
    return [{
      baseline: result.baseline, name: 'heroku triggers --json vs heroku config --json (real CLI, plugin as installed, emulator)', ours: result.ours,
      pass: result.ours / result.baseline <= 1.15, ratio: result.ours / result.baseline, target: '≤ 1.15×', unit: 'ms, median',
    }]
  } finally {
    await emulator.stop()
    rmSync(dataDir, {force: true, recursive: true})
  }
}
