// triggers:store --to: moves an app's definitions (and history) from the store it has to another.
// Which store an app has is said by its config vars, so each move ends with one config var write:
// one release, after everything has been copied.
import type {Context} from '../context.js'
import type {ConfigVars, HerokuPlatform} from '../platform/heroku.js'
import type {Definitions} from './definitions.js'
import type {Store, StoreKind} from './store.js'

import {InvalidInputError, StoreUnreadableError} from '../core/errors.js'
import {CONFIG_LIMIT_BYTES, CONFIG_VAR, configVarsSize} from './config-var-store.js'
import {compactJSON} from './definitions.js'
import {MachineStore} from './machine-store.js'
import {DATABASE_URL_ENV, DATABASE_VAR, databaseUrlOf, fileStoreFor, postgresStoreFor, sharedStoreFor} from './open.js'
import {isPooled} from './postgres/connection.js'
import {SCHEMA} from './postgres/sql.js'

export interface Where {
  store: StoreKind
  database: null | string
  definitions: string
  history: string
}

export function whereOf(storage: Store): Where {
  return {database: storage.database, definitions: storage.definitions.location, history: storage.history.location, store: storage.kind}
}

export interface MovePlan {
  to: StoreKind
  /** for --to postgres: the config var holding the database URL */
  database: string
}

/** Says what a move would do before anything is written; refuses one that cannot be made. */
export function checkMove(context: Context, plan: MovePlan): void {
  if (context.storage.database === DATABASE_URL_ENV) {
    throw new InvalidInputError(`${DATABASE_URL_ENV} points this machine at a Postgres store, whatever the app says: unset it to move ${context.app}'s own store`)
  }

  if (!context.platform) {
    throw new InvalidInputError(`--local keeps everything on this machine (or in ${DATABASE_URL_ENV}'s database): use --app APP to move an app's store`)
  }

  if (plan.to === 'postgres' && !/^[A-Z]\w*$/.test(plan.database)) {
    throw new InvalidInputError(`--database ${plan.database} is not a config var name: name the one holding the database URL, e.g. --database DATABASE_URL`)
  }

  if (plan.to === 'postgres' && isPooled({source: plan.database, url: ''})) throw pooled(plan.database)
}

/** Copies everything to the new store, then points the app at it with one config var write. Returns what it did, in words. */
export async function moveStore(context: Context, plan: MovePlan): Promise<{message: string; where: Where}> {
  const platform = context.platform as HerokuPlatform
  const from = context.storage
  const {app, appDataDir} = context
  const vars = await platform.configVars()
  const definitions = await from.definitions.read()
  const count = `${definitions.triggers.length} trigger(s)`

  if (plan.to === 'postgres') {
    const url = databaseUrlOf(vars, plan.database, app)
    const target = {source: `${plan.database} on ${app}`, url}
    if (isPooled(target)) throw pooled(plan.database)
    const to = await postgresStoreFor(url, target.source, app)
    try {
      await to.definitions.update(defs => replace(defs, definitions))
      const runs = from.kind === 'postgres' ? 0 : await to.history.importRuns((from as MachineStore).history.all(), context.now().getTime())
      const changes: Record<string, null | string> = {[DATABASE_VAR]: plan.database}
      if (vars[CONFIG_VAR] !== undefined) changes[CONFIG_VAR] = null
      await platform.setConfigVars(changes)
      return {
        message: `Copied ${count} and ${runs} run(s) into schema ${SCHEMA} of ${plan.database}, and set ${DATABASE_VAR}=${plan.database} on ${app} (one release). Changes now make no release.`,
        where: whereOf(to),
      }
    } finally {
      await to.close()
    }
  }

  const file = new MachineStore(fileStoreFor(appDataDir), appDataDir, app)
  const runs = from.kind === 'postgres' ? await copyRecentHistory(from, file, context.now().getTime()) : 0
  const leaving: Record<string, null | string> = {}
  if (vars[DATABASE_VAR] !== undefined) leaving[DATABASE_VAR] = null
  if (plan.to === 'config-var') {
    const next: Definitions = replace({...definitions, monitors: [], triggers: []}, definitions)
    const text = compactJSON(next)
    const size = configVarsSize({...vars, ...leaving, [CONFIG_VAR]: text} as ConfigVars)
    if (size > CONFIG_LIMIT_BYTES) throw new StoreUnreadableError(`the definitions would bring ${app}'s config vars to ${(size / 1024).toFixed(1)} kB, over Heroku's 32 kB limit: nothing was moved; keep them in Postgres or move them to this machine with --to file`)
    await (from.kind === 'postgres' ? platform.setConfigVars({...leaving, [CONFIG_VAR]: text}) : sharedStoreFor(platform, appDataDir, () => {}).update(defs => replace(defs, definitions)));
  } else {
    await file.definitions.update(defs => replace(defs, definitions))
    if (vars[CONFIG_VAR] !== undefined) leaving[CONFIG_VAR] = null
    await platform.setConfigVars(leaving)
  }

  const dropHint = from.kind === 'postgres' ? ` The schema ${SCHEMA} was left in ${from.database}; drop it when no app needs it: heroku pg:psql ${from.database} --app ${app} -c 'DROP SCHEMA ${SCHEMA} CASCADE'` : ''
  const history = runs > 0 ? ` and ${runs} run(s) of the last 7 days` : ''
  const where = plan.to === 'file' ? whereOf(file) : {...whereOf(file), definitions: `${CONFIG_VAR} on ${app}`, store: 'config-var' as const}
  return {message: `Moved ${count}${history} of ${app} to ${where.definitions}.${dropHint}`, where}
}

function pooled(name: string): InvalidInputError {
  return new InvalidInputError(`${name} is a pooled URL (PgBouncer in transaction mode), which loses the clock's lease and change notices: name the direct URL, e.g. --database DATABASE_URL`)
}

function replace(defs: Definitions, source: Definitions): Definitions {
  defs.triggers = structuredClone(source.triggers)
  defs.monitors = structuredClone(source.monitors)
  return defs
}

async function copyRecentHistory(from: Store, to: MachineStore, now: number): Promise<number> {
  const runs = [...(await from.history.latest({since: now - 7 * 86_400_000})).values()].reverse()
  for (let i = 0; i < runs.length; i += 1000) await to.history.appendMany(runs.slice(i, i + 1000), now)
  return runs.length
}
