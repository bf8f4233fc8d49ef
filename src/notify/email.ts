// Email over SMTP (nodemailer): the URL from HEROKU_TRIGGERS_SMTP_URL or an SMTP add-on's config
// vars. A plain-text part always. The password never leaves this module in any message.
import type {Notification} from '../core/judge.js'
import type {Delivery} from './webhook.js'

export interface SmtpSettings {
  url: string
  from: string
  /** where it came from, for messages (never the URL itself) */
  source: string
}

type Vars = Record<string, string | undefined>

const enc = encodeURIComponent

/** The SMTP server to use, from the environment or the app's config vars; null when there is none. */
export function smtpSettings(vars: Vars): null | SmtpSettings {
  const from = vars.HEROKU_TRIGGERS_EMAIL_FROM
  if (vars.HEROKU_TRIGGERS_SMTP_URL) return {from: from ?? 'heroku-triggers@localhost', source: 'HEROKU_TRIGGERS_SMTP_URL', url: vars.HEROKU_TRIGGERS_SMTP_URL}
  if (vars.MAILGUN_SMTP_SERVER && vars.MAILGUN_SMTP_LOGIN) {
    const url = `smtp://${enc(vars.MAILGUN_SMTP_LOGIN)}:${enc(vars.MAILGUN_SMTP_PASSWORD ?? '')}@${vars.MAILGUN_SMTP_SERVER}:${vars.MAILGUN_SMTP_PORT ?? '587'}`
    return {from: from ?? `heroku-triggers@${vars.MAILGUN_DOMAIN ?? vars.MAILGUN_SMTP_SERVER}`, source: 'the Mailgun add-on', url}
  }

  if (vars.SENDGRID_API_KEY) return {from: from ?? 'heroku-triggers@localhost', source: 'SENDGRID_API_KEY', url: `smtp://apikey:${enc(vars.SENDGRID_API_KEY)}@smtp.sendgrid.net:587`}
  if (vars.POSTMARK_API_TOKEN) {
    const token = enc(vars.POSTMARK_API_TOKEN)
    return {from: from ?? 'heroku-triggers@localhost', source: 'POSTMARK_API_TOKEN', url: `smtp://${token}:${token}@smtp.postmarkapp.com:587`}
  }

  return null
}

/** The server's reply without anything that could carry the password. */
function describeError(error: unknown): string {
  const e = error as {code?: string; message?: string; response?: string; responseCode?: number}
  if (e.responseCode && e.response) return e.response
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET') return `connection failed (${/ECONNREFUSED/.test(e.message ?? '') ? 'connection refused' : e.code})`
  return e.code ? `${e.code}${e.message ? `: ${e.message.replaceAll(/\/\/[^@\s]*@/g, '//…@')}` : ''}` : String(e.message ?? error)
}

export async function sendEmail(settings: SmtpSettings, to: string[], notification: Notification): Promise<Delivery> {
  const transport = await transportFor(settings)
  const where = `email ${to.join(',')}`
  try {
    await transport.sendMail({
      from: settings.from,
      headers: {'Idempotency-Key': notification.id, 'X-Heroku-Triggers-Event': notification.event},
      messageId: `<${notification.id}@heroku-triggers>`,
      subject: notification.subject,
      text: notification.body,
      to,
    })
    return {ok: true, where}
  } catch (error) {
    const code = (error as {responseCode?: number}).responseCode ?? 0
    // 5xx refused for good (a bad address, refused credentials); 4xx and broken connections are tried again
    return {error: describeError(error), ok: false, permanent: code >= 500 && code < 600, where}
  }
}

interface Transport {
  close(): void
  sendMail(message: Record<string, unknown>): Promise<unknown>
}
const transports = new Map<string, Transport>()

/** One pooled transport per SMTP server: its connections are reused from one alert to the next. */
async function transportFor(settings: SmtpSettings): Promise<Transport> {
  let transport = transports.get(settings.url)
  if (transport === undefined) {
    const {createTransport} = await import('nodemailer')
    transport = createTransport({connectionTimeout: 10_000, greetingTimeout: 10_000, maxConnections: 5, pool: true, socketTimeout: 30_000, url: settings.url}) as unknown as Transport
    transports.set(settings.url, transport)
  }

  return transport
}

/** Closes the pooled connections, so a process can exit. */
export function closeTransports(): void {
  for (const transport of transports.values()) transport.close()
  transports.clear()
}
