// The sender against a real SMTP server and a real HTTP receiver on loopback: delivered once,
// retried with the same Idempotency-Key, given up on a refusal for good, signed, never leaking.
import {expect} from 'chai'
import {createHmac} from 'node:crypto'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {Notification} from '../../src/core/judge.js'

import {closeTransports, smtpSettings} from '../../src/notify/email.js'
import {deliver, retryDelayMs, Sender, type SenderDeps} from '../../src/notify/sender.js'
import {FileAlerts} from '../../src/store/alerts.js'
import {type HttpReceiver, type SmtpReceiver, startReceiver, startSmtp} from '../helpers/receivers.js'

const T0 = Date.parse('2026-11-23T12:00:00Z')

describe('sender', function () {
  this.timeout(30_000)
  let smtp: SmtpReceiver
  let http: HttpReceiver
  let now = T0
  let lines: string[] = []
  let alerts: FileAlerts

  const deps = (): SenderDeps => ({
    alerts, app: 'example-app', defaultRecipients: async () => ['owner@example.com', 'dev@example.com'], now: () => now,
    print: line => lines.push(line), async sleep() {}, smtp: async () => smtpSettings({HEROKU_TRIGGERS_SMTP_URL: smtp.url}),
  })
  const note = (id: string, channel: Notification['channel']): Notification => ({
    alert: null, body: 'plain text body', channel, createdAt: now, event: 'alert.opened', id, monitor: {id: 'm', name: 'report fails', type: 'job-failure'},
    run: null, subject: 'subject line', text: 'report failed', triggerName: null,
  })

  beforeEach(async () => {
    smtp = await startSmtp()
    http = await startReceiver()
    now = T0
    lines = []
    alerts = new FileAlerts(path.join(mkdtempSync(path.join(tmpdir(), 'sender-')), 'alerts.json'))
  })

  afterEach(async () => {
    closeTransports()
    await smtp.stop()
    await http.stop()
  })

  it('emails the default recipients with a plain-text part, and marks it sent: a second drain sends nothing', async () => {
    await alerts.record({alerts: [], notifications: [note('n1', {kind: 'email', to: null})], states: []}, now)
    const sender = new Sender(deps())
    expect(await sender.drain()).to.equal(1)
    expect(await sender.drain()).to.equal(0)
    expect(smtp.mails).to.have.length(1)
    expect(smtp.mails[0].to).to.deep.equal(['owner@example.com', 'dev@example.com'])
    expect(smtp.mails[0].raw).to.match(/Content-Type: text\/plain/).and.include('plain text body').and.include('Idempotency-Key: n1')
    expect(lines.join('\n')).not.to.include('smtp-pass-secret')
  })

  it('one monitor\'s notifications reach a channel in the order they happened, though they are due together; other monitors\' go alongside', async () => {
    http.respond = 'slow'
    http.slowMs = 400
    const channel = {kind: 'webhook', secret: null, url: http.url} as const
    const opened = note('opened', channel)
    const resolved = {...note('resolved', channel), createdAt: now + 1, event: 'alert.resolved' as const}
    const other = {...note('other', channel), monitor: {id: 'm2', name: 'other', type: 'job-failure'}}
    // told to the outbox newest first: order is when they happened, not when they were stored
    await alerts.record({alerts: [], notifications: [resolved, opened, other], states: []}, now)
    expect(await new Sender(deps()).drain()).to.equal(3)
    const at = Object.fromEntries(http.hits.map(h => [JSON.parse(h.body).id, h.at]))
    expect(at.resolved - at.opened).to.be.at.least(350) // sent once "opened" was answered
    expect(Math.abs(at.other - at.opened)).to.be.below(350) // another monitor's does not wait
  })

  it('SMTP that refuses (451) then accepts: retried about 5 s later, delivered once', async () => {
    smtp.refuse(1)
    await alerts.record({alerts: [], notifications: [note('n1', {kind: 'email', to: ['ops@example.com']})], states: []}, now)
    const sender = new Sender(deps())
    expect(await sender.drain()).to.equal(0)
    expect(lines.at(-1)).to.match(/at=notify-retry .*next_in=5s/)
    now += 4000
    expect(await sender.drain()).to.equal(0) // not due yet
    now += 1000
    expect(await sender.drain()).to.equal(1)
    expect(smtp.mails).to.have.length(1)
  })

  it('webhook: the JSON with text, the same Idempotency-Key on every try, signed with the secret; 500 retried, 2xx delivered', async () => {
    http.respond = 500
    await alerts.record({alerts: [], notifications: [note('n1', {kind: 'webhook', secret: 'whsec', url: http.url})], states: []}, now)
    const sender = new Sender(deps())
    await sender.drain()
    http.respond = 204
    now += retryDelayMs(1)
    expect(await sender.drain()).to.equal(1)
    expect(http.hits).to.have.length(2)
    expect(http.hits.map(h => h.headers['idempotency-key'])).to.deep.equal(['n1', 'n1'])
    const body = JSON.parse(http.hits[1].body)
    expect(body).to.include({app: 'example-app', event: 'alert.opened', id: 'n1', text: 'report failed'})
    const [t, v1] = String(http.hits[1].headers['heroku-triggers-signature']).split(',').map(p => p.split('=')[1])
    expect(v1).to.equal(createHmac('sha256', 'whsec').update(`${t}.${http.hits[1].body}`).digest('hex'))
    expect(lines.join('\n')).not.to.include('secret-path')
    expect(lines.join('\n')).not.to.include('whsec')
  })

  it('410 is given up (and logged), 408 and 429 are retried', async () => {
    http.respond = 410
    await alerts.record({alerts: [], notifications: [note('n1', {kind: 'webhook', secret: null, url: http.url})], states: []}, now)
    const sender = new Sender(deps())
    await sender.drain()
    expect(lines.at(-1)).to.match(/at=notify-given-up .*HTTP 410/)
    now += 3_600_000
    await sender.drain()
    expect(http.hits).to.have.length(1)
    for (const status of [408, 429]) {
      http.respond = status

      const result = await deliver(deps(), note('x', {kind: 'webhook', secret: null, url: http.url}))
      expect(result).to.include({ok: false, permanent: false})
    }
  })

  it('a receiver that is down or slow is retried; retries back off, doubling up to an hour, and stop after 24 h', async () => {
    const gone = await startReceiver()
    await gone.stop()
    const down = gone.url
    const result = await deliver(deps(), note('x', {kind: 'webhook', secret: null, url: down}))
    expect(result).to.deep.include({error: 'connection refused', ok: false, permanent: false, where: `webhook ${new URL(down).host}`})
    http.respond = 'slow'
    http.slowMs = 300
    expect(await deliver(deps(), note('y', {kind: 'webhook', secret: null, url: http.url}))).to.include({ok: true})
    expect([1, 2, 3, 4, 20].map(a => retryDelayMs(a))).to.deep.equal([5000, 10_000, 20_000, 40_000, 3_600_000])
    await alerts.record({alerts: [], notifications: [note('z', {kind: 'webhook', secret: null, url: down})], states: []}, now)
    const sender = new Sender(deps())
    let tries = 0
    while ((await alerts.pending(Number.MAX_SAFE_INTEGER)).length > 0 && tries < 100) {
      now = (await alerts.pending(Number.MAX_SAFE_INTEGER))[0].nextAt
      await sender.drain()
      tries++
    }

    expect(now - T0).to.be.at.most(86_400_000)
    expect(lines.at(-1)).to.match(/at=notify-given-up/)
  })

  it('a Teams Workflows URL gets an Adaptive Card; a bad address is named in the error', async () => {
    const {webhookBody} = await import('../../src/notify/webhook.js')
    const teams = JSON.parse(webhookBody(note('n', {kind: 'webhook', secret: null, url: 'https://x.logic.azure.com/workflows/1'}), 'app', 'https://x.logic.azure.com/workflows/1'))
    expect(teams.attachments[0].contentType).to.equal('application/vnd.microsoft.card.adaptive')
    smtp.refuse(1, 550)
    const result = await deliver(deps(), note('n', {kind: 'email', to: ['a@example.com']}))
    expect(result).to.include({ok: false, permanent: true, where: 'email a@example.com'})
  })
})
