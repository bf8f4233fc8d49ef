// The shell every command shares: the app / remote / local flags, building the context (store,
// platform, clock), and turning the product's errors into one-line messages with exit codes.
//
// @heroku-cli/command is loaded when a command first needs Heroku, not before: importing it costs
// about half a second (its credential manager loads telemetry), and --local needs none of it.
import type {APIClient} from '@heroku-cli/command'
import type {Interfaces} from '@oclif/core'

import {createHash} from 'node:crypto'
import path from 'node:path'

import type {HerokuPlatform} from './platform/heroku.js'
import type {DefinitionStore} from './store/definitions.js'

import {ConfirmationRequiredError, InvalidInputError, TriggersError} from './core/errors.js'
import {Command, Flags, importShared, ux} from './oclif.js'

export interface Context {
  /** the Heroku app's name, or "local" */
  app: string
  local: boolean
  /** for --local: the project directory the tasks run in */
  localDir: null | string
  /** where this machine keeps the app's files */
  appDataDir: string
  store: DefinitionStore
  /** null on --local */
  platform: HerokuPlatform | null
  now(): Date
}

export type BaseFlags = Interfaces.InferredFlags<typeof BaseCommand.baseFlags>

type HerokuCommandModule = typeof import('@heroku-cli/command')

/** The package @heroku-cli/command, shared with the Heroku CLI this plugin runs in when it can be (see oclif.ts). */
export function loadHerokuCommand(): Promise<HerokuCommandModule> {
  return importShared<HerokuCommandModule>('@heroku-cli/command', '13', () => import('@heroku-cli/command'))
}

const appFlag = Flags.custom<string>({
  char: 'a',
  // the git-remote and HEROKU_APP rules are @heroku-cli/command's own, loaded only when needed
  async default(context) {
    if (context.flags.local) return
    if (process.env.HEROKU_APP) return process.env.HEROKU_APP
    const {flags} = await loadHerokuCommand()
    const heroku = flags.app({required: false})
    return typeof heroku.default === 'function' ? heroku.default(context as never) : undefined
  },
  description: 'app to run command against',
  helpValue: '<value>',
})

const wallClock = () => new Date()

export abstract class BaseCommand extends Command {
  static baseFlags = {
    app: appFlag(),
    local: Flags.boolean({description: 'use this machine instead of a Heroku app (no Heroku account needed)', exclusive: ['remote']}),
    remote: Flags.string({char: 'r', description: 'git remote of app to use'}),
  }
  static enableJsonFlag = false
  private client?: APIClient

  /** The user's Heroku API client (@heroku-cli/command), created on first use. */
  protected async heroku(): Promise<APIClient> {
    if (!this.client) {
      const {APIClient} = await loadHerokuCommand()
      this.client = new APIClient(this.config, {debug: process.env.HEROKU_DEBUG === '1' || process.env.HEROKU_DEBUG?.toLowerCase() === 'true'})
    }

    return this.client
  }

  protected dataRoot(): string {
    return process.env.HEROKU_TRIGGERS_DATA_DIR ?? path.join(this.config.dataDir, 'triggers')
  }

  /** Builds what the core needs for the app the flags name (or for this machine with --local). */
  protected async context(flags: {app?: string; local?: boolean}, options: {beforeSharedWrite?: () => void} = {}): Promise<Context> {
    const now = wallClock
    if (flags.local) {
      const localDir = process.cwd()
      const appDataDir = localAppDataDir(this.dataRoot(), localDir)
      const {fileStoreFor} = await import('./store/open.js')
      return {app: 'local', appDataDir, local: true, localDir, now, platform: null, store: fileStoreFor(appDataDir)}
    }

    if (!flags.app) {
      throw new InvalidInputError('missing --app: name the Heroku app with --app example-app (or set HEROKU_APP), or use --local to work on this machine')
    }

    const {app} = flags
    const appDataDir = path.join(this.dataRoot(), 'apps', app.replaceAll(/[^\w.-]/g, '_'))
    const [{HerokuPlatform}, {openAppStore}] = await Promise.all([import('./platform/heroku.js'), import('./store/open.js')])
    const platform = await HerokuPlatform.connect(await this.heroku(), app)
    const store = await openAppStore(platform, appDataDir, options.beforeSharedWrite ?? (() => this.sharedWriteNotice(app)))
    return {app, appDataDir, local: false, localDir: null, now, platform, store}
  }

  protected sharedWriteNotice(app: string): void {
    // paused through the action: a running ux.action holds stderr back until it stops, after the write
    ux.action.pause(() => this.logToStderr(`Writing HEROKU_TRIGGERS on ${app}: this creates a release and restarts the app's dynos.`))
  }

  /**
   * A destructive step goes ahead when --confirm names the app, or the user types the app's name
   * at a prompt; with no terminal and no --confirm it is refused (exit 5), never left waiting.
   * `what` says what happens, as in "deleting nightly cannot be undone".
   */
  protected async confirmApp(app: string, confirmation: string | undefined, what: string): Promise<void> {
    if (confirmation !== undefined) {
      if (confirmation !== app) throw new InvalidInputError(`--confirm ${confirmation} does not match the app: pass --confirm ${app}`)
      return
    }

    if (!isInteractive()) throw new ConfirmationRequiredError(`${what}: pass --confirm ${app} to confirm without a terminal`)
    const {hux} = await import('@heroku/heroku-cli-util')
    await hux.confirmCommand({comparison: app, warningMessage: `${what[0].toUpperCase()}${what.slice(1)}. To proceed, type ${app}.`})
  }

  /** Writes JSON to stdout and nothing else. */
  protected json(value: unknown): void {
    process.stdout.write(JSON.stringify(value, null, 2) + '\n')
  }

  protected async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof TriggersError) {
      if (ux.action.running) ux.action.stop('!') // as oclif's own catch does: else the action holds the message back
      this.logToStderr(` ›   Error: ${error.message}`)
      this.exit(error.exitCode)
    }

    return super.catch(error)
  }
}

/** Where --local keeps a project's files: one folder per project directory. */
export function localAppDataDir(dataRoot: string, projectDir: string): string {
  const key = `${path.basename(projectDir).replaceAll(/[^\w.-]/g, '_')}-${createHash('sha256').update(projectDir).digest('hex').slice(0, 8)}`
  return path.join(dataRoot, 'local', key)
}

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY)
}
