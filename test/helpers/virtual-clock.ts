// The clock class itself with time injected: a virtual clock that jumps to the next timer, a platform
// whose dynos exit 1 after a set time (their log lines delivered as late as asked), and a history in
// memory. For what the clock decides over simulated hours, with no process and no waiting.
import type {Run} from '../../src/core/runs.js'
import type {Trigger} from '../../src/core/trigger.js'
import type {DynoInfo, DynoRequest, RunPlatform} from '../../src/platform/types.js'
import type {HistoryStore} from '../../src/store/store.js'

import {Clock} from '../../src/clock/clock.js'
import {PlatformError} from '../../src/core/errors.js'

const settle = async () => {
  for (let i = 0; i < 30; i++) await new Promise(resolve => {
    setImmediate(resolve)
  })
}

/** Time that only moves when everything is idle, straight to the next timer. */
export class VirtualTime {
  private timers: Array<{at: number; fire: () => void}> = []

  constructor(public now: number) {}

  at(at: number, fire: () => void): void {
    this.timers.push({at, fire})
  }

  /** Runs every timer due by `end`, letting the promises each one wakes settle first. */
  async runUntil(end: number): Promise<void> {
    for (;;) {
      await settle()
      const next = this.timers.reduce<null | {at: number; fire: () => void}>((a, b) => (a === null || b.at < a.at ? b : a), null)
      if (next === null || next.at > end) break
      this.timers.splice(this.timers.indexOf(next), 1)
      this.now = Math.max(this.now, next.at)
      next.fire()
    }

    this.now = end
  }

  sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise(resolve => {
    if (signal.aborted) {
      resolve()
      return
    }

    const timer = {at: this.now + ms, fire() {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }}
    const onAbort = () => {
      const i = this.timers.indexOf(timer)
      if (i !== -1) this.timers.splice(i, 1)
      resolve()
    }

    this.timers.push(timer)
    signal.addEventListener('abort', onAbort, {once: true})
  })
}

export const stamp = (at: number) => new Date(at).toISOString().replace('Z', '000+00:00')

/**
 * A platform whose dynos run `exit 1` for `runMs`, and whose log stream delivers each exit line
 * `lateMs` after it was written (as Logplex does now and then).
 */
export function failingPlatform(time: VirtualTime, runMs: number, lateMs: number, refuse: (request: DynoRequest) => boolean = () => false, alive: DynoInfo[] = []) {
  const creates: Array<{at: number; runId: string}> = []
  const refused: number[] = []
  const queue: string[] = []
  let poke: (() => void) | null = null
  const deliver = (at: number, line: string) => time.at(at, () => {
    queue.push(line)
    poke?.()
  })
  let n = 0
  const platform: RunPlatform = {
    app: 'virtual', local: false,
    async appFacts() {
      return {maintenance: false}
    },
    async createDyno(request: DynoRequest): Promise<DynoInfo> {
      if (refuse(request)) {
        refused.push(time.now)
        throw new PlatformError('the Heroku API failed (503): try again later', 503)
      }

      const name = `${request.type}.${++n}`
      const start = time.now + 500
      const end = time.now + runMs
      creates.push({at: time.now, runId: request.env!.HEROKU_TRIGGER_RUN_ID})
      deliver(start, `${stamp(start)} heroku[${name}]: Starting process with command \`exit 1\``)
      deliver(end + lateMs, `${stamp(end)} heroku[${name}]: Process exited with status 1`)
      return {command: request.command, createdAt: new Date(time.now).toISOString(), id: `id-${n}`, name, size: 'Standard-1X', state: 'starting', type: request.type!}
    },
    async listDynos() {
      return alive
    },
    async * logLines(request, signal) {
      if (!request.tail) return
      while (!signal.aborted) {
        while (queue.length > 0) yield queue.shift()!
        await new Promise<void>(resolve => {
          const done = () => {
            signal.removeEventListener('abort', done)
            resolve()
          }

          poke = done
          signal.addEventListener('abort', done, {once: true})
        })
      }
    },
    async stopDyno() {},
  }
  return {creates, deliver, platform, refused}
}

/** The history in memory: virtual time moves when the clock awaits nothing, so no file I/O may sit between its steps. */
export function memoryHistory(): HistoryStore & {runs: Map<string, Run>} {
  const runs = new Map<string, Run>()
  return {
    async append(run) {
      runs.set(run.id, run)
    },
    async appendMany(list) {
      for (const run of list) runs.set(run.id, run)
    },
    async claim(list) {
      return new Set(list.map(r => r.id))
    },
    async latest() {
      return new Map(runs)
    },
    location: 'memory',
    async prune() {},
    async rollups() {
      return []
    },
    retentionDays: 7,
    runs,
  }
}

export interface Scenario {
  start: number
  end: number
  /** how long each attempt runs before it exits 1 */
  runMs: number
  /** how late its exit line is read */
  lateMs: number
  /** what an earlier clock recorded */
  recorded?: Run[]
  lastPassAt?: number
  /** other triggers on the same clock */
  others?: Trigger[]
  /** creates the API answers with 503 */
  refuse?: (request: DynoRequest) => boolean
  /** dynos running when the clock starts (another clock's) */
  alive?: DynoInfo[]
  /** log lines of those, each delivered at its time */
  logs?: Array<{at: number; line: string}>
}

export async function runClock(trigger: Trigger, {end, lateMs, recorded = [], runMs, start, ...rest}: Scenario) {
  const lastPassAt = rest.lastPassAt ?? start
  const time = new VirtualTime(start)
  const {creates, deliver, platform, refused} = failingPlatform(time, runMs, lateMs, rest.refuse, rest.alive)
  for (const {at, line} of rest.logs ?? []) deliver(at, line)
  const history = memoryHistory()
  for (const run of recorded) history.runs.set(run.id, run)
  const lines: string[] = []
  const clock = new Clock({
    async loadTriggers() {
      return [trigger, ...(rest.others ?? [])]
    },
    now: () => time.now, owner: 'test', platform, print: line => lines.push(line),
    async readState() {
      return {lastPassAt}
    },
    runs: history, sleep: time.sleep,
    async writeState() {},
  }, {maxDynos: 10, once: false, reloadMs: 300_000})
  const controller = new AbortController()
  const done = clock.run(controller.signal)
  await time.runUntil(end)
  controller.abort()
  await time.runUntil(end)
  await done
  return {clock, creates, history, lines, refused}
}

