import {BaseCommand} from '../../base.js'
import {InvalidInputError} from '../../core/errors.js'
import {json} from '../../flags.js'
import {Flags, ux} from '../../oclif.js'
import {CONFIG_VAR} from '../../store/config-var-store.js'

export default class TriggersStore extends BaseCommand {
  static description = `show where an app's trigger definitions live, or move them between this machine and the app's ${CONFIG_VAR} config var`
  static examples = [
    '$ heroku triggers:store --app example-app',
    '$ heroku triggers:store --app example-app --to config-var --confirm example-app',
    '$ heroku triggers:store --app example-app --to file',
  ]
  static flags = {
    confirm: Flags.string({char: 'c', description: 'the app name, to confirm the release without a prompt'}),
    json,
    to: Flags.string({description: `file (this machine) or config-var (${CONFIG_VAR}, shared with the team and a clock dyno)`, options: ['config-var', 'file']}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TriggersStore)
    if (flags.local && flags.to === 'config-var') throw new InvalidInputError('--local keeps definitions in a file on this machine: use --app APP to share them through a config var')
    const context = await this.context(flags, {beforeSharedWrite() {}})
    const from = context.store
    if (!flags.to || flags.to === from.kind || !context.platform) {
      const where = {app: context.app, kind: from.kind, location: from.location}
      if (flags.json) return this.json(where)
      this.log(`${context.app}'s triggers live in ${from.kind === 'file' ? 'the file ' : 'the config var '}${from.location}${flags.to ? ' already' : ''}`)
      return
    }

    // Moving writes the config var either way, which makes a release and restarts the dynos.
    await this.confirmApp(context.app, flags.confirm, `moving the definitions writes ${CONFIG_VAR}, which creates a release and restarts ${context.app}'s dynos`)
    const {fileStoreFor, sharedStoreFor} = await import('../../store/open.js')
    const file = fileStoreFor(context.appDataDir)
    const shared = sharedStoreFor(context.platform, context.appDataDir, () => {})
    const definitions = await from.read()
    ux.action.start(`Moving ${definitions.triggers.length} trigger(s) of ${context.app} to ${flags.to === 'file' ? file.location : shared.location}`)
    if (flags.to === 'config-var') {
      await shared.update(defs => Object.assign(defs, definitions))
    } else {
      await file.update(defs => Object.assign(defs, definitions))
      await context.platform.setConfigVars({[CONFIG_VAR]: null})
    }

    ux.action.stop()
    if (flags.json) this.json({app: context.app, kind: flags.to, location: flags.to === 'file' ? file.location : shared.location})
  }
}
