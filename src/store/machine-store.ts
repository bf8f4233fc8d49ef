// The file and config-var stores: definitions in a file here or in the app's config var, and the
// history, the clock's state and its lock on this machine, beside the definitions file.
import {type FSWatcher, watch} from 'node:fs'
import {mkdir, readFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import path from 'node:path'

import type {Rollup} from '../core/metrics.js'
import type {Run, RunState} from '../core/runs.js'
import type {DefinitionStore} from './definitions.js'
import type {ClockStateStore, HistoryStore, Lease, Store} from './store.js'

import {FileAlerts} from './alerts.js'
import {FileStore, writeFileAtomic} from './file-store.js'
import {acquirePidLock} from './pid-lock.js'
import {RollupFiles} from './rollup-files.js'
import {RunStore} from './run-store.js'

/** The run history on this machine: append-only day files (src/store/run-store.ts). */
export class FileHistory implements HistoryStore {
  private readonly rollupFiles: RollupFiles
  private readonly store: RunStore<Run>

  constructor(readonly dir: string, retentionDays?: number) {
    this.store = new RunStore<Run>(dir, retentionDays, run => run.state)
    this.rollupFiles = new RollupFiles(path.join(dir, 'rollups'), retentionDays)
  }

  get location(): string {
    return `${this.dir} on this machine`
  }

  get retentionDays(): number {
    return this.store.retentionDays
  }

  append(run: Run, now: number): Promise<void> {
    return this.appendMany([run], now)
  }

  async appendMany(runs: readonly Run[], now: number): Promise<void> {
    await this.store.appendMany(runs, now)
    await this.rollupFiles.record(runs, now)
  }

  rollups(options: {since: number; triggerId?: string; until: number}): Promise<Rollup[]> {
    return this.rollupFiles.rollups(options)
  }

  /** One clock per app on this machine (the pid lock), so every claim is this clock's. */
  async claim(runs: readonly Run[], now: number): Promise<Set<string>> {
    await this.appendMany(runs, now)
    return new Set(runs.map(r => r.id))
  }

  latest(options: {limit?: number; since?: number; states?: readonly RunState[]} = {}): Promise<Map<string, Run>> {
    const {limit} = options
    // a snapshot's state is written as "state":"failed": lines without one wanted are not even parsed
    const wanted = options.states?.map(s => `"state":${JSON.stringify(s)}`)
    return this.store.latest({enough: limit === undefined ? undefined : found => found.size >= limit, kinds: options.states, since: options.since, wanted})
  }

  /** Every stored snapshot, oldest first (for moving the history to another store). */
  all(): AsyncIterable<Run> {
    return this.store.all()
  }

  async prune(now: number): Promise<void> {
    await this.store.prune(now)
    await this.rollupFiles.prune(now)
  }
}

export class FileClockState implements ClockStateStore {
  constructor(readonly file: string) {}

  async read(): Promise<{lastPassAt: null | number}> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as {lastPassAt: null | number}
    } catch {
      return {lastPassAt: null}
    }
  }

  async write(state: {lastPassAt: number}): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(state))
  }
}

export class MachineStore implements Store {
  readonly alerts: FileAlerts
  readonly clockState: FileClockState
  readonly database = null
  readonly history: FileHistory
  readonly owner = `${hostname()} pid ${process.pid}`

  constructor(readonly definitions: DefinitionStore, private readonly appDataDir: string, private readonly app: string, retentionDays?: number) {
    this.history = new FileHistory(path.join(appDataDir, 'runs'), retentionDays)
    this.clockState = new FileClockState(path.join(appDataDir, 'clock.json'))
    this.alerts = new FileAlerts(path.join(appDataDir, 'alerts.json'))
  }

  get kind(): 'config-var' | 'file' {
    return this.definitions.kind as 'config-var' | 'file'
  }

  async close(): Promise<void> {}

  async lease(): Promise<Lease> {
    const release = await acquirePidLock(path.join(this.appDataDir, 'clock.lock'), `a clock for ${this.app}`)
    return {lost: new AbortController().signal, release}
  }

  /**
   * The file store's definitions file, watched (inotify on Linux): a change made by another
   * command on this machine is heard at once, so the clock need not read the file every 30 s.
   * A config var changes on Heroku, where no watch reaches: null, and the clock polls.
   */
  async watch(onChange: () => void, onError: (error: Error) => void): Promise<(() => Promise<void>) | null> {
    if (!(this.definitions instanceof FileStore)) return null
    const {file} = this.definitions
    let watcher: FSWatcher
    try {
      await mkdir(path.dirname(file), {mode: 0o700, recursive: true})
      // the file is replaced by a rename on every write: watch its folder, for its name
      watcher = watch(path.dirname(file), {persistent: false}, (_event, name) => {
        if (name === null || name === path.basename(file)) onChange()
      })
    } catch {
      return null // no watching here (too many watches, say): the clock polls
    }

    watcher.on('error', error => {
      watcher.close()
      onError(error)
    })
    return async () => {
      watcher.close()
    }
  }
}
