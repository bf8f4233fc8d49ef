// Shared by the benchmarks: timing whole commands and reporting ratios measured in one run.
import {spawn} from 'node:child_process'
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

/**
 * Wall time of one process run, in ms; fails loudly if the command fails. Asynchronous, so an
 * emulator in this process keeps answering while the command runs.
 */
export function timeCommand(argv: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(argv[0], argv.slice(1), {cwd: options.cwd ?? ROOT, env: {...process.env, ...options.env}, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', chunk => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', code => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      if (code === 0) resolve(ms)
      else reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr}`))
    })
  })
}

/** Runs the two commands alternately `rounds` times (after a warm-up) and compares their medians. */
export async function compareCommands(ours: () => Promise<number>, baseline: () => Promise<number>, rounds: number): Promise<{baseline: number; ours: number}> {
  await ours()
  await baseline()
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < rounds; i++) {
    a.push(await ours())
    b.push(await baseline())
  }

  return {baseline: median(b), ours: median(a)}
}
