// The real heroku CLI (npm package heroku v11) for end-to-end tests: installed once into a cache
// outside the project, and run against the Platform API emulator with nothing reaching the internet.
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {Emulator} from '../emulator/index.js'

const SPEC = 'heroku@^11'
const LOCK_STALE_MS = 10 * 60_000
const INSTALL_TIMEOUT_MS = 8 * 60_000

/** the cache folder: HEROKU_TRIGGERS_E2E_CACHE, else ~/.cache/heroku-triggers-e2e of the real user (tests move HOME) */
export function herokuCliCache(): string {
  return process.env.HEROKU_TRIGGERS_E2E_CACHE ?? path.join(os.userInfo().homedir, '.cache', 'heroku-triggers-e2e')
}

function installedBin(cache: string): string | undefined {
  const root = path.join(cache, 'node_modules', 'heroku')
  const bin = path.join(root, 'bin', 'run.js')
  try {
    const {version} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {version: string}
    if (version.startsWith('11.') && existsSync(bin)) return bin
  } catch {
    // not installed (or half installed)
  }

  return undefined
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** one installer at a time, across processes: a lock directory, taken over when stale */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(dir, '.install-lock')
  const deadline = Date.now() + INSTALL_TIMEOUT_MS + 30_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, {force: true, recursive: true})
      } catch {
        // released meanwhile
      }

      if (Date.now() > deadline) throw new Error(`waited too long for the heroku CLI install lock ${lock}`)
      await sleep(500)
    }
  }

  try {
    return await fn()
  } finally {
    rmSync(lock, {force: true, recursive: true})
  }
}

function npmInstall(cache: string): Promise<void> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  // npm's own cache goes to the real home, so later installs reuse it
  const env = {...process.env, HOME: os.userInfo().homedir}
  return new Promise((resolve, reject) => {
    execFile(npm, ['install', '--prefix', cache, SPEC, '--no-audit', '--no-fund', '--loglevel=error'], {env, maxBuffer: 64 * 1024 * 1024, timeout: INSTALL_TIMEOUT_MS}, (error, _stdout, stderr) => {
      if (error) reject(new Error(`npm install ${SPEC} into ${cache} failed: ${error.message}\n${stderr}`))
      else resolve()
    })
  })
}

let pending: Promise<string> | undefined

/** installs heroku@^11 into the cache unless it is there, and returns the path of its executable (bin/run.js) */
export function ensureHerokuCli(): Promise<string> {
  pending ??= (async () => {
    const cache = herokuCliCache()
    const ready = installedBin(cache)
    if (ready) return ready
    mkdirSync(cache, {recursive: true})
    return withLock(cache, async () => {
      const raced = installedBin(cache)
      if (raced) return raced
      await npmInstall(cache)
      const bin = installedBin(cache)
      if (!bin) throw new Error(`npm installed ${SPEC} into ${cache} but there is no heroku/bin/run.js`)
      return bin
    })
  })().catch(error => {
    pending = undefined
    throw error
  })
  return pending
}

/**
 * The environment to run the real CLI against the emulator: its host, key and particleboard URL, a
 * fresh HOME, no colour, and the switches that keep it offline (no update check, no autoupdate, no
 * telemetry or analytics, no proxy).
 */
export function herokuEnv(emulator: Pick<Emulator, 'apiKey' | 'url'>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    const dropped =
      (key.startsWith('HEROKU_') && !key.startsWith('HEROKU_TRIGGERS_')) || key.startsWith('XDG_') || /^(https?|all|no)_proxy$/i.test(key) || key === 'DEBUG'
    if (!dropped) base[key] = value
  }

  return {
    ...base,
    DISABLE_TELEMETRY: 'true',
    HEROKU_API_KEY: emulator.apiKey,
    HEROKU_DISABLE_AUTOUPDATE: 'true',
    HEROKU_HOST: emulator.url,
    HEROKU_LOGS_COLOR: '0',
    HEROKU_PARTICLEBOARD_URL: emulator.url,
    HEROKU_SKIP_ANALYTICS: '1',
    HEROKU_SKIP_NEW_VERSION_CHECK: 'true',
    HOME: mkdtempSync(path.join(os.tmpdir(), 'heroku-cli-home-')),
    NO_COLOR: '1',
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  }
}
