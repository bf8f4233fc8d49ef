// The log stream reader (src/platform/log-stream.ts) in-process against the Platform API emulator
// over real HTTP: a log session made by HerokuPlatform through @heroku-cli/command's APIClient,
// then its logplex_url read as SSE (or plain lines); backlog, then tail; cut and expired sessions
// renewed with every line delivered exactly once; streams that end cleanly too soon; renewals that
// ask for what was missed. Lines are appended with emulator.appendLog, so the expected sequence is
// the emulator's own log, line for line.
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {expect} from 'chai'
import http from 'node:http'
import {type AddressInfo} from 'node:net'

import {HerokuPlatform} from '../../src/platform/heroku.js'
import {followLog, readSession, SeenLines, type SessionSource} from '../../src/platform/log-stream.js'
import {type Emulator, startEmulator} from '../emulator/index.js'
import {ROOT} from '../helpers/cli.js'

const APP = 'stream-app'

interface Collected {
  lines: string[]
  /** settles when the iteration ends (rejects with its error) */
  done: Promise<void>
  /** bounded wait until at least `count` lines have arrived */
  until(count: number, timeoutMs?: number): Promise<void>
  /** bounded wait for the iteration to end */
  ended(timeoutMs?: number): Promise<void>
  /** bounded wait for the iteration to end with an error: that error (undefined if it ended well) */
  failed(timeoutMs?: number): Promise<Error | undefined>
}

function collect(lines: AsyncIterable<string>): Collected {
  const got: string[] = []
  let finished = false
  let failure: unknown
  const done = (async () => {
    try {
      for await (const line of lines) got.push(line)
    } catch (error) {
      failure = error
      throw error
    } finally {
      finished = true
    }
  })()
  done.catch(() => {}) // observed through ended() or done
  return {
    done,
    async ended(timeoutMs = 5000) {
      await waitFor(`the read to end (${got.length} lines so far)`, () => finished, timeoutMs)
      await done
    },
    async failed(timeoutMs = 5000) {
      await waitFor(`the read to end (${got.length} lines so far)`, () => finished, timeoutMs)
      return failure as Error | undefined
    },
    lines: got,
    async until(count, timeoutMs = 5000) {
      await waitFor(`${count} lines (got ${got.length}${failure ? `, then ${(failure as Error).message}` : ''})`, () => got.length >= count || finished, timeoutMs)
      if (got.length < count) {
        await done
        throw new Error(`the read ended after ${got.length} of ${count} lines`)
      }
    },
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => {
      setTimeout(resolve, 5)
    })
  }
}

/** a local server answering every GET with `handler`; closed by the caller */
async function serve(handler: http.RequestListener): Promise<{close(): Promise<void>; url: string}> {
  const server = http.createServer(handler)
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return {
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  }
}

/**
 * Serves GET /?to=URL with what URL answers when asked for text/plain, chunk for chunk; a cut
 * upstream (the socket destroyed before the end) cuts the answer too.
 */
function plainPassThrough(req: http.IncomingMessage, res: http.ServerResponse): void {
  const target = new URL(req.url ?? '/', 'http://proxy').searchParams.get('to')!
  const relay = (up: http.IncomingMessage) => {
    res.writeHead(up.statusCode ?? 502, {'Content-Type': up.headers['content-type'] ?? 'text/plain'})
    up.on('data', chunk => res.write(chunk))
    up.on('end', () => res.end())
    up.on('error', () => res.destroy())
    up.on('close', () => {
      if (!up.complete) res.destroy()
    })
  }

  const upstream = http.get(target, {headers: {accept: 'text/plain'}}, relay)
  upstream.on('error', () => res.destroy())
  res.on('close', () => upstream.destroy())
}

/**
 * Serves GET /?to=URL with what URL answers, asked with the reader's own Accept; the first
 * `streams` answers end cleanly (a normal end of the response, no error) after `afterLines` lines,
 * as a proxy or a server giving up early would: the stream looks complete.
 */
function endingEarly(afterLines: number, streams = 1): http.RequestListener {
  let opened = 0
  return (req, res) => {
    const early = opened++ < streams
    const target = new URL(req.url ?? '/', 'http://proxy').searchParams.get('to')!
    const upstream = http.get(target, {headers: {accept: req.headers.accept ?? 'text/event-stream'}}, up => {
      const type = up.headers['content-type'] ?? 'text/plain'
      res.writeHead(up.statusCode ?? 502, {'Content-Type': type})
      // an SSE event ends at a blank line, a plain line at its newline
      const end = type.includes('text/event-stream') ? '\n\n' : '\n'
      let buffered = ''
      let lines = 0
      const stop = () => {
        res.end()
        upstream.destroy()
      }

      if (early && afterLines === 0) {
        stop()
        return
      }

      up.setEncoding('utf8')
      up.on('data', (text: string) => {
        if (res.writableEnded) return
        if (!early) {
          res.write(text)
          return
        }

        buffered += text
        for (let at = buffered.indexOf(end); at !== -1; at = buffered.indexOf(end)) {
          const piece = buffered.slice(0, at + end.length)
          buffered = buffered.slice(at + end.length)
          res.write(piece)
          if (piece.includes(end === '\n' ? ':' : 'data:') && ++lines >= afterLines) {
            stop()
            return
          }
        }
      })
      up.on('end', () => res.end())
      up.on('close', () => {
        if (!up.complete && !res.writableEnded) res.destroy()
      })
    })
    upstream.on('error', () => {
      if (!res.writableEnded) res.destroy()
    })
    res.on('close', () => upstream.destroy())
  }
}

/** writes the chunks one by one, each flushed before the next, then ends */
async function writeSlowly(res: http.ServerResponse, chunks: string[]): Promise<void> {
  for (const chunk of chunks) {
    await new Promise<void>(resolve => {
      res.write(chunk, () => resolve())
    })
    await new Promise(resolve => {
      setTimeout(resolve, 5)
    })
  }

  res.end()
}

describe('the log stream reader against the emulator', function () {
  this.timeout(30_000)
  let config: Config
  let emulator: Emulator
  let platform: HerokuPlatform
  const saved = {HEROKU_API_KEY: process.env.HEROKU_API_KEY, HEROKU_HOST: process.env.HEROKU_HOST}
  const controllers: AbortController[] = []
  const closers: Array<() => Promise<void>> = []

  /** an abort signal that afterEach fires, so no read outlives its test */
  const signal = (): AbortSignal => {
    const controller = new AbortController()
    controllers.push(controller)
    return controller.signal
  }

  const abortAll = () => {
    for (const c of controllers.splice(0)) c.abort()
  }

  const append = (count: number, prefix: string, dyno = 'worker.1') => {
    for (let i = 0; i < count; i++) emulator.appendLog(APP, 'app', dyno, `${prefix} ${i}`)
  }

  const logged = () => emulator.logLines(APP)
  const sessionsMade = () => emulator.requests.filter(r => r.method === 'POST' && r.path === `/apps/${APP}/log-sessions`)
  const streamsOpened = () => emulator.requests.filter(r => r.method === 'GET' && r.path === '/stream')

  before(async () => {
    config = await Config.load(ROOT)
  })

  beforeEach(async () => {
    emulator = await startEmulator()
    emulator.createApp({name: APP})
    // @heroku-cli/command reads both when the client is made (the API URL) and on first request (the key)
    process.env.HEROKU_HOST = emulator.url
    process.env.HEROKU_API_KEY = emulator.apiKey
    platform = await HerokuPlatform.connect(new APIClient(config), APP)
  })

  afterEach(async () => {
    abortAll()
    for (const close of closers.splice(0)) await close()
    await emulator.stop()
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })

  describe('backlog and tail', () => {
    it('reads the backlog, then the tail, as SSE, each line once and in order', async () => {
      append(25, 'before')
      const read = collect(platform.logLines({lines: 1500, tail: true}, signal()))
      await read.until(25)
      append(15, 'after')
      await read.until(40)
      expect(read.lines).to.deep.equal(logged())
      expect(read.lines[0]).to.match(/^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 app\[worker\.1\]: before 0$/)
      expect(read.lines.at(-1)).to.match(/ app\[worker\.1\]: after 14$/)
      // one session, asked as the Heroku CLI asks, read as server-sent events
      expect(sessionsMade().map(r => r.body)).to.deep.equal([{lines: 1500, tail: true}])
      expect(streamsOpened()).to.have.length(1)
      expect(streamsOpened()[0].headers.accept).to.equal('text/event-stream')
      abortAll()
      await read.ended()
      expect(read.lines).to.have.length(40)
    })

    it('a non-tail read sends the last `lines` of the backlog and ends by itself', async () => {
      append(30, 'line')
      const read = collect(platform.logLines({lines: 10, tail: false}, signal()))
      await read.ended()
      expect(read.lines).to.deep.equal(logged().slice(-10))
      expect(sessionsMade().map(r => r.body)).to.deep.equal([{lines: 10, tail: false}])
    })

    it('a non-tail read of an empty log ends with no line', async () => {
      const read = collect(platform.logLines({lines: 1500, tail: false}, signal()))
      await read.ended()
      expect(read.lines).to.deep.equal([])
    })

    it('the backlog holds the last 1500 lines', async () => {
      append(1600, 'many')
      const read = collect(platform.logLines({lines: 1500, tail: false}, signal()))
      await read.ended()
      expect(read.lines).to.have.length(1500)
      expect(read.lines).to.deep.equal(logged().slice(-1500))
      expect(read.lines[0]).to.match(/: many 100$/)
    })

    it('asks for one dyno\'s lines as heroku logs --dyno does (the prefix rule is the platform\'s)', async () => {
      append(3, 'mine', 'run.5')
      append(3, 'other', 'run.55')
      append(3, 'worker', 'worker.1')
      const read = collect(platform.logLines({dyno: 'run.5', lines: 1500, tail: false}, signal()))
      await read.ended()
      expect(read.lines).to.have.length(3)
      for (const line of read.lines) expect(line).to.match(/ app\[run\.5\]: mine \d$/)
      expect(sessionsMade()[0].body).to.deep.include({dyno: 'run.5'})
    })

    it('aborting a tail read ends it promptly', async () => {
      append(5, 'line')
      const controller = new AbortController()
      controllers.push(controller)
      const read = collect(platform.logLines({lines: 1500, tail: true}, controller.signal))
      await read.until(5)
      const at = Date.now()
      controller.abort()
      await read.ended(2000)
      expect(Date.now() - at).to.be.below(1000)
    })
  })

  describe('SSE and the plain-text fallback', () => {
    it('SSE: several lines in one event, comments, retry and id fields, frames split anywhere', async () => {
      const server = await serve((_req, res) => {
        res.writeHead(200, {'Content-Type': 'text/event-stream'})
        writeSlowly(res, [
          'retry: 1000\n\n: keepalive\n\n',
          'id: 1\ndata: 2026-01-01T00:00:00.000001+00:00 app[run.1]: one\n\n',
          'id: 2\nda',
          'ta: 2026-01-01T00:00:00.000002+00:00 app[run.1]: two\ndata: 2026-01-01T00:00:00.000003+00:00 app[run.1]: three\n',
          '\n: keepalive\n\ndata: \n\n',
          'data: 2026-01-01T00:00:00.000004+00:00 app[run.1]: fo',
          'ur\r\n\r\n',
        ]).catch(() => res.destroy())
      })
      closers.push(server.close)
      const read = collect(readSession(server.url, signal()))
      await read.ended()
      expect(read.lines.map(l => l.replace(/^.*: /, ''))).to.deep.equal(['one', 'two', 'three', 'four'])
    })

    it('plain text: lines split across chunks, CRLF, blank lines and a last line without a newline', async () => {
      let accept: string | undefined
      const server = await serve((req, res) => {
        accept = req.headers.accept
        res.writeHead(200, {'Content-Type': 'text/plain; charset=utf-8'})
        writeSlowly(res, [
          '2026-01-01T00:00:00.000001+00:00 app[run.1]: one\n2026-01-01T00:0',
          '0:00.000002+00:00 app[run.1]: tw',
          'o\r\n\n',
          '2026-01-01T00:00:00.000003+00:00 app[run.1]: héllo ✓\n2026-01-01T00:00:00.000004+00:00 app[run.1]: last',
        ]).catch(() => res.destroy())
      })
      closers.push(server.close)
      const read = collect(readSession(server.url, signal()))
      await read.ended()
      expect(accept).to.equal('text/event-stream')
      expect(read.lines).to.deep.equal([
        '2026-01-01T00:00:00.000001+00:00 app[run.1]: one',
        '2026-01-01T00:00:00.000002+00:00 app[run.1]: two',
        '2026-01-01T00:00:00.000003+00:00 app[run.1]: héllo ✓',
        '2026-01-01T00:00:00.000004+00:00 app[run.1]: last',
      ])
    })

    it('plain text from the emulator (asked without SSE): backlog, tail and a cut renewed, each line once', async () => {
      // a pass-through that drops the reader's Accept, so the emulator answers text/plain
      const proxy = await serve(plainPassThrough)
      closers.push(proxy.close)
      const viaProxy: SessionSource = {
        async logSession(options) {
          const session = await platform.logSession(options)
          return {logplex_url: `${proxy.url}/?to=${encodeURIComponent(session.logplex_url!)}`}
        },
      }
      append(20, 'before')
      // the first stream opened is cut after its 24th line: 20 of backlog and 4 of tail
      emulator.faults.cutSessions({afterLines: 24})
      const renewals: string[] = []
      const read = collect(followLog(viaProxy, {lines: 1500, tail: true}, signal(), {onRenew: r => renewals.push(r), retryMs: 20}))
      await read.until(20)
      append(10, 'during')
      await read.until(30)
      append(5, 'after')
      await read.until(35)
      expect(read.lines).to.deep.equal(logged())
      expect(renewals).to.have.length(1)
      const streams = streamsOpened()
      expect(streams).to.have.length(2)
      for (const s of streams) expect(s.headers.accept).to.equal('text/plain')
    })
  })

  describe('sessions cut or expired', () => {
    it('a session cut in its backlog and again in its tail is renewed: no line lost, none repeated', async () => {
      append(30, 'backlog')
      // first stream: cut after 10 backlog lines; second: the whole backlog again (30), then 5 tail lines and cut
      emulator.faults.cutSessions({afterLines: 10})
      emulator.faults.cutSessions({afterLines: 35})
      const renewals: string[] = []
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {onRenew: r => renewals.push(r), retryMs: 20}))
      await read.until(30)
      expect(renewals).to.have.length(1)
      // the second stream is tailing now; ten more lines: five reach it before the cut, five come in the third's backlog
      append(10, 'tail')
      await read.until(40)
      append(10, 'later')
      await read.until(50)
      expect(read.lines).to.deep.equal(logged())
      expect(new Set(read.lines).size).to.equal(50)
      expect(renewals).to.have.length(2)
      // a renewed session asks for what was plausibly missed (little: the floor), and its backlog still reaches back to lines seen
      expect(sessionsMade().map(r => r.body)).to.deep.equal([{lines: 1500, tail: true}, {lines: 100, tail: true}, {lines: 100, tail: true}])
    })

    it('a session cut before its first line is renewed', async () => {
      append(5, 'line')
      emulator.faults.cutSessions({afterLines: 0, count: 2})
      const read = collect(followLog(platform, {lines: 100, tail: true}, signal(), {retryMs: 20}))
      await read.until(5)
      append(3, 'more')
      await read.until(8)
      expect(read.lines).to.deep.equal(logged())
      // nothing seen yet: a renewal asks again for the backlog the read asked for
      expect(sessionsMade().map(r => (r.body as {lines: number}).lines)).to.deep.equal([100, 100, 100])
    })

    it('lines appended while the stream was down come once, from the new session\'s backlog', async () => {
      append(10, 'first')
      emulator.faults.cutSessions({afterLines: 12})
      let renewed = 0
      // the pause before renewing is long enough to append many lines into it
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {
        onRenew() {
          renewed++
          append(200, 'gap')
        },
        retryMs: 100,
      }))
      await read.until(10)
      append(5, 'tail')
      await read.until(215)
      expect(renewed).to.equal(1)
      expect(read.lines).to.deep.equal(logged())
    })

    it('beyond the 1500-line backlog the lines in between are gone, but none is repeated', async () => {
      append(10, 'first')
      emulator.faults.cutSessions({afterLines: 10})
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {
        onRenew: () => append(2000, 'flood'),
        retryMs: 50,
      }))
      await read.until(1510, 10_000)
      await new Promise(resolve => {
        setTimeout(resolve, 100)
      })
      const all = logged()
      expect(read.lines).to.deep.equal([...all.slice(0, 10), ...all.slice(-1500)])
    })

    it('a session that expires while tailing ends its stream and is renewed (HerokuPlatform.logLines)', async () => {
      append(10, 'before')
      const read = collect(platform.logLines({lines: 1500, tail: true}, signal()))
      await read.until(10)
      emulator.faults.expireSessions()
      // appended between the end of the old stream and the new session (logLines waits a second to
      // renew); not at once, as the emulator's ended stream stays subscribed until its 'close'
      await new Promise(resolve => {
        setTimeout(resolve, 200)
      })
      expect(sessionsMade()).to.have.length(1)
      append(5, 'between')
      await read.until(15)
      append(5, 'after')
      await read.until(20)
      expect(read.lines).to.deep.equal(logged())
      expect(sessionsMade()).to.have.length(2)
      expect(streamsOpened()).to.have.length(2)
    })

    it('sessions that expire every 250 ms, under a steady flow of lines: each line exactly once, in order', async () => {
      emulator.faults.expireSessions({afterMs: 250})
      const renewals: string[] = []
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {onRenew: r => renewals.push(r), retryMs: 20}))
      for (let i = 0; i < 80; i++) {
        emulator.appendLog(APP, 'app', 'worker.1', `steady ${i}`)
        await new Promise(resolve => {
          setTimeout(resolve, 20)
        })
      }

      await read.until(80)
      await new Promise(resolve => {
        setTimeout(resolve, 300)
      })
      expect(read.lines).to.deep.equal(logged())
      expect(renewals.length).to.be.at.least(3)
    })

    it('an expired session\'s URL answers 404, and the reader opens a new session', async () => {
      append(4, 'line')
      let calls = 0
      const expiring: SessionSource = {
        async logSession(options) {
          const session = await platform.logSession(options)
          // the first session has expired by the time its URL is read
          if (++calls === 1) emulator.faults.expireSessions()
          return session
        },
      }
      const renewals: string[] = []
      const read = collect(followLog(expiring, {lines: 1500, tail: true}, signal(), {onRenew: r => renewals.push(r), retryMs: 20}))
      await read.until(4)
      expect(renewals).to.deep.equal(['log session expired (404)'])
      expect(streamsOpened().map(r => r.status)).to.deep.equal([404, 200])
      expect(read.lines).to.deep.equal(logged())
    })

    it('a non-tail read whose session expired before it was read opens a new one', async () => {
      append(4, 'line')
      let calls = 0
      const expiring: SessionSource = {
        async logSession(options) {
          const session = await platform.logSession(options)
          if (++calls === 1) emulator.faults.expireSessions()
          return session
        },
      }
      const read = collect(followLog(expiring, {lines: 1500, tail: false}, signal(), {retryMs: 20}))
      await read.ended()
      expect(read.lines).to.deep.equal(logged())
      // then a one-line session confirms it: 4 lines are fewer than the 1500 asked for
      expect(streamsOpened().map(r => r.status)).to.deep.equal([404, 200, 200])
    })

    it('a non-tail read whose stream fails is renewed; one that always fails ends with an error after maxFailures', async () => {
      append(6, 'line')
      let answers = 0
      let failFirst = 1
      // in front of the emulator's stream: the first `failFirst` reads of it answer 503
      const front = await serve((req, res) => {
        if (answers++ < failFirst) {
          res.writeHead(503, {'Content-Type': 'text/plain'})
          res.end('unavailable')
          return
        }

        const target = new URL(req.url ?? '/', 'http://front').searchParams.get('to')!
        fetch(target, {headers: {accept: 'text/event-stream'}}).then(async up => {
          res.writeHead(up.status, {'Content-Type': up.headers.get('content-type') ?? 'text/plain'})
          res.end(await up.text())
        }, () => res.destroy())
      })
      closers.push(front.close)
      const viaFront: SessionSource = {
        async logSession(options) {
          const session = await platform.logSession(options)
          return {logplex_url: `${front.url}/?to=${encodeURIComponent(session.logplex_url!)}`}
        },
      }
      const renewals: string[] = []
      const read = collect(followLog(viaFront, {lines: 1500, tail: false}, signal(), {onRenew: r => renewals.push(r), retryMs: 20}))
      await read.ended()
      expect(read.lines).to.deep.equal(logged())
      expect(renewals).to.deep.equal(['log stream failed with 503 Service Unavailable'])

      answers = 0
      failFirst = 100
      const before = sessionsMade().length
      const failing = collect(followLog(viaFront, {lines: 1500, tail: false}, signal(), {maxFailures: 3, retryMs: 20}))
      const error = await failing.failed()

      expect(error?.message).to.equal('log stream failed with 503 Service Unavailable')
      expect(sessionsMade().length - before).to.equal(3)
      expect(failing.lines).to.deep.equal([])
    })

    it('a session that cannot be made is retried, and after maxFailures in a row the read fails', async () => {
      append(3, 'line')
      emulator.faults.serverError({count: 1, match: /log-sessions/, status: 503})
      const read = collect(followLog(platform, {lines: 1500, tail: false}, signal(), {retryMs: 20}))
      await read.ended()
      expect(read.lines).to.deep.equal(logged())

      emulator.faults.serverError({count: 100, match: /log-sessions/, status: 503})
      const failing = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {maxFailures: 3, retryMs: 20}))
      const error = await failing.failed(10_000)

      expect(error?.message).to.match(/log-sessions/)
      expect(failing.lines).to.deep.equal([])
    })
  })

  describe('streams that end cleanly too soon', () => {
    /** the platform's sessions, their streams read through `handler` */
    const via = async (handler: http.RequestListener): Promise<SessionSource> => {
      const proxy = await serve(handler)
      closers.push(proxy.close)
      return {
        async logSession(options) {
          const session = await platform.logSession(options)
          return {logplex_url: `${proxy.url}/?to=${encodeURIComponent(session.logplex_url!)}`}
        },
      }
    }

    const asked = () => sessionsMade().map(r => r.body)

    it('a read without tail whose stream ends cleanly mid-backlog still gives every line, once and in order', async () => {
      append(30, 'line')
      const renewals: string[] = []
      const read = collect(followLog(await via(endingEarly(10)), {lines: 1500, tail: false}, signal(), {onRenew: r => renewals.push(r), retryMs: 20}))
      await read.ended()
      expect(read.lines).to.deep.equal(logged())
      // the 10 lines are fewer than asked for; a one-line session shows the log's newest was not seen; the backlog again
      expect(asked()).to.deep.equal([{lines: 1500, tail: false}, {lines: 1, tail: false}, {lines: 1500, tail: false}])
      expect(renewals).to.deep.equal(['log stream ended before its backlog did'])
    })

    it('a read of the last 10 lines cut after 4 gives those 10 lines, no more', async () => {
      append(40, 'line')
      const read = collect(followLog(await via(endingEarly(4)), {lines: 10, tail: false}, signal(), {retryMs: 20}))
      await read.ended()
      expect(read.lines).to.deep.equal(logged().slice(-10))
      expect(asked()).to.deep.equal([{lines: 10, tail: false}, {lines: 1, tail: false}, {lines: 10, tail: false}])
    })

    it('a read that got all it asked for costs no more session; a short complete one costs one line', async () => {
      append(12, 'line')
      const full = collect(followLog(platform, {lines: 5, tail: false}, signal()))
      await full.ended()
      expect(full.lines).to.deep.equal(logged().slice(-5))
      expect(asked()).to.deep.equal([{lines: 5, tail: false}])

      const short = collect(followLog(platform, {lines: 1500, tail: false}, signal(), {onRenew: () => expect.fail('renewed')}))
      await short.ended()
      expect(short.lines).to.deep.equal(logged())
      expect(asked().slice(1)).to.deep.equal([{lines: 1500, tail: false}, {lines: 1, tail: false}])
    })

    it('a read whose every stream ends early stops after maxFailures renewals, with an error', async () => {
      append(30, 'line')
      const read = collect(followLog(await via(endingEarly(3, Number.POSITIVE_INFINITY)), {lines: 1500, tail: false}, signal(), {maxFailures: 3, retryMs: 20}))
      const error = await read.failed()

      expect(error?.message).to.equal('log stream ended before its backlog did')
      expect(read.lines).to.deep.equal(logged().slice(0, 3))
      // the read, the one-line check, then three renewals
      expect(asked().map(b => (b as {lines: number}).lines)).to.deep.equal([1500, 1, 1500, 1500, 1500])
    })
  })

  describe('a renewed tail session asks for what was missed', () => {
    /** `count` lines written one second apart, the last one second ago: a quiet log's rate */
    const appendPaced = (count: number, prefix: string) => {
      const last = Date.now() - 1000
      for (let i = 0; i < count; i++) emulator.appendLog(APP, 'app', 'worker.1', `${prefix} ${i}`, new Date(last - (count - 1 - i) * 1000))
    }

    it('little missed: the renewal asks for the floor of 100 lines, and every line comes once', async () => {
      appendPaced(40, 'paced')
      // the first stream is cut after its backlog and 5 tail lines
      emulator.faults.cutSessions({afterLines: 45})
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {onRenew: () => append(5, 'during'), retryMs: 20}))
      await read.until(40)
      append(5, 'tail')
      await read.until(50)
      append(5, 'after')
      await read.until(55)
      expect(read.lines).to.deep.equal(logged())
      expect(sessionsMade().map(r => r.body)).to.deep.equal([{lines: 1500, tail: true}, {lines: 100, tail: true}])
    })

    it('the renewal asks for twice what the line rate says was missed, up to 1500', async () => {
      // 100 lines a second for 10 s; the read's clock then jumps: 2 s, then 60 s after the last line
      const last = Date.now() - 1000
      for (let i = 0; i < 1000; i++) emulator.appendLog(APP, 'app', 'worker.1', `busy ${i}`, new Date(last - (999 - i) * 10))
      let clock = Date.now()
      const jumps = [2000, 60_000]
      emulator.faults.cutSessions({afterLines: 1000})
      emulator.faults.cutSessions({afterLines: 0})
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {
        now: () => clock,
        onRenew() {
          clock += jumps.shift() ?? 0
        },
        retryMs: 20,
      }))
      await read.until(1000)
      await waitFor('three sessions', () => sessionsMade().length >= 3)
      // 1000 lines over 10 s, then 2 s: about 1000 × 2 / 12 = 167 missed, twice that asked; then beyond the cap
      const lines = sessionsMade().map(r => (r.body as {lines: number}).lines)
      expect(lines[0]).to.equal(1500)
      expect(lines[1]).to.be.within(330, 340)
      expect(lines[2]).to.equal(1500)
    })

    it('a gap longer than the small backlog: the whole backlog once, so no line is lost', async () => {
      appendPaced(40, 'paced')
      emulator.faults.cutSessions({afterLines: 40})
      // 300 lines while the stream is down: more than the renewal's 100
      const read = collect(followLog(platform, {lines: 1500, tail: true}, signal(), {onRenew: () => append(300, 'gap'), retryMs: 20}))
      await read.until(340)
      append(5, 'after')
      await read.until(345)
      expect(read.lines).to.deep.equal(logged())
      expect(new Set(read.lines).size).to.equal(345)
      expect(sessionsMade().map(r => r.body)).to.deep.equal([{lines: 1500, tail: true}, {lines: 100, tail: true}, {lines: 1500, tail: false}])
    })

    it('a read that asked for no backlog gets the lines it missed, not the older ones the whole backlog holds', async () => {
      appendPaced(50, 'old')
      emulator.faults.cutSessions({afterLines: 10})
      const read = collect(followLog(platform, {lines: 0, tail: true}, signal(), {onRenew: () => append(300, 'gap'), retryMs: 20}))
      await waitFor('the stream to open', () => streamsOpened()[0]?.status === 200)
      append(10, 'new')
      await read.until(310)
      append(5, 'after')
      await read.until(315)
      expect(read.lines).to.deep.equal(logged().slice(50))
      expect(sessionsMade().map(r => r.body)).to.deep.equal([{lines: 0, tail: true}, {lines: 100, tail: true}, {lines: 1500, tail: false}])
    })

    it('a whole backlog that itself ends early is a broken session: renewed again, no line lost', async () => {
      appendPaced(40, 'paced')
      emulator.faults.cutSessions({afterLines: 40})
      let renewals = 0
      // the third stream (the whole backlog after the first renewal) ends cleanly after 20 lines
      let streams = 0
      const proxy = await serve((req, res) => {
        (++streams === 3 ? endingEarly(20) : endingEarly(0, 0))(req, res)
      })
      closers.push(proxy.close)
      const viaProxy: SessionSource = {
        async logSession(options) {
          const session = await platform.logSession(options)
          return {logplex_url: `${proxy.url}/?to=${encodeURIComponent(session.logplex_url!)}`}
        },
      }
      const read = collect(followLog(viaProxy, {lines: 1500, tail: true}, signal(), {
        onRenew() {
          if (renewals++ === 0) append(300, 'gap')
        },
        retryMs: 20,
      }))
      await read.until(340)
      append(5, 'after')
      await read.until(345)
      expect(read.lines).to.deep.equal(logged())
      expect(renewals).to.equal(2)
      expect(sessionsMade().map(r => r.body)).to.deep.equal([
        {lines: 1500, tail: true}, {lines: 100, tail: true}, {lines: 1500, tail: false}, {lines: 100, tail: true}, {lines: 1500, tail: false},
      ])
    })
  })

  describe('SeenLines', () => {
    it('drops a line seen before, and forgets the oldest beyond its capacity', () => {
      const seen = new SeenLines(3)
      expect(['a', 'b', 'c'].map(l => seen.add(l))).to.deep.equal([true, true, true])
      expect(seen.add('a')).to.equal(false)
      expect(seen.add('d')).to.equal(true)
      expect(seen.add('a')).to.equal(true)
      expect(seen.add('d')).to.equal(false)
    })
  })
})
