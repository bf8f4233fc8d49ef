// Shared by the benchmarks: timing whole commands and reporting ratios measured in one run.
import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface BenchResult {
  name: string
  /** what "ours" and "baseline" mean, in a few words */
  unit: string
  ours: number
  baseline: number
  /** ours / baseline unless `higherIsBetter`, then baseline / ours shown as is */
  ratio: number
  target: string
  pass: boolean
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Wall time of one process run, in ms; fails loudly if the command fails. */
export function timeCommand(argv: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): number {
  const started = process.hrtime.bigint()
  const result = spawnSync(argv[0], argv.slice(1), {cwd: options.cwd ?? ROOT, encoding: 'utf8', env: {...process.env, ...options.env}})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr}`)
  return ms
}

/** Runs the two commands alternately `rounds` times (after a warm-up) and compares their medians. */
export function compareCommands(ours: () => number, baseline: () => number, rounds: number): {baseline: number; ours: number} {
  ours()
  baseline()
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < rounds; i++) {
    a.push(ours())
    b.push(baseline())
  }

  return {baseline: median(b), ours: median(a)}
}
