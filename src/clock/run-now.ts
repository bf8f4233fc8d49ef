// triggers:run: a manual run of a trigger, recorded like any other, and --tail's wait for it.
import {randomUUID} from 'node:crypto'

import type {Context} from '../context.js'
import type {Trigger} from '../core/trigger.js'

import {parseLine, toEvent} from '../core/lifecycle.js'
import {applyEvent, dynoTypeFor, isTerminal, newRun, type Run, settle} from '../core/runs.js'

export async function runNow(context: Context, trigger: Trigger): Promise<Run> {
  const platform = context.dynos
  const now = context.now()
  const facts = await platform.appFacts()
  const env = {...trigger.env, HEROKU_TRIGGER_ID: trigger.id, HEROKU_TRIGGER_NAME: trigger.name, ...(facts.maintenance ? {HEROKU_MAINTENANCE_MODE: 'true'} : {})}
  const id = `${trigger.id}@manual-${randomUUID().slice(0, 8)}`
  const dyno = await platform.createDyno({command: trigger.command, env, size: trigger.size, timeToLive: trigger.timeout, type: dynoTypeFor(trigger.id)})
  const pending = newRun('pending', {nominalAt: now, reason: 'manual', trigger}, now)
  const run: Run = {...pending, dyno: dyno.name, dynoId: dyno.id, id, nominalAt: null, scheduledAt: null, size: dyno.size ?? trigger.size, state: 'starting'}
  await context.history.append(run, now.getTime())
  return run
}

/** Prints the run's own output as it comes, and returns the run once its outcome is known. */
/** how long --tail waits for an exit line after the dyno's `complete` */
const EXIT_LINE_GRACE_MS = 5000

export async function tailRun(context: Context, started: Run, print: (line: string) => void): Promise<Run> {
  const platform = context.dynos
  const controller = new AbortController()
  let run = started
  let grace: NodeJS.Timeout | undefined
  let interrupted = false
  const onSignal = () => {
    interrupted = true
    controller.abort()
  }

  process.once('SIGINT', onSignal)
  try {
    for await (const raw of platform.logLines({dyno: started.dyno!, lines: 1500, tail: true}, controller.signal)) {
      const line = parseLine(raw)
      if (!line || line.dyno !== started.dyno) continue
      const event = toEvent(line)
      if (event.kind === 'output') print(line.message)
      run = applyEvent(run, event)
      if (isTerminal(run.state)) break
      // the dyno is done but its exit line has not come: give it a moment, then stop waiting
      if (event.kind === 'state' && event.to === 'complete') grace ??= setTimeout(() => controller.abort(), EXIT_LINE_GRACE_MS)
    }
  } finally {
    clearTimeout(grace)
    process.off('SIGINT', onSignal)
    controller.abort()
  }

  // the dyno completed and its exit line never came: unknown, never a success (after Ctrl-C the run goes on)
  if (!isTerminal(run.state) && !interrupted && grace) run = settle(run, context.now().getTime(), {dynoGone: true})

  await context.history.append(run, context.now().getTime())
  return run
}
