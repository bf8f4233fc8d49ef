// The emulator's Platform API over real HTTP: headers, errors, apps, config vars, releases,
// paging, sizes, formation, people, and particleboard's Scheduler jobs.
import {expect} from 'chai'

import {api, type Reply} from './helpers.js'
import {type Emulator, startEmulator} from './index.js'

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 /

describe('emulator: Platform API', () => {
  let emulator: Emulator
  let appId: string

  before(async () => {
    emulator = await startEmulator({pageSize: 3, stopGraceMs: 200})
    appId = emulator.createApp({
      configVars: {FOO: 'one', LANG: 'en_US.UTF-8'},
      formation: {web: 1},
      name: 'api-app',
      procfile: {web: 'node server.js', worker: 'node worker.js'},
      schedulerJobs: [{at: 30, command: 'bin/hourly', dynoSize: 'standard-1x', every: 60}],
      sizeTier: 'standard',
    }).id
  })

  after(async () => {
    await emulator.stop()
  })

  afterEach(() => emulator.reset())

  describe('headers and errors', () => {
    it('answers JSON with RateLimit-Remaining and Request-Id on every response', async () => {
      const reply = await api(emulator, 'GET', '/apps/api-app')
      expect(reply.status).to.equal(200)
      expect(reply.headers.get('content-type')).to.equal('application/json')
      expect(Number(reply.headers.get('ratelimit-remaining'))).to.be.within(4000, 4500)
      expect(reply.headers.get('request-id')).to.match(/^[\da-f-]{36}$/)
      const missing = await api(emulator, 'GET', '/apps/nope')
      expect(missing.headers.get('ratelimit-remaining')).to.match(/^\d+$/)
      expect(missing.headers.get('request-id')).to.match(/^[\da-f-]{36}$/)
    })

    it('refuses a body over 8 MB with 413, and still answers on the same server', async () => {
      const big = await api(emulator, 'PATCH', '/apps/api-app/config-vars', {HUGE: 'x'.repeat(9 * 1024 * 1024)})
      expect(big.status).to.equal(413)
      expect(big.body.id).to.equal('request_entity_too_large')
      expect((await api(emulator, 'GET', '/apps/api-app/config-vars')).body).to.not.have.property('HUGE')
    })

    it('wants the v3 Accept header (any version=3.x variant), else 406', async () => {
      for (const accept of ['application/vnd.heroku+json; version=3.sdk', 'application/vnd.heroku+json; version=3.run-inside', 'application/vnd.heroku+json;version=3']) {
        expect((await api(emulator, 'GET', '/apps/api-app', undefined, {Accept: accept})).status, accept).to.equal(200)
      }

      const refused = await api(emulator, 'GET', '/apps/api-app', undefined, {Accept: 'application/json'})
      expect(refused.status).to.equal(406)
      expect(refused.body.id).to.equal('not_acceptable')
      expect(refused.body.message).to.be.a('string').and.contain('version=3')
    })

    it('takes only its API key: anything else is 401 unauthorized', async () => {
      const wrong = await api(emulator, 'GET', '/account', undefined, {Authorization: 'Bearer not-the-key'})
      expect(wrong.status).to.equal(401)
      expect(wrong.body).to.deep.equal({id: 'unauthorized', message: 'Invalid credentials provided.'})
      const none = await fetch(`${emulator.url}/account`, {headers: {Accept: 'application/vnd.heroku+json; version=3'}})
      expect(none.status).to.equal(401)
      const basic = await api(emulator, 'GET', '/account', undefined, {Authorization: `Basic ${Buffer.from(`:${emulator.apiKey}`).toString('base64')}`})
      expect(basic.status).to.equal(200)
    })

    it("says Couldn't find that app. for an unknown app, and not_found for an unknown endpoint", async () => {
      const reply = await api(emulator, 'GET', '/apps/no-such-app')
      expect(reply.status).to.equal(404)
      expect(reply.body).to.deep.equal({id: 'not_found', message: "Couldn't find that app."})
      const endpoint = await api(emulator, 'GET', '/nowhere')
      expect(endpoint.status).to.equal(404)
      expect(endpoint.body.id).to.equal('not_found')
      expect(endpoint.body.message).to.contain('endpoint was not found')
    })

    it('refuses a body that is not JSON with 400 bad_request', async () => {
      const reply = await fetch(`${emulator.url}/apps/api-app/config-vars`, {
        body: '{nope',
        headers: {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${emulator.apiKey}`, 'Content-Type': 'application/json'},
        method: 'PATCH',
      })
      expect(reply.status).to.equal(400)
      expect(((await reply.json()) as {id: string}).id).to.equal('bad_request')
    })

    it('records every request, with the authorization redacted', async () => {
      await api(emulator, 'PATCH', '/apps/api-app', {maintenance: false})
      const [recorded] = emulator.requests
      expect(recorded).to.include({method: 'PATCH', path: '/apps/api-app', status: 200})
      expect(recorded.body).to.deep.equal({maintenance: false})
      expect(recorded.headers.authorization).to.equal('[REDACTED]')
      expect(JSON.stringify(emulator.requests)).not.to.contain(emulator.apiKey)
      expect(recorded.at).to.be.closeTo(Date.now(), 5000)
    })
  })

  describe('account', () => {
    it('GET /account gives the user; GET /account/rate-limits the remaining tokens, not counted', async () => {
      const account = await api(emulator, 'GET', '/account')
      expect(account.body).to.include({email: 'dev@example.com', verified: true})
      expect(account.body.id).to.match(/^[\da-f-]{36}$/)
      const first = await api(emulator, 'GET', '/account/rate-limits')
      const second = await api(emulator, 'GET', '/account/rate-limits')
      expect(first.body.remaining).to.be.a('number')
      expect(second.body.remaining).to.equal(first.body.remaining)
    })
  })

  describe('apps', () => {
    it('GET /apps/:app by name or id, with maintenance, owner, stack and generation', async () => {
      const byName = await api(emulator, 'GET', '/apps/api-app')
      const byId = await api(emulator, 'GET', `/apps/${appId}`)
      expect(byId.body).to.deep.equal(byName.body)
      expect(byName.body).to.include({id: appId, maintenance: false, name: 'api-app'})
      expect(byName.body.owner).to.deep.include({email: 'dev@example.com'})
      expect(byName.body.stack.name).to.equal('heroku-24')
      expect(byName.body.generation.name).to.equal('cedar')
      expect(byName.body.web_url).to.match(/^https:\/\/api-app-[\da-f]{12}\.herokuapp\.com\/$/)
    })

    it('PATCH /apps/:app turns maintenance on and off', async () => {
      const on = await api(emulator, 'PATCH', '/apps/api-app', {maintenance: true})
      expect(on.body.maintenance).to.equal(true)
      expect(emulator.app('api-app')?.maintenance).to.equal(true)
      expect((await api(emulator, 'PATCH', '/apps/api-app', {maintenance: false})).body.maintenance).to.equal(false)
      expect((await api(emulator, 'PATCH', '/apps/api-app', {maintenance: 'yes'})).status).to.equal(422)
    })
  })

  describe('config vars', () => {
    it('GET gives the hash; PATCH sets, deletes with null, and answers the full hash', async () => {
      expect((await api(emulator, 'GET', '/apps/api-app/config-vars')).body).to.deep.equal({FOO: 'one', LANG: 'en_US.UTF-8'})
      const patched = await api(emulator, 'PATCH', '/apps/api-app/config-vars', {BAR: 'two', FOO: null})
      expect(patched.status).to.equal(200)
      expect(patched.body).to.deep.equal({BAR: 'two', LANG: 'en_US.UTF-8'})
      expect((await api(emulator, 'GET', `/apps/${appId}/config-vars`)).body).to.deep.equal({BAR: 'two', LANG: 'en_US.UTF-8'})
    })

    it('logs Set … config vars and Release vN created by user …, with one timestamp, then restarts the formation', async () => {
      const before = emulator.app('api-app')!.releaseVersion
      await api(emulator, 'PATCH', '/apps/api-app/config-vars', {ZED: 'z', ALPHA: 'a'})
      const lines = emulator.logLines('api-app')
      const set = lines.findLastIndex(l => / app\[api\]: Set ALPHA, ZED config vars by user dev@example\.com$/.test(l))
      expect(set).to.be.greaterThan(-1)
      expect(lines[set]).to.match(LINE)
      expect(lines[set + 1]).to.match(new RegExp(` app\\[api\\]: Release v${before + 1} created by user dev@example\\.com$`))
      expect(lines[set].slice(0, 32)).to.equal(lines[set + 1].slice(0, 32))
      const restart = lines.slice(set + 2, set + 8).map(l => l.replace(/^\S+ /, ''))
      expect(restart).to.deep.equal([
        'heroku[web.1]: Restarting',
        'heroku[web.1]: State changed from up to starting',
        'heroku[web.1]: Stopping all processes with SIGTERM',
        'heroku[web.1]: Process exited with status 143',
        'heroku[web.1]: Starting process with command `node server.js`',
        'heroku[web.1]: State changed from starting to up',
      ])
      const removed = await api(emulator, 'PATCH', '/apps/api-app/config-vars', {ZED: null})
      expect(removed.body).not.to.have.property('ZED')
      expect(emulator.logLines('api-app').at(-8)).to.match(/ app\[api\]: Remove ZED config vars by user dev@example\.com$/)
    })

    it(String.raw`refuses keys outside ^\w+$ and more than 32 kB of keys and values, with 422 and a clear message`, async () => {
      const badKey = await api(emulator, 'PATCH', '/apps/api-app/config-vars', {'BAD-KEY': 'x'})
      expect(badKey.status).to.equal(422)
      expect(badKey.body.id).to.equal('invalid_params')
      expect(badKey.body.message).to.contain('BAD-KEY')
      const before = emulator.app('api-app')!.releaseVersion
      const big = await api(emulator, 'PATCH', '/apps/api-app/config-vars', {BIG: 'x'.repeat(32 * 1024)})
      expect(big.status).to.equal(422)
      expect(big.body.id).to.equal('invalid_params')
      expect(big.body.message).to.match(/cannot exceed 32kb/)
      expect(emulator.app('api-app')!.releaseVersion).to.equal(before)
      expect((await api(emulator, 'GET', '/apps/api-app/config-vars')).body).not.to.have.property('BIG')
    })
  })

  describe('releases and paging', () => {
    it('lists releases; Range version ..; order=desc,max=1 gives the newest (as heroku config:set asks)', async () => {
      const newest = await api(emulator, 'GET', '/apps/api-app/releases', undefined, {Range: 'version ..; order=desc,max=1'})
      expect([200, 206]).to.include(newest.status)
      expect(newest.body).to.have.length(1)
      expect(newest.body[0].version).to.equal(emulator.app('api-app')!.releaseVersion)
      expect(newest.body[0]).to.include({current: true, status: 'succeeded'})
      const one = await api(emulator, 'GET', '/apps/api-app/releases/1')
      expect(one.body.description).to.equal('Initial release')
    })

    it('pages lists with Range: id ..; max=N, answering 206 with Next-Range and Content-Range', async () => {
      const sizes: string[] = []
      let range: null | string = 'name ..; max=4'
      let pages = 0
      while (range) {
        const reply: Reply<Array<{name: string}>> = await api(emulator, 'GET', '/dyno-sizes', undefined, {Range: range})
        pages++
        expect(reply.headers.get('content-range')).to.match(/^name \S+\.\.\S+$/)
        sizes.push(...reply.body.map(s => s.name))
        range = reply.headers.get('next-range')
        expect(reply.status).to.equal(range ? 206 : 200)
      }

      expect(pages).to.equal(4)
      expect(sizes).to.have.length(15)
      expect(sizes).to.deep.equal([...sizes].sort())
      const defaultPage = await api(emulator, 'GET', '/dyno-sizes')
      expect(defaultPage.status).to.equal(206)
      expect(defaultPage.body).to.have.length(3)
      expect(defaultPage.headers.get('next-range')).to.match(/^id \][\da-f-]{36}\.\.; max=3$/)
      const next = await api(emulator, 'GET', '/dyno-sizes', undefined, {Range: defaultPage.headers.get('next-range')!})
      expect(next.body[0].id > defaultPage.body[2].id).to.equal(true)
      const badField = await api(emulator, 'GET', '/dyno-sizes', undefined, {Range: 'memory ..'})
      expect(badField.status).to.equal(416)
      expect(badField.body.id).to.equal('requested_range_not_satisfiable')
    })
  })

  describe('sizes, formation, people', () => {
    it('GET /dyno-sizes lists capitalised sizes with memory, compute and dyno units', async () => {
      const reply = await api(emulator, 'GET', '/dyno-sizes', undefined, {Range: 'name ..; max=1000'})
      const names = reply.body.map((s: {name: string}) => s.name)
      expect(names).to.include.members(['Eco', 'Basic', 'Standard-1X', 'Standard-2X', 'Performance-M', 'Performance-L', 'Private-S', 'Shield-L'])
      const standard = reply.body.find((s: {name: string}) => s.name === 'Standard-2X')
      expect(standard).to.include({compute: 2, dyno_units: 2, memory: 1, private_space_only: false})
      expect((await api(emulator, 'GET', '/dyno-sizes/performance-m')).body.name).to.equal('Performance-M')
    })

    it('GET /apps/:app/formation lists every process type with quantity and size', async () => {
      const reply = await api(emulator, 'GET', '/apps/api-app/formation', undefined, {Range: 'type ..'})
      expect(reply.body.map((f: {quantity: number; type: string}) => [f.type, f.quantity])).to.deep.equal([
        ['web', 1],
        ['worker', 0],
      ])
      expect(reply.body[0]).to.include({command: 'node server.js', size: 'Standard-1X'})
      expect(reply.body[0].dyno_size.name).to.equal('Standard-1X')
    })

    it('GET /apps/:app/collaborators gives the owner', async () => {
      const reply = await api(emulator, 'GET', '/apps/api-app/collaborators')
      expect(reply.body).to.have.length(1)
      expect(reply.body[0].role).to.equal('owner')
      expect(reply.body[0].user.email).to.equal('dev@example.com')
    })
  })

  describe('particleboard: Heroku Scheduler jobs', () => {
    const jsonApi = {Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json'}

    it('lists the jobs of an app given by uuid, in JSON:API', async () => {
      const reply = await api(emulator, 'GET', `/apps/${appId}/jobs`, undefined, jsonApi)
      expect(reply.status).to.equal(200)
      expect(reply.headers.get('content-type')).to.equal('application/vnd.api+json')
      expect(reply.body.data).to.have.length(1)
      const [job] = reply.body.data
      expect(job.type).to.equal('jobs')
      expect(job.id).to.match(/^\d+$/)
      expect(job.attributes).to.include({at: 30, command: 'bin/hourly', 'dyno-size': 'Standard-1X', every: 60, 'ran-at': null})
      expect((await api(emulator, 'GET', '/apps/api-app/jobs', undefined, jsonApi)).status).to.equal(404)
    })

    it('creates, updates and deletes jobs, validating every and at', async () => {
      const created = await api(emulator, 'POST', `/apps/${appId}/jobs`, {data: {attributes: {at: 90, command: 'bin/nightly', 'dyno-size': 'Standard-2X', every: 1440}, type: 'jobs'}}, jsonApi)
      expect(created.status).to.equal(201)
      const {id} = created.body.data
      expect(created.body.data.attributes).to.include({at: 90, command: 'bin/nightly', 'dyno-size': 'Standard-2X', every: 1440})
      const patched = await api(emulator, 'PATCH', `/apps/${appId}/jobs/${id}`, {data: {attributes: {at: 20, every: 60}, id, type: 'jobs'}}, jsonApi)
      expect(patched.body.data.attributes).to.include({at: 20, command: 'bin/nightly', every: 60})
      for (const attributes of [{at: 5, command: 'x', every: 10}, {at: 15, command: 'x', every: 60}, {at: 45, command: 'x', every: 1440}, {at: 0, command: 'x', every: 30}, {at: 0, command: '', every: 10}]) {
        const bad = await api(emulator, 'POST', `/apps/${appId}/jobs`, {data: {attributes, type: 'jobs'}}, jsonApi)
        expect(bad.status, JSON.stringify(attributes)).to.equal(422)
        expect(bad.body.id).to.equal('invalid_params')
      }

      expect((await api(emulator, 'DELETE', `/apps/${appId}/jobs/${id}`, undefined, jsonApi)).status).to.equal(204)
      const left = await api(emulator, 'GET', `/apps/${appId}/jobs`, undefined, jsonApi)
      expect(left.body.data.map((j: {id: string}) => j.id)).not.to.include(id)
    })

    it('answers GET /account on the particleboard path too (the client delinquency check)', async () => {
      const reply = await api(emulator, 'GET', '/account', undefined, {Accept: 'application/vnd.heroku+json; version=3'})
      expect(reply.status).to.equal(200)
      expect(reply.body.email).to.equal('dev@example.com')
    })
  })
})
