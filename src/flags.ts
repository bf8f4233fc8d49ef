// Flags shared by triggers:create and triggers:update, with the Advanced Scheduler CLI's names as
// aliases (--value, --dyno, --frequencyType, --state) so its users' scripts keep working.
import type {Interfaces} from '@oclif/core'

import type {TriggerInput} from './core/trigger.js'

import {Args, Flags} from './oclif.js'

export const json = Flags.boolean({description: 'output in json format'})

export const triggerArg = Args.string({description: 'trigger id, id prefix or name', required: true})

export const triggerFlags = {
  at: Flags.string({description: 'run once at this date and time in the trigger\'s timezone (YYYY-MM-DD HH:MM)', exclusive: ['schedule']}),
  'catch-up': Flags.string({description: 'how late a missed run may still start (e.g. 15m); default the smaller of the period and 1h'}),
  command: Flags.string({aliases: ['value'], description: 'command to run, or a Procfile process type (alias --value)'}),
  concurrency: Flags.string({description: 'when the previous run is still going: forbid (skip), allow, or replace (stop it)', options: ['allow', 'forbid', 'replace']}),
  env: Flags.string({description: 'environment variable for the run, KEY=value (repeatable)', multiple: true}),
  'failure-email': Flags.boolean({allowNo: true, description: 'email on the first failed run of each day (default on)'}),
  frequencyType: Flags.string({description: 'Advanced Scheduler compatibility: recurring, or one-off with --schedule "YYYY-MM-DD HH:MM:SS"', hidden: true, options: ['recurring', 'one-off']}),
  inactive: Flags.boolean({description: 'create the trigger without activating it'}),
  jitter: Flags.string({description: 'delay each run by up to this long, the same for each run time (e.g. 30s, 5m)'}),
  maintenance: Flags.string({description: 'in maintenance mode: run (passes HEROKU_MAINTENANCE_MODE=true) or skip', options: ['run', 'skip']}),
  name: Flags.string({description: 'name of the trigger'}),
  retries: Flags.integer({description: 'retries after a failed run, 10 s then doubling up to 10 min apart (0-10)'}),
  schedule: Flags.string({description: 'cron (5 or 6 fields), @daily-style macro, or "every 10 minutes" / "every hour at :30" / "every day at 09:30"'}),
  size: Flags.string({aliases: ['dyno'], description: 'dyno size, e.g. basic or standard-1x (alias --dyno)'}),
  state: Flags.string({description: 'Advanced Scheduler compatibility: active or inactive', hidden: true, options: ['active', 'inactive']}),
  timeout: Flags.integer({description: 'seconds before the run is stopped (1-86400, default 1800)'}),
  timezone: Flags.string({description: 'IANA timezone the schedule is read in (default UTC)'}),
}

/** the parsed values of triggerFlags, as oclif infers them */
type TriggerFlagValues = Partial<Interfaces.InferredFlags<typeof triggerFlags>>

/** From flags to what the core understands; the Advanced Scheduler spellings are mapped here. */
export function triggerInput(flags: TriggerFlagValues): TriggerInput {
  let {at, schedule} = flags
  if (flags.frequencyType === 'one-off' && schedule !== undefined && at === undefined) {
    at = schedule
    schedule = undefined
  }

  let {state} = flags
  if (flags.inactive) state = 'inactive'
  return {
    at,
    catchUp: flags['catch-up'],
    command: flags.command,
    concurrency: flags.concurrency,
    env: flags.env,
    failureEmail: flags['failure-email'],
    jitter: flags.jitter,
    maintenance: flags.maintenance,
    name: flags.name,
    retries: flags.retries,
    schedule,
    size: flags.size,
    state,
    timeout: flags.timeout,
    timezone: flags.timezone,
  }
}
