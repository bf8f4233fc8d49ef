// One local "dyno": a detached supervisor process that runs a command through a shell the way a
// one-off dyno does, and writes Heroku's own lifecycle lines into the local app log. Started by
// the local platform; it outlives whoever started it, as a detached dyno outlives `heroku run:detached`.
import {spawn} from 'node:child_process'
import {appendFileSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {createInterface} from 'node:readline'

export interface LocalDynoSpec {
  name: string
  type: string
  command: string
  /** the command as the user gave it, for the app[api] line */
  requested: string
  cwd: string
  env: Record<string, string>
  size: null | string
  timeToLive: number
  logFile: string
  dynoDir: string
  user: string
  /** ms between SIGTERM and SIGKILL; Heroku waits 30 s */
  stopGraceMs: number
  id: string
  createdAt: string
}

const MAX_LINE_BYTES = 10_000

/** Heroku's timestamp: microseconds and an explicit +00:00 offset. */
export function herokuTimestamp(ms: number, micros = 0): string {
  const iso = new Date(ms).toISOString() // 2026-11-23T19:40:01.123Z
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}+00:00`
}

let lastMs = 0
let tick = 0
function stamp(): string {
  const now = Date.now()
  tick = now === lastMs ? tick + 1 : 0
  lastMs = now
  return herokuTimestamp(now, Math.min(tick, 999))
}

export function writeLine(logFile: string, source: string, dyno: string, message: string): void {
  // Heroku splits lines longer than 10,000 bytes; one write per line keeps appends whole
  const bytes = Buffer.from(message)
  for (let offset = 0; offset === 0 || offset < bytes.length; offset += MAX_LINE_BYTES) {
    appendFileSync(logFile, `${stamp()} ${source}[${dyno}]: ${bytes.subarray(offset, offset + MAX_LINE_BYTES).toString()}\n`)
  }
}

export function runLocalDyno(spec: LocalDynoSpec): void {
  const dyno = spec.name
  const heroku = (message: string) => writeLine(spec.logFile, 'heroku', dyno, message)
  const stateFile = path.join(spec.dynoDir, `${dyno}.json`)
  mkdirSync(spec.dynoDir, {recursive: true})
  const record = (state: string, pid?: number) =>
    writeFileSync(stateFile, JSON.stringify({command: spec.command, createdAt: spec.createdAt, id: spec.id, name: dyno, pid, size: spec.size, state, supervisor: process.pid, type: spec.type}))

  record('starting')
  heroku(`Starting process with command \`${spec.command}\``)
  const child = spawn('/bin/sh', ['-c', spec.command], {cwd: spec.cwd, detached: true, env: spec.env, stdio: ['ignore', 'pipe', 'pipe']})
  let stopping: null | string = null
  let killTimer: NodeJS.Timeout | undefined

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal)
    } catch {}
  }

  const stop = (why: string) => {
    if (stopping || child.exitCode !== null) return
    stopping = why
    heroku('Stopping all processes with SIGTERM')
    signalGroup('SIGTERM')
    killTimer = setTimeout(() => {
      heroku(`Error R12 (Exit timeout) -> Process failed to exit within ${Math.round(spec.stopGraceMs / 1000)} seconds of SIGTERM`)
      heroku('Stopping process with SIGKILL')
      signalGroup('SIGKILL')
    }, spec.stopGraceMs)
  }

  child.on('spawn', () => {
    heroku('State changed from starting to up')
    record('up', child.pid)
  })

  for (const stream of [child.stdout, child.stderr]) {
    createInterface({crlfDelay: Infinity, input: stream}).on('line', line => writeLine(spec.logFile, 'app', dyno, line))
  }

  const ttl = setTimeout(() => stop('timeout'), spec.timeToLive * 1000)
  process.on('SIGTERM', () => {
    // a stop request (actions/stop): Heroku logs the state change first for one-offs
    heroku('State changed from up to complete')
    stop('stopped')
  })

  child.on('close', (code, signal) => {
    clearTimeout(ttl)
    clearTimeout(killTimer)
    const status = code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGTERM' ? 143 : 128 + 1)
    heroku(`Process exited with status ${status}`)
    if (stopping !== 'stopped') heroku('State changed from up to complete')
    rmSync(stateFile, {force: true})
    process.exit(0)
  })

  child.on('error', error => {
    writeLine(spec.logFile, 'app', dyno, `/bin/sh: ${error.message}`)
  })
}

// Started as a program: the spec is the single argument, as JSON.
if (process.argv[1] && /local-dyno\.[jt]s$/.test(process.argv[1]) && process.argv[2]) {
  runLocalDyno(JSON.parse(process.argv[2]) as LocalDynoSpec)
}
