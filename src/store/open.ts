// Which store an app has: a Postgres database when HEROKU_TRIGGERS_DATABASE_URL is set or the app's
// HEROKU_TRIGGERS_DATABASE config var names one, else the HEROKU_TRIGGERS config var when the app
// has it (shared by the team and a clock dyno), else the file on this machine.
import path from 'node:path'

import type {ConfigVars, HerokuPlatform} from '../platform/heroku.js'
import type {PostgresStore} from './postgres/store.js'
import type {Store} from './store.js'

import {StoreUnreadableError} from '../core/errors.js'
import {CONFIG_VAR, ConfigVarStore} from './config-var-store.js'
import {FileStore} from './file-store.js'
import {MachineStore} from './machine-store.js'

/** the app's config var naming the config var that holds the database URL (e.g. DATABASE_URL) */
export const DATABASE_VAR = 'HEROKU_TRIGGERS_DATABASE'
/** a database URL given directly, for any store, --local included */
export const DATABASE_URL_ENV = 'HEROKU_TRIGGERS_DATABASE_URL'

export interface StoreRequest {
  /** the app's name, or local/<project> */
  app: string
  appDataDir: string
  platform: HerokuPlatform | null
  beforeSharedWrite?: () => void
  retentionDays?: number
  env: NodeJS.ProcessEnv
}

export function fileStoreFor(appDataDir: string): FileStore {
  return new FileStore(path.join(appDataDir, 'definitions.json'))
}

export function sharedStoreFor(platform: HerokuPlatform, appDataDir: string, beforeWrite: () => void, known?: Record<string, string>): ConfigVarStore {
  return new ConfigVarStore(platform, path.join(appDataDir, 'config-var'), known, beforeWrite)
}

export async function postgresStoreFor(url: string, source: string, app: string, retentionDays?: number): Promise<PostgresStore> {
  const {PostgresStore} = await import('./postgres/store.js')
  return new PostgresStore({source, url}, app, retentionDays)
}

/** The database URL the app's HEROKU_TRIGGERS_DATABASE names, read through the Platform API (never stored here). */
export function databaseUrlOf(vars: ConfigVars, name: string, app: string): string {
  const url = vars[name]
  if (url === undefined || url === '') {
    throw new StoreUnreadableError(`${DATABASE_VAR} on ${app} names ${name}, which ${app} does not have: attach a database (heroku addons:create heroku-postgresql --app ${app}), or move the store with heroku triggers:store --app ${app} --to file`)
  }

  return url
}

/** One API call, which also tells whether the app exists and the key is good. */
export async function openStore(request: StoreRequest): Promise<Store> {
  const {app, appDataDir, platform, retentionDays} = request
  const direct = request.env[DATABASE_URL_ENV]
  if (direct) return postgresStoreFor(direct, DATABASE_URL_ENV, app, retentionDays)
  if (!platform) return new MachineStore(fileStoreFor(appDataDir), appDataDir, app, retentionDays)
  const vars = await platform.configVars()
  const database = vars[DATABASE_VAR]
  if (database) return postgresStoreFor(databaseUrlOf(vars, database, app), `${database} on ${app}`, app, retentionDays)
  const definitions = vars[CONFIG_VAR] === undefined ? fileStoreFor(appDataDir) : sharedStoreFor(platform, appDataDir, request.beforeSharedWrite ?? (() => {}), vars)
  return new MachineStore(definitions, appDataDir, app, retentionDays)
}
