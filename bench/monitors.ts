// Issue 11's figures. (1) Alert latency: from a run's exit line (its endedAt, the line's own time)
// to the alert email accepted by a real SMTP server on loopback, for 20 failing triggers with a
// job-failure monitor each, on a clock (bin/run.js) against the emulator; beside the time the clock
// takes to record the same run (its at=completed line), as a ratio. (2) The clock's CPU while idle
// with 10,000 triggers and 200 monitors, against the same clock with no monitors.
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../test/emulator/index.js'
import {startSmtp} from '../test/helpers/receivers.js'
import {cronAt, seedDefinitions, seedTriggerId} from '../test/helpers/store.js'
import {type BenchResult, commandOutput, cpuMs, emulatorEnv, median, percentile, RUN, sleep, stopProcess} from './lib.js'

const FAILING = 20
const IDLE_TRIGGERS = 10_000
const IDLE_MONITORS = 200
const IDLE_SECONDS = 60 // as the clock bench: a 10,000-trigger heap's one major collection after start-up weighs less against a minute

/** Monitors as stored: job-failure, one for each of the first `count` seeded triggers, emailing t<i>@example.com. */
function monitorsFor(count: number): unknown[] {
  const now = new Date().toISOString()
  return Array.from({length: count}, (_, i) => ({
    createdAt: now, email: [`t${i}@example.com`], filter: null, grace: null, id: `mon-${i}`, name: `fails t${i}`, paused: false,
    renotify: null, secret: null, sensitivity: 1, threshold: null, trigger: seedTriggerId(i), type: 'job-failure', updatedAt: now, webhooks: [],
  }))
}

async function alertLatency(emulator: Emulator, dataDir: string): Promise<{email: number[]; record: number[]}> {
  const smtp = await startSmtp()
  const app = 'alert-app'
  emulator.createApp({name: app, oneOffLimit: 10_000})
  const due = new Date(Math.ceil((Date.now() + 6000) / 1000) * 1000)
  const appDir = path.join(dataDir, 'apps', app)
  seedDefinitions(appDir, Array.from({length: FAILING}, () => ({command: 'exit 1', failureEmail: false, schedule: cronAt(due)})), monitorsFor(FAILING))
  const env = emulatorEnv(emulator, dataDir, {HEROKU_TRIGGERS_SMTP_URL: smtp.url})
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
    await stopProcess(clock)
    await smtp.stop()
  }

  const runs = JSON.parse(await commandOutput(['runs', '--app', app, '--json', '--limit', '1000'], env)) as Array<{endedAt: null | string; trigger: string}>
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

async function idleCpu(emulator: Emulator, dataDir: string, app: string, monitors: number): Promise<number> {
  emulator.createApp({name: app})
  const appDir = path.join(dataDir, 'apps', app)
  // daily, at a minute far from now: nothing fires while measured
  const minute = (new Date().getUTCMinutes() + 30) % 60
  seedDefinitions(appDir, Array.from({length: IDLE_TRIGGERS}, () => ({failureEmail: true, schedule: `${minute} ${(new Date().getUTCHours() + 12) % 24} * * *`})), monitorsFor(monitors))
  const clock = spawn(process.execPath, [RUN, 'triggers:clock', '--app', app], {env: emulatorEnv(emulator, dataDir, {HEROKU_TRIGGERS_SMTP_URL: 'smtp://127.0.0.1:1'}), stdio: ['ignore', 'ignore', 'inherit']})
  try {
    await sleep(10_000) // start-up and first pass
    const before = cpuMs(clock.pid!)
    const started = Date.now()
    await sleep(IDLE_SECONDS * 1000)
    return ((cpuMs(clock.pid!) - before) / (Date.now() - started)) * 100
  } finally {
    await stopProcess(clock)
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
