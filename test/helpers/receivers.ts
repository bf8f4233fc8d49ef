// A real SMTP server and a real HTTP receiver on loopback, for the notification tests.
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import {type AddressInfo} from 'node:net'
import {SMTPServer} from 'smtp-server'

export interface Mail {
  from: string
  to: string[]
  raw: string
  at: number
}

export interface SmtpReceiver {
  url: string
  port: number
  mails: Mail[]
  /** the next `n` messages are refused with this SMTP reply code */
  refuse(n: number, code?: number): void
  waitFor(count: number, timeoutMs?: number): Promise<Mail[]>
  stop(): Promise<void>
}

export async function startSmtp(port = 0): Promise<SmtpReceiver> {
  const mails: Mail[] = []
  let refusals = 0
  let refusalCode = 451
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(null, {user: 'user'})
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (refusals > 0) {
          refusals--
          const error = Object.assign(new Error('try again later'), {responseCode: refusalCode})
          callback(error)
          return
        }

        mails.push({at: Date.now(), from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', raw: Buffer.concat(chunks).toString(), to: session.envelope.rcptTo.map(r => r.address)})
        callback()
      })
    },
  })
  await new Promise<void>(resolve => {
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const actual = (server.server.address() as AddressInfo).port
  return {
    mails,
    port: actual,
    refuse(n, code = 451) {
      refusals = n
      refusalCode = code
    },
    async stop() {
      await new Promise<void>(resolve => {
        server.close(() => resolve())
      })
    },
    url: `smtp://user:smtp-pass-secret@127.0.0.1:${actual}`,
    waitFor: (count, timeoutMs = 20_000) => waitUntil(() => (mails.length >= count ? mails : null), timeoutMs, () => `${mails.length} of ${count} mails`),
  }
}

export interface Hit {
  body: string
  headers: IncomingHttpHeaders
  at: number
}

export interface HttpReceiver {
  url: string
  hits: Hit[]
  /** the status to answer with, or 'slow' to answer 200 after `slowMs` */
  respond: 'slow' | number
  slowMs: number
  waitFor(count: number, timeoutMs?: number): Promise<Hit[]>
  stop(): Promise<void>
}

export async function startReceiver(): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    hits: [],
    respond: 200,
    slowMs: 0,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
      })
    },
    url: '',
    waitFor: (count, timeoutMs = 20_000) => waitUntil(() => (receiver.hits.length >= count ? receiver.hits : null), timeoutMs, () => `${receiver.hits.length} of ${count} requests`),
  }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.on('end', () => {
      receiver.hits.push({at: Date.now(), body: Buffer.concat(chunks).toString(), headers: request.headers})
      const answer = () => {
        response.writeHead(receiver.respond === 'slow' ? 200 : receiver.respond, {'Content-Type': 'text/plain'})
        response.end('ok')
      }

      if (receiver.respond === 'slow') setTimeout(answer, receiver.slowMs)
      else answer()
    })
  })
  await new Promise<void>(resolve => {
    server.listen(0, '127.0.0.1', () => resolve())
  })
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T123/B456/secret-path`
  return receiver
}

async function waitUntil<T>(check: () => null | T, timeoutMs: number, what: () => string): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== null) return value
    if (Date.now() > until) throw new Error(`timed out: ${what()}`)
    await new Promise(resolve => {
      setTimeout(resolve, 20)
    })
  }
}
