// @oclif/core for the commands: the copy of the CLI this plugin runs in when it has oclif 4 (the
// Heroku CLI has already loaded it, so a plugin command costs no second copy), else the plugin's
// own (standalone, bin/run.js). Types always come from the plugin's own copy.
import type * as OclifCore from '@oclif/core'

import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

export const OWN_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The root of the CLI running us: the folder above its bin/run.js. */
export function hostRoot(): string {
  return path.resolve(path.dirname(process.argv[1] ?? OWN_ROOT), '..')
}

/**
 * A package from the host CLI if it has the same major version, else ours (`fallback`). With
 * `file`, that file of the package (e.g. lib/request-id.js) rather than its entry point.
 */
export async function importShared<T>(name: string, major: string, fallback: () => Promise<T>, file?: string): Promise<T> {
  const root = hostRoot()
  if (root !== OWN_ROOT) {
    try {
      const entry = createRequire(path.join(root, 'package.json')).resolve(name)
      let dir = path.dirname(entry)
      const packageDir = path.join('node_modules', ...name.split('/'))
      while (!dir.endsWith(packageDir) && dir !== path.dirname(dir)) dir = path.dirname(dir)
      const {version} = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {version: string}
      if (version.startsWith(`${major}.`) && !entry.startsWith(OWN_ROOT)) return (await import(pathToFileURL(file ? path.join(dir, file) : entry).href)) as T
    } catch {}
  }

  return fallback()
}

const core = await importShared<typeof OclifCore>('@oclif/core', '4', () => import('@oclif/core'))

export const {Args, Command, Flags, ux} = core
