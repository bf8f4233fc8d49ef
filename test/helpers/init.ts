// Test-wide setup: a private HOME and data directory, no colour, and a network guard that
// refuses any connection that is not to loopback (nothing here may reach Heroku).
import {mkdtempSync} from 'node:fs'
import net from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'

const home = mkdtempSync(path.join(tmpdir(), 'heroku-triggers-test-'))
process.env.HOME = home
process.env.HEROKU_TRIGGERS_DATA_DIR = path.join(home, 'data')
process.env.NO_COLOR = '1'
process.env.HEROKU_API_KEY = process.env.HEROKU_API_KEY ?? 'test-api-key-0123456789abcdef'
delete process.env.HEROKU_APP

const loopback = new Set(['', '127.0.0.1', '::1', 'localhost', undefined])
const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0] as {host?: string; path?: string} | number | string
  const host = typeof first === 'object' && first !== null ? first.host : typeof args[1] === 'string' ? args[1] : undefined
  const isUnixSocket = typeof first === 'object' && first !== null && first.path !== undefined
  if (!isUnixSocket && !loopback.has(host)) throw new Error(`network guard: tests may only connect to loopback, not ${host}`)
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args)
} as typeof net.Socket.prototype.connect
