// The sender: takes what the outbox holds, delivers it (email, webhook) and marks it sent. A failed
// try is retried about 5 s later, then with doubling delays up to an hour apart, for up to 24 h,
// each with the same Idempotency-Key; a refusal for good (4xx but 408/429, SMTP 5xx) is given up.
import type {Notification} from '../core/judge.js'
import type {AlertStore, OutboxItem} from '../store/alerts.js'
import type {SmtpSettings} from './email.js'

import {maskUrl} from '../core/monitors.js'
import {sendEmail} from './email.js'
import {type Delivery, postWebhook} from './webhook.js'

export const FIRST_RETRY_MS = 5000
export const MAX_RETRY_MS = 3_600_000
export const GIVE_UP_AFTER_MS = 86_400_000

/** When the try after `attempts` failed ones is due. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS)
}

export interface SenderDeps {
  alerts: AlertStore
  app: string
  /** null when no SMTP server is configured */
  smtp(): Promise<null | SmtpSettings>
  /** the app's owner and collaborators */
  defaultRecipients(): Promise<string[]>
  now(): number
  print(line: string): void
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

/** Delivers one notification through its channel (also used by monitors:test, without the outbox). */
export async function deliver(deps: Pick<SenderDeps, 'app' | 'defaultRecipients' | 'now' | 'smtp'>, notification: Notification): Promise<Delivery> {
  const {channel} = notification
  if (channel.kind === 'webhook') return postWebhook(channel.url, channel.secret, notification, deps.app, deps.now())
  const to = channel.to ?? await deps.defaultRecipients()
  const where = `email ${to.join(',') || '(no recipients)'}`
  if (to.length === 0) return {error: 'no recipients: the app has no owner or collaborators with an email, or this is --local (name them with --email)', ok: false, permanent: true, where}
  const smtp = await deps.smtp()
  if (!smtp) return {error: 'no SMTP server: set HEROKU_TRIGGERS_SMTP_URL (smtp://user:pass@host:587) or add an SMTP add-on (Mailgun, SendGrid)', ok: false, permanent: true, where}
  return sendEmail(smtp, to, notification)
}

/** What must arrive in order: the notifications of one monitor (or one trigger's failure emails) through one channel. */
function streamOf(n: Notification): string {
  const {channel} = n
  const to = channel.kind === 'webhook' ? channel.url : (channel.to ?? ['(the app\'s people)']).join(',')
  return JSON.stringify([n.monitor?.id ?? n.triggerName, channel.kind, to])
}

function channelName(n: Notification): string {
  return n.channel.kind === 'webhook' ? `webhook ${maskUrl(n.channel.url)}` : 'email'
}

export class Sender {
  private wakeUp = new AbortController()

  constructor(private readonly deps: SenderDeps) {}

  /**
   * Every notification due now, one try each. Returns how many were delivered. Streams (one monitor's,
   * or one trigger's, to one channel) go out in parallel; within a stream one after the other, oldest
   * first, so an alert's "resolved" never reaches a channel before its "opened".
   */
  async drain(): Promise<number> {
    const {deps} = this
    const items = await deps.alerts.pending(deps.now())
    const streams = new Map<string, OutboxItem[]>()
    for (const item of [...items].sort((a, b) => a.notification.createdAt - b.notification.createdAt)) {
      const key = streamOf(item.notification)
      const stream = streams.get(key)
      if (stream) stream.push(item)
      else streams.set(key, [item])
    }

    const sent = await Promise.all([...streams.values()].map(async stream => {
      let delivered = 0
      for (const item of stream) {
        // marked as soon as it is delivered: the file store's lock is short, so the streams barely wait on it
        if (await this.settle(item, await deliver(deps, item.notification))) delivered++
      }

      return delivered
    }))
    return sent.reduce((a, b) => a + b, 0)
  }

  /** Until `signal` aborts: drains, then sleeps until woken (a new notification) or 5 s (retries are due 5 s apart at the least). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.wakeUp = new AbortController() // a wake-up while draining cuts the next sleep short
      try {
        await this.drain()
      } catch (error) {
        this.deps.print(`at=warn msg=${JSON.stringify(`could not read the notification outbox: ${(error as Error).message}`)}`)
      }

      const both = new AbortController()
      const abort = () => both.abort()
      signal.addEventListener('abort', abort, {once: true})
      this.wakeUp.signal.addEventListener('abort', abort, {once: true})
      if (this.wakeUp.signal.aborted) abort()
      await this.deps.sleep(5000, both.signal).catch(() => {})
      signal.removeEventListener('abort', abort)
    }
  }

  /** Something was put in the outbox: deliver it now. */
  wake(): void {
    this.wakeUp.abort()
  }

  private async settle(item: OutboxItem, result: Delivery): Promise<boolean> {
    const {deps} = this
    const n = item.notification
    const what = `event=${n.event} monitor=${JSON.stringify(n.monitor?.name ?? n.triggerName ?? '')} channel=${JSON.stringify(channelName(n))} id=${n.id}`
    if (result.ok) {
      await deps.alerts.markSent(n.id, deps.now())
      deps.print(`at=notified ${what} attempt=${item.attempts + 1}`)
      return true
    }

    const attempts = item.attempts + 1
    const next = deps.now() + retryDelayMs(attempts)
    if (result.permanent || next > n.createdAt + GIVE_UP_AFTER_MS) {
      await deps.alerts.markGivenUp(n.id, result.error, deps.now())
      deps.print(`at=notify-given-up ${what} attempts=${attempts} error=${JSON.stringify(result.error)}`)
      return false
    }

    await deps.alerts.markRetry(n.id, attempts, next, result.error)
    deps.print(`at=notify-retry ${what} attempt=${attempts} next_in=${Math.round((next - deps.now()) / 1000)}s error=${JSON.stringify(result.error)}`)
    return false
  }
}
