// A wall clock that is stepped (NTP correcting a drifted dyno, a laptop waking from sleep) moves
// every due time at once, while the clock loop may be asleep for up to 30 s. This notices a step
// within a second, by comparing the wall clock with a steady one, and says so.

export interface WallClockWatch {
  /** wall time, ms (Date.now) */
  wall(): number
  /** steady time, ms (performance.now): never stepped */
  steady(): number
  /** calls `tick` every `ms` until the returned function is called */
  repeat(ms: number, tick: () => void): () => void
}

const realTime: WallClockWatch = {
  repeat(ms, tick) {
    const timer = setInterval(tick, ms)
    timer.unref()
    return () => clearInterval(timer)
  },
  steady: () => performance.now(),
  wall: () => Date.now(),
}

/** Calls `onStep(byMs)` when the wall clock jumps by more than `toleranceMs` against the steady clock. */
export function watchWallClock(onStep: (byMs: number) => void, options: {everyMs?: number; toleranceMs?: number; time?: WallClockWatch} = {}): () => void {
  const time = options.time ?? realTime
  const tolerance = options.toleranceMs ?? 500
  let offset = time.wall() - time.steady()
  return time.repeat(options.everyMs ?? 1000, () => {
    const now = time.wall() - time.steady()
    const by = now - offset
    offset = now
    if (Math.abs(by) > tolerance) onStep(by)
  })
}
