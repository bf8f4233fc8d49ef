// Wires a clock to the world: the app's store (definitions, history, the clock's state, its lease and
// change notices) and platform, and SIGTERM/SIGINT to stop firing at once.
import type {Context} from '../context.js'

import {createTrigger} from '../core/trigger.js'
import {type Alerting, startAlerting} from './alerting.js'
import {Clock, logfmt, PARALLEL_LAUNCHES} from './clock.js'
import {watchWallClock} from './wall-clock.js'

export interface StartOptions {
  once: boolean
  maxDynos: number
  /** days of run history kept (default 7) */
  retentionDays?: number
  examples?: boolean
  print(line: string): void
  signal?: AbortSignal
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

/** An AbortSignal that aborts when any of `signals` does (leaving no listener behind once it has). */
function either(...signals: AbortSignal[]): {signal: AbortSignal; dispose(): void} {
  const controller = new AbortController()
  const abort = () => controller.abort()
  for (const s of signals) {
    if (s.aborted) abort()
    else s.addEventListener('abort', abort, {once: true})
  }

  return {dispose() {
    for (const s of signals) s.removeEventListener('abort', abort)
  }, signal: controller.signal}
}

/**
 * The clock's supervisor: takes the app's lease (waiting as a standby while another clock holds it
 * on Postgres), runs a clock until SIGTERM or until the lease is lost, and then takes it again.
 */
export async function startClock(context: Context, options: StartOptions): Promise<number> {
  const output = batchLines(options.print)
  const {print} = output
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
  let fired = 0
  try {
    if (options.examples && context.local) await addExamples(context, print)
    if (context.platform) await context.platform.keepConnections(PARALLEL_LAUNCHES)
    while (!controller.signal.aborted) {
      const lease = await context.storage.lease({
        onStandby: holder => print(logfmt({app: context.app, at: 'standby', msg: `another clock holds the lease (${holder}): waiting to take over`})),
        signal: controller.signal,
        wait: !options.once,
      })
      if (!lease) break
      const running = either(controller.signal, lease.lost)
      try {
        fired += await runClock(context, options, print, running.signal)
      } finally {
        running.dispose()
        await lease.release()
      }

      if (options.once || controller.signal.aborted) break
      print(logfmt({at: 'lease-lost', msg: 'the connection to the store holding the lease closed: taking it again'}))
    }

    return fired
  } finally {
    context.platform?.close()
    process.off('SIGTERM', onTerm)
    process.off('SIGINT', onInt)
    output.flush()
  }
}

/** One clock, from taking the lease to losing it or being stopped: the parts wired together. */
async function runClock(context: Context, options: StartOptions, print: (line: string) => void, signal: AbortSignal): Promise<number> {
  const {storage} = context
  let clock: Clock | null = null
  const unwatch = await storage.watch(
    () => clock?.reloadSoon(),
    error => {
      print(logfmt({at: 'warn', msg: `definition changes are no longer heard (${error.message}): reloading every 30 s`}))
      clock?.pollEvery(30_000)
    },
  )
  // a stepped wall clock moves every due time at once: look again at once, not when the sleep ends
  const unwatchWallClock = watchWallClock(by => {
    print(logfmt({at: 'wall-clock-stepped', by: `${Math.round(by)}ms`}))
    clock?.wake()
  })
  // the watches end when the clock is told to stop, not only once it has: nothing keeps a stopped clock alive
  let unwatched: null | Promise<void> = null
  const unwatchAll = () => {
    unwatched ??= (async () => {
      unwatchWallClock()
      await unwatch?.()
    })()
    return unwatched
  }

  signal.addEventListener('abort', () => {
    unwatchAll().catch(() => {})
  }, {once: true})
  let alerting: Alerting | null = null
  try {
    alerting = await startAlerting(context, print, options.once)
    const judge = alerting
    clock = new Clock({
      async completeOneOff(triggerId) {
        if (context.store.kind === 'config-var') return // a config var write would restart the app: the view derives it instead
        await context.store.update(defs => {
          const trigger = defs.triggers.find(t => t.id === triggerId)
          if (trigger && trigger.state === 'active') Object.assign(trigger, {state: 'completed', updatedAt: context.now().toISOString()})
        })
      },
      async loadTriggers() {
        const defs = await context.store.read()
        judge.setDefinitions(defs) // the monitors, read with the triggers
        return defs.triggers
      },
      now: () => context.now().getTime(),
      onRunChanges: runs => judge.onRunChanges(runs),
      owner: storage.owner,
      platform: context.dynos,
      print,
      readState: () => storage.clockState.read(),
      runs: context.history,
      sleep: context.sleep,
      writeState: state => storage.clockState.write(state),
    }, {
      maxDynos: options.maxDynos,
      once: options.once,
      // a burst's claim is one statement to the database: taken well before the due second, not on its path
      prepareAheadMs: storage.kind === 'postgres' ? 250 : undefined,
      reloadMs: unwatch ? 300_000 : 30_000,
    })
    print(logfmt({app: context.app, at: 'started', mode: options.once ? 'once' : 'continuous', pid: process.pid, store: storage.kind}))
    return await clock.run(signal)
  } finally {
    await alerting?.close()
    await unwatchAll()
  }
}
