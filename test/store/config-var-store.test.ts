// The shared store's answer to Heroku having no conditional write: each writer checks after its
// write that its change is there, and puts it back on top of the other's if not.
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {createTrigger, type Trigger} from '../../src/core/trigger.js'
import {applyDelta, type Definitions, deltaHolds, deltaOf, emptyDefinitions} from '../../src/store/definitions.js'
import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, parseJson} from '../helpers/cli.js'

const NOW = new Date('2026-11-23T12:00:00Z')
const make = (name: string): Trigger => createTrigger({command: 'true', name, schedule: '@daily'}, [], NOW).trigger
const defs = (...triggers: Trigger[]): Definitions => ({...emptyDefinitions(), triggers})

describe('config-var store: changes from several machines', () => {
  it('a change is a delta of puts and removals, found in any later document that kept it', () => {
    const [a, b, c] = [make('a'), make('b'), make('c')]
    const before = defs(a, b)
    const after = defs({...a, timeout: 60}, c)
    const delta = deltaOf(before, after)
    expect(delta.put.map(t => t.name)).to.deep.equal(['a', 'c'])
    expect(delta.removed).to.deep.equal([b.id])
    expect(deltaHolds(delta, after)).to.equal(true)
    const theirs = defs(a, b, make('d')) // another machine wrote over ours
    expect(deltaHolds(delta, theirs)).to.equal(false)
    const merged = applyDelta(theirs, delta)
    expect(merged.triggers.map(t => t.name)).to.deep.equal(['a', 'd', 'c'])
    expect(merged.triggers[0].timeout).to.equal(60)
    expect(deltaHolds(delta, merged)).to.equal(true)
  })

  it('the delta carries monitors too: another machine\'s monitor and ours both stay', () => {
    const ours = {id: 'm-ours', name: 'ours', type: 'job-failure'}
    const theirs = {id: 'm-theirs', name: 'theirs', type: 'job-failure'}
    const old = {id: 'm-old', name: 'old', type: 'job-failure'}
    const delta = deltaOf({...defs(), monitors: [old]}, {...defs(), monitors: [ours]})
    expect(delta.monitors).to.deep.equal({put: [ours], removed: ['m-old']})
    const elsewhere = {...defs(), monitors: [old, theirs]}
    expect(deltaHolds(delta, elsewhere)).to.equal(false)
    const merged = applyDelta(elsewhere, delta)
    expect(merged.monitors).to.deep.equal([theirs, ours])
    expect(deltaHolds(delta, merged)).to.equal(true)
  })

  describe('against the emulator', function () {
    this.timeout(120_000)
    let emulator: Emulator

    before(async () => {
      emulator = await startEmulator()
    })

    after(async () => {
      await emulator.stop()
    })

    it('keeps every trigger when several machines create at once', async () => {
      for (let round = 0; round < 3; round++) {
        const app = `shared-${round}`
        emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: app})
        const machine = () => ({
          HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url,
          HEROKU_TRIGGERS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'machine-')), HEROKU_TRIGGERS_VERIFY_DELAY_MS: '300',
        })
        const results = await Promise.all(Array.from({length: 5}, (_, i) =>
          cli(['triggers:create', '--app', app, '--name', `job ${i}`, '--command', 'true', '--schedule', '@daily'], {env: machine()})))
        for (const result of results) expect(result.code, result.stderr).to.equal(0)
        const list = parseJson<Array<{name: string}>>(await cli(['triggers', '--app', app, '--json'], {env: machine()}))
        expect(list.map(t => t.name).sort(), `round ${round}`).to.deep.equal(['job 0', 'job 1', 'job 2', 'job 3', 'job 4'])
      }
    })
  })
})
