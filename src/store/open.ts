// Which store holds an app's definitions: the HEROKU_TRIGGERS config var when the app has it
// (shared by the team and a clock dyno), otherwise the file on this machine.
import path from 'node:path'

import type {HerokuPlatform} from '../platform/heroku.js'
import type {DefinitionStore} from './definitions.js'

import {CONFIG_VAR, ConfigVarStore} from './config-var-store.js'
import {FileStore} from './file-store.js'

export function fileStoreFor(appDataDir: string): FileStore {
  return new FileStore(path.join(appDataDir, 'definitions.json'))
}

export function sharedStoreFor(platform: HerokuPlatform, appDataDir: string, beforeWrite: () => void, known?: Record<string, string>): ConfigVarStore {
  return new ConfigVarStore(platform, path.join(appDataDir, 'config-var'), known, beforeWrite)
}

/** One API call, which also tells whether the app exists and the key is good. */
export async function openAppStore(platform: HerokuPlatform, appDataDir: string, beforeSharedWrite: () => void): Promise<DefinitionStore> {
  const vars = await platform.configVars()
  if (vars[CONFIG_VAR] !== undefined) return sharedStoreFor(platform, appDataDir, beforeSharedWrite, vars)
  return fileStoreFor(appDataDir)
}
