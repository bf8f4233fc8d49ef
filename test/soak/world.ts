// The soak's triggers and what their dynos do. A command is read by the emulator's simulation, not
// run: `task ms=N exit=N [fail=first]` takes N ms and exits so (a first attempt failing, when asked).
import type {SimulatedRun} from '../emulator/time.js'

import {createTrigger, type Trigger, type TriggerInput} from '../../src/core/trigger.js'

/** six zones, two of which leave summer time inside the soak's first week (Europe on 25 October 2026) */
export const ZONES = ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney']

const task = (ms: number, exit = 0, failFirst = false) => `task ms=${ms} exit=${exit}${failFirst ? ' fail=first' : ''}`

/**
 * `count` triggers (1,000 in the full soak), in proportions that keep a week near Heroku's API
 * budget (4,500 calls an hour, 75 a minute refilled): every minute, every 10 minutes, hourly, daily
 * in six zones across a DST change, six-field seconds, one-offs; forbid, allow and replace; retries;
 * jitter; a timeout that cuts a run short.
 */
export function soakTriggers(count: number, start: number, days: number): Trigger[] {
  const inputs: TriggerInput[] = [
    {command: task(20_000), name: 'minutely', schedule: '* * * * *'},
    {command: task(90_000), concurrency: 'forbid', name: 'minutely forbid (runs 90 s)', schedule: '* * * * *'},
    {command: task(90_000), concurrency: 'allow', name: 'minutely allow (runs 90 s)', schedule: '* * * * *'},
    {command: task(90_000), concurrency: 'replace', name: 'minutely replace (runs 90 s)', schedule: '* * * * *'},
    {command: task(5000), name: 'every 30 seconds', schedule: '*/30 * * * * *'},
    {command: task(2000, 0, true), name: 'hourly, first attempt fails, 2 retries', retries: 2, schedule: '15 * * * *'},
    {command: task(60_000), name: 'hourly, cut by its 10 s timeout', schedule: '40 * * * *', timeout: 10},
    {command: task(5000), name: 'every 20 min of 2 am Berlin (wildcard: both copies)', schedule: '*/20 2 * * *', timezone: 'Europe/Berlin'},
    {command: task(5000), name: '2:30 am Berlin (once, in the first copy)', schedule: '30 2 * * *', timezone: 'Europe/Berlin'},
  ]
  const tenMinutes = Math.max(1, Math.round(count * 0.04))
  const hourly = Math.max(1, Math.round(count * 0.3))
  const oneOffs = Math.max(1, Math.round(count * 0.02))
  for (let i = 0; i < tenMinutes; i++) {
    inputs.push({
      command: task(i % 3 === 0 ? 30_000 : 5000, i % 10 === 9 ? 2 : 0), jitter: i % 4 === 0 ? '60s' : undefined,
      name: `ten-minutely ${i}`, schedule: `${i % 10}-59/10 * * * *`,
    })
  }

  for (let i = 0; i < hourly; i++) {
    // a third at the top of the hour (one burst), the rest spread over it
    inputs.push({command: task(i % 5 === 0 ? 30_000 : 2000, i % 25 === 24 ? 1 : 0), name: `hourly ${i}`, schedule: `${i % 3 === 0 ? 0 : i % 60} * * * *`})
  }

  for (let i = 0; i < oneOffs; i++) {
    const at = new Date(start + ((i + 0.5) / oneOffs) * days * 86_400_000)
    at.setUTCSeconds(0, 0)
    inputs.push({at: at.toISOString(), command: task(5000), name: `one-off ${i}`})
  }

  for (let i = 0; inputs.length < count; i++) {
    const zone = ZONES[i % ZONES.length]
    inputs.push({command: task(i % 7 === 0 ? 30_000 : 2000), name: `daily ${i} (${zone})`, schedule: `${(i * 7) % 60} ${Math.floor(i / 6) % 24} * * *`, timezone: zone})
  }

  const created: Trigger[] = []
  const now = new Date(start - 3_600_000)
  for (const input of inputs.slice(0, count)) created.push(createTrigger(input, created, now).trigger)
  return created
}

/** What a `task` command does on the emulator: no process, its duration and exit status. */
export function simulate(command: string, env: Record<string, string>): null | SimulatedRun {
  const match = /^task ms=(\d+) exit=(\d+)( fail=first)?$/.exec(command)
  if (!match) return null
  const attempt = Number(/#(\d+)$/.exec(env.HEROKU_TRIGGER_RUN_ID ?? '')?.[1] ?? 1)
  return {durationMs: Number(match[1]), exitStatus: match[3] && attempt === 1 ? 1 : Number(match[2])}
}
