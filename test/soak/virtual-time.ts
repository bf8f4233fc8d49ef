// Simulated time for the soak: the clock's now and sleeps, the emulator's dyno timers, log stamps and
// rate-limit refills all read one clock that moves only when everything is idle, straight to the next
// timer due. Idle means no call the clock made is still under way (its platform, its store) and
// nothing has happened for a short real-time while (a log line on its way, a write being flushed).
import {performance} from 'node:perf_hooks'

import type {EmulatorTime} from '../emulator/time.js'

interface Timer {
  at: number
  cancelled: boolean
  fn: () => void
  seq: number
}

/** real ms without any activity before time may move: a log line on loopback arrives well within it */
const QUIET_MS = 1
/** real ms a step may take before the soak says what it is stuck on */
const STUCK_MS = 120_000

export class VirtualTime implements EmulatorTime {
  /** calls under way: time stands still until they are back */
  inflight = 0
  /** anything that happened: a call begun or ended, a line logged or read */
  activity = 0
  steps = 0
  private t: number
  private seq = 0
  private heap: Timer[] = []

  constructor(start: number) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  nowMicros(): number {
    return this.t * 1000
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer: Timer = {at: this.t + Math.max(0, ms), cancelled: false, fn, seq: ++this.seq}
    this.push(timer)
    return timer
  }

  clearTimeout(handle: unknown): void {
    if (handle) (handle as Timer).cancelled = true
  }

  /** the clock's sleep: `ms` of simulated time, or less when `signal` aborts */
  sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise(resolve => {
    if (signal.aborted) {
      resolve()
      return
    }

    const done = () => {
      this.clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }

    const timer = this.setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })

  /** A sleep that never ends: what a clock whose process was killed is left with. */
  static forever(): Promise<void> {
    return new Promise(() => {})
  }

  touch(): void {
    this.activity++
  }

  /** Moves time to `end`, firing each timer at its time, waiting for quiet before every move. */
  async runUntil(end: number, onStep?: () => Promise<void> | void): Promise<void> {
    for (;;) {
      await this.settle()
      const next = this.peek()
      if (next === undefined || next.at > end) {
        this.t = Math.max(this.t, end)
        return
      }

      this.t = Math.max(this.t, next.at)
      this.steps++
      while (this.peek() !== undefined && this.peek()!.at <= this.t) {
        const timer = this.pop()!
        timer.fn()
      }

      await onStep?.()
    }
  }

  /** Until nothing is under way and nothing happened for QUIET_MS of real time. */
  async settle(): Promise<void> {
    const began = performance.now()
    let quietSince = began
    let seen = this.activity
    for (;;) {
      await new Promise(resolve => {
        setImmediate(resolve)
      })
      const real = performance.now()
      if (this.inflight > 0 || this.activity !== seen) {
        seen = this.activity
        quietSince = real
        if (real - began > STUCK_MS) throw new Error(`soak: still busy after ${STUCK_MS / 1000} s of real time at ${new Date(this.t).toISOString()} (${this.inflight} call(s) under way)`)
        continue
      }

      if (real - quietSince >= QUIET_MS) return
    }
  }

  /**
   * `target` with every promise-returning method counted while under way (and objects it hands out
   * wrapped the same way), so time does not move while the clock waits on it. A one-shot log read
   * counts until it ends; a tail read does not (waiting for the next line is being idle), nor does
   * waiting for the lease (a standby). Once `dead()`, nothing called returns: a killed process.
   */
  track<T extends object>(target: T, dead: () => boolean = () => false): T {
    const cache = new WeakMap<object, object>()
    const wrap = <U extends object>(object: U): U => {
      const known = cache.get(object)
      if (known) return known as U
      const proxy = new Proxy(object, {
        get: (obj, prop) => {
          const value = Reflect.get(obj, prop)
          if (typeof value !== 'function') return value !== null && typeof value === 'object' && !(value instanceof AbortSignal) && !(value instanceof Date) ? wrap(value) : value
          return (...args: unknown[]) => {
            if (dead()) return VirtualTime.forever()
            this.touch()
            const result = (value as (...a: unknown[]) => unknown).apply(obj, args)
            if (result && typeof (result as Promise<unknown>).then === 'function') {
              const counted = prop === 'lease' ? result as Promise<unknown> : this.counted(result as Promise<unknown>)
              return counted.then(r => (dead() ? VirtualTime.forever() : r), error => (dead() ? VirtualTime.forever() : Promise.reject(error)))
            }

            if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
              const tail = (args[0] as {tail?: boolean} | undefined)?.tail === true
              return this.countedLines(result as AsyncIterable<unknown>, tail, dead)
            }

            return result
          }
        },
      })
      cache.set(object, proxy)
      return proxy
    }

    return wrap(target)
  }

  private counted<R>(promise: Promise<R>): Promise<R> {
    this.inflight++
    return promise.finally(() => {
      this.inflight--
      this.touch()
    })
  }

  private async * countedLines<R>(lines: AsyncIterable<R>, tail: boolean, dead: () => boolean): AsyncIterable<R> {
    if (!tail) this.inflight++
    try {
      for await (const line of lines) {
        if (dead()) break
        this.touch()
        yield line
      }
    } finally {
      if (!tail) this.inflight--
      this.touch()
    }
  }

  private peek(): Timer | undefined {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop()
    return this.heap[0]
  }

  private push(timer: Timer): void {
    const h = this.heap
    h.push(timer)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (earlier(h[parent], h[i])) break;
      [h[parent], h[i]] = [h[i], h[parent]]
      i = parent
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && earlier(h[l], h[m])) m = l
        if (r < h.length && earlier(h[r], h[m])) m = r
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]]
        i = m
      }
    }

    return top
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
