// Reads an app's log stream as the Heroku CLI does: a log session, then its logplex_url as
// server-sent events (plain lines when the server does not speak SSE). A session that expires or
// is cut is replaced by a new one whose backlog is matched against what was already seen, so no
// line is lost or counted twice.
import {createParser} from 'eventsource-parser'

import type {LogRequest} from './types.js'

import {sleep} from './sleep.js'

export interface SessionSource {
  logSession(options: {dyno?: string; lines?: number; tail?: boolean}): Promise<{logplex_url?: string}>
}

/** Remembers the last lines seen, to drop the overlap a renewed session sends again. */
export class SeenLines {
  private readonly set = new Set<string>()
  private readonly order: string[] = []

  constructor(private readonly capacity = 5000) {}

  /** true the first time a line is offered */
  add(line: string): boolean {
    if (this.set.has(line)) return false
    this.set.add(line)
    this.order.push(line)
    if (this.order.length > this.capacity) this.set.delete(this.order.shift()!)
    return true
  }
}

export interface StreamOptions {
  /** pause before renewing a cut or expired session */
  retryMs?: number
  /** give up after this many sessions in a row that failed to open */
  maxFailures?: number
  onRenew?: (reason: string) => void
}

export async function * followLog(source: SessionSource, request: LogRequest, signal: AbortSignal, options: StreamOptions = {}): AsyncIterable<string> {
  const seen = new SeenLines()
  let failures = 0
  let first = true
  while (!signal.aborted) {
    let url: string | undefined
    try {
      url = (await source.logSession({dyno: request.dyno, lines: first ? request.lines : 1500, tail: request.tail})).logplex_url
    } catch (error) {
      if (++failures >= (options.maxFailures ?? 5)) throw error

      await sleep(options.retryMs ?? 1000, signal)
      continue
    }

    first = false
    let reason = 'stream ended'
    let broken = false
    try {
      for await (const line of readSession(url!, signal)) {
        // a one-shot read counts every broken session, so a stream cut each time cannot loop forever
        if (request.tail) failures = 0
        if (seen.add(line)) yield line
      }
    } catch (error) {
      if (signal.aborted) return
      reason = (error as Error).message
      if (++failures >= (options.maxFailures ?? 5)) throw error
      broken = true
    }

    // a read without tail is over when its session ends, not when the session broke (the 404 of an
    // expired session, a failed or reset stream): then a new session's backlog brings what is missing
    if (signal.aborted || (!request.tail && !broken)) return
    options.onRenew?.(reason)

    await sleep(options.retryMs ?? 1000, signal)
  }
}

/**
 * One session's lines, SSE or plain text, until the server closes it.
 * @yields each line as it arrives
 */
export async function * readSession(url: string, signal: AbortSignal): AsyncIterable<string> {
  const response = await fetch(url, {headers: {Accept: 'text/event-stream', 'User-Agent': 'heroku-triggers'}, signal})
  if (response.status === 404 || response.status === 403) throw new Error(`log session expired (${response.status})`)
  if (!response.ok || !response.body) throw new Error(`log stream failed with ${response.status} ${response.statusText}`)
  const sse = (response.headers.get('content-type') ?? '').includes('text/event-stream')
  const pending: string[] = []
  let carry = ''
  const parser = createParser({
    onEvent(event) {
      for (const line of event.data.split(/\n+/)) if (line.trim() !== '') pending.push(line)
    },
  })
  const decoder = new TextDecoder()
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const text = decoder.decode(chunk, {stream: true})
    if (sse) {
      parser.feed(text)
    } else {
      const parts = (carry + text).split('\n')
      carry = parts.pop() ?? ''
      for (const line of parts) if (line.trim() !== '') pending.push(line.replace(/\r$/, ''))
    }

    while (pending.length > 0) yield pending.shift()!
  }

  if (!sse && carry.trim() !== '') yield carry
}
