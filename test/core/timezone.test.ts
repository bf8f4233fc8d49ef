import {expect} from 'chai'

import {ExitCode, InvalidInputError} from '../../src/core/errors.js'
import {checkTimezone, formatOffset, zoneClock} from '../../src/core/timezone.js'

const HOUR = 3_600_000

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError)
    return error as InvalidInputError
  }

  throw new Error('expected an InvalidInputError')
}

describe('checkTimezone', () => {
  it('accepts UTC, which Intl.supportedValuesOf leaves out', () => {
    expect(checkTimezone('UTC')).to.deep.equal({zone: 'UTC'})
    expect(checkTimezone('utc')).to.deep.equal({zone: 'UTC'})
    expect(checkTimezone('GMT')).to.deep.equal({zone: 'UTC'})
  })

  it('keeps IANA names as written, fixing only their case', () => {
    expect(checkTimezone('America/New_York')).to.deep.equal({zone: 'America/New_York'})
    expect(checkTimezone('america/new_york')).to.deep.equal({zone: 'America/New_York'})
    // ICU would call it Asia/Calcutta; the user's current name stays
    expect(checkTimezone('Asia/Kolkata')).to.deep.equal({zone: 'Asia/Kolkata'})
    expect(checkTimezone(' Europe/Berlin ')).to.deep.equal({zone: 'Europe/Berlin'})
  })

  it('turns legacy aliases into the canonical city zone', () => {
    expect(checkTimezone('US/Eastern')).to.deep.equal({zone: 'America/New_York'})
    expect(checkTimezone('US/Pacific')).to.deep.equal({zone: 'America/Los_Angeles'})
  })

  it('rejects an unknown zone with one line that says how to write it', () => {
    const error = thrown(() => checkTimezone('Mars/Base'))
    expect(error.message).to.equal('unknown --timezone "Mars/Base": use an IANA name such as UTC, Europe/Berlin or America/New_York')
    expect(error.exitCode).to.equal(ExitCode.invalidInput)
    expect(thrown(() => checkTimezone('')).message).to.match(/^unknown --timezone "": use an IANA name/)
    expect(thrown(() => checkTimezone('Eastern Time')).message).to.not.include('\n')
  })

  it('warns that fixed-offset names do not follow daylight saving, and names a city zone', () => {
    const est = checkTimezone('EST')
    expect(est.zone).to.equal('EST')
    expect(est.warning).to.equal('--timezone "EST" is a fixed UTC-05:00 offset that does not follow daylight saving time: use a city zone such as America/New_York to follow local clocks')
    expect(checkTimezone('MST').warning).to.include('America/Denver')
    expect(checkTimezone('HST').warning).to.include('does not follow daylight saving')

    const gmt5 = checkTimezone('Etc/GMT+5')
    expect(gmt5.zone).to.equal('Etc/GMT+5')
    // POSIX sign: Etc/GMT+5 is five hours behind UTC, and the warning says so plainly
    expect(gmt5.warning).to.include('fixed UTC-05:00 offset')
  })

  it('warns about abbreviation zones that do follow daylight saving', () => {
    const pst = checkTimezone('PST8PDT')
    expect(pst.zone).to.equal('PST8PDT')
    expect(pst.warning).to.equal('--timezone "PST8PDT" is a legacy abbreviation zone: prefer a city zone such as America/Los_Angeles')
    expect(checkTimezone('EST5EDT').warning).to.include('America/New_York')
  })

  it('gives no warning for city zones', () => {
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Antarctica/Troll']) {
      expect(checkTimezone(zone).warning, zone).to.equal(undefined)
    }
  })
})

describe('zoneClock', () => {
  it('reads offsets from the zone, not from the process TZ', () => {
    const ny = zoneClock('America/New_York')
    expect(ny.offsetAt(Date.parse('2026-01-15T12:00:00Z'))).to.equal(-5 * HOUR)
    expect(ny.offsetAt(Date.parse('2026-07-15T12:00:00Z'))).to.equal(-4 * HOUR)
    expect(zoneClock('Asia/Kolkata').offsetAt(Date.parse('2026-07-15T12:00:00Z'))).to.equal(5.5 * HOUR)
    // the switch happens exactly at 02:00 EST = 07:00Z
    expect(ny.offsetAt(Date.parse('2026-03-08T06:59:59Z'))).to.equal(-5 * HOUR)
    expect(ny.offsetAt(Date.parse('2026-03-08T07:00:00Z'))).to.equal(-4 * HOUR)
  })

  it('finds no instant for a wall time in a spring-forward gap, and where the gap ends', () => {
    const ny = zoneClock('America/New_York')
    const gap = ny.resolve(Date.UTC(2026, 2, 8, 2, 30))
    expect(gap.instants).to.deep.equal([])
    expect(new Date(gap.gapEnd!).toISOString()).to.equal('2026-03-08T07:00:00.000Z')

    const lordHowe = zoneClock('Australia/Lord_Howe').resolve(Date.UTC(2026, 9, 4, 2, 15))
    expect(lordHowe.instants).to.deep.equal([])
    expect(new Date(lordHowe.gapEnd!).toISOString()).to.equal('2026-10-03T15:30:00.000Z')
  })

  it('finds both instants of a wall time in a fall-back overlap, earliest first', () => {
    const overlap = zoneClock('America/New_York').resolve(Date.UTC(2026, 10, 1, 1, 30))
    expect(overlap.instants.map(t => new Date(t).toISOString())).to.deep.equal(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z'])
    expect(overlap.gapEnd).to.equal(null)
    const troll = zoneClock('Antarctica/Troll').resolve(Date.UTC(2026, 9, 25, 2, 0))
    expect(troll.instants.map(t => new Date(t).toISOString())).to.deep.equal(['2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z'])
  })

  it('formats offsets', () => {
    expect(formatOffset(5.5 * HOUR)).to.equal('+05:30')
    expect(formatOffset(-5 * HOUR)).to.equal('-05:00')
    expect(formatOffset(0)).to.equal('+00:00')
  })
})
