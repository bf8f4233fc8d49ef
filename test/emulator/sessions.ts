import type {IncomingMessage, ServerResponse} from 'node:http'

// Log sessions (POST /apps/:app/log-sessions) and the stream behind their logplex_url: SSE when
// asked for text/event-stream, chunked text/plain otherwise; backlog, then tail; expiry.
import {randomBytes, randomUUID} from 'node:crypto'

import type {FaultState} from './faults.js'
import type {EmulatorTime} from './time.js'

import {ApiError, type AppState} from './app.js'
import {BACKLOG_LINES, type LogEntry, matchesFilter} from './log.js'

export interface LogSession {
  app: AppState
  createdAt: Date
  expired: boolean
  expiresAt: number
  id: string
  lines: number
  ps?: string
  source?: string
  readonly streams: Set<ServerResponse>
  tail: boolean
  timer?: unknown
  token: string
}

export interface SessionBody {
  dyno?: unknown
  dyno_name?: unknown
  lines?: unknown
  source?: unknown
  tail?: unknown
  type?: unknown
}

const optionalString = (value: unknown, name: string): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new ApiError(422, 'invalid_params', `${name} must be a string.`)
  return value
}

export class SessionStore {
  private readonly sessions = new Map<string, LogSession>()
  /** each open stream's lines not yet written */
  private readonly flushers = new WeakMap<ServerResponse, () => void>()

  constructor(private readonly faults: FaultState, private readonly options: {expiryMs: number; keepaliveMs: number; retryMs?: number}, private readonly time: EmulatorTime) {}

  closeAll(): void {
    for (const session of this.sessions.values()) {
      if (session.timer) this.time.clearTimeout(session.timer)
      for (const res of session.streams) res.destroy()
      session.streams.clear()
    }

    this.sessions.clear()
  }

  create(app: AppState, body: SessionBody, baseUrl: string): Record<string, unknown> {
    const ps = optionalString(body.dyno_name, 'dyno_name') ?? optionalString(body.dyno, 'dyno') ?? optionalString(body.type, 'type')
    const source = optionalString(body.source, 'source')
    let lines = 100
    if (body.lines !== undefined && body.lines !== null) {
      const n = typeof body.lines === 'string' ? Number(body.lines) : body.lines
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ApiError(422, 'invalid_params', 'lines must be a non-negative integer.')
      lines = Math.min(n, BACKLOG_LINES)
    }

    if (body.tail !== undefined && body.tail !== null && typeof body.tail !== 'boolean') throw new ApiError(422, 'invalid_params', 'tail must be a boolean.')
    const tail = body.tail === true
    const now = new Date(this.time.now())
    for (const [token, old] of this.sessions) {
      if (old.expiresAt < now.getTime() && old.streams.size === 0) this.sessions.delete(token) // cannot be opened again
    }

    const expiryMs = this.faults.sessionExpiryMs ?? this.options.expiryMs
    const session: LogSession = {
      app,
      createdAt: now,
      expired: false,
      expiresAt: now.getTime() + expiryMs,
      id: randomUUID(),
      lines,
      ps,
      source,
      streams: new Set(),
      tail,
      token: randomBytes(24).toString('base64url'),
    }
    if (this.faults.sessionExpiryMs !== undefined) {
      session.timer = this.time.setTimeout(() => this.expire(session), expiryMs);
      (session.timer as {unref?(): void}).unref?.()
    }

    this.sessions.set(session.token, session)
    const query = new URLSearchParams({
      channel_id: `app-${app.id}`,
      num: String(lines),
      ps: ps ?? '',
      region: 'us',
      source: source ?? '',
      tail: String(tail),
      timestamp: String(Math.floor(now.getTime() / 1000)),
      token: session.token,
    })
    return {
      created_at: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      id: session.id,
      logplex_url: `${baseUrl}/stream?${query}`,
      updated_at: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    }
  }

  /** every open stream is cut now (its socket destroyed); the sessions stay valid */
  cutOpen(): void {
    for (const session of this.sessions.values()) {
      for (const res of session.streams) res.destroy()
    }
  }

  /** every session expires now: open streams end, reopening gives 404 */
  expireAll(): void {
    for (const session of this.sessions.values()) this.expire(session)
  }

  /** GET logplex_url */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): number {
    const session = this.sessions.get(url.searchParams.get('token') ?? '')
    if (!session || session.expired || this.time.now() > session.expiresAt) {
      const body = JSON.stringify({id: 'not_found', message: 'Log session not found or expired.'})
      res.writeHead(404, {'Content-Length': Buffer.byteLength(body), 'Content-Type': 'application/json'})
      res.end(body)
      return 404
    }

    const sse = (req.headers.accept ?? '').includes('text/event-stream')
    res.writeHead(200, {
      'Cache-Control': 'no-cache',
      Connection: session.tail ? 'keep-alive' : 'close',
      'Content-Type': sse ? 'text/event-stream' : 'text/plain; charset=utf-8',
    })
    res.flushHeaders()
    if (sse && this.options.retryMs !== undefined) res.write(`retry: ${this.options.retryMs}\n\n`)
    const filter = {ps: session.ps, source: session.source}
    const cutAfter = this.faults.takeCut()
    let sent = 0
    let cut = false
    // lines made in one turn of the event loop go out in one write, as logplex sends them in batches
    let pending = ''
    const flush = (): void => {
      if (pending !== '' && !res.destroyed && !res.writableEnded) res.write(pending)
      pending = ''
    }

    this.flushers.set(res, flush)
    const write = (entry: LogEntry): void => {
      if (cut || res.destroyed || res.writableEnded || !matchesFilter(entry, filter)) return
      const text = sse ? `id: ${entry.seq}\ndata: ${entry.line}\n\n` : `${entry.line}\n`
      sent++
      if (cutAfter !== undefined && sent >= cutAfter) {
        cut = true
        const rest = pending + text
        pending = ''
        res.write(rest, () => res.destroy())
        return
      }

      if (pending === '') setImmediate(flush)
      pending += text
    }

    if (cutAfter === 0) {
      cut = true
      res.destroy()
      return 200
    }

    const lastEventId = Number(req.headers['last-event-id'])
    const backlog = Number.isInteger(lastEventId) && lastEventId > 0 ? session.app.log.since(lastEventId) : session.app.log.backlog(session.lines)
    for (const entry of backlog) write(entry)
    if (!session.tail) {
      if (!cut) {
        flush()
        res.end()
      }

      return 200
    }

    session.streams.add(res)
    const unsubscribe = session.app.log.subscribe(write)
    const keepalive = setInterval(() => {
      flush()
      if (sse && !cut && !res.destroyed && !res.writableEnded) res.write(': keepalive\n\n')
    }, this.options.keepaliveMs)
    const cleanup = (): void => {
      unsubscribe()
      clearInterval(keepalive)
      session.streams.delete(res)
    }

    res.on('close', cleanup)
    return 200
  }

  private expire(session: LogSession): void {
    session.expired = true
    if (session.timer) this.time.clearTimeout(session.timer)
    for (const res of session.streams) {
      this.flushers.get(res)?.()
      res.end()
    }

    session.streams.clear()
  }
}
