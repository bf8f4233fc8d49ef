// The schedule engine: what a user may write as a schedule, and when it fires.
//
// cron-parser parses and validates every field and expands it to its values (including L and #);
// the instants are computed here, day by day on the zone's wall clock (timezone.ts), because
// cron-parser's next() gets DST wrong (reference/scheduling.md §4.2) and reads DOM/DOW as POSIX OR.
//
// The policy (PRODUCT.md "Semantics that matter", the rules of Vixie/Debian cron):
// - Day of month and day of week: when both are restricted, a day matches either; a field that
//   begins with `*` (or `?`) counts as unrestricted, so `0 0 */3 * 1-5` needs both.
// - DST: a job whose minute or hour field begins with `*` is a wildcard job and follows real time:
//   its wall times inside a spring-forward gap do not happen, and in a fall-back overlap it runs in
//   both copies. Every other job runs once per wall time: a time inside a gap runs once at the
//   first instant after the gap; a time inside an overlap runs once, at its first occurrence.
//   The seconds field plays no part in that test (Vixie has none): `*/10 30 2 * * *` is a fixed job,
//   so on a gap day its six wall times all map to the gap's end, which is one run.
// - Several wall times that land on the same instant (all of them inside one gap) are one run.
import {CronExpressionParser} from 'cron-parser'
import cronstrue from 'cronstrue'

import {InvalidInputError} from './errors.js'
import {
  checkTimezone, formatOffset, ZoneClock, zoneClock,
} from './timezone.js'

export interface CronSchedule {
  kind: 'cron'
  /** as the user wrote it, trimmed */
  source: string
  /** the normalised 5- or 6-field expression it stands for */
  cron: string
  timezone: string
  hasSeconds: boolean
}

export interface AtSchedule {
  kind: 'at'
  at: Date
  timezone: string
}

export type Schedule = AtSchedule | CronSchedule

const SECOND = 1000
const DAY = 86_400_000
/** how far nextFireTime looks before it says "never" */
const HORIZON_DAYS = 366 * 100

const FIELDS_5 = 'minute hour day-of-month month day-of-week'
const FIELDS_6 = 'second minute hour day-of-month month day-of-week'

// ---------------------------------------------------------------------------------------------
// Parsing

const MACROS: Record<string, string> = {
  '@annually': '0 0 1 1 *',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
  '@midnight': '0 0 * * *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@yearly': '0 0 1 1 *',
}

const MINUTE_STEPS = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60]
const PHRASES_HINT = 'write "every N minutes" (N divides 60), "every hour", "every hour at :MM" or "every day at HH:MM"'

const parsed = new Map<string, CronSchedule>()

/** A recurring schedule: cron (5 or 6 fields), a macro, or a Heroku Scheduler phrase, in `timezone`. */
export function parseSchedule(input: string, timezone: string): CronSchedule {
  const key = `${timezone}\n${input}`
  const known = parsed.get(key)
  if (known) return {...known}
  checkTimezone(timezone)
  const source = input.trim()
  const cron = toCron(source)
  const schedule = {
    cron, hasSeconds: cron.split(' ').length === 6, kind: 'cron' as const, source, timezone,
  }
  if (parsed.size > 10_000) parsed.clear()
  parsed.set(key, schedule)
  return {...schedule}
}

function toCron(source: string): string {
  const fail = (why: string) => new InvalidInputError(`invalid --schedule "${source}": ${why}`)
  if (source === '') throw fail('it is empty: give a cron expression such as "0 9 * * 1-5", a macro such as @daily, or "every day at 09:30"')

  const lower = source.toLowerCase().replaceAll(/\s+/g, ' ')
  if (lower.startsWith('@')) {
    if (lower.startsWith('@every')) throw fail('@every is not supported: use a step such as "*/5 * * * *" or "every 5 minutes"')
    if (lower === '@reboot') throw fail('@reboot is not supported: a trigger fires at times; use triggers:run to run it now')
    const cron = MACROS[lower]
    if (cron === undefined) throw fail(`unknown macro: use one of ${Object.keys(MACROS).sort().join(', ')}`)
    return cron
  }

  if (lower.startsWith('every')) return phraseToCron(lower, fail)

  const fields = source.split(/\s+/)
  if (fields.length === 7) {
    throw fail(`7 fields, but a year field is not supported: write 5 fields (${FIELDS_5}), or 6 with seconds first`)
  }

  if (fields.length < 5 || fields.length > 7) {
    throw fail(`${fields.length} field${fields.length === 1 ? '' : 's'}, expected 5 (${FIELDS_5}) or 6 with seconds first; or a macro such as @daily, or "every day at 09:30"`)
  }

  const cron = fields.join(' ')
  compile(cron, fail)
  return cron
}

function phraseToCron(phrase: string, fail: (why: string) => InvalidInputError): string {
  if (phrase === 'every minute') return '* * * * *'
  if (phrase === 'every hour') return '0 * * * *'

  let m = /^every (\d+) minutes?$/.exec(phrase)
  if (m) {
    const n = Number(m[1])
    if (!MINUTE_STEPS.includes(n)) throw fail(`${n} minutes does not divide an hour evenly: use one of ${MINUTE_STEPS.join(', ')}`)
    if (n === 1) return '* * * * *'
    return n === 60 ? '0 * * * *' : `*/${n} * * * *`
  }

  m = /^every hour at :(\d{1,2})$/.exec(phrase)
  if (m) {
    const minute = Number(m[1])
    if (minute > 59) throw fail(`minute :${m[1]} is out of range :00-:59: write "every hour at :30"`)
    return `${minute} * * * *`
  }

  m = /^every day at (\d{1,2}):(\d{2})(?: ?([ap])\.?m\.?)?$/.exec(phrase)
  if (m) {
    let hour = Number(m[1])
    const minute = Number(m[2])
    const half = m[3]
    if (half !== undefined && (hour < 1 || hour > 12)) throw fail(`${m[1]}:${m[2]} ${half}m is not a time: write "every day at 9:30 am" or "every day at 21:30"`)
    if (half === 'p' && hour < 12) hour += 12
    if (half === 'a' && hour === 12) hour = 0
    if (hour > 23 || minute > 59) throw fail(`${m[1]}:${m[2]} is not a time of day: write "every day at 09:30" (00:00-23:59)`)
    return `${minute} ${hour} * * *`
  }

  throw fail(`not a schedule phrase: ${PHRASES_HINT}`)
}

// ---------------------------------------------------------------------------------------------
// Compiling: cron → sets of values, plus the two Vixie flags

interface Compiled {
  seconds: number[]
  minutes: number[]
  hours: number[]
  months: boolean[]
  dom: boolean[]
  domLast: boolean
  dow: boolean[]
  dowLast: boolean[]
  /** the # occurrence (1-5), 0 for none */
  nth: number
  /** Vixie: a day field beginning with `*` makes the two an intersection */
  dayAnd: boolean
  /** Vixie: a minute or hour field beginning with `*` makes the job follow real time through DST */
  wildcard: boolean
}

interface FieldSpec {
  name: string
  hint: string
  /** the expression that isolates this field (all the others `*`) */
  alone: (value: string) => string
}

const SPEC = {
  second: {alone: (v: string) => `${v} * * * * *`, hint: 'use 0-59, e.g. 0, */10 or 0,30', name: 'second'},
  minute: {alone: (v: string) => `${v} * * * *`, hint: 'use 0-59, e.g. 0, */15, 0,30 or 10-20', name: 'minute'},
  hour: {alone: (v: string) => `* ${v} * * *`, hint: 'use 0-23, e.g. 9, */2, 9,17 or 9-17', name: 'hour'},
  dayOfMonth: {alone: (v: string) => `* * ${v} * *`, hint: 'use 1-31 or L (the last day), e.g. 1, 1,15 or */3', name: 'day-of-month'},
  month: {alone: (v: string) => `* * * ${v} *`, hint: 'use 1-12 or jan-dec, e.g. 1, */3 or jan-mar', name: 'month'},
  dayOfWeek: {alone: (v: string) => `* * * * ${v}`, hint: 'use 0-7 (0 and 7 are Sunday) or sun-sat, e.g. 1-5, 5L (the last Friday) or 1#2 (the second Monday)', name: 'day-of-week'},
} satisfies Record<string, FieldSpec>

const compiledCache = new Map<string, Compiled>()

/** Vixie: a field beginning with * (or ?) counts as unrestricted, whatever follows it. */
function isStar(field: string): boolean {
  return field.startsWith('*') || field.startsWith('?')
}

function compiled(cron: string): Compiled {
  return compile(cron, why => new InvalidInputError(`invalid --schedule "${cron}": ${why}`))
}

function compile(cron: string, fail: (why: string) => InvalidInputError): Compiled {
  const known = compiledCache.get(cron)
  if (known) return known
  const raw = cron.split(' ')
  const hasSeconds = raw.length === 6
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = hasSeconds ? raw : ['0', ...raw]
  const fieldsNote = ` (cron fields are: ${hasSeconds ? FIELDS_6 : FIELDS_5})`
  const fieldFail = (why: string) => fail(why + fieldsNote)

  // each field alone, left to right, so that an error names the first field that is wrong
  const secondValues = hasSeconds ? expand(SPEC.second, second, fieldFail) : {nth: 0, values: [0]}
  const minuteValues = expand(SPEC.minute, minute, fieldFail)
  const hourValues = expand(SPEC.hour, hour, fieldFail)
  const dayOfMonthValues = expand(SPEC.dayOfMonth, dayOfMonth, fieldFail)
  const monthValues = expand(SPEC.month, month, fieldFail)
  const dayOfWeekValues = expand(SPEC.dayOfWeek, dayOfWeek, fieldFail)
  const values = {
    dayOfMonth: dayOfMonthValues, dayOfWeek: dayOfWeekValues, hour: hourValues, minute: minuteValues, month: monthValues, second: secondValues,
  }

  const numbers = (vs: Array<number | string>) => vs.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b)
  const flags = (size: number, vs: number[]) => {
    const out = Array.from({length: size}, () => false)
    for (const v of vs) out[v] = true
    return out
  }

  const dowLast = Array.from({length: 7}, () => false)
  for (const v of values.dayOfWeek.values) if (typeof v === 'string' && v.endsWith('L')) dowLast[Number.parseInt(v, 10) % 7] = true
  const dowFlags = Array.from({length: 7}, () => false)
  for (const v of numbers(values.dayOfWeek.values)) dowFlags[v % 7] = true

  const c: Compiled = {
    dayAnd: isStar(dayOfMonth) || isStar(dayOfWeek),
    dom: flags(32, numbers(values.dayOfMonth.values)),
    domLast: values.dayOfMonth.values.includes('L'),
    dow: dowFlags,
    dowLast,
    hours: numbers(values.hour.values),
    minutes: numbers(values.minute.values),
    months: flags(13, numbers(values.month.values)),
    nth: values.dayOfWeek.nth,
    seconds: numbers(values.second.values),
    wildcard: isStar(minute) || isStar(hour),
  }

  if (!firesInCycle(c)) {
    const and = c.dayAnd && !isStar(dayOfWeek) && dayOfMonth !== '*' && dayOfMonth !== '?' ? ' (a day-of-month beginning with * must match together with the day-of-week)' : ''
    throw fail(`it never fires: no calendar date matches day-of-month "${dayOfMonth}", month "${month}" and day-of-week "${dayOfWeek}"${and}: pick days that exist`)
  }

  if (compiledCache.size > 10_000) compiledCache.clear()
  compiledCache.set(cron, c)
  return c
}

/** Expands one field with cron-parser, turning its errors into one line that names the field. */
function expand(spec: FieldSpec, value: string, fail: (why: string) => InvalidInputError): {nth: number; values: Array<number | string>} {
  const say = (what: string) => fail(`${spec.name} "${value}" ${what}`)
  checkUnsupported(spec, value, say)
  let expression
  try {
    expression = CronExpressionParser.parse(spec.alone(value), {tz: 'UTC'})
  } catch (error) {
    throw say(explain(spec, value, error instanceof Error ? error.message : String(error)))
  }

  const f = expression.fields
  switch (spec) {
    case SPEC.dayOfMonth: {return {nth: 0, values: [...f.dayOfMonth.values]}
    }

    case SPEC.dayOfWeek: {return {nth: f.dayOfWeek.nthDay, values: [...f.dayOfWeek.values]}
    }

    case SPEC.hour: {return {nth: 0, values: [...f.hour.values]}
    }

    case SPEC.minute: {return {nth: 0, values: [...f.minute.values]}
    }

    case SPEC.month: {return {nth: 0, values: [...f.month.values]}
    }

    default: {return {nth: 0, values: [...f.second.values]}
    }
  }
}

/** What cron-parser would accept but we do not (H needs a seed we do not have), or reject cryptically. */
function checkUnsupported(spec: FieldSpec, value: string, say: (what: string) => InvalidInputError): void {
  const words = value.toUpperCase().match(/[A-Z]+/g) ?? []
  for (const word of words) {
    if (word === 'H') throw say('uses H (hashed values), which is not supported: pick a fixed value such as 17')
    if (word === 'LW') throw say('(the last weekday of the month) is not supported: use L in day-of-month for the last day, or 5L in day-of-week for the last Friday')
    if (word === 'W') throw say('uses W (the nearest weekday), which is not supported: use day numbers, L, or a day-of-week such as 1-5')
  }

  if (/L-\d/i.test(value)) throw say('(days before the last) is not supported: use L for the last day of the month, or list day numbers')
  if (spec === SPEC.dayOfMonth && /\d+L/i.test(value)) throw say('is not valid: L stands alone in day-of-month (the last day); for the last Wednesday of the month write 3L in day-of-week')
}

function explain(spec: FieldSpec, value: string, message: string): string {
  let m = /expected range (\d+-\d+)/.exec(message)
  if (m) {
    if (/NaN/.test(message)) return `has an incomplete range: write ranges as low-high, e.g. 1-5 (${spec.hint})`
    return `is out of range ${m[1]}`
  }

  m = /Invalid range: (\d+)-(\d+)/.exec(message)
  if (m) return `has a range that runs backwards: write it low-high, e.g. ${m[2]}-${m[1]}`
  if (/cannot repeat/.test(message)) return 'needs a step of 1 or more after /, e.g. */15'
  if (/Invalid repeat/.test(message)) return 'has more than one step: write one, e.g. */15 or 0-30/5'
  if (/Invalid list value/.test(message)) return 'has an empty list item: separate values with single commas, e.g. 1,15,30'
  m = /duplicate values found: (\S+)/.exec(message)
  if (m) {
    const sunday = spec === SPEC.dayOfWeek && m[1] === '0' ? ' (0 and 7 both mean Sunday)' : ''
    return `lists ${m[1]} more than once${sunday}: list each value once`
  }

  if (/occurrence number/.test(message)) return 'has a # occurrence outside 1-5: write e.g. 1#2 for the second Monday'
  if (/are incompatible/.test(message)) return 'combines # with a list or range: # takes a single day, e.g. 1#2 for the second Monday'
  if (/standalone L/.test(message)) return 'is not valid: in day-of-week L follows a day, e.g. 5L for the last Friday; for the last day of the month put L in day-of-month'
  return `is not valid: ${spec.hint}`
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on local day numbers (days since 1970-01-01 on the wall clock)

function civil(day: number): {y: number; m: number; d: number} {
  const date = new Date(day * DAY)
  return {d: date.getUTCDate(), m: date.getUTCMonth() + 1, y: date.getUTCFullYear()}
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function dayMatches(c: Compiled, d: number, dim: number, weekday: number): boolean {
  const domOk = c.dom[d] || (c.domLast && d === dim)
  const dowOk = (c.dow[weekday] && (c.nth === 0 || Math.ceil(d / 7) === c.nth)) || (c.dowLast[weekday] && d + 7 > dim)
  return c.dayAnd ? domOk && dowOk : domOk || dowOk
}

/**
 * Calls `visit` for each local day from `first` to `last` whose month and day fields match, in
 * order, until it returns false. Months that do not match are skipped whole.
 */
function forEachMatchingDay(c: Compiled, first: number, last: number, visit: (day: number) => boolean): void {
  let {d, m, y} = civil(first)
  let day = first
  while (day <= last) {
    const dim = daysInMonth(y, m)
    if (c.months[m]) {
      for (; d <= dim && day <= last; d++, day++) {
        if (dayMatches(c, d, dim, (((day + 4) % 7) + 7) % 7) && !visit(day)) return
      }
    } else {
      day += dim - d + 1
    }

    d = 1
    m++
    if (m > 12) {
      m = 1
      y++
    }
  }
}

/**
 * Whether any calendar date matches: 2001-2028 holds every kind of year (weekday of 1 January ×
 * leap or not), so a schedule with no day there has none ever.
 */
function firesInCycle(c: Compiled): boolean {
  let found = false
  forEachMatchingDay(c, Date.UTC(2001, 0, 1) / DAY, Date.UTC(2028, 11, 31) / DAY, () => {
    found = true
    return false
  })
  return found
}

/** The first second-of-day at or after `from` that the time fields allow, or -1. */
function firstTimeAtOrAfter(c: Compiled, from: number): number {
  const start = Math.max(0, from)
  if (start >= 86_400) return -1
  const h0 = Math.floor(start / 3600)
  const m0 = Math.floor((start % 3600) / 60)
  const s0 = start % 60
  for (const h of c.hours) {
    if (h < h0) continue
    if (h > h0) return (h * 3600) + (c.minutes[0] * 60) + c.seconds[0]
    for (const m of c.minutes) {
      if (m < m0) continue
      if (m > m0) return (h * 3600) + (m * 60) + c.seconds[0]
      for (const s of c.seconds) if (s >= s0) return (h * 3600) + (m * 60) + s
    }
  }

  return -1
}

/** The first wall time (ms) of local day `day` at or after `wall`, or -1. */
function firstWallAtOrAfter(c: Compiled, day: number, wall: number): number {
  const start = day * DAY
  const t = firstTimeAtOrAfter(c, Math.ceil((wall - start) / SECOND))
  return t < 0 ? -1 : start + (t * SECOND)
}

/** The first fire instant strictly after `after` among the wall times of local day `day`, or Infinity. */
function firstOnDay(c: Compiled, zone: ZoneClock, day: number, after: number): number {
  const {after: newOffset, at, before: oldOffset} = zone.day(day)
  let best = Number.POSITIVE_INFINITY
  // wall times read with the offset before the transition (all of them when there is none)
  const a = firstWallAtOrAfter(c, day, after + oldOffset + 1)
  if (a >= 0 && (at === null || a - oldOffset < at)) best = a - oldOffset
  if (at === null) return best

  // wall times read with the offset after it; a fixed job skips the second copy of an overlap
  const from = Math.max(after + newOffset + 1, at + newOffset, c.wildcard ? at + newOffset : at + oldOffset)
  const b = firstWallAtOrAfter(c, day, from)
  if (b >= 0) best = Math.min(best, b - newOffset)

  // a fixed job's wall times inside a spring-forward gap run at the first instant after it
  if (!c.wildcard && newOffset > oldOffset && at > after && at < best) {
    const g = firstWallAtOrAfter(c, day, at + oldOffset)
    if (g >= 0 && g < at + newOffset) best = at
  }

  return best
}

// ---------------------------------------------------------------------------------------------
// Fire times

/** The first fire time strictly after `after`; null for a past one-off or none within ~100 years. */
export function nextFireTime(schedule: Schedule, after: Date): Date | null {
  const from = after.getTime()
  if (schedule.kind === 'at') return schedule.at.getTime() > from ? new Date(schedule.at.getTime()) : null
  const next = nextInstant(compiled(schedule.cron), zoneClock(schedule.timezone), from)
  return Number.isFinite(next) ? new Date(next) : null
}

function nextInstant(c: Compiled, zone: ZoneClock, after: number): number {
  // start a day early: a wall time of the day before can still lie ahead when clocks went back
  const startDay = Math.floor(zone.wallAt(after) / DAY) - 1
  let best = Number.POSITIVE_INFINITY
  let lastDay = startDay + HORIZON_DAYS
  forEachMatchingDay(c, startDay, startDay + HORIZON_DAYS, day => {
    if (day > lastDay) return false
    const t = firstOnDay(c, zone, day, after)
    if (t < best) best = t
    // around a transition the next day's first copy can precede this day's second copy: look once more
    if (Number.isFinite(best) && lastDay > day + 1) lastDay = zone.day(day).at === null ? day : day + 1
    return day < lastDay
  })
  return best
}

/** The next `count` fire times after `after`, ascending. */
export function nextFireTimes(schedule: Schedule, after: Date, count: number): Date[] {
  const out: Date[] = []
  let cursor: Date | null = after
  while (out.length < count) {
    cursor = nextFireTime(schedule, cursor)
    if (cursor === null) break
    out.push(cursor)
  }

  return out
}

/** Fire times in (from, to], ascending, at most `cap`; `truncated` when more lie in the range. */
export function fireTimesBetween(schedule: Schedule, from: Date, to: Date, cap: number): {times: Date[]; truncated: boolean} {
  const times: Date[] = []
  const end = to.getTime()
  let cursor = nextFireTime(schedule, from)
  while (cursor !== null && cursor.getTime() <= end) {
    if (times.length >= cap) return {times, truncated: true}
    times.push(cursor)
    cursor = nextFireTime(schedule, cursor)
  }

  return {times, truncated: false}
}

// ---------------------------------------------------------------------------------------------
// One-off triggers

/**
 * A one-off: `YYYY-MM-DD HH:MM[:SS]` (or with T) read in `timezone`, or ISO 8601 with Z or an
 * offset. It must lie after `now`. A local time inside a fall-back overlap means its first
 * occurrence; one inside a spring-forward gap does not exist and is an error.
 */
export function parseAt(input: string, timezone: string, now: Date): AtSchedule {
  checkTimezone(timezone)
  const given = input.trim()
  const hint = `give a date and time as YYYY-MM-DD HH:MM (read in ${timezone}), or an ISO 8601 instant such as 2026-12-24T18:00:00Z`
  const malformed = (why = '') => new InvalidInputError(`invalid --at "${given}"${why}: ${hint}`)
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(given)
  if (m === null) throw malformed()
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(v => Number(v ?? 0))
  const ms = m[7] === undefined ? 0 : Math.round(Number(m[7]) * 1000)
  if (month < 1 || month > 12) throw malformed(`: month ${m[2]} is not 01-12`)
  if (day < 1 || day > daysInMonth(year, month)) throw malformed(`: ${year}-${m[2]} has no day ${m[3]}`)
  if (hour > 23 || minute > 59 || second > 59) throw malformed(`: ${m[4]}:${m[5]}${m[6] ? ':' + m[6] : ''} is not a time of day`)
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms)

  const zone = zoneClock(timezone)
  let at: number
  if (m[8] === undefined) {
    const {gapEnd, instants} = zone.resolve(wall)
    if (instants.length === 0) {
      const {after: newOffset, before: oldOffset} = zone.day(Math.floor(wall / DAY))
      const gapStart = ZoneClock.formatWall((gapEnd ?? wall) + oldOffset)
      const gapEndWall = ZoneClock.formatWall((gapEnd ?? wall) + newOffset)
      const jump = `clocks jump from ${gapStart} to ${gapEndWall} (UTC${formatOffset(oldOffset)} to UTC${formatOffset(newOffset)})`
      throw new InvalidInputError(`--at ${given} does not exist in ${timezone}: ${jump}; give a time outside the gap, such as ${gapEndWall}`)
    }

    at = instants[0]
  } else {
    const designator = m[8].toUpperCase()
    const sign = designator.startsWith('-') ? -1 : 1
    const digits = designator.replaceAll(/\D/g, '')
    const offset = designator === 'Z' ? 0 : sign * ((Number(digits.slice(0, 2)) * 60) + Number(digits.slice(2) || 0)) * 60_000
    at = wall - offset
  }

  if (at <= now.getTime()) {
    const nowMs = now.getTime()
    const abbreviation = new Intl.DateTimeFormat('en-US', {timeZone: timezone, timeZoneName: 'short'}).formatToParts(nowMs).find(p => p.type === 'timeZoneName')?.value ?? ''
    const nowWall = ZoneClock.formatWall(Math.floor(zone.wallAt(nowMs) / 60_000) * 60_000)
    throw new InvalidInputError(`--at ${given} is in the past (now ${nowWall} ${abbreviation} in ${timezone}): give a future date as YYYY-MM-DD HH:MM`)
  }

  return {at: new Date(at), kind: 'at', timezone}
}

// ---------------------------------------------------------------------------------------------
// Words and periods

/**
 * The schedule in words, without the timezone for cron schedules (callers append it):
 * "At 09:30 AM, only on Monday". A one-off includes its zone: "once at 2026-12-25 09:00 (Europe/Berlin)".
 */
export function describeSchedule(schedule: Schedule): string {
  if (schedule.kind === 'at') {
    const wall = zoneClock(schedule.timezone).wallAt(schedule.at.getTime())
    return `once at ${ZoneClock.formatWall(Math.floor(wall / SECOND) * SECOND)} (${schedule.timezone})`
  }

  const words = cronstrue.toString(schedule.cron, {throwExceptionOnParseError: false})
  const raw = schedule.cron.split(' ')
  const [dayOfMonth, dayOfWeek] = schedule.hasSeconds ? [raw[3], raw[5]] : [raw[2], raw[4]]
  // cronstrue does not say that cron reads "*/3" with a weekday as an intersection (Vixie)
  const both = /^[*?]./.test(dayOfMonth) && !/^[*?]/.test(dayOfWeek)
  return both ? `${words} (days that match both)` : words
}

const periods = new Map<string, number>()

/**
 * The usual gap between fires, in seconds: the median gap over the first fires after a fixed
 * reference date, in UTC (DST does not change the usual gap). 600 for *\/10, 86400 daily, 604800
 * weekly. A one-off never repeats: Infinity.
 */
export function typicalPeriodSeconds(schedule: Schedule): number {
  if (schedule.kind === 'at') return Number.POSITIVE_INFINITY
  const known = periods.get(schedule.cron)
  if (known !== undefined) return known
  const c = compiled(schedule.cron)
  const utc = zoneClock('UTC')
  const reference = Date.UTC(2001, 0, 1)
  const limit = Date.UTC(2051, 0, 1)
  const fires: number[] = []
  let cursor = reference
  while (fires.length < 25) {
    cursor = nextInstant(c, utc, cursor)
    if (!Number.isFinite(cursor) || cursor > limit) break
    fires.push(cursor)
  }

  const gaps = fires.slice(1).map((t, i) => t - fires[i]).sort((x, y) => x - y)
  const period = gaps.length === 0 ? (limit - reference) / SECOND : gaps[Math.floor(gaps.length / 2)] / SECOND
  periods.set(schedule.cron, period)
  return period
}
