// What the commands show of a trigger: its stored fields plus what follows from them at `now`.
import {describeSchedule, nextFireTimes} from './schedule.js'
import {scheduleOf, type Trigger} from './trigger.js'

export interface TriggerView extends Trigger {
  kind: 'one-off' | 'recurring'
  /** the schedule in words, with its timezone */
  description: string
  nextRunAt: null | string
}

export function nextRuns(trigger: Trigger, now: Date, count: number): Date[] {
  if (trigger.state !== 'active') return []
  return nextFireTimes(scheduleOf(trigger), now, count)
}

export function viewTrigger(trigger: Trigger, now: Date): TriggerView {
  const [next] = nextRuns(trigger, now, 1)
  const words = describeSchedule(scheduleOf(trigger))
  return {
    id: trigger.id,
    name: trigger.name,
    command: trigger.command,
    kind: trigger.at ? 'one-off' : 'recurring',
    schedule: trigger.schedule,
    at: trigger.at,
    timezone: trigger.timezone,
    description: trigger.at ? words : `${words} (${trigger.timezone})`,
    // a one-off whose time has passed is over, even where the store was not rewritten (the config var)
    state: trigger.at && trigger.state === 'active' && Date.parse(trigger.at) <= now.getTime() ? 'completed' : trigger.state,
    size: trigger.size,
    timeout: trigger.timeout,
    concurrency: trigger.concurrency,
    catchUp: trigger.catchUp,
    jitter: trigger.jitter,
    retries: trigger.retries,
    maintenance: trigger.maintenance,
    env: trigger.env,
    note: trigger.note,
    failureEmail: trigger.failureEmail,
    nextRunAt: next ? next.toISOString() : null,
    createdAt: trigger.createdAt,
    updatedAt: trigger.updatedAt,
  }
}
