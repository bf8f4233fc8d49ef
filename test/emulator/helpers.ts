// Test helpers: Platform API calls over real HTTP, and bounded readers of log streams.
import type {Emulator} from './index.js'

export const ACCEPT = 'application/vnd.heroku+json; version=3'

// replies are JSON read by tests field by field: `any` by default, typed where a test wants it
/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Reply<T = any> {
  body: T
  headers: Headers
  status: number
}

export async function api<T = any>(emulator: Emulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const response = await fetch(`${emulator.url}${path}`, {
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: {Accept: ACCEPT, Authorization: `Bearer ${emulator.apiKey}`, ...(body === undefined ? {} : {'Content-Type': 'application/json'}), ...headers},
    method,
    signal: AbortSignal.timeout(10_000),
  })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    // not JSON
  }

  return {body: parsed as T, headers: response.headers, status: response.status}
}

/** creates a one-off dyno and waits for it to finish; returns the dyno JSON and its exit status */
export async function runDyno(emulator: Emulator, app: string, body: Record<string, unknown>, timeoutMs = 10_000): Promise<{dyno: any; status: null | number}> {
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const created = await api(emulator, 'POST', `/apps/${app}/dynos`, body)
  if (created.status !== 201) throw new Error(`dyno create gave ${created.status}: ${JSON.stringify(created.body)}`)
  const status = await emulator.waitForDyno(app, created.body.name, timeoutMs)
  return {dyno: created.body, status}
}

/** the app's lines for one dyno (heroku[...] and app[...]), messages only */
export function dynoMessages(emulator: Emulator, app: string, dyno: string): string[] {
  const re = new RegExp(`^\\S+ (?:app|heroku)\\[${dyno.replace('.', String.raw`\.`)}\\]: (.*)$`)
  return emulator.logLines(app).flatMap(line => {
    const m = re.exec(line)
    return m ? [m[1]] : []
  })
}

/** reads a stream until `until` holds for the text so far, it ends, or timeoutMs; aborts the request */
export async function readStream(
  url: string,
  options: {accept?: string; headers?: Record<string, string>; timeoutMs?: number; until?: (text: string) => boolean} = {},
): Promise<{ended: boolean; error?: string; headers: Headers; status: number; text: string}> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 3000)
  let text = ''
  let ended = false
  let error: string | undefined
  let response: Response
  try {
    response = await fetch(url, {headers: {...(options.accept ? {Accept: options.accept} : {}), ...options.headers}, signal: controller.signal})
  } catch (error_) {
    clearTimeout(timer)
    throw error_
  }

  try {
    const reader = response.body!.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      if (options.until?.(text)) break
      const {done, value} = await reader.read()
      if (done) {
        ended = true
        break
      }

      text += decoder.decode(value, {stream: true})
    }
  } catch (error_) {
    if (!controller.signal.aborted) error = (error_ as Error).message
  } finally {
    clearTimeout(timer)
    controller.abort()
  }

  return {ended, error, headers: response.headers, status: response.status, text}
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** polls `check` until it returns true, within timeoutMs */
export async function eventually(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`)
    await sleep(10)
  }
}
