// Shared by the benchmarks: timing whole commands and reporting ratios measured in one run.
import {type ChildProcess, spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** the plugin as a user runs it */
export const RUN = path.join(ROOT, 'bin', 'run.js')

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

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

export const sleep = (ms: number) => new Promise(resolve => {
  setTimeout(resolve, ms)
})

/** Polls `check` every 20 ms; fails when it is not true within `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('benchmark condition not reached in time')
    await sleep(20)
  }
}

/** SIGTERM, and the process's end. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const closed = new Promise(resolve => {
    child.on('close', resolve)
  })
  child.kill('SIGTERM')
  await closed
}

/** The environment that points the plugin at an emulator, with its own data directory. */
export function emulatorEnv(emulator: {apiKey: string; url: string}, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {...process.env, HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url, HEROKU_TRIGGERS_DATA_DIR: dataDir, ...extra}
}

/** What a plugin command prints on stdout; fails loudly when it fails. */
export async function commandOutput(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
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

/** CPU time (ms, user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}
