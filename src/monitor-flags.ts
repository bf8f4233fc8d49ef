// Flags of monitors:create and monitors:update, and what the core makes of them.
import type {Interfaces} from '@oclif/core'

import type {MonitorInput} from './core/monitors.js'

import {MONITOR_TYPES} from './core/monitors.js'
import {Args, Flags} from './oclif.js'

export const monitorArg = Args.string({description: 'monitor id, id prefix or name', required: true})

export const monitorFlags = {
  email: Flags.string({description: 'email recipients, a@x.com,b@y.com (replaces the owner and collaborators), or none'}),
  filter: Flags.string({description: 'watch the runs this filter matches, e.g. command:"python x.py" -size:standard (Heroku Scheduler runs too)', exclusive: ['trigger']}),
  grace: Flags.string({description: 'missed-run: how late a start may be before it counts as missed (1s..24h, default 2m)'}),
  name: Flags.string({description: 'name of the monitor'}),
  renotify: Flags.string({description: 'remind while an alert stays open, every this long (e.g. 4h); off to stop'}),
  secret: Flags.string({description: 'sign webhooks with this secret (Heroku-Triggers-Signature: t=...,v1=HMAC-SHA256)'}),
  sensitivity: Flags.integer({description: 'consecutive matches that open an alert (1-100, default 1)'}),
  threshold: Flags.integer({description: 'seconds (job-execution-time, 1-86400), dynos (concurrency types, 1-10000) or % of quota (memory, 1-100)'}),
  trigger: Flags.string({description: 'watch one trigger (id, id prefix or name)', exclusive: ['filter']}),
  type: Flags.string({description: `what to watch: ${MONITOR_TYPES.join(', ')}`}),
  webhook: Flags.string({description: 'POST JSON to this URL (Slack and Teams incoming-webhook URLs work as they are; repeatable)', multiple: true}),
}

type MonitorFlagValues = Partial<Interfaces.InferredFlags<typeof monitorFlags>>

export function monitorInput(flags: MonitorFlagValues): MonitorInput {
  return {
    email: flags.email, filter: flags.filter, grace: flags.grace, name: flags.name, renotify: flags.renotify, secret: flags.secret,
    sensitivity: flags.sensitivity, threshold: flags.threshold, trigger: flags.trigger, type: flags.type, webhook: flags.webhook,
  }
}
