// Reads an app's log stream as the Heroku CLI does: a log session, then its logplex_url as
// server-sent events (plain lines when the server does not speak SSE). A session that expires or
// is cut is replaced by a new one whose backlog is matched against what was already seen, so no
// line is lost or counted twice. A stream can also end cleanly before its backlog did (a proxy or
// the server giving up early, no error): a read without tail checks that it got to the log's
// newest line, and a renewed tail session's backlog is checked to reach back to what was seen.
import {createParser} from 'eventsource-parser'

import type {LogRequest} from './types.js'

import {parseLine} from '../core/lifecycle.js'
import {sleep} from './sleep.js'

/** the most lines a session's backlog holds: logplex keeps the last 1,500 */
export const MAX_BACKLOG = 1500
/**
 * The least a renewed tail session asks for: the line rate is an average, a burst can outrun it,
 * and a few more lines cost only bytes while too few cost a second session.
 */
export const RENEWAL_FLOOR = 100
const ENDED_EARLY = 'log stream ended before its backlog did'

export interface SessionSource {
  logSession(options: {dyno?: string; lines?: number; tail?: boolean}): Promise<{logplex_url?: string}>
}

/** Remembers the last lines seen, to drop the overlap a renewed session sends again. */
export class SeenLines {
  private readonly set = new Set<string>()
  private readonly order: string[] = []

  constructor(private readonly capacity = 5000) {}

  /** true the first time a line is offered */
  add(line: string): boolean {
    if (this.set.has(line)) return false
    this.set.add(line)
    this.order.push(line)
    if (this.order.length > this.capacity) this.set.delete(this.order.shift()!)
    return true
  }

  has(line: string): boolean {
    return this.set.has(line)
  }
}

/**
 * How fast lines come, to size a renewed session's backlog: the rate from the last lines' own
 * timestamps (a backlog that arrives all at once is not a flood) and when the last one arrived.
 */
export class LinePace {
  private readonly window: string[] = []
  private next = 0
  private lastAt: number | undefined

  constructor(private readonly size = MAX_BACKLOG) {}

  get empty(): boolean {
    return this.lastAt === undefined
  }

  /** lines plausibly written after the last one seen, by `now`; undefined when none was seen */
  missedBy(now: number): number | undefined {
    if (this.lastAt === undefined) return undefined
    const count = this.window.length
    const oldest = lineTime(this.window[this.next])
    const newest = lineTime(this.window[(this.next + count - 1) % count])
    const span = Math.max(0, newest - oldest)
    if (!Number.isFinite(span)) return MAX_BACKLOG
    const gap = Math.max(0, now - this.lastAt)
    // the window's lines spread over its span stretched to now: the rate falls while nothing comes
    return gap === 0 ? 0 : Math.ceil((count * gap) / (span + gap))
  }

  saw(line: string, at: number): void {
    if (this.window.length < this.size) {
      this.window.push(line)
    } else {
      this.window[this.next] = line
      this.next = (this.next + 1) % this.size
    }

    this.lastAt = at
  }
}

/** a line's timestamp in ms (fractions for its microseconds); NaN when it has none */
function lineTime(line: string): number {
  const parsed = parseLine(line)
  return parsed ? parsed.time + parsed.micros / 1000 : Number.NaN
}

export interface StreamOptions {
  /** pause before renewing a cut or expired session */
  retryMs?: number
  /** give up after this many sessions in a row that failed to open (or, without tail, to deliver) */
  maxFailures?: number
  onRenew?: (reason: string) => void
  /** ms since the epoch, for the time since the last line (default Date.now) */
  now?: () => number
  /** the pause before a renewal (default: a timer) */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

export async function * followLog(source: SessionSource, request: LogRequest, signal: AbortSignal, options: StreamOptions = {}): AsyncIterable<string> {
  const reader = new LogReader(source, request, signal, options)
  yield * (request.tail ? reader.tail() : reader.once())
}

class LogReader {
  private failures = 0
  private readonly pace = new LinePace()
  private readonly seen = new SeenLines()

  constructor(private readonly source: SessionSource, private readonly request: LogRequest, private readonly signal: AbortSignal, private readonly options: StreamOptions) {}

  /**
   * Without tail: the session's backlog, confirmed complete. A session sends at most the `lines`
   * it was asked for, so one that sent them all was complete. One that sent fewer (a short log, a
   * dyno filter, or a cut) is checked with a one-line session: if the log's newest line was seen,
   * the read was complete; if not, it is read again, and each renewal that ends before that line
   * (and before its `lines`) is one more failure, up to maxFailures. Cost: a read not cut makes at
   * most one extra session (of one line); a cut one, one more per renewal.
   * @yields each line of the backlog once
   */
  async * once(): AsyncIterable<string> {
    const asked = Math.min(Math.max(this.request.lines, 0), MAX_BACKLOG)
    // the newest line as the confirming session saw it, not seen then: a renewal that brings it is complete
    let target: string | undefined
    while (!this.signal.aborted) {
      let url: string
      try {
        url = await this.open(this.request.lines, false)
      } catch (error) {
        await this.failed(error)
        continue
      }

      let delivered = 0
      let reached = false
      try {
        for await (const line of readSession(url, this.signal)) {
          delivered++
          if (line === target) reached = true
          if (this.seen.add(line)) yield line
        }
      } catch (error) {
        // a broken session (the 404 of an expired one, a failed or reset stream): a new session's backlog brings what is missing
        if (this.signal.aborted) return
        this.count(error)
        await this.renewAfter((error as Error).message)
        continue
      }

      if (this.signal.aborted || delivered >= asked || reached) return
      if (target === undefined) {
        target = await this.newestLine()
        // a filtered read whose dyno did not write the log's newest line finds none: nothing says it was cut
        if (target === undefined || this.seen.has(target)) return
      } else {
        this.count(new Error(ENDED_EARLY))
      }

      await this.renewAfter(ENDED_EARLY)
    }
  }

  /**
   * With tail: the backlog, then new lines, renewing the session whenever it ends or breaks. A
   * renewal asks for what was plausibly missed rather than the whole backlog; when its first line
   * is not one seen, the gap was longer than that and the whole backlog is fetched once (fillGap).
   * Cost: one session per renewal, two when the gap outran the estimate.
   * @yields each line once, in the log's order
   */
  async * tail(): AsyncIterable<string> {
    let renewed = false
    while (!this.signal.aborted) {
      const lines = renewed ? this.renewalLines() : this.request.lines
      let url: string
      try {
        url = await this.open(lines, true)
      } catch (error) {
        await this.failed(error)
        continue
      }

      let checkOverlap = renewed && lines < MAX_BACKLOG && !this.pace.empty
      let reason = 'stream ended'
      try {
        for await (const line of readSession(url, this.signal)) {
          if (checkOverlap) {
            checkOverlap = false
            if (!this.seen.has(line)) yield * this.fillGap(line)
          }

          this.failures = 0
          if (this.seen.add(line)) {
            this.pace.saw(line, this.now())
            yield line
          }
        }
      } catch (error) {
        if (this.signal.aborted) return
        reason = (error as Error).message
        this.count(error)
      }

      if (this.signal.aborted) return
      renewed = true
      await this.renewAfter(reason)
    }
  }

  /** one more failure in a row; `error` is thrown at maxFailures */
  private count(error: unknown): void {
    if (++this.failures >= (this.options.maxFailures ?? 5)) throw error
  }

  private async failed(error: unknown): Promise<void> {
    this.count(error)
    await (this.options.sleep ?? sleep)(this.options.retryMs ?? 1000, this.signal)
  }

  /**
   * A renewed backlog began with `first`, a line not seen: the whole backlog, once, read to the
   * end before any line is given (complete when it reaches `first` or holds 1500 lines; else it is
   * a broken session). Lines before the last one seen in it came before the read began (a read
   * asking for no backlog does not want them), so they are only marked seen.
   * @yields the lines after the last one seen
   */
  private async * fillGap(first: string): AsyncIterable<string> {
    const url = await this.open(MAX_BACKLOG, false)
    const got: string[] = []
    for await (const line of readSession(url, this.signal)) got.push(line)
    if (this.signal.aborted) return
    if (got.length < MAX_BACKLOG && !got.includes(first)) throw new Error(ENDED_EARLY)
    let lastSeen = -1
    for (const [i, line] of got.entries()) if (this.seen.has(line)) lastSeen = i
    for (const [i, line] of got.entries()) {
      if (this.seen.add(line) && i > lastSeen) {
        this.pace.saw(line, this.now())
        yield line
      }
    }
  }

  /** the log's newest line (of the read's dyno) from a one-line session; undefined when there is none */
  private async newestLine(): Promise<string | undefined> {
    while (!this.signal.aborted) {
      try {
        const url = await this.open(1, false)
        let newest: string | undefined
        for await (const line of readSession(url, this.signal)) newest = line
        return newest
      } catch (error) {
        if (this.signal.aborted) return undefined
        await this.failed(error)
      }
    }

    return undefined
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  private async open(lines: number, tail: boolean): Promise<string> {
    const session = await this.source.logSession({dyno: this.request.dyno, lines, tail})
    return session.logplex_url!
  }

  /** A renewed session's backlog: twice what was plausibly missed, at least RENEWAL_FLOOR, at most 1500. */
  private renewalLines(): number {
    const missed = this.pace.missedBy(this.now())
    // nothing seen yet: what the read asked for, since none of it came
    if (missed === undefined) return Math.min(MAX_BACKLOG, Math.max(RENEWAL_FLOOR, this.request.lines))
    return Math.min(MAX_BACKLOG, Math.max(RENEWAL_FLOOR, 2 * missed))
  }

  private async renewAfter(reason: string): Promise<void> {
    this.options.onRenew?.(reason)
    await (this.options.sleep ?? sleep)(this.options.retryMs ?? 1000, this.signal)
  }
}

/**
 * One session's lines, SSE or plain text, until the server closes it.
 * @yields each line as it arrives
 */
export async function * readSession(url: string, signal: AbortSignal): AsyncIterable<string> {
  const response = await fetch(url, {headers: {Accept: 'text/event-stream', 'User-Agent': 'heroku-triggers'}, signal})
  if (response.status === 404 || response.status === 403) throw new Error(`log session expired (${response.status})`)
  if (!response.ok || !response.body) throw new Error(`log stream failed with ${response.status} ${response.statusText}`)
  const sse = (response.headers.get('content-type') ?? '').includes('text/event-stream')
  const pending: string[] = []
  let carry = ''
  const parser = createParser({
    onEvent(event) {
      for (const line of event.data.split(/\n+/)) if (line.trim() !== '') pending.push(line)
    },
  })
  const decoder = new TextDecoder()
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const text = decoder.decode(chunk, {stream: true})
    if (sse) {
      parser.feed(text)
    } else {
      const parts = (carry + text).split('\n')
      carry = parts.pop() ?? ''
      for (const line of parts) if (line.trim() !== '') pending.push(line.replace(/\r$/, ''))
    }

    while (pending.length > 0) yield pending.shift()!
  }

  if (!sse && carry.trim() !== '') yield carry
}
