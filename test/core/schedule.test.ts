import {expect} from 'chai'

import {InvalidInputError} from '../../src/core/errors.js'
import {
  describeSchedule, fireTimesBetween, nextFireTime, nextFireTimes, parseAt, parseSchedule, type Schedule, typicalPeriodSeconds,
} from '../../src/core/schedule.js'
import {oracleFireTimes} from './schedule-oracle.js'

const NY = 'America/New_York'
const iso = (d: Date | null) => (d === null ? null : d.toISOString())
const isoAll = (ds: Date[]) => ds.map(d => d.toISOString())
const at = (s: string) => new Date(s)

function cron(expression: string, timezone = 'UTC'): Schedule {
  return parseSchedule(expression, timezone)
}

/** Fire times within (from, to] as ISO strings. */
function between(expression: string, timezone: string, from: string, to: string): string[] {
  return isoAll(fireTimesBetween(cron(expression, timezone), at(from), at(to), 100_000).times)
}

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError)
    const {message} = error as Error
    expect(message, 'one line').to.not.include('\n')
    return message
  }

  throw new Error('expected an InvalidInputError')
}

describe('parseSchedule', () => {
  it('keeps 5-field cron as written, trimmed, with single spaces', () => {
    expect(parseSchedule('  0 9  * * 1-5 ', NY)).to.deep.equal({
      cron: '0 9 * * 1-5', hasSeconds: false, kind: 'cron', source: '0 9  * * 1-5', timezone: NY,
    })
  })

  it('takes 6-field cron with seconds first', () => {
    const s = parseSchedule('30 */20 * * * *', 'UTC')
    expect(s).to.include({cron: '30 */20 * * * *', hasSeconds: true})
    expect(isoAll(nextFireTimes(s, at('2026-01-01T00:00:00Z'), 3))).to.deep.equal(['2026-01-01T00:00:30.000Z', '2026-01-01T00:20:30.000Z', '2026-01-01T00:40:30.000Z'])
  })

  it('maps macros, including @midnight which cron-parser lacks', () => {
    const cases: Record<string, string> = {
      '@annually': '0 0 1 1 *', '@daily': '0 0 * * *', '@HOURLY': '0 * * * *', '@midnight': '0 0 * * *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@yearly': '0 0 1 1 *',
    }
    for (const [macro, expected] of Object.entries(cases)) {
      const s = parseSchedule(macro, 'UTC')
      expect(s, macro).to.include({cron: expected, source: macro})
    }
  })

  it('reads Heroku Scheduler phrases, whatever their case', () => {
    const cases: Record<string, string> = {
      'Every 10 minutes': '*/10 * * * *',
      'every 30 minutes': '*/30 * * * *',
      'every 60 minutes': '0 * * * *',
      'every day at 09:30': '30 9 * * *',
      'Every Day At 9:30': '30 9 * * *',
      'every day at 9:30 pm': '30 21 * * *',
      'every hour': '0 * * * *',
      'every hour at :30': '30 * * * *',
      'every hour at :05': '5 * * * *',
      'every minute': '* * * * *',
    }
    for (const [phrase, expected] of Object.entries(cases)) expect(parseSchedule(phrase, 'UTC').cron, phrase).to.equal(expected)
  })

  it('accepts L, nL, n#k and names', () => {
    expect(iso(nextFireTime(cron('0 0 L * *'), at('2026-02-01T00:00:00Z')))).to.equal('2026-02-28T00:00:00.000Z')
    expect(iso(nextFireTime(cron('0 12 * * 5L'), at('2026-02-01T00:00:00Z')))).to.equal('2026-02-27T12:00:00.000Z')
    expect(iso(nextFireTime(cron('0 8 * * 1#2'), at('2026-02-01T00:00:00Z')))).to.equal('2026-02-09T08:00:00.000Z')
    expect(iso(nextFireTime(cron('0 9 * jan-mar mon-fri'), at('2026-03-31T10:00:00Z')))).to.equal('2027-01-01T09:00:00.000Z')
    expect(iso(nextFireTime(cron('0 0 * * 7'), at('2026-01-01T00:00:00Z')))).to.equal('2026-01-04T00:00:00.000Z')
  })
})

describe('parseSchedule errors: one line that names what is wrong and how to write it', () => {
  const fields5 = '(cron fields are: minute hour day-of-month month day-of-week)'

  it('names each field that is out of range', () => {
    expect(errorOf(() => cron('61 * * * *'))).to.equal(`invalid --schedule "61 * * * *": minute "61" is out of range 0-59 ${fields5}`)
    expect(errorOf(() => cron('0 24 * * *'))).to.equal(`invalid --schedule "0 24 * * *": hour "24" is out of range 0-23 ${fields5}`)
    expect(errorOf(() => cron('0 0 32 * *'))).to.equal(`invalid --schedule "0 0 32 * *": day-of-month "32" is out of range 1-31 ${fields5}`)
    expect(errorOf(() => cron('0 0 * 13 *'))).to.equal(`invalid --schedule "0 0 * 13 *": month "13" is out of range 1-12 ${fields5}`)
    expect(errorOf(() => cron('0 0 * * 8'))).to.equal(`invalid --schedule "0 0 * * 8": day-of-week "8" is out of range 0-7 ${fields5}`)
    expect(errorOf(() => cron('60 0 0 * * *'))).to.equal('invalid --schedule "60 0 0 * * *": second "60" is out of range 0-59 (cron fields are: second minute hour day-of-month month day-of-week)')
  })

  it('explains malformed fields', () => {
    expect(errorOf(() => cron('5-3 * * * *'))).to.include('minute "5-3" has a range that runs backwards: write it low-high, e.g. 3-5')
    expect(errorOf(() => cron('*/0 * * * *'))).to.include('minute "*/0" needs a step of 1 or more')
    expect(errorOf(() => cron('0 1,,2 * * *'))).to.include('hour "1,,2" has an empty list item')
    expect(errorOf(() => cron('0 0 * foo *'))).to.include('month "foo" is not valid: use 1-12 or jan-dec')
    expect(errorOf(() => cron('0 0 * * 0,7'))).to.include('day-of-week "0,7" lists 0 more than once (0 and 7 both mean Sunday)')
    expect(errorOf(() => cron('0 0 * * 1#6'))).to.include('day-of-week "1#6" has a # occurrence outside 1-5')
    expect(errorOf(() => cron('0 0 * * L'))).to.include('day-of-week "L" is not valid: in day-of-week L follows a day, e.g. 5L')
    expect(errorOf(() => cron('0 x * * *'))).to.equal(`invalid --schedule "0 x * * *": hour "x" is not valid: use 0-23, e.g. 9, */2, 9,17 or 9-17 ${fields5}`)
  })

  it('rejects what cron-parser does not support, saying what to write instead', () => {
    expect(errorOf(() => cron('0 0 0 1 1 * 2027'))).to.equal('invalid --schedule "0 0 0 1 1 * 2027": 7 fields, but a year field is not supported: write 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first')
    expect(errorOf(() => cron('0 0 15W * *'))).to.include('day-of-month "15W" uses W (the nearest weekday), which is not supported')
    expect(errorOf(() => cron('0 0 LW * *'))).to.include('day-of-month "LW" (the last weekday of the month) is not supported: use L')
    expect(errorOf(() => cron('0 0 L-2 * *'))).to.include('day-of-month "L-2" (days before the last) is not supported')
    expect(errorOf(() => cron('H H * * *'))).to.include('minute "H" uses H (hashed values), which is not supported')
    expect(errorOf(() => cron('@every 5m'))).to.equal('invalid --schedule "@every 5m": @every is not supported: use a step such as "*/5 * * * *" or "every 5 minutes"')
    expect(errorOf(() => cron('@reboot'))).to.include('@reboot is not supported')
  })

  it('rejects unknown macros, listing the known ones', () => {
    expect(errorOf(() => cron('@fortnightly'))).to.equal('invalid --schedule "@fortnightly": unknown macro: use one of @annually, @daily, @hourly, @midnight, @monthly, @weekly, @yearly')
    expect(errorOf(() => cron('@minutely'))).to.include('unknown macro')
  })

  it('rejects phrase typos and steps that do not divide an hour', () => {
    const hint = 'write "every N minutes" (N divides 60), "every hour", "every hour at :MM" or "every day at HH:MM"'
    expect(errorOf(() => cron('every 10 minuts'))).to.equal(`invalid --schedule "every 10 minuts": not a schedule phrase: ${hint}`)
    expect(errorOf(() => cron('every day at noon'))).to.include(hint)
    expect(errorOf(() => cron('every 7 minutes'))).to.equal('invalid --schedule "every 7 minutes": 7 minutes does not divide an hour evenly: use one of 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60')
    expect(errorOf(() => cron('every day at 24:00'))).to.include('24:00 is not a time of day')
    expect(errorOf(() => cron('every hour at :75'))).to.include('out of range')
  })

  it('rejects the wrong number of fields and empty input', () => {
    expect(errorOf(() => cron('* * *'))).to.match(/^invalid --schedule "\* \* \*": 3 fields, expected 5 \(minute hour day-of-month month day-of-week\) or 6/)
    expect(errorOf(() => cron('daily'))).to.include('1 field')
    expect(errorOf(() => cron('   '))).to.match(/^invalid --schedule "": it is empty/)
  })

  it('rejects an expression that never fires', () => {
    expect(errorOf(() => cron('0 0 30 2 *'))).to.match(/^invalid --schedule "0 0 30 2 \*": it never fires/)
    expect(errorOf(() => cron('0 0 31 4,6,9,11 *'))).to.include('it never fires')
    // Vixie AND: a day in */10 (1, 11, 21, 31) that is February's fifth Monday (always the 29th)
    expect(errorOf(() => cron('0 0 */10 2 1#5'))).to.include('it never fires')
    // but rare is fine: the fifth Monday of February (next in 2044)
    expect(iso(nextFireTime(cron('0 0 * 2 1#5'), at('2026-01-01T00:00:00Z')))).to.equal('2044-02-29T00:00:00.000Z')
  })

  it('rejects an unknown timezone', () => {
    expect(errorOf(() => parseSchedule('0 9 * * *', 'Mars/Base'))).to.equal('unknown --timezone "Mars/Base": use an IANA name such as UTC, Europe/Berlin or America/New_York')
  })
})

describe('parseAt', () => {
  const now = at('2026-11-23T19:40:00Z')

  it('reads a local date and time in the trigger timezone', () => {
    expect(parseAt('2026-12-25 09:00', 'Europe/Berlin', now)).to.deep.equal({at: at('2026-12-25T08:00:00Z'), kind: 'at', timezone: 'Europe/Berlin'})
    expect(iso(parseAt('2026-12-25T09:00:30', NY, now).at)).to.equal('2026-12-25T14:00:30.000Z')
  })

  it('reads ISO 8601 with Z or an offset as that instant, whatever the timezone', () => {
    expect(iso(parseAt('2026-12-01T10:00:00Z', NY, now).at)).to.equal('2026-12-01T10:00:00.000Z')
    expect(iso(parseAt('2026-12-01T10:00:00+05:30', NY, now).at)).to.equal('2026-12-01T04:30:00.000Z')
    expect(iso(parseAt('2026-12-01T10:00-0800', 'UTC', now).at)).to.equal('2026-12-01T18:00:00.000Z')
  })

  it('refuses a time in the past, saying what now is', () => {
    expect(errorOf(() => parseAt('2020-01-01 09:00', 'UTC', now))).to.equal('--at 2020-01-01 09:00 is in the past (now 2026-11-23 19:40 UTC in UTC): give a future date as YYYY-MM-DD HH:MM')
    expect(errorOf(() => parseAt('2026-11-23 14:40', NY, now))).to.equal('--at 2026-11-23 14:40 is in the past (now 2026-11-23 14:40 EST in America/New_York): give a future date as YYYY-MM-DD HH:MM')
  })

  it('refuses a malformed date', () => {
    const hint = 'give a date and time as YYYY-MM-DD HH:MM (read in UTC), or an ISO 8601 instant such as 2026-12-24T18:00:00Z'
    expect(errorOf(() => parseAt('tomorrow 9am', 'UTC', now))).to.equal(`invalid --at "tomorrow 9am": ${hint}`)
    expect(errorOf(() => parseAt('2026-12-25', 'UTC', now))).to.equal(`invalid --at "2026-12-25": ${hint}`)
    expect(errorOf(() => parseAt('2027-02-29 09:00', 'UTC', now))).to.equal(`invalid --at "2027-02-29 09:00": 2027-02 has no day 29: ${hint}`)
    expect(errorOf(() => parseAt('2027-01-01 25:00', 'UTC', now))).to.include('25:00 is not a time of day')
  })

  it('refuses a local time inside a DST gap, naming the gap', () => {
    expect(errorOf(() => parseAt('2027-03-14 02:30', NY, now))).to.equal('--at 2027-03-14 02:30 does not exist in America/New_York: clocks jump from 2027-03-14 02:00 to 2027-03-14 03:00 (UTC-05:00 to UTC-04:00); give a time outside the gap, such as 2027-03-14 03:00')
  })

  it('takes the first occurrence of a local time inside a DST overlap', () => {
    expect(iso(parseAt('2027-11-07 01:30', NY, now).at)).to.equal('2027-11-07T05:30:00.000Z')
  })

  it('fires once, strictly after', () => {
    const once = parseAt('2026-12-25 09:00', 'UTC', now)
    expect(iso(nextFireTime(once, now))).to.equal('2026-12-25T09:00:00.000Z')
    expect(nextFireTime(once, at('2026-12-25T09:00:00Z'))).to.equal(null)
    expect(isoAll(nextFireTimes(once, now, 5))).to.deep.equal(['2026-12-25T09:00:00.000Z'])
  })
})

describe('DST: the cases a user would notice', () => {
  it('New York 30 2 * * * on the spring-forward day runs once, at 03:00 EDT', () => {
    expect(iso(nextFireTime(cron('30 2 * * *', NY), at('2026-03-07T12:00:00Z')))).to.equal('2026-03-08T07:00:00.000Z')
    expect(iso(nextFireTime(cron('30 2 * * *', NY), at('2026-03-08T07:00:00Z')))).to.equal('2026-03-09T06:30:00.000Z')
  })

  it('New York 30 1 * * * on the fall-back day runs once, at the first 01:30', () => {
    expect(between('30 1 * * *', NY, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')).to.deep.equal(['2026-11-01T05:30:00.000Z'])
  })

  it('New York 0 * * * * runs 25 times on the fall-back day and 23 on the spring-forward day', () => {
    // local midnight to local midnight
    expect(between('0 * * * *', NY, '2026-11-01T03:59:59Z', '2026-11-02T04:59:59Z')).to.have.length(25)
    expect(between('0 * * * *', NY, '2026-03-08T04:59:59Z', '2026-03-09T03:59:59Z')).to.have.length(23)
  })

  it('New York */15 1 * * * is a wildcard job: 8 runs on the fall-back day', () => {
    expect(between('*/15 1 * * *', NY, '2026-11-01T04:00:00Z', '2026-11-02T04:00:00Z')).to.deep.equal([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:15:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T05:45:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:15:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T06:45:00.000Z',
    ])
  })

  it('New York */20 2 * * * is a wildcard job: no run on the spring-forward day', () => {
    expect(between('*/20 2 * * *', NY, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).to.deep.equal([])
  })

  it('Lord Howe 15 2 * * * runs at the end of the 30-minute gap (cron-parser skips the day)', () => {
    expect(between('15 2 * * *', 'Australia/Lord_Howe', '2026-10-02T12:00:00Z', '2026-10-04T20:00:00Z')).to.deep.equal([
      '2026-10-02T15:45:00.000Z', // 02:15 +10:30
      '2026-10-03T15:30:00.000Z', // 02:15 does not exist on 10-04: 02:30 +11:00
      '2026-10-04T15:15:00.000Z', // 02:15 +11:00
    ])
  })

  it('Lord Howe 45 1 * * * runs once in the 30-minute overlap', () => {
    expect(between('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00Z', '2026-04-05T12:00:00Z')).to.deep.equal(['2026-04-04T14:45:00.000Z'])
  })

  it('Troll 0 2 * * * runs at 03:00 after the 2-hour gap', () => {
    expect(between('0 2 * * *', 'Antarctica/Troll', '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).to.deep.equal(['2026-03-29T01:00:00.000Z'])
  })

  it('several wall times inside one gap are one run', () => {
    expect(between('0,30 2 * * *', NY, '2026-03-08T05:00:00Z', '2026-03-08T12:00:00Z')).to.deep.equal(['2026-03-08T07:00:00.000Z'])
    // the seconds field does not make a job a wildcard job: 02:30:00..02:30:50 are one run at 03:00
    expect(between('*/10 30 2 * * *', NY, '2026-03-08T05:00:00Z', '2026-03-08T12:00:00Z')).to.deep.equal(['2026-03-08T07:00:00.000Z'])
  })

  it('does not depend on the process TZ', () => {
    const saved = process.env.TZ
    try {
      for (const tz of ['Asia/Tokyo', NY, 'Australia/Lord_Howe']) {
        process.env.TZ = tz
        expect(iso(nextFireTime(parseSchedule('30 2 * * *', NY), at('2026-03-07T12:00:00Z'))), tz).to.equal('2026-03-08T07:00:00.000Z')
        expect(iso(nextFireTime(parseSchedule('0 9 * * *', 'UTC'), at('2026-03-07T12:00:00Z'))), tz).to.equal('2026-03-08T09:00:00.000Z')
        expect(iso(parseAt('2026-12-25 09:00', 'UTC', at('2026-01-01T00:00:00Z')).at), tz).to.equal('2026-12-25T09:00:00.000Z')
      }
    } finally {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    }
  })
})

describe('day of month and day of week (Vixie)', () => {
  it('0 0 */3 * 1-5 needs both: a */3 day that is a weekday (88 days in 2026, not 300)', () => {
    const {times} = fireTimesBetween(cron('0 0 */3 * 1-5'), at('2025-12-31T23:00:00Z'), at('2026-12-31T23:00:00Z'), 1000)
    expect(times).to.have.length(88)
    for (const t of times) {
      expect(t.getUTCDate() % 3, iso(t)!).to.equal(1)
      expect(t.getUTCDay(), iso(t)!).to.be.within(1, 5)
    }
  })

  it('0 0 13 * 5 takes either: every 13th and every Friday (61 days in 2026)', () => {
    expect(fireTimesBetween(cron('0 0 13 * 5'), at('2025-12-31T23:00:00Z'), at('2026-12-31T23:00:00Z'), 1000).times).to.have.length(61)
  })
})

describe('fire time helpers', () => {
  it('nextFireTime is strictly after', () => {
    expect(iso(nextFireTime(cron('0 9 * * *'), at('2026-05-01T09:00:00Z')))).to.equal('2026-05-02T09:00:00.000Z')
    expect(iso(nextFireTime(cron('0 9 * * *'), at('2026-05-01T08:59:59.999Z')))).to.equal('2026-05-01T09:00:00.000Z')
  })

  it('fireTimesBetween excludes from, includes to, and caps', () => {
    expect(between('0 * * * *', 'UTC', '2026-05-01T09:00:00Z', '2026-05-01T11:00:00Z')).to.deep.equal(['2026-05-01T10:00:00.000Z', '2026-05-01T11:00:00.000Z'])
    const capped = fireTimesBetween(cron('* * * * *'), at('2026-05-01T00:00:00Z'), at('2026-05-02T00:00:00Z'), 10)
    expect(capped.times).to.have.length(10)
    expect(capped.truncated).to.equal(true)
    const exact = fireTimesBetween(cron('0 * * * *'), at('2026-05-01T00:00:00Z'), at('2026-05-01T10:00:00Z'), 10)
    expect(exact).to.deep.include({truncated: false})
    expect(exact.times).to.have.length(10)
  })

  it('describes schedules in words; one-offs with their zone', () => {
    expect(describeSchedule(cron('30 9 * * 1', NY))).to.equal('At 09:30 AM, only on Monday')
    expect(describeSchedule(cron('every 10 minutes'))).to.equal('Every 10 minutes')
    expect(describeSchedule(cron('0 0 */3 * 1-5'))).to.include('(days that match both)')
    expect(describeSchedule(parseAt('2026-12-25 09:00', 'Europe/Berlin', at('2026-01-01T00:00:00Z')))).to.equal('once at 2026-12-25 09:00 (Europe/Berlin)')
  })

  it('gives the usual gap between fires', () => {
    expect(typicalPeriodSeconds(cron('*/10 * * * *'))).to.equal(600)
    expect(typicalPeriodSeconds(cron('0 * * * *', NY))).to.equal(3600)
    expect(typicalPeriodSeconds(cron('30 2 * * *', NY))).to.equal(86_400)
    expect(typicalPeriodSeconds(cron('0 9 * * 1-5'))).to.equal(86_400)
    expect(typicalPeriodSeconds(cron('@weekly'))).to.equal(604_800)
    expect(typicalPeriodSeconds(cron('*/15 1 * * *'))).to.equal(900)
    expect(typicalPeriodSeconds(cron('*/5 * * * * *'))).to.equal(5)
    expect(typicalPeriodSeconds(parseAt('2026-12-25 09:00', 'UTC', at('2026-01-01T00:00:00Z')))).to.equal(Number.POSITIVE_INFINITY)
  })

  it('stays well under a millisecond per nextFireTime', () => {
    const schedules = ['*/15 * * * *', '0 9 * * 1-5', '30 2 * * *', '0 0 1 * *', '0 12 * * 5L', '0 0 29 2 *'].map(e => cron(e, NY))
    const started = performance.now()
    let t = at('2026-01-01T00:00:00Z')
    for (let i = 0; i < 10_000; i++) t = nextFireTime(schedules[i % schedules.length], new Date(t.getTime() + (7 * 60_000))) ?? t
    expect((performance.now() - started) / 10_000).to.be.below(0.2)
  })
})

describe('engine against the brute-force oracle, all of 2026', function () {
  this.timeout(120_000)
  const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Australia/Sydney', 'America/Santiago', 'Asia/Kolkata', 'Antarctica/Troll']
  const expressions = [
    '30 2 * * *',
    '0 2 * * *',
    '15 2 * * *',
    '45 1 * * *',
    '30 1 * * *',
    '0 * * * *',
    '*/15 * * * *',
    '*/15 1 * * *',
    '*/20 2 * * *',
    '0 0 */3 * 1-5',
    '0 0 13 * 5',
    '0 9 * * 1-5',
    '0 0 L * *',
    '0 12 * * 5L',
    '0 8 * * 1#2',
    '0 0 29 2 *',
    '0 0 * * *',
    '30 23 * * 6',
    '0,30 1-3 * * 0',
    '30 */20 * * * *',
    '*/10 30 2 * * *',
  ]
  // local 2026 in every zone, with room on both sides
  const from = at('2025-12-31T00:00:00Z')
  const to = at('2027-01-01T16:00:00Z')

  for (const zone of zones) {
    for (const expression of expressions) {
      it(`${zone} ${expression}`, () => {
        const expected = oracleFireTimes(expression, zone, from, to).map(d => d.getTime())
        const schedule = parseSchedule(expression, zone)
        const actual = fireTimesBetween(schedule, from, to, 1_000_000).times.map(d => d.getTime())
        const diff = actual.findIndex((t, i) => t !== expected[i])
        if (diff !== -1 || actual.length !== expected.length) {
          const i = diff === -1 ? Math.min(actual.length, expected.length) : diff
          const show = (t: number | undefined) => (t === undefined ? 'none' : new Date(t).toISOString())
          expect.fail(`fire ${i}: engine ${show(actual[i])}, oracle ${show(expected[i])} (engine ${actual.length}, oracle ${expected.length})`)
        }

        // nextFireTime from arbitrary instants agrees too (fireTimesBetween only starts from fire times)
        let seed = (expression.length * 7919) + zone.length
        for (let k = 0; k < 40; k++) {
          seed = ((seed * 1_103_515_245) + 12_345) % 2_147_483_648
          const probe = from.getTime() + ((seed / 2_147_483_648) * (to.getTime() - from.getTime() - (40 * 86_400_000)))
          const want = expected.find(t => t > probe)
          const got = nextFireTime(schedule, new Date(probe))?.getTime()
          if (want === undefined) expect(got, `after ${new Date(probe).toISOString()}`).to.be.above(to.getTime())
          else expect(got, `after ${new Date(probe).toISOString()}`).to.equal(want)
        }
      })
    }
  }
})
