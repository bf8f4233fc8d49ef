// Wires monitors to a clock: the judge (fed run changes and a tick), the outbox's sender, and where
// email goes (SMTP from the environment or the app's add-on config vars; the app's people).
import type {Context} from '../context.js'
import type {Run} from '../core/runs.js'
import type {Trigger} from '../core/trigger.js'

import {closeTransports, type SmtpSettings, smtpSettings} from '../notify/email.js'
import {Sender, type SenderDeps} from '../notify/sender.js'
import {sleep} from '../platform/sleep.js'
import {Monitoring} from './monitoring.js'

const TICK_MS = 5000
/** with no monitor defined there is nothing to judge: the loop rests (and is woken when one comes) */
const IDLE_TICK_MS = 600_000

export interface Alerting {
  onRunChanges(runs: readonly Run[]): void
  /** the definitions, each time the clock reads them */
  setDefinitions(defs: {monitors: unknown[]; triggers: Trigger[]}): void
  /** --once: judges what is left, reminds, delivers what is due; continuous: stops the loops */
  close(): Promise<void>
}

/** The sender's view of the world for an app: shared by the clock and monitors:test. */
export function senderDeps(context: Context, print: (line: string) => void): SenderDeps {
  let smtp: null | Promise<null | SmtpSettings> = null
  let people: null | Promise<string[]> = null
  return {
    alerts: context.storage.alerts,
    app: context.app,
    defaultRecipients() {
      people ??= context.platform
        ? context.platform.ownerAndCollaborators().catch(error => {
        people = null
        throw error
      })
        : Promise.resolve([])
      return people
    },
    now: () => context.now().getTime(),
    print,
    sleep,
    smtp() {
      smtp ??= (async () => smtpSettings(process.env) ?? (context.platform ? smtpSettings(await context.platform.configVars()) : null))().catch(error => {
        smtp = null
        throw error
      })
      return smtp
    },
  }
}

export async function startAlerting(context: Context, print: (line: string) => void, once: boolean): Promise<Alerting> {
  const deps = senderDeps(context, print)
  const sender = new Sender(deps)
  const now = () => context.now().getTime()
  // the daily failure email goes to the app's people: none on --local
  const smtp = await deps.smtp().catch(() => null)
  const failureEmails = context.platform !== null && smtp !== null
  if (smtp) await import('nodemailer') // loaded ahead: not on the first alert's path
  const monitoring = new Monitoring({
    alerts: context.storage.alerts,
    app: context.app,
    failureEmails,
    async loadDefinitions() {
      return context.store.read()
    },
    now,
    onNotifications: () => sender.wake(),
    print,
  })
  const recent = await context.history.latest({since: now() - 86_400_000})
  await monitoring.load(recent.values())
  const stop = new AbortController()
  /** cuts the tick loop's rest short: monitors have come */
  let rest = new AbortController()
  const loops = once
    ? []
    : [
    sender.run(stop.signal),
    (async () => {
      while (!stop.signal.aborted) {
        // the clock's time, as the clock's own sleeps
        rest = new AbortController()
        const woken = AbortSignal.any([stop.signal, rest.signal])
        await context.sleep(monitoring.watching ? TICK_MS : IDLE_TICK_MS, woken).catch(() => {})
        if (!stop.signal.aborted) await monitoring.tick()
      }
    })(),
  ]
  return {
    async close() {
      if (once) {
        await monitoring.idle()
        await monitoring.tick()
        await sender.drain().catch(error => print(`at=warn msg=${JSON.stringify(`could not send notifications: ${(error as Error).message}`)}`))
        closeTransports()
        return
      }

      stop.abort()
      await monitoring.idle()
      await Promise.all(loops)
      closeTransports()
    },
    onRunChanges: runs => monitoring.onRunChanges(runs),
    setDefinitions(defs) {
      const before = monitoring.watching
      monitoring.setDefinitions(defs)
      if (!before && monitoring.watching) rest.abort()
    },
  }
}

export {deliver} from '../notify/sender.js'
