// npm run bench: every benchmark, each a ratio measured in one run (ours against a baseline).
import type {BenchResult} from './lib.js'

import {benchApply} from './apply.js'
import {benchCli} from './cli.js'
import {benchClock} from './clock.js'
import {benchLifecycle} from './lifecycle.js'
import {benchMetrics} from './metrics.js'
import {benchMonitors} from './monitors.js'
import {benchPostgres} from './postgres.js'
import {benchRetries} from './retries.js'
import {benchRuns} from './runs.js'
import {benchSchedule} from './schedule.js'
import {benchTriggers} from './triggers.js'

const suites: Array<[string, () => Promise<BenchResult[]>]> = [
  ['triggers', benchTriggers],
  ['schedule', () => benchSchedule()],
  ['lifecycle', benchLifecycle],
  ['runs', benchRuns],
  ['cli', benchCli],
  ['clock', benchClock],
  ['postgres', benchPostgres],
  ['apply', () => benchApply()],
  ['retries', benchRetries],
  ['metrics', benchMetrics],
  ['monitors', benchMonitors],
]

const only = process.argv[2]
const all: BenchResult[] = []
for (const [name, measure] of suites) {
  if (only && only !== name) continue
  process.stderr.write(`running ${name}...\n`)

  const results = await measure()
  for (const r of results) {
    all.push(r)
    process.stdout.write(`${r.pass ? 'PASS' : 'MISS'}  ${r.name}: ${r.ratio.toFixed(2)}× (ours ${r.ours.toFixed(1)}, baseline ${r.baseline.toFixed(1)} ${r.unit}; target ${r.target})\n`)
  }
}

if (process.env.BENCH_JSON) process.stdout.write(JSON.stringify(all, null, 2) + '\n')
