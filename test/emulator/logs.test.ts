// Log sessions and the stream behind logplex_url: backlog then tail, SSE and plain text, filters,
// expiry, Last-Event-ID, and the EventSource client the heroku CLI uses.
import {expect} from 'chai'
import {EventSource} from 'eventsource'

import {api, readStream, runDyno} from './helpers.js'
import {type Emulator, startEmulator} from './index.js'

const TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00`

describe('emulator: log sessions and streams', () => {
  let emulator: Emulator

  const session = async (app: string, body: Record<string, unknown>): Promise<string> => {
    const reply = await api(emulator, 'POST', `/apps/${app}/log-sessions`, body, {Accept: 'application/vnd.heroku+json; version=3.sdk'})
    expect(reply.status).to.equal(201)
    return reply.body.logplex_url
  }

  before(async () => {
    emulator = await startEmulator({keepaliveMs: 100, sessionExpiryMs: 400})
    emulator.createApp({name: 'log-app'})
    emulator.appendLog('log-app', 'app', 'web.1', 'request one')
    emulator.appendLog('log-app', 'heroku', 'router', 'at=info method=GET path="/"')
    emulator.appendLog('log-app', 'app', 'web.12', 'request two')
    emulator.appendLog('log-app', 'heroku', 'web.1', 'State changed from starting to up')
    emulator.appendLog('log-app', 'app', 'worker.1', 'working')
    emulator.appendLog('log-app', 'app', 'api', 'Release v2 created by user dev@example.com')
  })

  after(async () => {
    await emulator.stop()
  })

  afterEach(() => emulator.reset())

  it('creates a session whose logplex_url points at the emulator, with the token in the URL', async () => {
    const reply = await api(emulator, 'POST', '/apps/log-app/log-sessions', {dyno: 'web.1', lines: 10, tail: false})
    expect(reply.status).to.equal(201)
    expect(reply.body).to.have.all.keys('created_at', 'id', 'logplex_url', 'updated_at')
    const url = new URL(reply.body.logplex_url)
    expect(url.origin).to.equal(emulator.url)
    expect(url.searchParams.get('token')).to.match(/^[\w-]{20,}$/)
    expect(url.searchParams.get('num')).to.equal('10')
    expect(url.searchParams.get('ps')).to.equal('web.1')
    expect(url.searchParams.get('tail')).to.equal('false')
  })

  it('serves the backlog as chunked text/plain lines without SSE, and closes without tail', async () => {
    const url = await session('log-app', {lines: 100})
    const read = await readStream(url)
    expect(read.status).to.equal(200)
    expect(read.headers.get('content-type')).to.match(/^text\/plain/)
    expect(read.ended).to.equal(true)
    const lines = read.text.trimEnd().split('\n')
    expect(lines).to.have.length(6)
    expect(lines[0]).to.match(new RegExp(`^${TS} app\\[web\\.1\\]: request one$`))
    expect(lines[1]).to.match(new RegExp(`^${TS} heroku\\[router\\]: at=info method=GET path="/"$`))
    expect(lines[5]).to.match(new RegExp(`^${TS} app\\[api\\]: Release v2 created by user dev@example\\.com$`))
  })

  it('serves text/event-stream frames (id: n, data: line) when asked', async () => {
    const url = await session('log-app', {lines: 2})
    const read = await readStream(url, {accept: 'text/event-stream'})
    expect(read.headers.get('content-type')).to.equal('text/event-stream')
    const frames = read.text.split('\n\n').filter(Boolean)
    expect(frames).to.have.length(2)
    expect(frames[0]).to.match(new RegExp(`^id: \\d+\\ndata: ${TS} app\\[worker\\.1\\]: working$`))
    expect(frames[1]).to.match(/^id: \d+\ndata: .* app\[api\]: Release v2/)
  })

  it('filters ps exactly or as a name. prefix, and source exactly; dyno, dyno_name and type all work', async () => {
    const ps = async (body: Record<string, unknown>): Promise<string[]> => {
      const read = await readStream(await session('log-app', {lines: 100, ...body}))
      return read.text.trimEnd().split('\n').filter(Boolean).map(l => l.replace(/^\S+ /, ''))
    }

    expect(await ps({dyno: 'web.1'})).to.deep.equal(['app[web.1]: request one', 'heroku[web.1]: State changed from starting to up'])
    expect(await ps({dyno_name: 'web.1'})).to.have.length(2)
    expect(await ps({dyno: 'web'})).to.have.length(3)
    expect(await ps({type: 'web'})).to.have.length(3)
    expect(await ps({dyno: 'web', source: 'app'})).to.deep.equal(['app[web.1]: request one', 'app[web.12]: request two'])
    expect(await ps({source: 'heroku'})).to.have.length(2)
    expect(await ps({dyno: 'api'})).to.deep.equal(['app[api]: Release v2 created by user dev@example.com'])
  })

  it('takes the last `lines` lines, then filters (so a filtered backlog can be shorter)', async () => {
    const read = await readStream(await session('log-app', {dyno: 'web', lines: 3}))
    expect(read.text.trimEnd().split('\n')).to.have.length(1)
  })

  it('keeps only the last 1500 lines; lines above 1500 are capped', async () => {
    emulator.createApp({name: 'busy-app'})
    for (let i = 0; i < 1600; i++) emulator.appendLog('busy-app', 'app', 'web.1', `line ${i}`)
    const reply = await api(emulator, 'POST', '/apps/busy-app/log-sessions', {lines: 5000})
    expect(new URL(reply.body.logplex_url).searchParams.get('num')).to.equal('1500')
    const read = await readStream(reply.body.logplex_url)
    const lines = read.text.trimEnd().split('\n')
    expect(lines).to.have.length(1500)
    expect(lines[0]).to.match(/line 100$/)
    expect(emulator.logLines('busy-app')).to.have.length(1600)
  })

  it('with tail, sends the backlog and then new lines as they come, with keepalive comments', async () => {
    emulator.createApp({name: 'tail-app'})
    emulator.appendLog('tail-app', 'app', 'web.1', 'before')
    const url = await session('tail-app', {lines: 10, tail: true})
    const reading = readStream(url, {accept: 'text/event-stream', timeoutMs: 5000, until: text => text.includes('after-2') && text.includes(': keepalive')})
    setTimeout(() => emulator.appendLog('tail-app', 'app', 'web.1', 'after-1'), 50)
    setTimeout(() => emulator.appendLog('tail-app', 'app', 'web.1', 'after-2'), 150)
    const read = await reading
    expect(read.ended).to.equal(false)
    const data = read.text.split('\n').filter(l => l.startsWith('data: ')).map(l => l.replace(/^data: \S+ /, ''))
    expect(data).to.deep.equal(['app[web.1]: before', 'app[web.1]: after-1', 'app[web.1]: after-2'])
    expect(read.text).to.contain(': keepalive\n\n')
  })

  it('tails a dyno by name: its lines only, not the app[api] announcement', async () => {
    emulator.createApp({name: 'run-app'})
    const created = await api(emulator, 'POST', '/apps/run-app/dynos', {command: 'sleep 0.2; echo done'})
    const url = await session('run-app', {dyno: created.body.name, tail: true})
    const read = await readStream(url, {timeoutMs: 5000, until: text => text.includes('State changed from up to complete')})
    const messages = read.text.trimEnd().split('\n').map(l => l.replace(/^\S+ /, ''))
    expect(messages.every(m => m.includes(`[${created.body.name}]`))).to.equal(true)
    expect(messages.map(m => m.replace(/^\S+: /, ''))).to.deep.equal([
      'Starting process with command `sleep 0.2; echo done`',
      'State changed from starting to up',
      'done',
      'Process exited with status 0',
      'State changed from up to complete',
    ])
  })

  it('opens SSE streams with retry: N when sseRetryMs is set', async () => {
    const other = await startEmulator({sseRetryMs: 250})
    try {
      other.createApp({name: 'retry-app'})
      other.appendLog('retry-app', 'app', 'web.1', 'x')
      const url = (await api(other, 'POST', '/apps/retry-app/log-sessions', {})).body.logplex_url
      const read = await readStream(url, {accept: 'text/event-stream'})
      expect(read.text).to.match(/^retry: 250\n\nid: \d+\ndata: /)
      const plain = await readStream(url)
      expect(plain.text).not.to.contain('retry')
    } finally {
      await other.stop()
    }
  })

  it('resumes after Last-Event-ID when an EventSource reconnects', async () => {
    const url = await session('log-app', {lines: 100, tail: false})
    const first = await readStream(url, {accept: 'text/event-stream'})
    const ids = [...first.text.matchAll(/^id: (\d+)$/gm)].map(m => Number(m[1]))
    const resumed = await readStream(url, {accept: 'text/event-stream', headers: {'Last-Event-ID': String(ids[3])}})
    expect([...resumed.text.matchAll(/^id: (\d+)$/gm)].map(m => Number(m[1]))).to.deep.equal(ids.slice(4))
  })

  it('answers 404 for an unknown token and for a session past its expiry', async () => {
    const unknown = await fetch(`${emulator.url}/stream?token=nope`)
    expect(unknown.status).to.equal(404)
    await unknown.body?.cancel()
    const url = await session('log-app', {lines: 1})
    const fresh = await readStream(url)
    expect(fresh.status).to.equal(200)
    await new Promise(resolve => setTimeout(resolve, 450))
    const expired = await fetch(url)
    expect(expired.status).to.equal(404)
    await expired.body?.cancel()
  })

  it('works with the EventSource client the heroku CLI uses (eventsource v4)', async () => {
    const url = await session('log-app', {lines: 3})
    const lines = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = []
      const es = new EventSource(url)
      const timer = setTimeout(() => {
        es.close()
        reject(new Error('no end of stream'))
      }, 3000)
      es.addEventListener('message', event => got.push(...event.data.trim().split(/\n+/)))
      es.addEventListener('error', event => {
        clearTimeout(timer)
        // eventsource arms its reconnect timer after dispatching the event: close after that
        setImmediate(() => es.close())
        if (event.code) reject(new Error(`eventsource failed: ${event.code} ${event.message}`))
        else resolve(got)
      })
    })
    expect(lines.map(l => l.replace(/^\S+ /, ''))).to.deep.equal([
      'heroku[web.1]: State changed from starting to up',
      'app[worker.1]: working',
      'app[api]: Release v2 created by user dev@example.com',
    ])
  })

  it('appendLog takes an explicit time, and waitForLine is bounded', async () => {
    emulator.appendLog('log-app', 'heroku', 'run.1', 'Process exited with status 0', new Date('2020-11-07T16:04:52.156Z'))
    expect(emulator.logLines('log-app').at(-1)).to.equal('2020-11-07T16:04:52.156000+00:00 heroku[run.1]: Process exited with status 0')
    emulator.appendLog('log-app', 'app', null, 'no dyno')
    expect(emulator.logLines('log-app').at(-1)).to.match(new RegExp(`^${TS} app: no dyno$`))
    const started = Date.now()
    let message = ''
    await emulator.waitForLine('log-app', /never appears/, 100).catch(error => {
      message = (error as Error).message
    })
    expect(message).to.contain('never appears')
    expect(Date.now() - started).to.be.below(1000)
  })

  it('records the stream request without needing an Authorization header', async () => {
    const {dyno} = await runDyno(emulator, 'log-app', {command: 'echo x'})
    const url = await session('log-app', {dyno: dyno.name})
    const read = await readStream(url)
    expect(read.status).to.equal(200)
    const recorded = emulator.requests.find(r => r.path === '/stream')
    expect(recorded?.status).to.equal(200)
    expect(recorded?.headers.authorization).to.equal(undefined)
  })
})
