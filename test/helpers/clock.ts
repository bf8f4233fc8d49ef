// The clock as a user runs it (bin/run.js triggers:clock), with its output read line by line.
import {type ChildProcess, spawn} from 'node:child_process'

import {ROOT, RUN} from './cli.js'

export interface ClockProcess {
  child: ChildProcess
  lines: string[]
  exited: Promise<null | number>
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
}

export function startClock(env: Record<string, string>, args: string[]): ClockProcess {
  const child = spawn(process.execPath, [RUN, 'triggers:clock', ...args], {cwd: ROOT, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  const lines: string[] = []
  const waiters: Array<{pattern: RegExp; resolve: (line: string) => void}> = []
  let buffer = ''
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split('\n')
    buffer = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      for (const w of waiters) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(line)
        }
      }
    }
  }

  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<null | number>(resolve => {
    child.on('close', code => resolve(code))
  })
  return {
    child,
    exited,
    lines,
    waitFor(pattern, timeoutMs = 20_000) {
      const seen = lines.find(l => pattern.test(l))
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs)
        waiters.push({pattern, resolve(line) {
          clearTimeout(timer)
          resolve(line)
        }})
      })
    },
  }
}

export async function stop(clock: ClockProcess): Promise<null | number> {
  if (clock.child.exitCode === null) clock.child.kill('SIGTERM')
  return clock.exited
}
