// Time zones: which names a trigger may use, and the arithmetic between an instant and a zone's
// wall clock (offsets, spring-forward gaps, fall-back overlaps). Everything comes from the Intl/ICU
// data of the running Node, never from the process TZ.
import {InvalidInputError} from './errors.js'

const SECOND = 1000
const HOUR = 3_600_000
const DAY = 86_400_000

export interface TimezoneCheck {
  /** the name to store: canonical for legacy aliases (US/Eastern → America/New_York), else as given */
  zone: string
  /** set when the name is valid but probably not what the user means (a fixed offset, an abbreviation) */
  warning?: string
}

// The top-level areas of IANA names. A name under one of them is kept as given (ICU would turn
// Asia/Kolkata into Asia/Calcutta); any other accepted name is a legacy alias and is canonicalised.
const AREAS = new Set(['africa', 'america', 'antarctica', 'arctic', 'asia', 'atlantic', 'australia', 'etc', 'europe', 'indian', 'pacific'])

// tzdata's abbreviation-style zones, with the city zone people usually mean by them.
const ABBREVIATIONS: Record<string, string> = {
  CET: 'Europe/Berlin',
  CST6CDT: 'America/Chicago',
  EET: 'Europe/Athens',
  EST: 'America/New_York',
  EST5EDT: 'America/New_York',
  HST: 'Pacific/Honolulu',
  MET: 'Europe/Berlin',
  MST: 'America/Denver',
  MST7MDT: 'America/Denver',
  PST8PDT: 'America/Los_Angeles',
  WET: 'Europe/Lisbon',
}

const checked = new Map<string, TimezoneCheck>()

/** Validates a --timezone value; throws InvalidInputError for a name the runtime does not know. */
export function checkTimezone(name: string): TimezoneCheck {
  const cached = checked.get(name)
  if (cached) return {...cached}
  const result = check(name)
  if (checked.size > 1000) checked.clear()
  checked.set(name, result)
  return {...result}
}

function check(name: string): TimezoneCheck {
  const given = name.trim()
  const resolved = given === '' ? undefined : resolveZone(given)
  if (resolved === undefined) {
    throw new InvalidInputError(`unknown --timezone "${name}": use an IANA name such as UTC, Europe/Berlin or America/New_York`)
  }

  const upper = given.toUpperCase()
  const abbreviationCity = ABBREVIATIONS[upper]
  const fixedOffsetName = /^etc\/gmt[+-]\d{1,2}$/i.test(given) || /^[+-]\d/.test(given)
  if (abbreviationCity !== undefined || fixedOffsetName) {
    const zone = abbreviationCity === undefined ? given.replace(/^etc\/gmt/i, 'Etc/GMT') : upper
    const city = abbreviationCity ?? 'Europe/Berlin or America/New_York'
    const winter = zoneClock(zone).offsetAt(Date.UTC(2026, 0, 15))
    const summer = zoneClock(zone).offsetAt(Date.UTC(2026, 6, 15))
    const warning = winter === summer
      ? `--timezone "${given}" is a fixed UTC${formatOffset(winter)} offset that does not follow daylight saving time: use a city zone such as ${city} to follow local clocks`
      : `--timezone "${given}" is a legacy abbreviation zone: prefer a city zone such as ${city}`
    return {warning, zone}
  }

  const area = given.includes('/') ? given.slice(0, given.indexOf('/')).toLowerCase() : ''
  if (AREAS.has(area)) return {zone: resolved.toLowerCase() === given.toLowerCase() ? resolved : given}
  return {zone: resolved}
}

function resolveZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', {timeZone: name}).resolvedOptions().timeZone
  } catch {
    return undefined
  }
}

/** `+05:30`, `-03:00`, `+00:00` for an offset in ms. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+'
  const minutes = Math.round(Math.abs(offsetMs) / 60_000)
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/**
 * What is known about the zone's offset around one local day: the offset before and after the one
 * transition (if any) within a window wide enough to hold every instant of that day's wall times.
 * `at` is the transition instant (ms, UTC), or null when the offset is constant over the window.
 */
export interface DayOffsets {
  before: number
  after: number
  at: null | number
}

/**
 * A zone's wall clock. A wall time is written as "pretend-UTC" ms: Date.UTC(y, m, d, h, mi, s) of
 * the local reading, so local day n (days since 1970-01-01 on the wall) spans [n·DAY, (n+1)·DAY).
 * Assumes at most one offset change within any ~2.5-day window, which holds for all real zones.
 */
export class ZoneClock {
  private readonly days = new Map<number, DayOffsets>()
  private readonly formatter: Intl.DateTimeFormat

  constructor(readonly zone: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      day: 'numeric',
      hour: 'numeric',
      hourCycle: 'h23',
      minute: 'numeric',
      month: 'numeric',
      second: 'numeric',
      timeZone: zone,
      year: 'numeric',
    })
  }

  /** The offsets around local day `n` (also usable for any instant within [n·DAY − 15 h, (n+1)·DAY + 15 h]). */
  day(n: number): DayOffsets {
    let known = this.days.get(n)
    if (known === undefined) {
      known = this.scan((n * DAY) - (15 * HOUR), ((n + 1) * DAY) + (15 * HOUR))
      if (this.days.size > 20_000) this.days.clear()
      this.days.set(n, known)
    }

    return known
  }

  /** The zone's offset (ms to add to UTC) at an instant. */
  offsetAt(instant: number): number {
    const around = this.day(Math.floor(instant / DAY))
    return around.at === null || instant < around.at ? around.before : around.after
  }

  /** The wall reading (pretend-UTC ms) at an instant. */
  wallAt(instant: number): number {
    return instant + this.offsetAt(instant)
  }

  /**
   * The instants at which a wall time happens: one normally, two in a fall-back overlap (ascending),
   * none in a spring-forward gap; `gapEnd` is then the first instant after the gap.
   */
  resolve(wall: number): {instants: number[]; gapEnd: null | number} {
    const {after, at, before} = this.day(Math.floor(wall / DAY))
    if (at === null) return {gapEnd: null, instants: [wall - before]}
    const instants: number[] = []
    if (wall - before < at) instants.push(wall - before)
    if (wall - after >= at) instants.push(wall - after)
    return {gapEnd: instants.length === 0 ? at : null, instants}
  }

  /** `2026-03-08 02:30` (seconds only when not zero) for a wall reading. */
  static formatWall(wall: number): string {
    const d = new Date(wall)
    const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
    return d.getUTCSeconds() === 0 ? base : `${base}:${pad(d.getUTCSeconds())}`
  }

  /** The offset at an instant, read from ICU (whole seconds). */
  private measure(instant: number): number {
    const t = Math.floor(instant / SECOND) * SECOND
    const m = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)$/.exec(this.formatter.format(t))
    if (m === null) throw new Error(`cannot read the wall clock of ${this.zone} at ${new Date(t).toISOString()}`)
    const wall = Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]))
    return wall - t
  }

  private scan(from: number, to: number): DayOffsets {
    const before = this.measure(from)
    const after = this.measure(to)
    if (before === after) return {after, at: null, before}
    // binary search, in whole seconds, for the first instant with the new offset
    let lo = Math.floor(from / SECOND)
    let hi = Math.floor(to / SECOND)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (this.measure(mid * SECOND) === before) lo = mid
      else hi = mid
    }

    return {after, at: hi * SECOND, before}
  }
}

const clocks = new Map<string, ZoneClock>()

/** The (cached) wall clock of a zone the runtime knows; check names with checkTimezone first. */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone)
  if (clock === undefined) {
    clock = new ZoneClock(zone)
    if (clocks.size > 1000) clocks.clear()
    clocks.set(zone, clock)
  }

  return clock
}
