// The emulator's sense of time: the wall clock by default, or a simulated one a soak test drives
// (days of dyno runs, log lines and rate-limit refills in seconds, with the same code paths).
import {performance} from 'node:perf_hooks'

export interface EmulatorTime {
  /** ms since the epoch */
  now(): number
  /** µs since the epoch, never coarser than now() */
  nowMicros(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realTime: EmulatorTime = {
  clearTimeout: handle => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
  nowMicros: () => Math.floor((performance.timeOrigin + performance.now()) * 1000),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
}

/** What a simulated dyno does instead of running its command: no process, its lines on the emulator's time. */
export interface SimulatedRun {
  /** ms from `up` to the exit */
  durationMs: number
  exitStatus: number
  /** app[dyno] lines printed while it runs */
  output?: string[]
}
