// Webhook: POST the notification as JSON (with `text`, so a Slack incoming-webhook URL works as it
// is; a Teams Workflows URL gets an Adaptive Card), signed when the monitor has a secret.
import {createHmac} from 'node:crypto'

import type {Notification} from '../core/judge.js'

import {viewRun} from '../core/history.js'
import {maskUrl} from '../core/monitors.js'

export type Delivery = {error: string; ok: false; permanent: boolean; where: string} | {ok: true; where: string}

const TEAMS_HOSTS = /(^|\.)(logic\.azure\.com|powerautomate\.com|powerplatform\.com|flow\.microsoft\.com)$/i

export function webhookBody(notification: Notification, app: string, url: string): string {
  const {run} = notification
  const payload = {
    alert: notification.alert,
    app,
    event: notification.event === 'failure' ? 'alert.opened' : notification.event,
    id: notification.id,
    monitor: notification.monitor,
    run: run ? viewRun(run, new Map(run.triggerId && notification.triggerName ? [[run.triggerId, notification.triggerName]] : [])) : null,
    text: notification.text,
  }
  if (!TEAMS_HOSTS.test(new URL(url).hostname)) return JSON.stringify(payload)
  const card = {body: [{text: notification.text, type: 'TextBlock', wrap: true}], type: 'AdaptiveCard', version: '1.4'}
  return JSON.stringify({...payload, attachments: [{content: card, contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null}], type: 'message'})
}

export function signature(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`
}

export async function postWebhook(url: string, secret: null | string, notification: Notification, app: string, now: number, timeoutMs = 10_000): Promise<Delivery> {
  const where = `webhook ${new URL(url).host}`
  const body = webhookBody(notification, app, url)
  const headers: Record<string, string> = {'Content-Type': 'application/json', 'Idempotency-Key': notification.id, 'User-Agent': 'heroku-triggers'}
  if (secret) headers['Heroku-Triggers-Signature'] = signature(secret, body, Math.floor(now / 1000))
  try {
    const response = await fetch(url, {body, headers, method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs)})
    await response.arrayBuffer().catch(() => {})
    if (response.status >= 200 && response.status < 300) return {ok: true, where}
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429
    return {error: `HTTP ${response.status}`, ok: false, permanent, where}
  } catch (error) {
    const {cause} = error as {cause?: {code?: string; message?: string}}
    const text = cause?.code === 'ECONNREFUSED' ? 'connection refused' : (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : cause?.code ?? cause?.message ?? (error as Error).message
    return {error: text.replace(url, maskUrl(url)), ok: false, permanent: false, where}
  }
}
