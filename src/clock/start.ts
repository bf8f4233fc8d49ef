// Wires a clock to the world: the app's store and platform, the run history on this machine,
// a lock so one clock runs per app here, and SIGTERM/SIGINT to stop firing at once.
import {readFile} from 'node:fs/promises'
import path from 'node:path'

import type {Context} from '../base.js'
import type {Run} from '../core/runs.js'
import type {RunPlatform} from '../platform/types.js'

import {createTrigger} from '../core/trigger.js'
import {LocalPlatform} from '../platform/local.js'
import {sleep} from '../platform/sleep.js'
import {writeFileAtomic} from '../store/file-store.js'
import {acquirePidLock} from '../store/pid-lock.js'
import {RunStore} from '../store/run-store.js'
import {Clock, logfmt, PARALLEL_LAUNCHES} from './clock.js'

export interface StartOptions {
  once: boolean
  maxDynos: number
  /** days of run history kept (default 7) */
  retentionDays?: number
  examples?: boolean
  print(line: string): void
  stateFile: string
  signal?: AbortSignal
}

export function platformFor(context: Context): RunPlatform {
  return context.platform ?? new LocalPlatform(context.localDir ?? process.cwd(), context.appDataDir)
}

export function runStoreFor(context: Context, retentionDays?: number): RunStore<Run> {
  return new RunStore<Run>(path.join(context.appDataDir, 'runs'), retentionDays)
}

const EXAMPLES = [
  {command: 'echo "hello from a trigger at $(date -u +%H:%M:%S)"', name: 'example: hello every minute', schedule: '* * * * *'},
  {command: 'echo "this one fails on purpose"; exit 3', name: 'example: failing every 2 minutes', schedule: '*/2 * * * *'},
]

async function addExamples(context: Context, print: (line: string) => void): Promise<void> {
  await context.store.update(defs => {
    for (const example of EXAMPLES) {
      if (defs.triggers.some(t => t.name === example.name)) continue
      defs.triggers.push(createTrigger(example, defs.triggers, context.now()).trigger)
      print(logfmt({at: 'example-added', schedule: example.schedule, trigger: example.name}))
    }
  })
}

/**
 * Lines printed in one turn of the event loop go out as one write: a burst of 200 fires is then
 * a few writes to stdout (a pipe to Logplex on a clock dyno), not 200 on the burst's critical path.
 */
export function batchLines(print: (text: string) => void): {flush(): void; print(line: string): void} {
  let pending: string[] = []
  const flush = () => {
    if (pending.length === 0) return
    const text = pending.join('\n')
    pending = []
    print(text)
  }

  return {
    flush,
    print(line) {
      if (pending.length === 0) setImmediate(flush)
      pending.push(line)
    },
  }
}

export async function startClock(context: Context, options: StartOptions): Promise<number> {
  const output = batchLines(options.print)
  const {print} = output
  const release = await acquirePidLock(path.join(context.appDataDir, 'clock.lock'), `a clock for ${context.app}`)
  const controller = new AbortController()
  const stop = (signal: string) => {
    if (controller.signal.aborted) return
    print(logfmt({at: 'stopping', signal}))
    controller.abort()
  }

  const onTerm = () => stop('SIGTERM')
  const onInt = () => stop('SIGINT')
  process.on('SIGTERM', onTerm)
  process.on('SIGINT', onInt)
  options.signal?.addEventListener('abort', () => stop('abort'), {once: true})
  try {
    if (options.examples && context.local) await addExamples(context, print)
    const platform = platformFor(context)
    if (context.platform) await context.platform.keepConnections(PARALLEL_LAUNCHES)
    const clock = new Clock({
      async completeOneOff(triggerId) {
        if (context.store.kind !== 'file') return // a config var write would restart the app: the view derives it instead
        await context.store.update(defs => {
          const trigger = defs.triggers.find(t => t.id === triggerId)
          if (trigger && trigger.state === 'active') Object.assign(trigger, {state: 'completed', updatedAt: context.now().toISOString()})
        })
      },
      async loadTriggers() {
        return (await context.store.read()).triggers
      },
      now: () => context.now().getTime(),
      platform,
      print,
      async readState() {
        try {
          return JSON.parse(await readFile(options.stateFile, 'utf8')) as {lastPassAt: null | number}
        } catch {
          return {lastPassAt: null}
        }
      },
      runs: runStoreFor(context, options.retentionDays),
      sleep,
      async writeState(state) {
        await writeFileAtomic(options.stateFile, JSON.stringify(state))
      },
    }, {maxDynos: options.maxDynos, once: options.once})
    print(logfmt({app: context.app, at: 'started', mode: options.once ? 'once' : 'continuous', pid: process.pid}))
    return await clock.run(controller.signal)
  } finally {
    context.platform?.close()
    process.off('SIGTERM', onTerm)
    process.off('SIGINT', onInt)
    output.flush()
    await release()
  }
}
