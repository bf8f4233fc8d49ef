// The schedule engine against raw cron-parser next(), in one run: ops/s per pattern (chained, each
// fire time from the previous one), and the clock's case of 10,000 triggers computing their next
// fire time from the same `now`. Run: node --import tsx bench/schedule.ts
import {CronExpressionParser} from 'cron-parser'
import {fileURLToPath} from 'node:url'

import type {BenchResult} from './lib.js'

import {nextFireTime, parseSchedule} from '../src/core/schedule.js'

const PATTERNS: Array<[string, string]> = [
  ['UTC', '*/15 * * * *'],
  ['UTC', '0 9 * * 1-5'],
  ['UTC', '0 0 1 * *'],
  ['America/New_York', '* * * * *'],
  ['America/New_York', '*/15 * * * *'],
  ['America/New_York', '0 9 * * 1-5'],
  ['America/New_York', '30 2 * * *'],
  ['America/New_York', '0 0 1 * *'],
  ['America/New_York', '0 12 * * 5L'],
  ['America/New_York', '0 0 29 2 *'],
]

const START = new Date('2026-01-01T00:00:00Z')

/** Best of three ~300 ms rounds, in operations per second. */
function opsPerSecond(step: () => void): number {
  for (let i = 0; i < 200; i++) step()
  let best = 0
  for (let round = 0; round < 3; round++) {
    let ops = 0
    const started = performance.now()
    let elapsed = 0
    while (elapsed < 300) {
      for (let i = 0; i < 50; i++) step()
      ops += 50
      elapsed = performance.now() - started
    }

    best = Math.max(best, (ops / elapsed) * 1000)
  }

  return best
}

function chainedOurs(tz: string, expression: string): () => void {
  const schedule = parseSchedule(expression, tz)
  let cursor = START
  return () => {
    cursor = nextFireTime(schedule, cursor) ?? START
  }
}

function chainedCronParser(tz: string, expression: string): () => void {
  const cron = CronExpressionParser.parse(expression, {currentDate: START, tz})
  return () => {
    try {
      cron.next()
    } catch {
      cron.reset(START)
    }
  }
}

/** 10,000 triggers (a mix of the patterns, one timezone each), each asked for its next fire time after `now`. */
function clockPass(engine: 'cron-parser' | 'ours'): number {
  const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney']
  const triggers = Array.from({length: 10_000}, (_, i) => ({expression: PATTERNS[i % PATTERNS.length][1], tz: zones[i % zones.length]}))
  const now = new Date('2026-06-15T12:34:56Z')
  const pass = () => {
    for (const t of triggers) {
      if (engine === 'ours') nextFireTime(parseSchedule(t.expression, t.tz), now)
      else CronExpressionParser.parse(t.expression, {currentDate: now, tz: t.tz}).next()
    }
  }

  pass()
  const rounds: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    pass()
    rounds.push(performance.now() - started)
  }

  return rounds.sort((a, b) => a - b)[2]
}

export async function benchSchedule(print = false): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const line = (s: string) => print && process.stdout.write(s + '\n')
  line(`${'zone'.padEnd(18)} ${'pattern'.padEnd(14)} ${'ours ops/s'.padStart(12)} ${'cron-parser'.padStart(12)} ${'ratio'.padStart(7)}`)
  for (const [tz, expression] of PATTERNS) {
    const ours = opsPerSecond(chainedOurs(tz, expression))
    const theirs = opsPerSecond(chainedCronParser(tz, expression))
    const ratio = ours / theirs
    line(`${tz.padEnd(18)} ${expression.padEnd(14)} ${Math.round(ours).toLocaleString('en-US').padStart(12)} ${Math.round(theirs).toLocaleString('en-US').padStart(12)} ${ratio.toFixed(2).padStart(6)}×`)
    results.push({
      baseline: theirs, name: `nextFireTime ${tz} ${expression}`, ours, pass: ratio >= 1, ratio, target: '≥ 1× cron-parser next()', unit: 'next/s (higher is better)',
    })
  }

  const ours = clockPass('ours')
  const theirs = clockPass('cron-parser')
  line(`10,000 triggers, next fire time from one now: ours ${ours.toFixed(1)} ms (${((ours / 10_000) * 1000).toFixed(2)} µs each), cron-parser parse+next ${theirs.toFixed(1)} ms; ours is ${(theirs / ours).toFixed(0)}× faster`)
  results.push({
    baseline: theirs, name: 'clock pass: next fire time of 10,000 triggers', ours, pass: ours / 10_000 < 1, ratio: ours / theirs, target: '< 1 ms per trigger', unit: 'ms',
  })
  return results
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchSchedule(true)
