import {mkdir, open, readFile, rm} from 'node:fs/promises'
// One clock per app on this machine: a lock file holding the owner's pid. A lock whose owner is
// no longer alive (a clock killed with SIGKILL) is taken over at once rather than after a timeout.
import {hostname} from 'node:os'
import path from 'node:path'

import {ConflictError} from '../core/errors.js'
import {withFileLock} from './file-store.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Takes the lock or throws ConflictError naming the live owner. Taking it is serialised by a short file lock. */
export async function acquirePidLock(file: string, what: string): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), {mode: 0o700, recursive: true})
  return withFileLock(`${file}.guard`, () => take(file, what))
}

async function take(file: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600)
      await handle.writeFile(JSON.stringify({host: hostname(), pid: process.pid, startedAt: new Date().toISOString()}))
      await handle.close()
      return async () => {
        await rm(file, {force: true})
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }

    let owner: {host?: string; pid?: number} = {}
    try {
      owner = JSON.parse(await readFile(file, 'utf8'))
    } catch {}

    if (owner.pid && owner.host === hostname() && alive(owner.pid)) {
      throw new ConflictError(`${what} is already running (pid ${owner.pid}): stop it first, or remove ${file} if it is gone`)
    }

    await rm(file, {force: true}) // its owner is gone
  }

  throw new ConflictError(`could not take the lock ${file}: another ${what} keeps taking it`)
}
