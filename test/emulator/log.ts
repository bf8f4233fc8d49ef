// An app's log as logplex keeps it: lines `TIME SOURCE[PS]: MESSAGE` with microsecond `+00:00`
// timestamps, the last 1500 kept for session backlogs, split at 10,000 bytes.
import {type EmulatorTime, realTime} from './time.js'

export const BACKLOG_LINES = 1500
export const MAX_LINE_BYTES = 10_000
const KEEP_ALL = 200_000

export interface LogEntry {
  line: string
  message: string
  micros: number
  ps: null | string
  seq: number
  source: string
}

/** microseconds since the epoch, with sub-millisecond precision */
export function nowMicros(): number {
  return realTime.nowMicros()
}

/** `2020-11-07T16:04:50.824747+00:00` */
export function formatTimestamp(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000)
  const fraction = micros - seconds * 1_000_000
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(fraction).padStart(6, '0')}+00:00`
}

/** splits a message into pieces of at most MAX_LINE_BYTES bytes, never inside a UTF-8 character */
export function splitMessage(message: string): string[] {
  const bytes = Buffer.from(message, 'utf8')
  if (bytes.length <= MAX_LINE_BYTES) return [message]
  const pieces: string[] = []
  let start = 0
  while (start < bytes.length) {
    let end = Math.min(start + MAX_LINE_BYTES, bytes.length)
    // step back over continuation bytes (10xxxxxx) so a character is never cut
    while (end < bytes.length && end > start && (bytes[end] & 0xC0) === 0x80) end--
    pieces.push(bytes.subarray(start, end).toString('utf8'))
    start = end
  }

  return pieces
}

export class AppLog {
  /** every line delivered, in delivery order (capped very high) */
  readonly all: string[] = []
  /** the last BACKLOG_LINES entries, for session backlogs */
  readonly kept: LogEntry[] = []
  private lastMicros = 0
  private readonly listeners = new Set<(entry: LogEntry) => void>()
  private seq = 0

  constructor(private readonly time: EmulatorTime = realTime, private readonly keepAll = KEEP_ALL) {}

  /** appends one message (split on newlines and at 10,000 bytes); returns the entries made */
  append(source: string, ps: null | string, message: string, micros?: number): LogEntry[] {
    const entries: LogEntry[] = []
    const lines = message.split('\n')
    if (lines.length > 1 && lines.at(-1) === '') lines.pop()
    for (const text of lines) {
      for (const piece of splitMessage(text.replace(/\r$/, ''))) {
        entries.push(this.push(source, ps, piece, micros))
        if (micros !== undefined) micros++
      }
    }

    return entries
  }

  /** the last `lines` kept entries */
  backlog(lines: number): LogEntry[] {
    return lines <= 0 ? [] : this.kept.slice(-Math.min(lines, BACKLOG_LINES))
  }

  /** kept entries after sequence number `seq` (an EventSource resuming with Last-Event-ID) */
  since(seq: number): LogEntry[] {
    return this.kept.slice(-BACKLOG_LINES).filter(e => e.seq > seq)
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** a timestamp for a new line: now, but never before the last line given a clock time */
  tick(): number {
    const micros = Math.max(this.time.nowMicros(), this.lastMicros + 1)
    this.lastMicros = micros
    return micros
  }

  private push(source: string, ps: null | string, message: string, micros?: number): LogEntry {
    const at = micros ?? this.tick()
    if (micros !== undefined && micros > this.lastMicros) this.lastMicros = micros
    const line = `${formatTimestamp(at)} ${source}${ps === null ? '' : `[${ps}]`}: ${message}`
    const entry: LogEntry = {line, message, micros: at, ps, seq: ++this.seq, source}
    this.kept.push(entry)
    // trimmed in steps, not at every line: a busy log should not move 1500 entries per line
    if (this.kept.length > 2 * BACKLOG_LINES) this.kept.splice(0, this.kept.length - BACKLOG_LINES)
    if (this.keepAll > 0) {
      this.all.push(line)
      if (this.all.length > this.keepAll) this.all.splice(0, this.all.length - this.keepAll)
    }

    for (const listener of this.listeners) listener(entry)
    return entry
  }
}

/** logplex's filter: ps exactly or as `name.` prefix; source exactly */
export function matchesFilter(entry: LogEntry, filter: {ps?: string; source?: string}): boolean {
  if (filter.source && entry.source !== filter.source) return false
  if (filter.ps) {
    const ps = entry.ps ?? ''
    if (ps !== filter.ps && !ps.startsWith(`${filter.ps}.`)) return false
  }

  return true
}
