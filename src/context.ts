// The composition root: the one place that decides, for the app the flags name (or this machine
// with --local), which store holds its definitions and history, and which platform runs its dynos.
// Every command and the clock get what they need from the context it builds, nothing else.
import type {APIClient} from '@heroku-cli/command'

import {createHash} from 'node:crypto'
import path from 'node:path'

import type {HerokuPlatform} from './platform/heroku.js'
import type {RunPlatform} from './platform/types.js'
import type {DefinitionStore} from './store/definitions.js'
import type {HistoryStore, Store} from './store/store.js'

import {InvalidInputError} from './core/errors.js'
import {LazyLocalPlatform} from './platform/lazy-local.js'

export interface Context {
  /** the Heroku app's name, or "local" */
  app: string
  local: boolean
  /** for --local: the project directory the tasks run in */
  localDir: null | string
  /** where this machine keeps the app's files */
  appDataDir: string
  /** the app's definitions (triggers, monitors) */
  store: DefinitionStore
  /** the app's run history */
  history: HistoryStore
  /** the store as a whole: its kind, the clock's lease and state, change notices */
  storage: Store
  /** null on --local */
  platform: HerokuPlatform | null
  /** where dynos run: the app on Heroku, or this machine */
  dynos: RunPlatform
  now(): Date
  /** waits `ms` (or less when `signal` aborts): the clock's sense of time passing, as now() is of the time */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export interface ContextRequest {
  app?: string
  local?: boolean
  /** the oclif data directory's triggers folder, or HEROKU_TRIGGERS_DATA_DIR */
  dataRoot: string
  /** the user's Heroku API client, made only when an app needs it */
  heroku(): Promise<APIClient>
  /** told before a write that makes a release (the config-var store) */
  beforeSharedWrite(): void
  /** days of run history kept (the clock's --retention) */
  retentionDays?: number
  env?: NodeJS.ProcessEnv
  now?: () => Date
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
}

/** Where --local keeps a project's files: one folder per project directory. */
export function localAppDataDir(dataRoot: string, projectDir: string): string {
  const key = `${path.basename(projectDir).replaceAll(/[^\w.-]/g, '_')}-${createHash('sha256').update(projectDir).digest('hex').slice(0, 8)}`
  return path.join(dataRoot, 'local', key)
}

export async function buildContext(request: ContextRequest): Promise<Context> {
  const now = request.now ?? (() => new Date())
  const sleep = request.sleep ?? (await import('./platform/sleep.js')).sleep
  const env = request.env ?? process.env
  const {openStore} = await import('./store/open.js')
  if (request.local) {
    const localDir = process.cwd()
    const appDataDir = localAppDataDir(request.dataRoot, localDir)
    const storage = await openStore({app: `local/${path.basename(appDataDir)}`, appDataDir, env, platform: null, retentionDays: request.retentionDays})
    const dynos = new LazyLocalPlatform(localDir, appDataDir)
    return {app: 'local', appDataDir, dynos, history: storage.history, local: true, localDir, now, platform: null, sleep, storage, store: storage.definitions}
  }

  if (!request.app) {
    throw new InvalidInputError('missing --app: name the Heroku app with --app example-app (or set HEROKU_APP), or use --local to work on this machine')
  }

  const {app} = request
  const appDataDir = path.join(request.dataRoot, 'apps', app.replaceAll(/[^\w.-]/g, '_'))
  const {HerokuPlatform} = await import('./platform/heroku.js')
  const platform = await HerokuPlatform.connect(await request.heroku(), app, {now: () => now().getTime(), sleep})
  const storage = await openStore({app, appDataDir, beforeSharedWrite: request.beforeSharedWrite, env, platform, retentionDays: request.retentionDays})
  return {app, appDataDir, dynos: platform, history: storage.history, local: false, localDir: null, now, platform, sleep, storage, store: storage.definitions}
}
