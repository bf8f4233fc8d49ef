// The embedded store: one lowdb JSON file per app, mode 0600, written atomically (a temporary
// file, fsync, rename) under a lock that holds across processes.
import {Low} from 'lowdb'
import {randomBytes} from 'node:crypto'
import {mkdir, open, readFile, rename, rm} from 'node:fs/promises'
import path from 'node:path'

import {StoreUnreadableError} from '../core/errors.js'
import {type Definitions, type DefinitionStore, emptyDefinitions, parseDefinitions} from './definitions.js'

/** A lowdb adapter that writes private files atomically and refuses to read a corrupt one. */
export class PrivateJSONFile<T> {
  constructor(readonly file: string, private readonly parse: (text: string) => T, private readonly stringify: (data: T) => string) {}

  async read(): Promise<null | T> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw new StoreUnreadableError(`cannot read ${this.file} (${fsReason(error)}): it was left as it was; make it a readable file or move it away, or point HEROKU_TRIGGERS_DATA_DIR at another folder`)
    }

    return this.parse(text)
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, this.stringify(data) + '\n')
  }
}

/** Node's "ENOTDIR: not a directory, open '/x/y'" without the path it repeats. */
function fsReason(error: unknown): string {
  return (error as Error).message.replace(/, \w+( '.*')?$/, '')
}

/** The folder a store file goes in, made if need be; one that cannot be is a store that cannot be used (nothing written). */
async function makeFolderFor(file: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), {mode: 0o700, recursive: true})
  } catch (error) {
    throw new StoreUnreadableError(`cannot write in ${path.dirname(file)} (${fsReason(error)}): nothing was written; make it a folder you can write to, or point HEROKU_TRIGGERS_DATA_DIR at one`)
  }
}

export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await makeFolderFor(file)
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const handle = await open(temporary, 'wx', 0o600)
  try {
    await handle.writeFile(text, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }

  try {
    await rename(temporary, file)
  } catch (error) {
    await rm(temporary, {force: true})
    throw error
  }
}

/** Holds the lock on `file` while `work` runs; waits up to about `waitMs` for another holder. */
export async function withFileLock<T>(file: string, work: () => Promise<T>, waitMs = 15_000): Promise<T> {
  await makeFolderFor(file)
  const retries = Math.ceil(waitMs / 100)
  const {default: lockfile} = await import('proper-lockfile') // only writers need it: reads start faster
  let release: () => Promise<void>
  try {
    release = await lockfile.lock(file, {
      lockfilePath: `${file}.lock`,
      realpath: false,
      retries: {factor: 1.3, maxTimeout: 150, minTimeout: 5, randomize: true, retries},
      stale: 10_000,
    })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new StoreUnreadableError(`${file} is locked by another heroku-triggers process: wait for it to finish, or remove ${file}.lock if none is running`)
    }

    throw error
  }

  try {
    return await work()
  } finally {
    await release().catch(() => {})
  }
}

export class FileStore implements DefinitionStore {
  readonly kind = 'file' as const

  constructor(readonly file: string) {}

  get location(): string {
    return this.file
  }

  private db(): Low<Definitions> {
    const adapter = new PrivateJSONFile<Definitions>(this.file, text => parseDefinitions(text, this.file), data => JSON.stringify(data, null, 1))
    return new Low<Definitions>(adapter, emptyDefinitions())
  }

  async read(): Promise<Definitions> {
    const db = this.db()
    await db.read()
    return db.data
  }

  async update<T>(change: (defs: Definitions) => Promise<T> | T): Promise<T> {
    return withFileLock(this.file, async () => {
      const db = this.db()
      await db.read()
      const result = await change(db.data)
      await db.write()
      return result
    })
  }
}
