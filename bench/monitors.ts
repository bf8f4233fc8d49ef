// Issue 11's figures. (1) Alert latency: from a run's exit line (its endedAt, the line's own time)
// to the alert email accepted by a real SMTP server on loopback, for 20 failing triggers with a
// job-failure monitor each, on a clock (bin/run.js) against the emulator; beside the time the clock
// takes to record the same run (its at=completed line), as a ratio. (2) The clock's CPU while idle
// with 10,000 triggers and 200 monitors, against the same clock with no monitors.
import {type ChildProcess, spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../test/emulator/index.js'
import {startSmtp} from '../test/helpers/receivers.js'
import {cronAt, seedDefinitions} from '../test/helpers/store.js'
import {type BenchResult, median, ROOT} from './lib.js'

const RUN = path.join(ROOT, 'bin', 'run.js')
const FAILING = 20
const IDLE_TRIGGERS = 10_000
const IDLE_MONITORS = 200
const IDLE_SECONDS = 30

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

function envFor(emulator: Emulator, dataDir: string, smtpUrl: string): NodeJS.ProcessEnv {
  return {...process.env, HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url, HEROKU_TRIGGERS_DATA_DIR: dataDir, HEROKU_TRIGGERS_SMTP_URL: smtpUrl}
}

async function stopClock(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const closed = new Promise(resolve => {
    child.on('close', resolve)
  })
  child.kill('SIGTERM')
  await closed
}

async function output(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [RUN, ...args], {env, stdio: ['ignore', 'pipe', 'inherit']})
  let text = ''
  child.stdout!.on('data', chunk => {
    text += chunk
  })
  const code = await new Promise(resolve => {
    child.on('close', resolve)
  })
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`)
  return text
}

/** Adds monitors straight to a seeded definitions file (job-failure, one per trigger, emailing t<i>@example.com). */
function seedMonitors(appDir: string, count: number, failureEmail: boolean): void {
  const file = path.join(appDir, 'definitions.json')
  const defs = JSON.parse(readFileSync(file, 'utf8')) as {monitors: unknown[]; triggers: Array<{failureEmail?: boolean; id: string; name: string}>}
  const now = new Date().toISOString()
  for (const t of defs.triggers) t.failureEmail = failureEmail
  defs.monitors = defs.triggers.slice(0, count).map((t, i) => ({
    createdAt: now, email: [`${t.name}@example.com`], filter: null, grace: null, id: `mon-${i}`, name: `fails ${t.name}`, paused: false,
    renotify: null, secret: null, sensitivity: 1, threshold: null, trigger: t.id, type: 'job-failure', updatedAt: now, webhooks: [],
  }))
  writeFileSync(file, JSON.stringify(defs), {mode: 0o600})
}

async function alertLatency(emulator: Emulator, dataDir: string): Promise<{email: number[]; record: number[]}> {
  const smtp = await startSmtp()
  const app = 'alert-app'
  emulator.createApp({name: app, oneOffLimit: 10_000})
  const due = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000)
  const appDir = path.join(dataDir, 'apps', app)
  seedDefinitions(appDir, Array.from({length: FAILING}, () => ({command: 'exit 1', schedule: cronAt(due)})))
  seedMonitors(appDir, FAILING, false)
  const env = envFor(emulator, dataDir, smtp.url)
  const clock = spawn(process.execPath, [RUN, 'triggers:clock', '--app', app], {env, stdio: ['ignore', 'pipe', 'inherit']})
  const completedAt = new Map<string, number>()
  let buffer = ''
  clock.stdout!.on('data', (chunk: Buffer) => {
    const at = Date.now()
    buffer += chunk.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      const name = /at=completed .*trigger=(t\d+)/.exec(line)?.[1]
      if (name && !completedAt.has(name)) completedAt.set(name, at)
    }
  })
  try {
    await smtp.waitFor(FAILING, 120_000)
  } finally {
    await stopClock(clock)
    await smtp.stop()
  }

  const runs = JSON.parse(await output(['runs', '--app', app, '--json', '--limit', '1000'], env)) as Array<{endedAt: null | string; trigger: string}>
  const ended = new Map(runs.filter(r => r.endedAt).map(r => [r.trigger, Date.parse(r.endedAt!)]))
  const email: number[] = []
  const record: number[] = []
  for (const mail of smtp.mails) {
    const name = mail.to[0].split('@')[0]
    const end = ended.get(name)
    if (end === undefined) throw new Error(`no end recorded for ${name}`)
    email.push(mail.at - end)
    record.push((completedAt.get(name) ?? Number.NaN) - end)
  }

  return {email, record: record.filter(n => Number.isFinite(n))}
}

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime + stime, in clock ticks of 10 ms
}

async function idleCpu(emulator: Emulator, dataDir: string, app: string, monitors: number): Promise<number> {
  emulator.createApp({name: app})
  const appDir = path.join(dataDir, 'apps', app)
  // daily, at a minute far from now: nothing fires while measured
  const minute = (new Date().getUTCMinutes() + 30) % 60
  seedDefinitions(appDir, Array.from({length: IDLE_TRIGGERS}, () => ({schedule: `${minute} ${(new Date().getUTCHours() + 12) % 24} * * *`})))
  seedMonitors(appDir, monitors, true)
  const clock = spawn(process.execPath, [RUN, 'triggers:clock', '--app', app], {env: envFor(emulator, dataDir, 'smtp://127.0.0.1:1'), stdio: ['ignore', 'ignore', 'inherit']})
  try {
    await sleep(10_000) // start-up and first pass
    const before = cpuMs(clock.pid!)
    const started = Date.now()
    await sleep(IDLE_SECONDS * 1000)
    return ((cpuMs(clock.pid!) - before) / (Date.now() - started)) * 100
  } finally {
    await stopClock(clock)
  }
}

export async function benchMonitors(): Promise<BenchResult[]> {
  const emulator = await startEmulator({launchDelayMs: 200})
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-monitors-'))
  try {
    const {email, record} = await alertLatency(emulator, dataDir)
    const p50 = percentile(email, 50)
    const p99 = percentile(email, 99)
    const recorded = median(record)
    const withMonitors = await idleCpu(emulator, dataDir, 'idle-monitors', IDLE_MONITORS)
    const without = await idleCpu(emulator, dataDir, 'idle-plain', 0)
    const name = `${email.length} failing triggers with a job-failure monitor each (exit line → email accepted by SMTP; baseline: exit line → run recorded, p50 ${recorded.toFixed(0)} ms)`
    return [
      {baseline: recorded, name: `alert email p50, ${name}`, ours: p50, pass: p50 <= 1000, ratio: p50 / Math.max(1, recorded), target: 'p50 ≤ 1 s', unit: 'ms'},
      {baseline: recorded, name: `alert email p99, ${name}`, ours: p99, pass: p99 <= 3000, ratio: p99 / Math.max(1, recorded), target: 'p99 ≤ 3 s', unit: 'ms'},
      {
        baseline: without, name: `idle clock CPU, ${IDLE_TRIGGERS} triggers and ${IDLE_MONITORS} monitors, over ${IDLE_SECONDS} s (baseline: the same clock with no monitors)`,
        ours: withMonitors, pass: withMonitors < 1, ratio: withMonitors / Math.max(0.01, without), target: '< 1 % of a core', unit: '% of a core',
      },
    ]
  } finally {
    await emulator.stop()
    rmSync(dataDir, {force: true, recursive: true})
  }
}
