// Runs the plugin as a user does: a separate process (bin/run.js on the built dist), stdin not a
// terminal, its own environment. Returns what a user would see and the exit code.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const RUN = path.join(ROOT, 'bin', 'run.js')

export interface CliResult {
  code: null | number
  stderr: string
  stdout: string
}

export interface CliOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

/** A running command whose stderr can be read before it ends. */
export interface RunningCli {
  done: Promise<CliResult>
  stderr(): string
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', ...options.env}
  const child = spawn(process.execPath, [RUN, ...args], {cwd: options.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => {
    stdout += chunk
  })
  child.stderr.on('data', chunk => {
    stderr += chunk
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`heroku-triggers ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms\n${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({code, stderr, stdout})
    })
  })
  return {done, stderr: () => stderr}
}

export function cli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done
}

/** A user error: the documented exit code, nothing on stdout, one line on stderr saying what is wrong. */
export function oneLineError(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).to.equal(code)
  expect(result.stdout).to.equal('')
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).to.have.length(1)
  expect(lines[0]).to.match(pattern)
}

/** Parses stdout as JSON, failing with what was printed when it is not. */
export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}
