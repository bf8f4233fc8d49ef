// HTTP helpers: answers, Heroku's Range / Next-Range paging.
import type {IncomingMessage, ServerResponse} from 'node:http'

import {ApiError} from './app.js'

export const MAX_PAGE = 1000

export interface Answer {
  body?: unknown
  contentType?: string
  headers?: Record<string, string>
  status: number
}

export function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return
  for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v)
  if (answer.body === undefined || answer.status === 204) {
    res.writeHead(answer.status)
    res.end()
    return
  }

  const text = JSON.stringify(answer.body)
  res.setHeader('Content-Type', answer.contentType ?? 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.writeHead(answer.status)
  res.end(text)
}

export function errorAnswer(error: ApiError, headers: Record<string, string> = {}, contentType?: string): Answer {
  return {body: error.body, contentType, headers, status: error.status}
}

export function readBody(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  // events rather than an async iterator: this is on every request's path, and a burst of 200 dyno
  // creates should cost the emulator as little as the real (many-server) API would add
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        reject(new ApiError(413, 'request_entity_too_large', 'Request body too large.'))
        return
      }

      chunks.push(chunk)
    })
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

type Key<T> = (item: T) => number | string

interface ParsedRange {
  end?: string
  endExclusive: boolean
  field: string
  max: number
  order: 'asc' | 'desc'
  start?: string
  startExclusive: boolean
}

/** `id ..; max=10;`, `id ]abc..; max=200`, `version ..; order=desc,max=1` */
export function parseRange(header: string, pageSize: number): ParsedRange {
  const match = /^\s*([\w.-]+)\s*(.*)$/s.exec(header)
  if (!match) throw new ApiError(400, 'bad_request', `Invalid Range header: ${header}`)
  const [rangePart, ...paramParts] = match[2].split(';')
  const params = paramParts.join(',').split(',').map(p => p.trim()).filter(Boolean)
  const range: ParsedRange = {endExclusive: false, field: match[1], max: pageSize, order: 'asc', startExclusive: false}
  const span = rangePart.trim()
  if (span !== '') {
    const dots = span.indexOf('..')
    if (dots === -1) throw new ApiError(400, 'bad_request', `Invalid Range header: ${header}`)
    let start = span.slice(0, dots).trim()
    let end = span.slice(dots + 2).trim()
    if (start.startsWith(']')) {
      range.startExclusive = true
      start = start.slice(1)
    }

    if (end.endsWith('[')) {
      range.endExclusive = true
      end = end.slice(0, -1)
    }

    if (start) range.start = start
    if (end) range.end = end
  }

  for (const param of params) {
    const [k, v] = param.split('=').map(s => s.trim())
    if (k === 'max') {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1) throw new ApiError(400, 'bad_request', `Invalid Range max: ${v}`)
      range.max = Math.min(n, MAX_PAGE)
    } else if (k === 'order') {
      if (v !== 'asc' && v !== 'desc') throw new ApiError(400, 'bad_request', `Invalid Range order: ${v}`)
      range.order = v
    }
  }

  return range
}

/** one page of a list, as Heroku serves it: 200 or 206 with Content-Range, Next-Range and Accept-Ranges */
export function paginate<T>(items: T[], rangeHeader: string | undefined, keys: Record<string, Key<T>>, pageSize: number, toJson: (item: T) => unknown): Answer {
  const range = parseRange(rangeHeader ?? `${Object.keys(keys)[0]} ..`, pageSize)
  const key = keys[range.field]
  if (!key) {
    throw new ApiError(416, 'requested_range_not_satisfiable', `Unsupported Range field ${range.field}: use one of ${Object.keys(keys).join(', ')}.`)
  }

  const compare = (a: number | string, b: number | string): number => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0)
  const coerce = (value: string, sample: number | string): number | string => (typeof sample === 'number' ? Number(value) : value)
  const sign = range.order === 'desc' ? -1 : 1
  let sorted = [...items].sort((a, b) => sign * compare(key(a), key(b)))
  if (range.start !== undefined) {
    const {start} = range
    sorted = sorted.filter(item => {
      const c = sign * compare(key(item), coerce(start, key(item)))
      return range.startExclusive ? c > 0 : c >= 0
    })
  }

  if (range.end !== undefined) {
    const {end} = range
    sorted = sorted.filter(item => {
      const c = sign * compare(key(item), coerce(end, key(item)))
      return range.endExclusive ? c < 0 : c <= 0
    })
  }

  const page = sorted.slice(0, range.max)
  const headers: Record<string, string> = {'Accept-Ranges': Object.keys(keys).join(', ')}
  const first = page.length > 0 ? String(key(page[0])) : ''
  const last = page.length > 0 ? String(key(page.at(-1) as T)) : ''
  headers['Content-Range'] = `${range.field} ${first}..${last}`
  let status = 200
  if (sorted.length > page.length) {
    status = 206
    headers['Next-Range'] = `${range.field} ]${last}..; max=${range.max}${range.order === 'desc' ? ', order=desc' : ''}`
  }

  return {body: page.map(item => toJson(item)), headers, status}
}
