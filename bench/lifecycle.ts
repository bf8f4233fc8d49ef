// Log lines parsed into lifecycle events per second, against a bare split('\n') of the same text in
// the same run. Targets (issue 5): ≥ 1,000,000 lines/s and ≥ 25% of the bare split.
// Run alone: node --import tsx bench/lifecycle.ts
import {fileURLToPath} from 'node:url'

import type {BenchResult} from './lib.js'

import {type EventKind, parseEvents, parseLine, toEvent} from '../src/core/lifecycle.js'

/** A small deterministic PRNG, so every run parses the same text. */
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6D_2B_79_F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function stamp(ms: number, micros: number): string {
  return new Date(ms).toISOString().slice(0, 23) + String(micros).padStart(3, '0') + '+00:00'
}

const OUTPUT = [
  'Processing batch 1842 of 9000 (orders_export)',
  'INFO -- : Completed 200 OK in 12ms (Views: 3.1ms | ActiveRecord: 4.2ms)',
  'fetched 250 rows from warehouse.events in 0.41s',
  '[worker] job=ReportMailer#daily args=[42] status=done elapsed=0.233',
  'Traceback (most recent call last):',
  '  File "/app/scrape.py", line 88, in <module>',
  'D, [2026-11-23T10:05:01.123456 #4] DEBUG -- : SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2',
  'sync: 17 new, 3 updated, 0 deleted',
]

/**
 * About `count` lines as the log stream of a busy app shows them: one-off dynos of Heroku Scheduler,
 * `run` and triggers going through their whole lifecycle (API announcement, start, up, output,
 * runtime-metrics samples, R14s, exit, complete), router lines, and now and then a release.
 */
export function generateLog(count: number, seed = 1): string {
  const random = prng(seed)
  const out: string[] = []
  let now = Date.parse('2026-11-23T10:00:00Z')
  let micros = 0
  const line = (source: string, dyno: string, message: string) => {
    now += Math.floor(random() * 3)
    micros = (micros + 137) % 1000
    out.push(`${stamp(now, micros)} ${source}[${dyno}]: ${message}`)
  }

  const types = ['scheduler', 'run', 'trigger-1a2b3c4d', 'trigger-9f8e7d6c']
  let n = 1000
  while (out.length < count) {
    const dyno = `${types[n % types.length]}.${n++}`
    const command = n % 3 === 0 ? 'python scrape.py --since 1h' : n % 3 === 1 ? 'bundle exec rake reports:daily' : 'node dist/sync.js'
    line('app', 'api', `Starting process with command \`${command}\` by user ${dyno.startsWith('scheduler') ? 'scheduler@addons.heroku.com' : 'dev@example.com'}`)
    line('heroku', dyno, `Starting process with command \`${command}\``)
    line('heroku', dyno, 'State changed from starting to up')
    const outputs = 20 + Math.floor(random() * 60)
    for (let i = 0; i < outputs; i++) {
      line('app', dyno, OUTPUT[Math.floor(random() * OUTPUT.length)])
      if (i % 12 === 11) {
        line('heroku', dyno, `source=${dyno} dyno=heroku.93034875.4635d2a8-08be-4bf5-93c8-aed05a2fda5c sample#memory_total=${(300 + random() * 300).toFixed(2)}MB sample#memory_rss=${(250 + random() * 250).toFixed(2)}MB sample#memory_cache=85.79MB sample#memory_swap=0.00MB sample#memory_pgpgin=5641245pages sample#memory_pgpgout=5554583pages sample#memory_quota=512.00MB`)
        line('heroku', dyno, `source=${dyno} dyno=heroku.93034875.4635d2a8-08be-4bf5-93c8-aed05a2fda5c sample#load_avg_1m=${random().toFixed(2)} sample#load_avg_5m=0.08 sample#load_avg_15m=0.20`)
      }

      if (i % 7 === 0) line('heroku', 'router', `at=info method=GET path="/api/items?page=${i}" host=example-app.herokuapp.com request_id=8601b555-6a83-4c12-8e4b-0ef1d2f5e7c1 fwd="203.0.113.9" dyno=web.1 connect=0ms service=${i}ms status=200 bytes=1548 protocol=https`)
    }

    if (n % 11 === 0) {
      line('heroku', dyno, 'Process running mem=646M(126.2%)')
      line('heroku', dyno, 'Error R14 (Memory quota exceeded)')
    }

    if (n % 29 === 0) {
      line('heroku', dyno, 'Stopping all processes with SIGTERM')
      line('heroku', dyno, 'Process exited with status 143')
    } else {
      line('heroku', dyno, `Process exited with status ${n % 5 === 0 ? 1 : 0}`)
    }

    line('heroku', dyno, 'State changed from up to complete')
    if (n % 97 === 0) {
      line('app', 'api', 'Set REPORT_BUCKET, SYNC_TOKEN config vars by user dev@example.com')
      line('app', 'api', `Release v${n} created by user dev@example.com`)
    }
  }

  out.length = count
  return out.join('\n') + '\n'
}

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9
}

export interface LifecycleNumbers {
  lines: number
  /** parseLine + toEvent over the lines of the text, already split: lines/s */
  parsePerSecond: number
  /** a bare text.split('\n') of the whole text: lines/s */
  splitPerSecond: number
  /** parsePerSecond / splitPerSecond: the target, ≥ 0.25 */
  ratio: number
  /** parseEvents over the same text cut in 64 kB chunks as the stream delivers it (split included): lines/s */
  streamPerSecond: number
  /** split('\n') of each of those chunks: lines/s (much faster than one split of the whole text) */
  chunkSplitPerSecond: number
  kinds: Partial<Record<EventKind, number>>
}

/**
 * Best of `rounds` rounds, the contenders alternating within each round, over the same text.
 * The chunks are fresh strings (as a stream decoder makes them), not slices of the whole text.
 */
export function measureLifecycle(lineCount = 2_000_000, rounds = 5): LifecycleNumbers {
  const text = generateLog(lineCount)
  const chunkSize = 1 << 16
  const chunks: string[] = []
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(Buffer.from(text.slice(i, i + chunkSize)).toString())
  const lines = text.split('\n')
  lines.pop()

  let split = Infinity
  let parse = Infinity
  let stream = Infinity
  let chunkSplit = Infinity
  const kinds: Partial<Record<EventKind, number>> = {}
  let sink = 0
  for (let round = 0; round < rounds; round++) {
    let t = process.hrtime.bigint()
    sink += text.split('\n').length
    split = Math.min(split, seconds(t))

    t = process.hrtime.bigint()
    for (const raw of lines) {
      const line = parseLine(raw)
      if (line) sink += toEvent(line).micros
    }

    parse = Math.min(parse, seconds(t))

    t = process.hrtime.bigint()
    for (const chunk of chunks) sink += chunk.split('\n').length
    chunkSplit = Math.min(chunkSplit, seconds(t))

    t = process.hrtime.bigint()
    let carry = ''
    let count = 0
    for (const chunk of chunks) {
      const result = parseEvents(chunk, carry)
      carry = result.carry
      count += result.events.length
      if (round === 0) for (const e of result.events) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1
    }

    stream = Math.min(stream, seconds(t))
    if (count !== lineCount) throw new Error(`parsed ${count} events from ${lineCount} lines`)
  }

  if (sink === 0) process.stderr.write('')
  return {
    lines: lineCount,
    parsePerSecond: lineCount / parse,
    splitPerSecond: lineCount / split,
    ratio: split / parse,
    streamPerSecond: lineCount / stream,
    chunkSplitPerSecond: lineCount / chunkSplit,
    kinds,
  }
}

/** For `npm run bench`: the two targets of issue 5, as results. */
export async function benchLifecycle(): Promise<BenchResult[]> {
  const n = measureLifecycle()
  const perSecond = Math.min(n.parsePerSecond, n.streamPerSecond)
  return [
    {
      name: 'log lines parsed into events per second, one core (the slower of parseLine+toEvent and parseEvents on 64 kB chunks)',
      unit: 'M lines/s; baseline = the target',
      ours: perSecond / 1e6,
      baseline: 1,
      ratio: perSecond / 1e6,
      target: '≥ 1.00',
      pass: perSecond >= 1e6,
    },
    {
      name: String.raw`parseLine+toEvent against a bare split('\n') of the same text`,
      unit: 'M lines/s',
      ours: n.parsePerSecond / 1e6,
      baseline: n.splitPerSecond / 1e6,
      ratio: n.ratio,
      target: '≥ 0.25',
      pass: n.ratio >= 0.25,
    },
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = measureLifecycle()
  const m = (x: number) => `${(x / 1e6).toFixed(2)}M lines/s`.padStart(15)
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`
  process.stdout.write(`${n.lines.toLocaleString('en')} lines: ${JSON.stringify(n.kinds)}\n`)
  process.stdout.write(`bare split('\\n') of the whole text          ${m(n.splitPerSecond)}\n`)
  process.stdout.write(`parseLine+toEvent over its lines           ${m(n.parsePerSecond)}  ${pct(n.ratio)} of the split  ${n.ratio >= 0.25 ? 'PASS' : 'MISS'} ≥ 25%\n`)
  process.stdout.write(`parseEvents over 64 kB chunks (split too)  ${m(n.streamPerSecond)}  ${n.streamPerSecond >= 1e6 ? 'PASS' : 'MISS'} ≥ 1M lines/s\n`)
  process.stdout.write(`bare split('\\n') of each 64 kB chunk      ${m(n.chunkSplitPerSecond)}  (parseEvents is ${pct(n.streamPerSecond / n.chunkSplitPerSecond)} of it)\n`)
}
