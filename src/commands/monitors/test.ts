import {BaseCommand} from '../../base.js'
import {deliver, senderDeps} from '../../clock/alerting.js'
import {PlatformError} from '../../core/errors.js'
import {testNotifications} from '../../core/judge.js'
import {monitorsOf, resolveMonitor} from '../../core/monitors.js'
import {monitorArg} from '../../monitor-flags.js'
import {closeTransports} from '../../notify/email.js'

export default class MonitorsTest extends BaseCommand {
  static args = {monitor: monitorArg}
  static description = 'send a sample notification through every channel of a monitor; exits non-zero naming a channel that failed'
  static examples = ['$ heroku monitors:test "report fails" --app example-app']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MonitorsTest)
    const context = await this.context(flags)
    const defs = await context.store.read()
    const monitor = resolveMonitor(monitorsOf(defs.monitors), args.monitor)
    const deps = senderDeps(context, line => this.log(line))
    const notifications = testNotifications(monitor, {app: context.app, now: context.now().getTime(), triggerName: () => null})
    if (notifications.length === 0) throw new PlatformError(`monitor ${monitor.name} has no channel: give it --email or --webhook with monitors:update`)
    const results = await Promise.all(notifications.map(n => deliver(deps, n)))
    closeTransports()
    for (const r of results) this.log(r.ok ? `${r.where}: sent` : `${r.where}: ${r.error}`)
    const failed = results.filter(r => !r.ok)
    if (failed.length > 0) throw new PlatformError(failed.map(r => `${r.where}: ${r.ok ? '' : r.error}`).join('; '))
  }
}
