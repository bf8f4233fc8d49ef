// One parser for Heroku's log lines: the envelope (`TIME SOURCE[DYNO]: MESSAGE`), then what the
// message says about a dyno's life. Everything downstream (runs, metrics, monitors, --local) reads
// these events. It runs over every line of the log stream, so it dispatches on cheap character
// checks and never runs a regular expression on the hot path (bench/lifecycle.ts measures it).

export interface LogLine {
  raw: string
  /** the timestamp as written */
  timestamp: string
  /** epoch ms, NaN if the timestamp cannot be read */
  time: number
  /** microseconds within the millisecond (0..999): orders lines that share a millisecond */
  micros: number
  /** 'app', 'heroku', 'logplex'... */
  source: string
  /** 'run.4521', 'scheduler.8715', 'api', 'router'; null when the line names none */
  dyno: null | string
  message: string
}

interface EventBase {
  /** the dyno the event is about; 'api' for announcements, which do not name the new dyno */
  dyno: null | string
  time: number
  micros: number
  line: LogLine
}

/** `app[api]: Starting process with command `X` by user U`: a dyno was asked for (it is not named yet). */
export interface AnnouncedEvent extends EventBase {kind: 'announced'; command: string; user: null | string}
/** `heroku[x.N]: Starting process with command `X``: the dyno exists and launches the command. */
export interface StartingEvent extends EventBase {kind: 'starting'; command: string}
/** `State changed from starting to up` (also created, provisioning, complete, crashed, down). */
export interface StateEvent extends EventBase {kind: 'state'; from: string; to: string}
/** `Process exited with status N`; status null for a bare `Process exited` (after SIGKILL). */
export interface ExitedEvent extends EventBase {kind: 'exited'; status: null | number}
export interface SigtermEvent extends EventBase {kind: 'sigterm'}
export interface SigkillEvent extends EventBase {kind: 'sigkill'}
export interface CyclingEvent extends EventBase {kind: 'cycling'}
export interface RestartingEvent extends EventBase {kind: 'restarting'}
/** `Error R14 (Memory quota exceeded)`, R10, R12, R15, R17, R99, L10, L11, router H-codes... */
export interface ErrorEvent extends EventBase {kind: 'error'; code: string; text: string}
/** `Process running mem=646M(126.2%)`, printed with R14/R15. */
export interface MemoryUsageEvent extends EventBase {kind: 'memory-usage'; memoryMb: number; percent: null | number}
/** A log-runtime-metrics sample; only the fields the line carried are set. */
export interface SampleEvent extends EventBase {
  kind: 'sample'
  memoryRssMb?: number
  memoryTotalMb?: number
  memoryQuotaMb?: number
  memorySwapMb?: number
  load1m?: number
  load5m?: number
  load15m?: number
}
export interface ReleaseEvent extends EventBase {kind: 'release'; version: number; user: null | string}
export interface ConfigEvent extends EventBase {kind: 'config'; keys: string[]; user: null | string; action: 'remove' | 'set'}
/** Anything an app dyno printed: the task's own output (continuations of split lines included). */
export interface OutputEvent extends EventBase {kind: 'output'}
/** A line we do not interpret. Kept, never fatal. */
export interface UnknownEvent extends EventBase {kind: 'unknown'}

export type LifecycleEvent =
  | AnnouncedEvent | ConfigEvent | CyclingEvent | ErrorEvent | ExitedEvent | MemoryUsageEvent | OutputEvent
  | ReleaseEvent | RestartingEvent | SampleEvent | SigkillEvent | SigtermEvent | StartingEvent | StateEvent | UnknownEvent

export type EventKind = LifecycleEvent['kind']

// Interned so that the hot path compares pointers, not characters.
const APP = 'app'
const HEROKU = 'heroku'
const API = 'api'
const ROUTER = 'router'

const enum C {
  Tab = 9, Space = 32, Quote = 34, Plus = 43, Dash = 45, Dot = 46, Zero = 48, Nine = 57, Colon = 58, Lt = 60, Gt = 62,
  A = 65, E = 69, G = 71, K = 75, L = 76, M = 77, P = 80, R = 82, S = 83, T = 84, U = 85, Z = 90,
  LBracket = 91, RBracket = 93, Backtick = 96, a = 97, s = 115, z = 122,
}

const isDigit = (c: number): boolean => c >= C.Zero && c <= C.Nine

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

// Set by readTime beside its result, to avoid allocating a pair per line.
let lastMicros = 0
// The last minute read (`YYYY-MM-DDTHH:MM`, as epoch ms) and its characters' digit values:
// consecutive lines almost always share it, and comparing is cheaper than computing.
let cachedMinute = Number.NaN
let cy1 = -1
let cy2 = -1
let cmo = -1
let cd = -1
let ch = -1
let cmi = -1

/**
 * Reads `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)` in text[start, end) by hand (Date.parse costs
 * more than the rest of the line); anything else goes to Date.parse. Sets lastMicros.
 */
function readTime(text: string, start: number, end: number): number {
  if (end - start < 20) return fallbackTime(text, start, end)
  if (text.charCodeAt(start + 4) !== C.Dash || text.charCodeAt(start + 7) !== C.Dash) return fallbackTime(text, start, end)
  if (text.charCodeAt(start + 13) !== C.Colon || text.charCodeAt(start + 16) !== C.Colon) return fallbackTime(text, start, end)
  const y1 = (text.charCodeAt(start) - C.Zero) * 10 + text.charCodeAt(start + 1) - C.Zero
  const y2 = (text.charCodeAt(start + 2) - C.Zero) * 10 + text.charCodeAt(start + 3) - C.Zero
  const mo = (text.charCodeAt(start + 5) - C.Zero) * 10 + text.charCodeAt(start + 6) - C.Zero
  const d = (text.charCodeAt(start + 8) - C.Zero) * 10 + text.charCodeAt(start + 9) - C.Zero
  const h = (text.charCodeAt(start + 11) - C.Zero) * 10 + text.charCodeAt(start + 12) - C.Zero
  const mi = (text.charCodeAt(start + 14) - C.Zero) * 10 + text.charCodeAt(start + 15) - C.Zero
  let minute: number
  if (mi === cmi && h === ch && d === cd && mo === cmo && y2 === cy2 && y1 === cy1) {
    minute = cachedMinute
  } else {
    const sep = text.charCodeAt(start + 10)
    if (!(sep === C.T || sep === C.Space || sep === 116)) return fallbackTime(text, start, end)
    if (!digits(text, start, 4) || !digits(text, start + 5, 2) || !digits(text, start + 8, 2) || !digits(text, start + 11, 2) || !digits(text, start + 14, 2)) return fallbackTime(text, start, end)
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return fallbackTime(text, start, end)
    minute = ((daysFromCivil(y1 * 100 + y2, mo, d) * 24 + h) * 60 + mi) * 60_000
    cachedMinute = minute
    cy1 = y1
    cy2 = y2
    cmo = mo
    cd = d
    ch = h
    cmi = mi
  }

  const s1 = text.charCodeAt(start + 17) - C.Zero
  const s2 = text.charCodeAt(start + 18) - C.Zero
  if (s1 < 0 || s1 > 6 || s2 < 0 || s2 > 9) return fallbackTime(text, start, end)
  let i = start + 19
  let ms = 0
  let micros = 0
  if (text.charCodeAt(i) === C.Dot) {
    i++
    let n = 0
    let c = text.charCodeAt(i) - C.Zero
    while (c >= 0 && c <= 9 && i < end) {
      if (n < 3) ms = ms * 10 + c
      else if (n < 6) micros = micros * 10 + c
      n++
      c = text.charCodeAt(++i) - C.Zero
    }

    if (n === 0) return fallbackTime(text, start, end)
    if (n < 3) ms *= n === 1 ? 100 : 10
    else if (n === 4) micros *= 100
    else if (n === 5) micros *= 10
  }

  let offset = 0
  const z = text.charCodeAt(i)
  if (z === C.Plus || z === C.Dash) {
    if (end - i === 6 && text.charCodeAt(i + 3) === C.Colon) {
      const oh = (text.charCodeAt(i + 1) - C.Zero) * 10 + text.charCodeAt(i + 2) - C.Zero
      const om = (text.charCodeAt(i + 4) - C.Zero) * 10 + text.charCodeAt(i + 5) - C.Zero
      if (oh !== 0 || om !== 0) {
        if (!digits(text, i + 1, 2) || !digits(text, i + 4, 2)) return fallbackTime(text, start, end)
        offset = (z === C.Plus ? 1 : -1) * (oh * 60 + om) * 60_000
      }
    } else if (end - i === 5 && digits(text, i + 1, 4)) {
      const oh = (text.charCodeAt(i + 1) - C.Zero) * 10 + text.charCodeAt(i + 2) - C.Zero
      const om = (text.charCodeAt(i + 3) - C.Zero) * 10 + text.charCodeAt(i + 4) - C.Zero
      offset = (z === C.Plus ? 1 : -1) * (oh * 60 + om) * 60_000
    } else {
      return fallbackTime(text, start, end)
    }
  } else if (!((z === C.Z || z === 122) && end - i === 1)) {
    return fallbackTime(text, start, end)
  }

  lastMicros = micros
  return minute + (s1 * 10 + s2) * 1000 + ms - offset
}

function digits(text: string, at: number, count: number): boolean {
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i)
    if (c < C.Zero || c > C.Nine) return false
  }

  return true
}

function fallbackTime(text: string, start: number, end: number): number {
  lastMicros = 0
  return Date.parse(text.slice(start, end))
}

/** A character that may appear in a source name: letters, digits, `-`, `_`, `.`. */
function isNameChar(c: number): boolean {
  return (c >= C.a && c <= C.z) || (c >= C.A && c <= C.Z) || isDigit(c) || c === C.Dash || c === C.Dot || c === 95
}

/** `heroku` at text[at], read by hand (startsWith costs more on the hot path). */
function isHeroku(text: string, at: number): boolean {
  return text.charCodeAt(at + 1) === 101 && text.charCodeAt(at + 2) === 114 && text.charCodeAt(at + 3) === 111 && text.charCodeAt(at + 4) === 107 && text.charCodeAt(at + 5) === 117
}

function intern(text: string, start: number, end: number): string {
  const n = end - start
  const c = text.charCodeAt(start)
  if (n === 3 && c === C.a && text.charCodeAt(start + 1) === 112 && text.charCodeAt(start + 2) === 112) return APP
  if (n === 6 && c === 104 && text.charCodeAt(start + 1) === 101 && text.startsWith(HEROKU, start)) return HEROKU
  return text.slice(start, end)
}

function internDyno(text: string, start: number, end: number): string {
  const n = end - start
  const c = text.charCodeAt(start)
  if (n === 3 && c === C.a && text.charCodeAt(start + 1) === 112 && text.charCodeAt(start + 2) === 105) return API
  if (n === 6 && c === 114 && text.charCodeAt(start + 1) === 111 && text.charCodeAt(start + 5) === 114 && text.startsWith(ROUTER, start)) return ROUTER
  return text.slice(start, end)
}

/**
 * The envelope of one line: `TIME SOURCE[DYNO]: MESSAGE`, `TIME SOURCE: MESSAGE`, or a drain's
 * RFC 5424 form `<PRI>1 TIME HOST SOURCE DYNO - MESSAGE`. Null only for a line with no envelope.
 */
export function parseLine(raw: string): LogLine | null {
  return parseAt(raw, 0, raw.length)
}

/** parseLine over text[start, end), without cutting the line out first (the stream's hot path). */
function parseAt(text: string, start: number, end: number): LogLine | null {
  if (end > start && text.charCodeAt(end - 1) === 13) end--
  const first = text.charCodeAt(start)
  if (first === C.Lt) return parseSyslogLine(start === 0 && end === text.length ? text : text.slice(start, end))
  if (!isDigit(first)) return null
  // timestamps are 20-32 characters: look for the space there first
  let sp = start + 32 < end && text.charCodeAt(start + 32) === C.Space ? start + 32 : text.indexOf(' ', start)
  if (sp < 0 || sp >= end) return null

  // the source: a short name ending at `[` or `:`
  let i = sp + 1
  let c = text.charCodeAt(i)
  let source: string
  if (c === C.a && text.charCodeAt(i + 1) === 112 && text.charCodeAt(i + 2) === 112 && text.charCodeAt(i + 3) === C.LBracket) {
    source = APP
    i += 3
    c = C.LBracket
  } else if (c === 104 && text.charCodeAt(i + 6) === C.LBracket && isHeroku(text, i)) {
    source = HEROKU
    i += 6
    c = C.LBracket
  } else {
    while (isNameChar(c) && i < end) c = text.charCodeAt(++i)
    if (i === sp + 1) return null
    source = intern(text, sp + 1, i)
  }

  let dyno: null | string = null
  if (c === C.LBracket) {
    const close = text.indexOf(']', i + 1)
    if (close === -1 || close >= end || text.charCodeAt(close + 1) !== C.Colon) return null
    if (close > i + 1) {
      if (close - i > 64) return null
      dyno = internDyno(text, i + 1, close)
    }

    i = close + 1
  } else if (c !== C.Colon) {
    return null
  }

  // i is at the colon; one space follows it
  let m = i + 1
  if (text.charCodeAt(m) === C.Space) m++
  if (m > end) m = end
  const time = readTime(text, start, sp)
  sp = Math.min(sp, end)
  const whole = start === 0 && end === text.length
  return {
    raw: whole ? text : text.slice(start, end),
    timestamp: text.slice(start, sp),
    time,
    micros: lastMicros,
    source,
    dyno,
    message: text.slice(m, end),
  }
}

function parseSyslogLine(raw: string): LogLine | null {
  // <45>1 2020-01-01T00:00:00.000000+00:00 host heroku web.1 - message
  const gt = raw.indexOf('>')
  if (gt === -1 || gt > 5) return null
  const fields: number[] = []
  let at = gt
  for (let k = 0; k < 6; k++) {
    const next = raw.indexOf(' ', at + 1)
    if (next === -1) return null
    fields.push(next)
    at = next
  }

  // fields: [after version, after time, after host, after app, after procid, after msgid]
  const time = readTime(raw, fields[0] + 1, fields[1])
  const procid = raw.slice(fields[3] + 1, fields[4])
  return {
    raw,
    timestamp: raw.slice(fields[0] + 1, fields[1]),
    time,
    micros: lastMicros,
    source: intern(raw, fields[2] + 1, fields[3]),
    dyno: procid === '-' || procid === '' ? null : internDyno(procid, 0, procid.length),
    message: raw.slice(fields[5] + 1),
  }
}

// ---- messages -------------------------------------------------------------------------------

const STARTING = 'Starting process with command '
const STATE = 'State changed from '
const EXITED = 'Process exited'
const RUNNING_MEM = 'Process running mem='

/** The text between the first and the last backtick, and what follows the last one. */
function backticked(msg: string, from: number): null | {command: string; rest: number} {
  const open = msg.indexOf('`', from)
  const close = msg.lastIndexOf('`')
  if (open === -1 || close <= open) return null
  return {command: msg.slice(open + 1, close), rest: close + 1}
}

/** `... by user x@y.com` or the old `... by x@y.com`. */
function byUser(msg: string, from: number): null | string {
  const by = msg.indexOf(' by ', from - 1)
  if (by === -1) return null
  const who = msg.startsWith('user ', by + 4) ? by + 9 : by + 4
  const user = msg.slice(who).trim()
  return user === '' ? null : user
}

/** `646M`, `1028MB`, `1.2GB`: megabytes, NaN when it is not a size. */
function megabytes(text: string, start: number): number {
  return sampleValue(text, start, true)
}

function make<K extends EventKind>(kind: K, line: LogLine, dyno: null | string = line.dyno): EventBase & {kind: K} {
  return {kind, dyno, time: line.time, micros: line.micros, line}
}

function unknown(line: LogLine): UnknownEvent {
  return {kind: 'unknown', dyno: line.dyno, time: line.time, micros: line.micros, line}
}

/** `Error R14 (Memory quota exceeded)`, `L11 (Tail buffer overflow) -> ...`: code and text. */
function errorEvent(line: LogLine, msg: string, at: number): ErrorEvent | null {
  const c = msg.charCodeAt(at)
  if (!(c >= C.A && c <= C.Z) || !isDigit(msg.charCodeAt(at + 1)) || !isDigit(msg.charCodeAt(at + 2))) return null
  let end = at + 3
  while (isDigit(msg.charCodeAt(end))) end++
  const next = msg.charCodeAt(end)
  if (end < msg.length && next !== C.Space && next !== 40 && next !== C.Colon) return null
  const code = msg.slice(at, end)
  let text = msg.slice(end).trim()
  if (text.startsWith('(')) {
    const close = text.indexOf(')')
    if (close > 0) text = text.slice(1, close) + text.slice(close + 1)
  }

  return {kind: 'error', code, text, dyno: line.dyno, time: line.time, micros: line.micros, line}
}

/** `at=error code=H12 desc="Request timeout" ...` from the router. */
function routerEvent(line: LogLine): LifecycleEvent {
  const msg = line.message
  if (msg.charCodeAt(3) !== 101 || !msg.startsWith('at=error')) return unknown(line)
  const at = msg.indexOf(' code=')
  if (at === -1) return unknown(line)
  const end = msg.indexOf(' ', at + 6)
  const desc = msg.indexOf('desc="')
  const text = desc === -1 ? '' : msg.slice(desc + 6, Math.max(desc + 6, msg.indexOf('"', desc + 6)))
  return {kind: 'error', code: msg.slice(at + 6, end === -1 ? msg.length : end), text, dyno: line.dyno, time: line.time, micros: line.micros, line}
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

// Set by sampleValue beside its result: where the value ended.
let valueEnd = 0

/**
 * A decimal number at text[at] (`252.74`), times its unit when `sized` (MB, GB, kB, pages
 * are not sizes): NaN if none. Read by hand: this runs several times per metrics line.
 */
function sampleValue(text: string, at: number, sized: boolean): number {
  let mantissa = 0
  let fraction = -1
  let i = at
  let c = text.charCodeAt(i)
  for (;;) {
    if (c >= C.Zero && c <= C.Nine) {
      mantissa = mantissa * 10 + (c - C.Zero)
      if (fraction >= 0) fraction++
    } else if (c === C.Dot && fraction < 0) {
      fraction = 0
    } else {
      break
    }

    c = text.charCodeAt(++i)
  }

  valueEnd = i
  if (i === at || fraction === 0 || fraction > 9 || mantissa > Number.MAX_SAFE_INTEGER) return i === at ? Number.NaN : Number(text.slice(at, i))
  const value = fraction > 0 ? mantissa / POW10[fraction] : mantissa
  if (!sized) return value
  const unit = c | 0x20 // lowercase
  if (unit === 109 || Number.isNaN(c) || c === C.Space) return value // MB
  if (unit === 103) return value * 1024 // GB
  if (unit === 107) return value / 1024 // kB
  return Number.NaN
}

/** `source=web.1 dyno=heroku.N.UUID sample#memory_rss=252.74MB sample#load_avg_1m=0.00 ...` */
function sampleEvent(line: LogLine): SampleEvent {
  const msg = line.message
  let {dyno} = line
  if (dyno === null && msg.startsWith('source=')) {
    const end = msg.indexOf(' ')
    dyno = msg.slice(7, end === -1 ? msg.length : end)
  }

  const event: SampleEvent = {kind: 'sample', dyno, time: line.time, micros: line.micros, line}
  let at = nextSample(msg, 0)
  while (at >= 0) {
    const name = at + 7
    const c = msg.charCodeAt(name)
    let next = name
    if (c === 109 && msg.charCodeAt(name + 6) === 95) {
      // memory_rss= memory_total= memory_quota= memory_swap=
      const k = msg.charCodeAt(name + 7)
      if (k === 114 && msg.charCodeAt(name + 10) === 61) {
        const v = sampleValue(msg, name + 11, true)
        if (!Number.isNaN(v)) event.memoryRssMb = v
        next = valueEnd
      } else if (k === 116 && msg.charCodeAt(name + 12) === 61) {
        const v = sampleValue(msg, name + 13, true)
        if (!Number.isNaN(v)) event.memoryTotalMb = v
        next = valueEnd
      } else if (k === 113 && msg.charCodeAt(name + 12) === 61) {
        const v = sampleValue(msg, name + 13, true)
        if (!Number.isNaN(v)) event.memoryQuotaMb = v
        next = valueEnd
      } else if (k === 115 && msg.charCodeAt(name + 11) === 61) {
        const v = sampleValue(msg, name + 12, true)
        if (!Number.isNaN(v)) event.memorySwapMb = v
        next = valueEnd
      }
    } else if (c === 108 && msg.charCodeAt(name + 8) === 95) {
      // load_avg_1m= load_avg_5m= load_avg_15m=
      const k = msg.charCodeAt(name + 9)
      const k2 = msg.charCodeAt(name + 10)
      if (k === 49 && k2 === 109 && msg.charCodeAt(name + 11) === 61) {
        const v = sampleValue(msg, name + 12, false)
        if (!Number.isNaN(v)) event.load1m = v
        next = valueEnd
      } else if (k === 53 && k2 === 109 && msg.charCodeAt(name + 11) === 61) {
        const v = sampleValue(msg, name + 12, false)
        if (!Number.isNaN(v)) event.load5m = v
        next = valueEnd
      } else if (k === 49 && k2 === 53 && msg.charCodeAt(name + 12) === 61) {
        const v = sampleValue(msg, name + 13, false)
        if (!Number.isNaN(v)) event.load15m = v
        next = valueEnd
      }
    }

    at = nextSample(msg, next)
  }

  return event
}

/** Where the next `sample#` begins, from `from` on: found by its `#`, which is rare elsewhere. */
function nextSample(msg: string, from: number): number {
  // usually right after the value just read: ` sample#`
  if (msg.charCodeAt(from) === C.Space && msg.charCodeAt(from + 7) === 35 && msg.charCodeAt(from + 1) === C.s) return from + 1
  let hash = msg.indexOf('#', from + 6)
  while (hash >= 0) {
    const at = hash - 6
    if (msg.charCodeAt(at) === C.s && msg.charCodeAt(at + 5) === 101 && (at === 0 || msg.charCodeAt(at - 1) === C.Space)) return at
    hash = msg.indexOf('#', hash + 1)
  }

  return -1
}

/** Lines of the API (`app[api]`, or `heroku[api]` before 2016): announcements, releases, config. */
function apiEvent(line: LogLine): LifecycleEvent {
  const msg = line.message
  const c = msg.charCodeAt(0)
  if (c === C.S && msg.startsWith(STARTING)) {
    const found = backticked(msg, STARTING.length)
    if (found) return {kind: 'announced', command: found.command, user: byUser(msg, found.rest), dyno: line.dyno, time: line.time, micros: line.micros, line}
  } else if (c === C.R && msg.startsWith('Release v')) {
    let end = 9
    while (isDigit(msg.charCodeAt(end))) end++
    if (end > 9) return {kind: 'release', version: Number(msg.slice(9, end)), user: byUser(msg, end), dyno: line.dyno, time: line.time, micros: line.micros, line}
  } else {
    // `Set FOO, BAR config vars by user x`, `Remove FOO config vars by user x` (also Unset, Add)
    const vars = msg.indexOf(' config var')
    if (vars > 0) {
      const space = msg.indexOf(' ')
      const verb = msg.slice(0, space)
      const action = verb === 'Set' || verb === 'Add' || verb === 'Update' ? 'set' : verb === 'Remove' || verb === 'Unset' || verb === 'Delete' ? 'remove' : null
      if (action && space < vars) {
        const keys = msg.slice(space + 1, vars).split(',').map(k => k.trim()).filter(k => k !== '' && k !== 'and')
        return {kind: 'config', keys, action, user: byUser(msg, vars), dyno: line.dyno, time: line.time, micros: line.micros, line}
      }
    }
  }

  return unknown(line)
}

/** What a platform line (`heroku[x.N]: ...`) says about dyno x.N. */
function platformEvent(line: LogLine): LifecycleEvent {
  const msg = line.message
  const {dyno, time, micros} = line
  switch (msg.charCodeAt(0)) {
    case C.S: {
      if (msg.startsWith(STATE)) {
        const to = msg.indexOf(' to ', STATE.length)
        if (to > 0) return {kind: 'state', from: msg.slice(STATE.length, to), to: msg.slice(to + 4).trim(), dyno, time, micros, line}
      } else if (msg.startsWith(STARTING)) {
        const found = backticked(msg, STARTING.length)
        if (found) return {kind: 'starting', command: found.command, dyno, time, micros, line}
      } else if (msg.startsWith('Stopping ')) {
        if (msg.endsWith('SIGTERM')) return make('sigterm', line)
        if (msg.endsWith('SIGKILL')) return make('sigkill', line)
      }

      break
    }

    case C.P: {
      if (msg.startsWith(EXITED)) {
        if (msg.length === EXITED.length) return {kind: 'exited', status: null, dyno, time, micros, line}
        if (msg.startsWith(' with status ', EXITED.length)) {
          const status = Number(msg.slice(EXITED.length + 13).trim())
          if (Number.isInteger(status)) return {kind: 'exited', status, dyno, time, micros, line}
        }
      } else if (msg.startsWith(RUNNING_MEM)) {
        // mem=646M(126.2%) or mem=1028MB(103.3%)
        const open = msg.indexOf('(', RUNNING_MEM.length)
        const memoryMb = megabytes(msg, RUNNING_MEM.length)
        const percent = open === -1 ? Number.NaN : Number.parseFloat(msg.slice(open + 1))
        if (!Number.isNaN(memoryMb)) return {kind: 'memory-usage', memoryMb, percent: Number.isNaN(percent) ? null : percent, dyno, time, micros, line}
      }

      break
    }

    case C.E: {
      if (msg.startsWith('Error ')) return errorEvent(line, msg, 6) ?? unknown(line)
      break
    }

    case C.s: {
      if (msg.startsWith('source=') || msg.startsWith('sample#')) return sampleEvent(line)
      break
    }

    case C.L:
    case C.R: {
      if (msg === 'Restarting') return make('restarting', line)
      return errorEvent(line, msg, 0) ?? unknown(line)
    }

    case 67: {
      if (msg === 'Cycling') return make('cycling', line)
      break
    }

    default:
  }

  return unknown(line)
}

/** What one line says. Total: a line it does not understand is an 'unknown' event. */
export function toEvent(line: LogLine): LifecycleEvent {
  const {source, dyno} = line
  if (source === APP) {
    if (dyno === API) return apiEvent(line)
    // 2011-2012 logs printed the platform's start line under app[run.1]
    const msg = line.message
    if (msg.charCodeAt(0) === C.S && msg.startsWith(STARTING) && !msg.includes(' by ', msg.lastIndexOf('`'))) {
      const found = backticked(msg, STARTING.length)
      if (found && found.rest === msg.length) return {kind: 'starting', command: found.command, dyno, time: line.time, micros: line.micros, line}
    }

    if (dyno !== null) return {kind: 'output', dyno, time: line.time, micros: line.micros, line}
    return unknown(line)
  }

  if (source === HEROKU) {
    if (dyno === API) return apiEvent(line)
    if (dyno === ROUTER) return routerEvent(line)
    return platformEvent(line)
  }

  // logplex, heroku-postgres, drains...: only their error codes mean something here
  const msg = line.message
  const at = msg.startsWith('Error ') ? 6 : 0
  return errorEvent(line, msg, at) ?? unknown(line)
}

/** A line with no envelope, kept so that nothing is silently dropped. */
function bareLine(raw: string): LogLine {
  return {raw, timestamp: '', time: Number.NaN, micros: 0, source: '', dyno: null, message: raw}
}

/**
 * Events of a stream chunk. `carry` is what the previous call returned: the unfinished last line,
 * which this call completes. Blank lines are skipped; a line without an envelope is 'unknown'.
 */
export function parseEvents(chunk: string, carry = ''): {events: LifecycleEvent[]; carry: string} {
  const events: LifecycleEvent[] = []
  let start = 0
  let nl = chunk.indexOf('\n')
  if (carry !== '') {
    // only the first line is joined: the rest is read from the chunk as it came (a joined
    // string is a rope, and reading a rope character by character costs several times more)
    if (nl < 0) return {events, carry: carry + chunk}
    pushLine(events, carry + chunk.slice(0, nl), 0, carry.length + nl)
    start = nl + 1
    nl = chunk.indexOf('\n', start)
  }

  while (nl >= 0) {
    pushLine(events, chunk, start, nl)
    start = nl + 1
    nl = chunk.indexOf('\n', start)
  }

  return {events, carry: chunk.slice(start)}
}

function pushLine(events: LifecycleEvent[], text: string, start: number, end: number): void {
  if (end > start && text.charCodeAt(end - 1) === 13) end--
  if (end === start) return
  const line = parseAt(text, start, end)
  events.push(line ? toEvent(line) : unknown(bareLine(text.slice(start, end))))
}

/** Orders events as they happened: time, then microseconds; lines without a time go last. */
export function compareEvents(a: {micros: number; time: number}, b: {micros: number; time: number}): number {
  const at = Number.isNaN(a.time) ? Infinity : a.time
  const bt = Number.isNaN(b.time) ? Infinity : b.time
  if (at !== bt) return at < bt ? -1 : 1
  return a.micros - b.micros
}
