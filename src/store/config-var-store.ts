import type {ConfigVars, HerokuPlatform} from '../platform/heroku.js'

// The shared store: the app's HEROKU_TRIGGERS config var, so a whole team and a clock dyno see
// the same definitions. Heroku has no conditional write, so a change is read, applied, and
// written only if the var did not move meanwhile (else applied again on the newer value).
import {ConflictError} from '../core/errors.js'
import {applyDelta, compactJSON, type Definitions, type DefinitionsDelta, type DefinitionStore, deltaHolds, deltaOf, emptyDefinitions, parseDefinitions} from './definitions.js'
import {withFileLock} from './file-store.js'

export const CONFIG_VAR = 'HEROKU_TRIGGERS'
/** Heroku's limit on all of an app's config var keys and values together. */
export const CONFIG_LIMIT_BYTES = 32 * 1024
const ATTEMPTS = 5

export function configVarsSize(vars: ConfigVars): number {
  let bytes = 0
  for (const [key, value] of Object.entries(vars)) bytes += Buffer.byteLength(key) + Buffer.byteLength(value ?? '')
  return bytes
}

export class ConfigVarStore implements DefinitionStore {
  readonly kind = 'config-var' as const

  /**
   * `lockFile` is a local lock, so processes on this machine queue instead of racing;
   * `beforeWrite` is called once before the first write (writing makes a release).
   */
  constructor(
    private readonly platform: Pick<HerokuPlatform, 'app' | 'configVars' | 'setConfigVars'>,
    private readonly lockFile: string,
    private known?: ConfigVars,
    private readonly beforeWrite: () => void = () => {},
    /** how long after a write to check that it was not overwritten */
    private readonly verifyDelayMs = Number(process.env.HEROKU_TRIGGERS_VERIFY_DELAY_MS ?? 1000),
  ) {}

  get location(): string {
    return `${CONFIG_VAR} on ${this.platform.app}`
  }

  async read(): Promise<Definitions> {
    const vars = this.known ?? (await this.platform.configVars())
    this.known = undefined
    return this.parse(vars[CONFIG_VAR])
  }

  async update<T>(change: (defs: Definitions) => Promise<T> | T): Promise<T> {
    this.known = undefined // what the app said when the store was opened is old news once anything writes
    return withFileLock(this.lockFile, async () => {
      let warned = false
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const vars = await this.platform.configVars()
        const base = vars[CONFIG_VAR]
        const defs = this.parse(base)

        const result = await change(defs)
        const next = compactJSON(defs)
        if (base !== undefined && next === compactJSON(this.parse(base))) return result // nothing changed: no release
        const size = configVarsSize({...vars, [CONFIG_VAR]: next})
        if (size > CONFIG_LIMIT_BYTES) {
          throw new ConflictError(`the definitions would bring ${this.platform.app}'s config vars to ${(size / 1024).toFixed(1)} kB, over Heroku's 32 kB limit: delete some triggers, or move them to this machine with heroku triggers:store --to file`)
        }

        const current = (await this.platform.configVars())[CONFIG_VAR]
        if (current !== base) continue // someone else wrote meanwhile: apply the change to theirs
        if (!warned) {
          this.beforeWrite()
          warned = true
        }

        await this.platform.setConfigVars({[CONFIG_VAR]: next})
        await this.keep(deltaOf(this.parse(base), defs), vars)
        return result
      }

      throw new ConflictError(`${CONFIG_VAR} on ${this.platform.app} kept changing while this change was being written: nothing was written, retry`)
    })
  }

  /**
   * Heroku has no conditional write: another machine may write between our last read and our
   * PATCH (ours then drops theirs, and they restore theirs) or just after it (theirs drops ours).
   * So a moment after writing, each writer checks that its own change is there and puts it back
   * on top of the other's if not. Only a write that lands after this check can still be lost.
   */
  private async keep(delta: DefinitionsDelta, vars: ConfigVars): Promise<void> {
    for (let check = 1; check <= ATTEMPTS; check++) {
      await new Promise(resolve => {
        setTimeout(resolve, this.verifyDelayMs)
      })
      const now = this.parse((await this.platform.configVars())[CONFIG_VAR])
      if (deltaHolds(delta, now)) return
      const merged = compactJSON(applyDelta(now, delta))
      const size = configVarsSize({...vars, [CONFIG_VAR]: merged})
      if (size > CONFIG_LIMIT_BYTES) throw new ConflictError(`another change to ${CONFIG_VAR} on ${this.platform.app} leaves no room for this one under Heroku's 32 kB limit: delete some triggers and retry`)
      await this.platform.setConfigVars({[CONFIG_VAR]: merged})
    }

    throw new ConflictError(`${CONFIG_VAR} on ${this.platform.app} kept being overwritten by another writer: check heroku triggers and retry`)
  }

  private parse(text: string | undefined): Definitions {
    if (text === undefined || text.trim() === '') return emptyDefinitions()
    return parseDefinitions(text, `config var ${CONFIG_VAR} on ${this.platform.app}`)
  }
}
