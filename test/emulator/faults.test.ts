// Fault switches: 429 storms and the token pool, 5xx, 401, 409 and 422 on create, R99 launch
// failures, R14/R15 with runtime metrics, Cycling, out-of-order and dropped lines, cut and expired
// sessions, slow answers; reset() clears them.
import {expect} from 'chai'

import {api, dynoMessages, readStream, runDyno} from './helpers.js'
import {type Emulator, startEmulator} from './index.js'

const RATE_LIMIT_BODY = {id: 'rate_limit', message: 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests'}

describe('emulator: faults', () => {
  let emulator: Emulator

  before(async () => {
    emulator = await startEmulator({sampleIntervalMs: 60, stopGraceMs: 300, timeToLiveUnitMs: 100})
    emulator.createApp({formation: {web: 1}, name: 'fault-app', procfile: {web: 'node server.js'}, sizeTier: 'standard'})
    emulator.createApp({name: 'metrics-app', runtimeMetrics: true, sizeTier: 'standard'})
  })

  after(async () => {
    await emulator.stop()
  })

  afterEach(() => emulator.reset())

  describe('requests', () => {
    it('rateLimit({count}): 429 rate_limit with the documented body and RateLimit-Remaining 0, then normal', async () => {
      emulator.faults.rateLimit({count: 2})
      for (let i = 0; i < 2; i++) {
        const reply = await api(emulator, 'GET', '/apps/fault-app')
        expect(reply.status).to.equal(429)
        expect(reply.body).to.deep.equal(RATE_LIMIT_BODY)
        expect(reply.headers.get('ratelimit-remaining')).to.equal('0')
        expect(reply.headers.get('content-type')).to.equal('application/json')
      }

      expect((await api(emulator, 'GET', '/apps/fault-app')).status).to.equal(200)
    })

    it('rateLimit({durationMs}): every request 429 until it passes', async () => {
      emulator.faults.rateLimit({durationMs: 150})
      expect((await api(emulator, 'GET', '/account')).status).to.equal(429)
      expect((await api(emulator, 'GET', '/account')).status).to.equal(429)
      await new Promise(resolve => setTimeout(resolve, 160))
      expect((await api(emulator, 'GET', '/account')).status).to.equal(200)
    })

    it('rateLimit({match}) hits only matching requests', async () => {
      emulator.faults.rateLimit({count: 1, match: /^POST \/apps\/[^/]+\/dynos$/})
      expect((await api(emulator, 'GET', '/apps/fault-app')).status).to.equal(200)
      expect((await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'true'})).status).to.equal(429)
    })

    it('rateLimitRemaining(n): the pool counts down from n and gives real 429s when empty; rate-limits is not counted', async () => {
      emulator.faults.rateLimitRemaining(2)
      const first = await api(emulator, 'GET', '/account')
      expect(first.headers.get('ratelimit-remaining')).to.equal('1')
      const limits = await api(emulator, 'GET', '/account/rate-limits')
      expect(limits.body.remaining).to.equal(1)
      expect((await api(emulator, 'GET', '/account')).headers.get('ratelimit-remaining')).to.equal('0')
      const refused = await api(emulator, 'GET', '/account')
      expect(refused.status).to.equal(429)
      expect(refused.body).to.deep.equal(RATE_LIMIT_BODY)
      emulator.reset()
      expect((await api(emulator, 'GET', '/account')).status).to.equal(200)
    })

    it('serverError: 500 or 503 for the next N requests, with {id, message}', async () => {
      emulator.faults.serverError({count: 1, status: 503})
      emulator.faults.serverError({count: 1})
      const unavailable = await api(emulator, 'GET', '/apps/fault-app')
      expect(unavailable.status).to.equal(503)
      expect(unavailable.body).to.have.keys('id', 'message')
      const internal = await api(emulator, 'GET', '/apps/fault-app')
      expect(internal.status).to.equal(500)
      expect(internal.body.id).to.equal('internal_server_error')
      expect((await api(emulator, 'GET', '/apps/fault-app')).status).to.equal(200)
    })

    it('unauthorized: 401 for the next N requests', async () => {
      emulator.faults.unauthorized({count: 1})
      expect((await api(emulator, 'GET', '/account')).body).to.deep.equal({id: 'unauthorized', message: 'Invalid credentials provided.'})
      expect((await api(emulator, 'GET', '/account')).status).to.equal(200)
    })

    it('slow: answers delayed by ms', async () => {
      emulator.faults.slow({count: 1, ms: 200})
      const started = Date.now()
      await api(emulator, 'GET', '/account')
      expect(Date.now() - started).to.be.at.least(190)
      const again = Date.now()
      await api(emulator, 'GET', '/account')
      expect(Date.now() - again).to.be.below(150)
    })

    it('reset() clears faults and the request log', async () => {
      emulator.faults.rateLimit({count: 5})
      emulator.faults.serverError({count: 5})
      await api(emulator, 'GET', '/account')
      emulator.reset()
      expect(emulator.requests).to.have.length(0)
      expect((await api(emulator, 'GET', '/account')).status).to.equal(200)
    })
  })

  describe('dyno creates', () => {
    it('conflictOnCreate: 409 conflict on the next create, then it works (what heroku run retries)', async () => {
      emulator.faults.conflictOnCreate({count: 1})
      const refused = await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'true'})
      expect(refused.status).to.equal(409)
      expect(refused.body.id).to.equal('conflict')
      expect(refused.body.message).to.be.a('string')
      const {status} = await runDyno(emulator, 'fault-app', {command: 'true'})
      expect(status).to.equal(0)
    })

    it('aboveLimit: 422 cannot_run_above_limit with limit, size and url', async () => {
      emulator.faults.aboveLimit()
      const refused = await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'true', size: 'standard-2x'})
      expect(refused.status).to.equal(422)
      expect(refused.body).to.include({id: 'cannot_run_above_limit', limit: 50, message: 'Cannot run more than 50 Standard-2X size dynos.', url: 'https://devcenter.heroku.com/articles/dyno-size#default-scaling-limits'})
      expect(refused.body.size).to.be.a('number')
    })

    it('launchFailure: R99, Stopping process with SIGKILL, and no process run', async () => {
      emulator.faults.launchFailure()
      const created = await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'touch /tmp/should-not-exist-$$; echo ran'})
      expect(created.status).to.equal(201)
      const {name} = created.body
      expect(await emulator.waitForDyno('fault-app', name)).to.equal(null)
      expect(dynoMessages(emulator, 'fault-app', name)).to.deep.equal([
        'Error R99 (Platform error) -> Failed to launch the dyno within 10 seconds',
        'Stopping process with SIGKILL',
        'State changed from starting to crashed',
      ])
      expect(emulator.dynos('fault-app').find(d => d.name === name)).to.include({exitStatus: null, pid: null, state: 'crashed'})
    })
  })

  describe('dyno runs', () => {
    it('memory R14: Process running mem=…, Error R14, a memory sample over quota; the dyno keeps running and R14 repeats', async () => {
      emulator.faults.memory({kind: 'R14'})
      const {dyno, status} = await runDyno(emulator, 'metrics-app', {command: 'sleep 0.5; echo survived', size: 'standard-1x'})
      expect(status).to.equal(0)
      const messages = dynoMessages(emulator, 'metrics-app', dyno.name)
      expect(messages).to.include('survived')
      expect(messages).to.include('Process running mem=646M(126.2%)')
      expect(messages.filter(m => m === 'Error R14 (Memory quota exceeded)').length).to.be.at.least(2)
      const over = messages.find(m => m.includes('sample#memory_swap=') && !m.includes('sample#memory_swap=0.00MB'))
      expect(over).to.match(/sample#memory_quota=512\.00MB$/)
    })

    it('memory R15: Error R15, Stopping process with SIGKILL, status 137, complete', async () => {
      emulator.faults.memory({kind: 'R15'})
      const {dyno, status} = await runDyno(emulator, 'fault-app', {command: 'sleep 5', size: 'standard-2x'})
      expect(status).to.equal(137)
      expect(dynoMessages(emulator, 'fault-app', dyno.name).slice(2)).to.deep.equal([
        'Process running mem=2077M(202.8%)',
        'Error R15 (Memory quota vastly exceeded)',
        'Stopping process with SIGKILL',
        'Process exited with status 137',
        'State changed from up to complete',
      ])
    })

    it('memory on a named running dyno', async () => {
      const created = await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'sleep 5'})
      await emulator.waitForLine('fault-app', new RegExp(`heroku\\[${created.body.name}\\]: State changed from starting to up`))
      emulator.faults.memory({afterMs: 0, app: 'fault-app', dyno: created.body.name, kind: 'R15'})
      expect(await emulator.waitForDyno('fault-app', created.body.name)).to.equal(137)
      const other = await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'sleep 5'})
      await emulator.waitForLine('fault-app', new RegExp(`heroku\\[${other.body.name}\\]: State changed from starting to up`))
      emulator.faults.memory({afterMs: 0, dyno: other.body.id, kind: 'R15'})
      expect(await emulator.waitForDyno('fault-app', other.body.name)).to.equal(137)
      expect(() => emulator.faults.memory({dyno: 'run.1', kind: 'R14'})).to.throw(/no running dyno run\.1/)
    })

    it('runtime metrics: memory and load samples every sampleIntervalMs while up', async () => {
      const {dyno} = await runDyno(emulator, 'metrics-app', {command: 'sleep 0.3'})
      const samples = dynoMessages(emulator, 'metrics-app', dyno.name).filter(m => m.startsWith('source='))
      const n = dyno.name.replace('.', String.raw`\.`)
      const memory = samples.filter(m => m.includes('sample#memory_total'))
      expect(memory.length).to.be.at.least(2)
      expect(memory[0]).to.match(new RegExp(`^source=${n} dyno=heroku\\.\\d+\\.[\\da-f-]{36} sample#memory_total=\\d+\\.\\d\\dMB sample#memory_rss=\\d+\\.\\d\\dMB sample#memory_cache=\\d+\\.\\d\\dMB sample#memory_swap=0\\.00MB sample#memory_pgpgin=\\d+pages sample#memory_pgpgout=\\d+pages sample#memory_quota=512\\.00MB$`))
      expect(samples.find(m => m.includes('load_avg'))).to.match(new RegExp(`^source=${n} dyno=heroku\\.\\d+\\.[\\da-f-]{36} sample#load_avg_1m=\\d+\\.\\d\\d sample#load_avg_5m=\\d+\\.\\d\\d sample#load_avg_15m=\\d+\\.\\d\\d$`))
    })

    it('cycle a running one-off: Cycling, then the SIGTERM sequence, status 143', async () => {
      const created = await api(emulator, 'POST', '/apps/fault-app/dynos', {command: 'sleep 5'})
      const {name} = created.body
      await emulator.waitForLine('fault-app', new RegExp(`heroku\\[${name}\\]: State changed from starting to up`))
      emulator.faults.cycle('fault-app', name)
      expect(await emulator.waitForDyno('fault-app', name)).to.equal(143)
      expect(dynoMessages(emulator, 'fault-app', name).slice(2)).to.deep.equal([
        'Cycling',
        'State changed from up to complete',
        'Stopping all processes with SIGTERM',
        'Process exited with status 143',
      ])
    })

    it('cycle a formation dyno: Cycling, up to starting, SIGTERM, 143, and it starts again', async () => {
      emulator.faults.cycle('fault-app', 'web.1')
      expect(emulator.logLines('fault-app').slice(-6).map(l => l.replace(/^\S+ /, ''))).to.deep.equal([
        'heroku[web.1]: Cycling',
        'heroku[web.1]: State changed from up to starting',
        'heroku[web.1]: Stopping all processes with SIGTERM',
        'heroku[web.1]: Process exited with status 143',
        'heroku[web.1]: Starting process with command `node server.js`',
        'heroku[web.1]: State changed from starting to up',
      ])
    })

    it('outOfOrder: complete is delivered before the exit line, but stamped later', async () => {
      emulator.faults.outOfOrder()
      const {dyno, status} = await runDyno(emulator, 'fault-app', {command: 'exit 2'})
      expect(status).to.equal(2)
      const lines = emulator.logLines('fault-app').filter(l => l.includes(`heroku[${dyno.name}]`))
      const complete = lines.at(-2)!
      const exited = lines.at(-1)!
      expect(complete).to.match(/State changed from up to complete$/)
      expect(exited).to.match(/Process exited with status 2$/)
      expect(exited.slice(0, 32) < complete.slice(0, 32)).to.equal(true)
    })

    it('dropExitLine: no Process exited line, only complete', async () => {
      emulator.faults.dropExitLine()
      const {dyno, status} = await runDyno(emulator, 'fault-app', {command: 'exit 5'})
      expect(status).to.equal(5)
      const messages = dynoMessages(emulator, 'fault-app', dyno.name)
      expect(messages.some(m => m.startsWith('Process exited'))).to.equal(false)
      expect(messages.at(-1)).to.equal('State changed from up to complete')
    })
  })

  describe('log sessions', () => {
    it('cutSessions({afterLines}): the stream is cut after N lines, the next one is whole', async () => {
      emulator.createApp({name: 'cut-app'})
      for (let i = 0; i < 10; i++) emulator.appendLog('cut-app', 'app', 'web.1', `line ${i}`)
      emulator.faults.cutSessions({afterLines: 3})
      const url = (await api(emulator, 'POST', '/apps/cut-app/log-sessions', {lines: 10})).body.logplex_url
      const cut = await readStream(url)
      expect(cut.text.trimEnd().split('\n')).to.have.length(3)
      expect(cut.ended || cut.error !== undefined).to.equal(true)
      const whole = await readStream(url)
      expect(whole.text.trimEnd().split('\n')).to.have.length(10)
    })

    it('cutSessions mid-tail: a tail stream dies after N lines', async () => {
      emulator.createApp({name: 'cut-tail-app'})
      emulator.faults.cutSessions({afterLines: 2})
      const url = (await api(emulator, 'POST', '/apps/cut-tail-app/log-sessions', {tail: true})).body.logplex_url
      const reading = readStream(url, {accept: 'text/event-stream', timeoutMs: 3000})
      setTimeout(() => {
        for (let i = 0; i < 5; i++) emulator.appendLog('cut-tail-app', 'app', 'web.1', `tail ${i}`)
      }, 50)
      const read = await reading
      expect(read.text.match(/^data: /gm)).to.have.length(2)
      expect(read.ended || read.error !== undefined).to.equal(true)
    })

    it('expireSessions(): open tail streams end, and reopening gives 404', async () => {
      emulator.createApp({name: 'expire-app'})
      const url = (await api(emulator, 'POST', '/apps/expire-app/log-sessions', {tail: true})).body.logplex_url
      const reading = readStream(url, {accept: 'text/event-stream', timeoutMs: 3000})
      setTimeout(() => emulator.faults.expireSessions(), 100)
      const read = await reading
      expect(read.ended).to.equal(true)
      const again = await fetch(url, {headers: {Accept: 'text/event-stream'}})
      expect(again.status).to.equal(404)
      await again.body?.cancel()
    })

    it('expireSessions({afterMs}): new sessions expire that soon', async () => {
      emulator.faults.expireSessions({afterMs: 100})
      const url = (await api(emulator, 'POST', '/apps/fault-app/log-sessions', {tail: true})).body.logplex_url
      const read = await readStream(url, {timeoutMs: 2000})
      expect(read.ended).to.equal(true)
      const again = await fetch(url)
      expect(again.status).to.equal(404)
      await again.body?.cancel()
    })
  })
})
