// triggers:import's core: Heroku Scheduler's every/at as phrases, Advanced Scheduler's quirks, names,
// states, and nothing imported twice.
import {expect} from 'chai'

import {advancedSchedulerSources, mapSize, planImport, schedulerPhrase, schedulerSources} from '../../src/core/import.js'
import {nextFireTimes, parseSchedule} from '../../src/core/schedule.js'

const NOW = new Date('2026-06-01T12:00:00Z')

describe('import', () => {
  it('turns every Heroku Scheduler interval and offset into a schedule that fires when Scheduler does (UTC)', () => {
    const cases: Array<[number, number]> = [[10, 0]]
    for (let at = 0; at <= 50; at += 10) cases.push([60, at])
    for (let at = 0; at <= 1410; at += 30) cases.push([1440, at])
    for (const [every, at] of cases) {
      const phrase = schedulerPhrase(every, at)
      const times = nextFireTimes(parseSchedule(phrase, 'UTC'), new Date('2026-06-01T00:00:00Z'), 3)
      for (const time of times) {
        const minutes = (time.getUTCHours() * 60) + time.getUTCMinutes()
        expect(minutes % every, `${every}/${at}: ${phrase}`).to.equal(at)
        expect(time.getUTCSeconds()).to.equal(0)
      }

      expect(times[1].getTime() - times[0].getTime(), phrase).to.equal(every * 60_000)
    }

    expect(schedulerPhrase(60, 30)).to.equal('every hour at :30')
    expect(schedulerPhrase(1440, 570)).to.equal('every day at 09:30')
    expect(() => schedulerPhrase(30, 0)).to.throw(/not one Scheduler makes/)
  })

  it('makes inactive triggers named after their command, with the timeout of their interval and their size', () => {
    const sources = schedulerSources([
      {at: 0, command: 'bin/ten', every: 10, id: '1', size: 'Standard-2X'},
      {at: 20, command: 'rake  hourly\ttask', every: 60, id: '2', size: 'Basic'},
      {at: 90, command: 'bin/ten', every: 1440, id: '3', size: null},
      {at: 0, command: 'bin/free', every: 10, id: '4', size: 'Free'},
    ])
    const items = planImport(sources, [], NOW, {activate: false})
    expect(items.map(i => i.trigger && [i.trigger.name, i.trigger.schedule, i.trigger.timeout, i.trigger.size, i.trigger.state])).to.deep.equal([
      ['bin/ten', 'every 10 minutes', 600, 'Standard-2X', 'inactive'],
      ['rake hourly task', 'every hour at :20', 3600, 'Basic', 'inactive'],
      ['bin/ten (2)', 'every day at 01:30', 86_400, null, 'inactive'],
      ['bin/free', 'every 10 minutes', 600, null, 'inactive'],
    ])
    expect(items[3].warnings).to.deep.equal(['Heroku Scheduler job 4: size Free no longer exists on Heroku: imported with the app\'s default size (give another with triggers:update --size)'])

    // again, on top of what the first made: nothing twice
    const made = items.map(i => i.trigger!)
    const again = planImport(sources, made, NOW, {activate: false})
    expect(again.map(i => i.skippedAs)).to.deep.equal(['bin/ten', 'rake hourly task', 'bin/ten (2)', 'bin/free'])
    expect(planImport(sources, [], NOW, {activate: true}).every(i => i.trigger!.state === 'active')).to.equal(true)
  })

  it('reads an Advanced Scheduler triggers --json file with every quirk', () => {
    const file = JSON.stringify([
      {dyno: 'Standartd-2X', frequencyType: 'recurring', name: 'typo size', schedule: '*/5 * * * *', state: 'active', timeout: 1800, timezone: 'UTC', uuid: 'u1', value: 'npm run a'},
      {dyno: 'Free', frequencyType: 'recurring', name: 'free', schedule: '0 9 * * 1-5', state: 'inactive', timeout: 60, timezone: 'Europe/Amsterdam', uuid: 'u2', value: 'npm run b'},
      {dyno: 'Hobby', frequencyType: 'one-off', name: 'past one-off', schedule: '2025-12-25 00:00:00', state: 'active', timeout: 600, timezone: 'America/New_York', uuid: 'u3', value: 'npm run c'},
      {dyno: 'Performance-M', frequencyType: 'one-off', name: 'future one-off', schedule: '2027-12-25 08:30:00', state: 'active', timeout: 86_400, timezone: 'Asia/Tokyo', uuid: 'u4', value: 'npm run d'},
      {dyno: 'Basic', frequencyType: 'one-off', name: 'done', schedule: '2027-01-01 00:00:00', state: 'completed', timeout: 1800, timezone: 'UTC', uuid: 'u5', value: 'npm run e'},
    ])
    const items = planImport(advancedSchedulerSources(file, 'as.json'), [], NOW, {activate: true})
    const fields = ['at', 'name', 'schedule', 'size', 'state', 'timeout', 'timezone'] as const
    const shown = items.map(i => i.trigger && Object.fromEntries(fields.map(f => [f, i.trigger![f]])))
    expect(shown).to.deep.equal([
      {at: null, name: 'typo size', schedule: '*/5 * * * *', size: 'standard-2x', state: 'active', timeout: 1800, timezone: 'UTC'},
      {at: null, name: 'free', schedule: '0 9 * * 1-5', size: null, state: 'inactive', timeout: 60, timezone: 'Europe/Amsterdam'},
      {at: '2025-12-25T05:00:00.000Z', name: 'past one-off', schedule: null, size: null, state: 'completed', timeout: 600, timezone: 'America/New_York'},
      {at: '2027-12-24T23:30:00.000Z', name: 'future one-off', schedule: null, size: 'Performance-M', state: 'active', timeout: 86_400, timezone: 'Asia/Tokyo'},
      {at: '2027-01-01T00:00:00.000Z', name: 'done', schedule: null, size: 'Basic', state: 'completed', timeout: 1800, timezone: 'UTC'},
    ])
    expect(items[0].warnings).to.deep.equal(['Advanced Scheduler entry 1 ("typo size"): size Standartd-2X (its misspelling) imported as standard-2x'])
    expect(items[1].warnings[0]).to.match(/size Free no longer exists/)
    expect(items[2].warnings[0]).to.match(/size Hobby no longer exists/)
    // without --activate every one is inactive, except what is over
    expect(planImport(advancedSchedulerSources(file, 'as.json'), [], NOW, {activate: false}).map(i => i.trigger!.state)).to.deep.equal(['inactive', 'inactive', 'completed', 'inactive', 'completed'])
    // a second import skips them all
    const again = planImport(advancedSchedulerSources(file, 'as.json'), items.map(i => i.trigger!), NOW, {activate: true})
    expect(again.every(i => i.trigger === null)).to.equal(true)
  })

  it('names every bad entry of an Advanced Scheduler file in one line, and imports nothing', () => {
    expect(() => advancedSchedulerSources('No triggers found.', 'as.json')).to.throw(/as\.json is not JSON: .*prints a message instead/)
    expect(() => advancedSchedulerSources('{"a": 1}', 'as.json')).to.throw(/not a list of Advanced Scheduler triggers/)
    const bad = JSON.stringify([{name: 'x', schedule: '@daily'}, {frequencyType: 'weekly', name: 'y', schedule: '@daily', value: 'z'}])
    expect(() => advancedSchedulerSources(bad, 'as.json')).to.throw(/entry 1 \("x"\): no "value"; entry 2 \("y"\): frequencyType "weekly" .*nothing was imported/)
    const badCron = advancedSchedulerSources(JSON.stringify([{frequencyType: 'recurring', name: 'x', schedule: '61 * * * *', value: 'x'}]), 'as.json')
    expect(() => planImport(badCron, [], NOW, {activate: false})).to.throw(/Advanced Scheduler trigger "x": invalid schedule "61 \* \* \* \*"/)
  })

  it('maps sizes: retired to the default, the typo to standard-2x, others as given', () => {
    expect(mapSize('hobby', 'x').size).to.equal(null)
    expect(mapSize('STANDARTD-2X', 'x').size).to.equal('standard-2x')
    expect(mapSize('Shield-M', 'x')).to.deep.equal({size: 'Shield-M'})
    expect(mapSize(null, 'x')).to.deep.equal({size: null})
  })
})
