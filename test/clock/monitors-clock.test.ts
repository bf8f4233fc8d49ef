// Monitors end to end: the clock (bin/run.js, against the emulator) fires a failing trigger, the
// judge opens an alert, and the notification reaches a real SMTP server and HTTP receiver on
// loopback exactly once, across a restart and a SIGKILL between recording and sending.
import {expect} from 'chai'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Emulator, startEmulator} from '../emulator/index.js'
import {cli, oneLineError, parseJson} from '../helpers/cli.js'
import {startClock, stop} from '../helpers/clock.js'
import {type HttpReceiver, type SmtpReceiver, startReceiver, startSmtp} from '../helpers/receivers.js'

describe('monitors on a running clock', function () {
  this.timeout(120_000)
  let emulator: Emulator
  let smtp: SmtpReceiver
  let http: HttpReceiver
  let env: Record<string, string>

  before(async () => {
    emulator = await startEmulator({stopGraceMs: 300})
    smtp = await startSmtp()
    http = await startReceiver()
    env = {
      HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_PARTICLEBOARD_URL: emulator.url,
      HEROKU_TRIGGERS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'monitors-')), HEROKU_TRIGGERS_SMTP_URL: smtp.url,
    }
  })

  after(async () => {
    await smtp.stop()
    await http.stop()
    await emulator.stop()
  })

  const mailsTo = (address: string) => smtp.mails.filter(m => m.to.includes(address))

  it('bad input is one line, exit 2, and nothing is written', async () => {
    emulator.createApp({name: 'bad-app'})
    await cli(['triggers:create', '--app', 'bad-app', '--name', 'nightly', '--command', 'true', '--schedule', '@daily'], {env})
    const cases: Array<[string[], RegExp]> = [
      [['--type', 'job-fail', '--trigger', 'nightly'], /unknown --type "job-fail"/],
      [['--type', 'job-execution-time', '--trigger', 'nightly', '--threshold', '90000'], /--threshold must be 1..86400 seconds/],
      [['--type', 'job-failure', '--trigger', 'nightly', '--email', 'not-an-address'], /--email takes addresses/],
      [['--type', 'job-failure', '--trigger', 'nightly', '--webhook', 'hooks.slack.com/x'], /--webhook must be an http\(s\) URL/],
    ]
    for (const [args, pattern] of cases) {
      oneLineError(await cli(['monitors:create', '--app', 'bad-app', '--name', 'm', ...args], {env}), 2, pattern)
    }

    const unknown = await cli(['monitors:create', '--app', 'bad-app', '--name', 'm', '--type', 'job-failure', '--trigger', 'nope'], {env})
    expect(unknown.code).to.not.equal(0)
    expect(unknown.stderr.trim().split('\n')).to.have.length(1)
    expect(parseJson(await cli(['monitors', '--app', 'bad-app', '--json'], {env}))).to.deep.equal([])
  })

  it('a failing trigger: one alert email and one webhook (signed), one daily failure email across a restart; --json masks secrets', async () => {
    emulator.createApp({collaborators: ['ana@example.com'], name: 'mon-app'}) // the owner is in the app and in its collaborators: one email
    expect((await cli(['triggers:create', '--app', 'mon-app', '--name', 'fails', '--command', 'exit 3', '--schedule', '*/3 * * * * *'], {env})).code).to.equal(0)
    const created = await cli(['monitors:create', '--app', 'mon-app', '--name', 'fails alert', '--type', 'job-failure', '--trigger', 'fails', '--email', 'ops@example.com', '--webhook', http.url, '--secret', 'whsec-123'], {env})
    expect(created.code, created.stderr).to.equal(0)
    const listed = JSON.stringify(parseJson(await cli(['monitors', '--app', 'mon-app', '--json'], {env})))
    expect(listed).to.include('"signed":true').and.include('"trigger":"fails"')
    expect(listed).not.to.include('secret-path')
    expect(listed).not.to.include('whsec-123')

    const clock = startClock(env, ['--app', 'mon-app'])
    try {
      await clock.waitFor(/at=alert-opened/, 30_000)
      await clock.waitFor(/at=notified .*channel="email"/, 10_000)
      await http.waitFor(1, 10_000)
      await clock.waitFor(/at=completed.*state=failed/, 20_000)
      const completed = () => clock.lines.filter(l => /at=completed.*state=failed/.test(l)).length
      const first = completed()
      while (completed() < first + 2) await new Promise(resolve => { // two more failures: still one alert
        setTimeout(resolve, 200)
      })
    } finally {
      expect(await stop(clock)).to.equal(0)
    }

    const again = startClock(env, ['--app', 'mon-app'])
    try {
      await again.waitFor(/at=completed.*state=failed/, 30_000)
      await new Promise(resolve => {
        setTimeout(resolve, 1500)
      })
    } finally {
      await stop(again)
    }

    expect(mailsTo('ops@example.com')).to.have.length(1)
    expect(mailsTo('ops@example.com')[0].raw).to.include('Trigger: fails').and.include('Exit status: 3').and.include('heroku runs:info')
    expect(mailsTo('dev@example.com'), 'the daily failure email, to the app owner').to.have.length(1)
    expect(mailsTo('ana@example.com'), 'and to its collaborators').to.have.length(1)
    expect(http.hits).to.have.length(1)
    expect(JSON.parse(http.hits[0].body)).to.include({app: 'mon-app', event: 'alert.opened'})
    expect(http.hits[0].headers['heroku-triggers-signature']).to.match(/^t=\d+,v1=[\da-f]{64}$/)
    const log = [...clock.lines, ...again.lines].join('\n')
    expect(log).not.to.include('smtp-pass-secret')
    expect(log).not.to.include('secret-path')
    const alerts = parseJson<Array<{monitor: string; state: string}>>(await cli(['alerts', '--app', 'mon-app', '--json', '--open'], {env}))
    expect(alerts).to.have.length(1)
    expect(alerts[0]).to.include({monitor: 'fails alert', state: 'open'})
  })

  it('Heroku Scheduler\'s own dynos are judged like any run: a failing scheduler.N opens an alert', async () => {
    const app = emulator.createApp({name: 'sched-app', schedulerJobs: [{at: 0, command: 'echo exporting; exit 4', every: 10}]})
    const created = await cli(['monitors:create', '--app', 'sched-app', '--name', 'export fails', '--type', 'job-failure', '--filter', 'command:"echo exporting; exit 4"', '--webhook', http.url, '--email', 'none'], {env})
    expect(created.code, created.stderr).to.equal(0)
    const before = http.hits.length
    const clock = startClock(env, ['--app', 'sched-app'])
    try {
      await clock.waitFor(/at=started/, 20_000)
      const dyno = app.runSchedulerJob(app.schedulerJobs[0].id)
      await clock.waitFor(/at=alert-opened/, 30_000)
      await http.waitFor(before + 1, 10_000)
      const hit = JSON.parse(http.hits.at(-1)!.body) as {event: string; run: {dyno: string; exitStatus: number; source: string}}
      expect(hit).to.include({event: 'alert.opened'})
      expect(hit.run).to.include({dyno: dyno.name, exitStatus: 4})
    } finally {
      await stop(clock)
    }

    // and the run is in the history, as every other
    const runs = parseJson<Array<{dyno: string; state: string}>>(await cli(['runs', '--app', 'sched-app', '--json'], {env}))
    expect(runs.filter(r => r.dyno.startsWith('scheduler.')).map(r => r.state)).to.deep.equal(['failed'])
  })

  it('a clock SIGKILLed between recording and sending: the notification goes out once after restart', async () => {
    const later = await startSmtp()
    const {port} = later
    await later.stop() // nobody listens there yet: the first clock records and cannot send
    const local = {...env, HEROKU_TRIGGERS_SMTP_URL: `smtp://127.0.0.1:${port}`}
    emulator.createApp({name: 'kill-app'})
    await cli(['triggers:create', '--app', 'kill-app', '--name', 'fails', '--command', 'exit 2', '--schedule', '*/3 * * * * *', '--no-failure-email'], {env: local})
    await cli(['monitors:create', '--app', 'kill-app', '--name', 'k', '--type', 'job-failure', '--trigger', 'fails', '--email', 'oncall@example.com'], {env: local})
    const first = startClock(local, ['--app', 'kill-app'])
    await first.waitFor(/at=notify-retry/, 30_000)
    first.child.kill('SIGKILL')
    await first.exited
    const server = await startSmtp(port)
    const second = startClock(local, ['--app', 'kill-app'])
    try {
      await server.waitFor(1, 20_000)
      await new Promise(resolve => {
        setTimeout(resolve, 2000)
      })
    } finally {
      await stop(second)
      await server.stop()
    }

    expect(server.mails.filter(m => m.to.includes('oncall@example.com'))).to.have.length(1)
  })

  it('monitors:test sends through every channel and exits non-zero naming the one that failed', async () => {
    emulator.createApp({name: 'test-app'})
    await cli(['triggers:create', '--app', 'test-app', '--name', 'nightly', '--command', 'true', '--schedule', '@daily'], {env})
    await cli(['monitors:create', '--app', 'test-app', '--name', 't', '--type', 'job-failure', '--trigger', 'nightly', '--email', 'qa@example.com', '--webhook', http.url], {env})
    const before = http.hits.length
    const ok = await cli(['monitors:test', 't', '--app', 'test-app'], {env})
    expect(ok.code, ok.stderr).to.equal(0)
    expect(mailsTo('qa@example.com')).to.have.length(1)
    expect(JSON.parse(http.hits[before].body)).to.include({event: 'test', run: null})
    http.respond = 500
    try {
      const failed = await cli(['monitors:test', 't', '--app', 'test-app'], {env})
      expect(failed.code).to.not.equal(0)
      expect(failed.stderr).to.match(/webhook 127\.0\.0\.1:\d+: HTTP 500/)
      expect(failed.stderr + failed.stdout).not.to.include('secret-path')
    } finally {
      http.respond = 200
    }
  })

  it('a missed run is noticed when no clock ran, by triggers:clock --once', async () => {
    emulator.createApp({name: 'miss-app'})
    await cli(['triggers:create', '--app', 'miss-app', '--name', 'often', '--command', 'true', '--schedule', '*/2 * * * * *', '--no-failure-email'], {env})
    await cli(['monitors:create', '--app', 'miss-app', '--name', 'missed', '--type', 'missed-run', '--trigger', 'often', '--grace', '5s', '--email', 'miss@example.com'], {env})
    // the first pass may itself find a due time gone by since the trigger was made (a slow start): that is an alert too
    const first = await cli(['triggers:clock', '--app', 'miss-app', '--once'], {env, timeoutMs: 60_000})
    expect(first.code, first.stderr).to.equal(0)
    await new Promise(resolve => {
      setTimeout(resolve, 8000) // no clock: due times go by
    })
    const once = await cli(['triggers:clock', '--app', 'miss-app', '--once'], {env, timeoutMs: 60_000})
    expect(once.code, once.stderr).to.equal(0)
    expect(once.stdout + once.stderr).to.match(/at=missed/).and.match(/at=alert-opened monitor="missed"/)
    // every opening and resolving is mailed exactly once, in the order it happened (a --once pass ends after its mails are taken)
    const transitions = [...(first.stdout + once.stdout).matchAll(/at=alert-(opened|resolved)/g)].map(m => m[1])
    const subjects = mailsTo('miss@example.com').map(m => /^Subject: .* (\w+)$/m.exec(m.raw)?.[1])
    expect(subjects).to.deep.equal(transitions)
    const [alert] = parseJson<Array<{type: string}>>(await cli(['alerts', '--app', 'miss-app', '--json'], {env}))
    expect(alert).to.include({type: 'missed-run'})
  })
})
