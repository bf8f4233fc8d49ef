// A brute-force schedule matcher, written apart from the engine (src/core/schedule.ts) so that the
// two can check each other. It walks every UTC minute of a range, reads the zone's wall clock with
// Intl, and decides each minute by the plain cron field rules plus the product's policy:
// - day fields (Vixie): both restricted → either matches; one beginning with * or ? → both must;
// - DST (Vixie): a job whose minute or hour field begins with * follows real time (gap times do not
//   happen, overlap times happen twice); any other job runs each wall time once: at its first
//   occurrence, or, when the wall time is skipped by a gap, at the first instant after the gap.
// Slow on purpose; only the wall-clock table is cached (per zone and range).

const MINUTE = 60_000

interface Field {
  values: Set<number>
}

interface Parsed {
  seconds: Set<number>
  minutes: Set<number>
  hours: Set<number>
  dom: Set<number>
  domLast: boolean
  months: Set<number>
  dow: Set<number>
  dowLast: Set<number>
  nth: number
  domStar: boolean
  dowStar: boolean
  wildcard: boolean
}

/** `*`, `?`, `n`, `a-b`, `*\/s`, `a-b/s`, `a/s`, and lists of them: the plain numeric cron syntax. */
function parseField(text: string, min: number, max: number): Field {
  const values = new Set<number>()
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/')
    const step = stepText === undefined ? 1 : Number(stepText)
    let lo: number
    let hi: number
    if (range === '*' || range === '?') {
      lo = min
      hi = max
    } else if (range.includes('-')) {
      [lo, hi] = range.split('-').map(Number)
    } else {
      lo = Number(range)
      hi = stepText === undefined ? lo : max
    }

    if (!Number.isInteger(lo) || !Number.isInteger(hi) || !Number.isInteger(step) || step < 1) throw new Error(`oracle cannot read "${text}"`)
    for (let v = lo; v <= hi; v += step) values.add(v)
  }

  return {values}
}

export function parseCron(expression: string): Parsed {
  const parts = expression.trim().split(/\s+/)
  const [sec, min, hour, dom, month, dow] = parts.length === 6 ? parts : ['0', ...parts]
  let nth = 0
  const dowLast = new Set<number>()
  let dowValues = new Set<number>()
  if (dow.includes('#')) {
    const [day, n] = dow.split('#').map(Number)
    dowValues.add(day % 7)
    nth = n
  } else {
    const plain: string[] = []
    for (const item of dow.split(',')) {
      if (/^\dL$/.test(item)) dowLast.add(Number(item[0]) % 7)
      else plain.push(item)
    }

    if (plain.length > 0) dowValues = new Set([...parseField(plain.join(','), 0, 7).values].map(v => v % 7))
  }

  const domItems = dom.split(',')
  const domPlain = domItems.filter(i => i !== 'L')
  return {
    dom: domPlain.length > 0 ? parseField(domPlain.join(','), 1, 31).values : new Set(),
    domLast: domItems.includes('L'),
    domStar: dom.startsWith('*') || dom.startsWith('?'),
    dow: dowValues,
    dowLast,
    dowStar: dow.startsWith('*') || dow.startsWith('?'),
    hours: parseField(hour, 0, 23).values,
    minutes: parseField(min, 0, 59).values,
    months: parseField(month, 1, 12).values,
    nth,
    seconds: parseField(sec, 0, 59).values,
    wildcard: min.startsWith('*') || hour.startsWith('*'),
  }
}

/** Whether the calendar day of a wall minute (pretend-UTC epoch minutes) matches the day fields. */
function dayMatches(p: Parsed, wallMinute: number): boolean {
  const date = new Date(wallMinute * MINUTE)
  const y = date.getUTCFullYear()
  const m = date.getUTCMonth() + 1
  const d = date.getUTCDate()
  const weekday = date.getUTCDay()
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate()
  if (!p.months.has(m)) return false
  const domOk = p.dom.has(d) || (p.domLast && d === lastDay)
  const dowOk = (p.dow.has(weekday) && (p.nth === 0 || Math.ceil(d / 7) === p.nth)) || (p.dowLast.has(weekday) && d + 7 > lastDay)
  return p.domStar || p.dowStar ? domOk && dowOk : domOk || dowOk
}

function minuteMatches(p: Parsed, wallMinute: number): boolean {
  const minuteOfDay = ((wallMinute % 1440) + 1440) % 1440
  return p.hours.has(Math.floor(minuteOfDay / 60)) && p.minutes.has(minuteOfDay % 60) && dayMatches(p, wallMinute)
}

const tables = new Map<string, Float64Array>()

/** The wall minute (pretend-UTC epoch minutes) of every UTC minute from `first` on, `count` of them. */
function wallTable(zone: string, first: number, count: number): Float64Array {
  const key = `${zone} ${first} ${count}`
  const known = tables.get(key)
  if (known) return known
  const format = new Intl.DateTimeFormat('en-US', {
    day: 'numeric', hour: 'numeric', hourCycle: 'h23', minute: 'numeric', month: 'numeric', second: 'numeric', timeZone: zone, year: 'numeric',
  })
  const wallOf = (utcMinute: number): number => {
    const parts: Record<string, number> = {}
    for (const p of format.formatToParts(utcMinute * MINUTE)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
    if (parts.second !== 0) throw new Error(`oracle assumes whole-minute offsets, ${zone} has seconds`)
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute) / MINUTE
  }

  const table = new Float64Array(count)
  // read the zone at both ends of each 15-minute block; minute by minute where they differ
  for (let i = 0; i < count; i += 15) {
    const end = Math.min(i + 14, count - 1)
    const a = wallOf(first + i) - (first + i)
    const b = wallOf(first + end) - (first + end)
    for (let j = i; j <= end; j++) table[j] = a === b ? first + j + a : wallOf(first + j)
  }

  tables.set(key, table)
  return table
}

/**
 * Every fire time of a cron expression in `zone` within (from, to], by walking minutes. The walk
 * starts two days before `from` so that "already ran in the first copy" is known at the start.
 */
export function oracleFireTimes(expression: string, zone: string, from: Date, to: Date): Date[] {
  const p = parseCron(expression)
  const secondsList = [...p.seconds].sort((a, b) => a - b)
  const first = Math.floor(from.getTime() / MINUTE) - (2 * 1440)
  const count = Math.ceil(to.getTime() / MINUTE) - first + 1
  const walls = wallTable(zone, first, count)
  const fired = new Set<number>()
  const ranWalls = new Set<number>()
  for (let i = 1; i < count; i++) {
    const utcMinute = first + i
    const wall = walls[i]
    const previous = walls[i - 1]
    if (!p.wildcard) {
      // wall minutes the clock jumped over: a fixed job runs them now, at the first instant after the gap
      for (let skipped = previous + 1; skipped < wall; skipped++) {
        if (!minuteMatches(p, skipped)) continue
        for (const s of secondsList) ranWalls.add((skipped * 60) + s)
        fired.add(utcMinute * MINUTE)
      }
    }

    if (!minuteMatches(p, wall)) continue
    for (const s of secondsList) {
      if (!p.wildcard) {
        if (ranWalls.has((wall * 60) + s)) continue // the second copy of an overlap
        ranWalls.add((wall * 60) + s)
      }

      fired.add((utcMinute * MINUTE) + (s * 1000))
    }
  }

  return [...fired]
    .filter(t => t > from.getTime() && t <= to.getTime())
    .sort((a, b) => a - b)
    .map(t => new Date(t))
}
