// Retries on time (PRODUCT.md "Retries"): the clock process with time injected (a virtual clock that
// jumps to the next timer), then for real as a user runs it against the emulator.
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {retryDelayMs} from '../../src/core/retries.js'
import {newRun, type Run} from '../../src/core/runs.js'
import {createTrigger} from '../../src/core/trigger.js'
import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, parseJson} from '../helpers/cli.js'
import {type ClockProcess, startClock, stop} from '../helpers/clock.js'
import {runClock} from '../helpers/virtual-clock.js'

describe('retries', () => {
  describe('the clock with time injected', () => {
    const T0 = Date.parse('2026-11-23T10:59:50Z')

    it('a lone trigger\'s retries fire within 1 s of 10 s × 2^(k−1) after each failed attempt ended, though the clock sleeps 30 s at a time and the exit lines come late', async () => {
      const {trigger} = createTrigger({command: 'exit 1', name: 'flaky', retries: 3, schedule: '0 * * * *'}, [], new Date('2026-01-01T00:00:00Z'), '1a2b3c4d-0000-4000-8000-000000000001')
      const {creates, history, lines} = await runClock(trigger, {end: T0 + 5 * 60_000, lateMs: 4000, runMs: 3000, start: T0})
      expect(creates.map(c => c.runId), lines.join('\n')).to.deep.equal([1, 2, 3, 4].map(k => `${trigger.id}@2026-11-23T11:00:00.000Z${k > 1 ? `#${k}` : ''}`))
      for (let k = 1; k <= 3; k++) {
        const ended = creates[k - 1].at + 3000 // the exit line's own time, not when it was read (4 s later)
        const lag = creates[k].at - (ended + retryDelayMs(k))
        expect(lag, `retry ${k}: ${lines.join('\n')}`).to.be.within(0, 999)
      }

      const retries = [...history.runs.values()].filter(r => r.attempt > 1)
      expect(retries.map(r => r.retryOf)).to.deep.equal([1, 2, 3].map(() => `${trigger.id}@2026-11-23T11:00:00.000Z`))
      expect(lines.filter(l => l.startsWith('at=retried'))).to.have.length(3)
    })

    it('a retry fires on time while another trigger\'s creates are being refused (503) and backing off', async () => {
      const {trigger} = createTrigger({command: 'exit 1', name: 'flaky', retries: 2, schedule: '0 * * * *'}, [], new Date('2026-01-01T00:00:00Z'), '1a2b3c4d-0000-4000-8000-000000000004')
      const {trigger: refused} = createTrigger({command: 'true', name: 'refused', schedule: '0 * * * *'}, [], new Date('2026-01-01T00:00:00Z'), '5e6f7a8b-0000-4000-8000-000000000005')
      const {creates, lines, refused: refusals} = await runClock(trigger, {
        end: T0 + 5 * 60_000, lateMs: 0, others: [refused], refuse: request => request.env!.HEROKU_TRIGGER_ID === refused.id, runMs: 3000, start: T0,
      })
      expect(refusals.length, lines.join('\n')).to.be.greaterThan(4) // 1 s, 2 s, 4 s ... apart, all the while
      expect(creates.map(c => c.runId), lines.join('\n')).to.deep.equal([1, 2, 3].map(k => `${trigger.id}@2026-11-23T11:00:00.000Z${k > 1 ? `#${k}` : ''}`))
      for (let k = 1; k <= 2; k++) {
        const lag = creates[k].at - (creates[k - 1].at + 3000 + retryDelayMs(k))
        expect(lag, `retry ${k}: ${lines.join('\n')}`).to.be.within(0, 999)
      }

      expect(lines.filter(l => /at=api-retry .*status=503 .*trigger_id=5e6f7a8b/.test(l)).length).to.equal(refusals.length)
    })

    it('a retry the next nominal time comes before is not fired, and recorded as skipped', async () => {
      // every minute, each attempt takes 20 s: 11:00 fails at :20, retry at :30 fails at :50, the next would be 11:01:10
      const {trigger} = createTrigger({command: 'exit 1', name: 'minutely', retries: 5, schedule: '* * * * *'}, [], new Date('2026-01-01T00:00:00Z'), '1a2b3c4d-0000-4000-8000-000000000002')
      const {creates, history, lines} = await runClock(trigger, {end: Date.parse('2026-11-23T11:01:05Z'), lateMs: 0, runMs: 20_000, start: T0})
      expect(creates.map(c => c.runId), lines.join('\n')).to.deep.equal([`${trigger.id}@2026-11-23T11:00:00.000Z`, `${trigger.id}@2026-11-23T11:00:00.000Z#2`, `${trigger.id}@2026-11-23T11:01:00.000Z`])
      const dropped = history.runs.get(`${trigger.id}@2026-11-23T11:00:00.000Z#3`)
      expect(dropped, lines.join('\n')).to.include({attempt: 3, reason: 'retry dropped: the next run (due 2026-11-23T11:01:00.000Z) came first', retryOf: `${trigger.id}@2026-11-23T11:00:00.000Z`, state: 'skipped'})
      expect(lines.some(l => l.startsWith('at=retry-dropped'))).to.equal(true)
    })

    it('a restarted clock makes the retry the previous one had scheduled, on time', async () => {
      const {trigger} = createTrigger({command: 'exit 1', name: 'flaky', retries: 1, schedule: '0 * * * *'}, [], new Date('2026-01-01T00:00:00Z'), '1a2b3c4d-0000-4000-8000-000000000003')
      const nominal = '2026-11-23T11:00:00.000Z'
      const failed: Run = {...newRun('pending', {nominalAt: nominal, trigger}, Date.parse(nominal)), dyno: 'trigger-1a2b3c4d.7', endedAt: '2026-11-23T11:00:03.000Z', exitStatus: 1, state: 'failed'}
      // the first clock stopped at 11:00:04, its retry (due 11:00:13) not made; the next starts at 11:00:06
      const {creates, lines} = await runClock(trigger, {end: Date.parse('2026-11-23T11:02:00Z'), lastPassAt: Date.parse('2026-11-23T11:00:04Z'), lateMs: 0, recorded: [failed], runMs: 3000, start: Date.parse('2026-11-23T11:00:06Z')})
      expect(creates.map(c => c.runId), lines.join('\n')).to.deep.equal([`${failed.id}#2`])
      expect(creates[0].at - Date.parse('2026-11-23T11:00:13Z')).to.be.within(0, 999)
    })
  })

  describe('against the emulator', function () {
    this.timeout(90_000)
    let emulator: Emulator
    let env: Record<string, string>
    const clocks: ClockProcess[] = []

    beforeEach(async () => {
      emulator = await startEmulator({launchDelayMs: 300})
      emulator.createApp({name: 'retry-app'})
      env = {HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url, HEROKU_TRIGGERS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'retries-'))}
    })

    afterEach(async () => {
      await Promise.all(clocks.splice(0).map(c => stop(c)))
      await emulator.stop()
    })

    it('a lone trigger with --retries 2 whose task exits 1: each retry reaches the API within 1 s of its due time, and runs:info and triggers:info show the plan', async () => {
      const at = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000)
      const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`
      const created = await cli(['triggers:create', '--app', 'retry-app', '--name', 'flaky', '--command', 'sleep 1; exit 1', '--schedule', cron, '--retries', '2'], {env})
      expect(created.code, created.stderr).to.equal(0)
      const c = startClock(env, ['--app', 'retry-app'])
      clocks.push(c)
      await c.waitFor(/at=retry-scheduled .*attempt=2/, 20_000)
      // between the failure and the retry: the plan
      const id = (await cli(['runs', '--app', 'retry-app', '--json'], {env})).stdout.match(/"id": "([^"]+)"/)![1]
      // read side by side: the retry is 10 s away, and a loaded machine can take that long for two commands one after the other
      const [runInfo, triggerInfo] = await Promise.all([cli(['runs:info', id, '--app', 'retry-app', '--json'], {env}), cli(['triggers:info', 'flaky', '--app', 'retry-app', '--json'], {env})])
      const info = parseJson<{retry: {attempt: number; attemptsLeft: number; nextAttemptAt: string; status: string}}>(runInfo)
      expect(info.retry).to.include({attempt: 2, attemptsLeft: 2, status: 'due'})
      const trigger = parseJson<{retry: null | {nextAttemptAt: string}}>(triggerInfo)
      expect(trigger.retry).to.include({nextAttemptAt: info.retry.nextAttemptAt})
      await c.waitFor(/at=completed .*state=failed/, 20_000)
      await c.waitFor(/at=retried .*attempt=3/, 40_000)
      await stop(c)
      const runs = parseJson<Array<{attempt: number; endedAt: string; id: string}>>(await cli(['runs', '--app', 'retry-app', '--json'], {env}))
      const creates = emulator.requests.filter(r => r.method === 'POST' && r.path === '/apps/retry-app/dynos')
      expect(creates).to.have.length(3)
      for (const k of [1, 2]) {
        const failed = runs.find(r => r.attempt === k)!
        const create = creates.find(r => (r.body as {env: Record<string, string>}).env.HEROKU_TRIGGER_RUN_ID.endsWith(`#${k + 1}`))!
        const lag = create.at - (Date.parse(failed.endedAt) + retryDelayMs(k))
        expect(lag, `retry ${k}: ${c.lines.join('\n')}`).to.be.within(-50, 999)
      }
    })

    it('--retries outside 0..10 is one line, exit 2, and nothing written', async () => {
      for (const value of ['11', '-1', '20']) {
        const result = await cli(['triggers:create', '--app', 'retry-app', '--name', 'x', '--command', 'true', '--schedule', '@daily', '--retries', value], {env})
        expect(result.code, result.stderr).to.equal(2)
        expect(result.stderr.trim().split('\n'), result.stderr).to.have.length(1)
        expect(result.stderr).to.match(/--retries must be 0\.\.10, got -?\d+/)
      }

      expect(parseJson<unknown[]>(await cli(['triggers', '--app', 'retry-app', '--json'], {env}))).to.deep.equal([])
    })
  })
})
