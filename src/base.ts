// The shell every command shares: the app / remote / local flags, building the context (store,
// platform, clock), and turning the product's errors into one-line messages with exit codes.
//
// @heroku-cli/command is loaded when a command first needs Heroku, not before: importing it costs
// about half a second (its credential manager loads telemetry), and --local needs none of it.
import type {APIClient} from '@heroku-cli/command'
import type {Interfaces} from '@oclif/core'

import path from 'node:path'
import {stripVTControlCharacters} from 'node:util'

import {type Context} from './context.js'
import {ConfirmationRequiredError, ExitCode, InvalidInputError, TriggersError} from './core/errors.js'
import {Command, Flags, importShared, ux} from './oclif.js'

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

export abstract class BaseCommand extends Command {
  static baseFlags = {
    app: appFlag(),
    local: Flags.boolean({description: 'use this machine instead of a Heroku app (no Heroku account needed)', exclusive: ['remote']}),
    remote: Flags.string({char: 'r', description: 'git remote of app to use'}),
  }
  static enableJsonFlag = false
  private client?: APIClient
  private readonly opened: Context[] = []

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

  /** Builds what the core needs for the app the flags name (or for this machine with --local): src/context.ts decides. */
  protected async context(flags: {app?: string; local?: boolean}, options: {beforeSharedWrite?: () => void; retentionDays?: number} = {}): Promise<Context> {
    const {buildContext} = await import('./context.js')
    const context = await buildContext({
      app: flags.app,
      beforeSharedWrite: options.beforeSharedWrite ?? (() => this.sharedWriteNotice(flags.app ?? '')),
      dataRoot: this.dataRoot(),
      heroku: () => this.heroku(),
      local: flags.local,
      retentionDays: options.retentionDays,
    })
    this.opened.push(context)
    return context
  }

  /** A store's connections (Postgres) close when the command ends, whatever way it ends. */
  protected async finally(error: Error | undefined): Promise<unknown> {
    const opened = this.opened.splice(0)
    await Promise.all(opened.map(c => c.storage.close().catch(() => {})))
    return super.finally(error)
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

    if (isParseError(error)) {
      this.logToStderr(` ›   Error: ${parseErrorLine(error.message)} (${this.config.bin} ${this.id} --help lists the arguments and flags)`)
      this.exit(ExitCode.invalidInput)
    }

    return super.catch(error)
  }
}

/** oclif's own flag and argument errors (an unknown flag, a missing argument, a flag's parse failing...): duck-typed, since the host CLI's oclif may be another copy. */
function isParseError(error: Error): boolean {
  return ('parse' in error && 'showHelp' in error) || /^Parsing --\S+ \n/.test(error.message ?? '')
}

/** oclif's several lines ("Parsing --timeout", "Expected an integer but received: abc", "See more help with --help") as one. */
function parseErrorLine(message: string): string {
  return stripVTControlCharacters(message) // oclif dims part of some of them
    .split('\n')
    .map(line => line.trim().replace(/^(\S+) {2,}(\S.*)$/, '$1 ($2)').replaceAll(/\s+/g, ' ').replace(/:$/, '')) // a listed argument: name (description)
    .filter(line => line !== '' && line !== 'See more help with --help' && !/^The following errors? occurred$/.test(line))
    .join(': ')
}

export {type Context, localAppDataDir} from './context.js'

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY)
}
