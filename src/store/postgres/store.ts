// The shared store on the app's Heroku Postgres: definitions, the run history, the clock's state
// and its lease, all in the schema heroku_triggers. A definition change is one transaction and is
// announced with NOTIFY; a run is claimed by its unique key before its API call; one clock per app
// holds a session advisory lock, and a second waits for it.
import type {Client, Pool, PoolClient} from 'pg'

import {randomBytes} from 'node:crypto'
import {hostname} from 'node:os'

import type {Rollup} from '../../core/metrics.js'
import type {Run, RunState} from '../../core/runs.js'
import type {ClockStateStore, HistoryStore, Lease, LeaseOptions, Store} from '../store.js'

import {ConflictError, StoreUnreadableError} from '../../core/errors.js'
import {ALL} from '../../core/metrics.js'
import {sleep} from '../../platform/sleep.js'
import {checkDefinitions, type Definitions, type DefinitionStore, deltaOf, SCHEMA_VERSION} from '../definitions.js'
import {PostgresAlerts} from './alerts.js'
import {connectionOptions, type DatabaseTarget, hostOf, inTransaction, isConnectionError, isPooled, openPool, storeError} from './connection.js'
import {addRollups, finished} from './rollups.js'
import {CHANNEL, LATEST_VERSION, MIGRATIONS, SCHEMA, SQL} from './sql.js'

const DAY_MS = 86_400_000
/** how long a lost connection is retried before a command gives up (exit 8) */
const RETRY_DELAYS_MS = [100, 300, 700, 1500, 3000]
const PRUNE_BATCH = 10_000

/** This process, as other clocks see it in at=standby lines. */
function ownerId(): string {
  const where = process.env.DYNO ?? hostname()
  return `${where} pid ${process.pid} (${randomBytes(3).toString('hex')})`
}

export class PostgresStore implements Store {
  readonly alerts: PostgresAlerts
  readonly clockState: ClockStateStore
  readonly definitions: DefinitionStore
  readonly history: PostgresHistory
  readonly kind = 'postgres' as const
  readonly owner = ownerId()
  private pool: null | Pool = null
  private ready: null | Promise<Pool> = null
  private session: Client | null = null

  /** `app` keys every row: "example-app", or "local/<project>" for --local */
  constructor(readonly target: DatabaseTarget, readonly app: string, retentionDays = 7) {
    this.definitions = new PostgresDefinitions(this)
    this.history = new PostgresHistory(this, retentionDays)
    this.alerts = new PostgresAlerts(this)
    this.clockState = {
      read: async () => {
        const {rows} = await this.query<{last_pass_at: null | number}>(SQL.readClockState, [this.app])
        return {lastPassAt: rows[0]?.last_pass_at ?? null}
      },
      write: async state => {
        await this.query(SQL.writeClockState, [this.app, state.lastPassAt])
      },
    }
  }

  get database(): string {
    return this.target.source.replace(/ on .*$/, '')
  }

  get location(): string {
    return `schema ${SCHEMA} of ${this.target.source} (${hostOf(this.target)})`
  }

  async close(): Promise<void> {
    const {pool, session} = this
    this.pool = null
    this.ready = null
    this.session = null
    await session?.end().catch(() => {})
    await pool?.end().catch(() => {})
  }

  /** The pool, with the schema migrated: on first use, once per process. */
  connect(): Promise<Pool> {
    this.ready ??= this.open().catch(error => {
      this.ready = null
      throw error
    })
    return this.ready
  }

  async lease(options: LeaseOptions): Promise<Lease | null> {
    if (isPooled(this.target)) {
      throw new StoreUnreadableError(`${this.target.source} is a pooled URL (PgBouncer in transaction mode), which loses the clock's advisory lock and LISTEN: point HEROKU_TRIGGERS_DATABASE at the direct URL (DATABASE_URL)`)
    }

    await this.connect()
    let told = false
    for (;;) {
      if (options.signal.aborted) return null
      let client: Client | null = null
      try {
        client = await this.dedicatedClient()
        await client.query(SQL.keepalives)
        const {rows} = await client.query<{held: boolean}>(SQL.tryLease, [this.app])
        if (!rows[0].held) {
          const holder = await this.holder()
          if (options.wait === false) throw new ConflictError(`a clock for ${this.app} is already running (${holder}): stop it first, or let it do the work`)
          if (!told) options.onStandby(holder)
          told = true
          await this.waitForLease(client, options.signal)
          if (options.signal.aborted) {
            await client.end().catch(() => {})
            return null
          }
        }

        await client.query(SQL.takeLease, [this.app, this.owner])
        return this.held(client)
      } catch (error) {
        await client?.end().catch(() => {})
        if (options.signal.aborted) return null
        if (!isConnectionError(error)) throw storeError(error, this.target)
        await sleep(1000, options.signal) // the database went away: reconnect, and wait again
      }
    }
  }

  async query<R extends object = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<{rowCount: null | number; rows: R[]}> {
    return this.retrying(async () => {
      const pool = await this.connect()
      return pool.query<R>(text, values)
    })
  }

  /** Retries what failed because the connection broke (a restart, a failover); a statement's own error is not retried. */
  async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work()
      } catch (error) {
        if (!isConnectionError(error) || attempt >= RETRY_DELAYS_MS.length) throw storeError(error, this.target)
        await new Promise(resolve => {
          setTimeout(resolve, RETRY_DELAYS_MS[attempt])
        })
      }
    }
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.retrying(async () => inTransaction(await this.connect(), work))
  }

  async watch(onChange: () => void, onError: (error: Error) => void): Promise<() => Promise<void>> {
    const own = this.session === null
    const client = this.session ?? (await this.dedicatedClient())
    const onNotification = (message: {channel: string; payload?: string}) => {
      if (message.channel === CHANNEL && message.payload === this.app) onChange()
    }

    const onEnd = () => onError(new Error('the connection that listens for definition changes closed'))
    client.on('notification', onNotification)
    client.on('end', onEnd)
    await client.query(SQL.listen)
    return async () => {
      client.off('notification', onNotification)
      client.off('end', onEnd)
      if (own) await client.end().catch(() => {})
    }
  }

  private async dedicatedClient(): Promise<Client> {
    const {default: pg} = await import('pg')
    const client = new pg.Client({...connectionOptions(this.target), application_name: `heroku-triggers lease pid ${process.pid}`, keepAlive: true})
    client.on('error', () => {}) // a broken connection is seen as 'end' by whoever holds it
    try {
      await client.connect()
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }

    return client
  }

  private held(client: Client): Lease {
    const lost = new AbortController()
    const onEnd = () => lost.abort()
    client.on('end', onEnd)
    this.session = client
    return {
      lost: lost.signal,
      release: async () => {
        client.off('end', onEnd)
        if (this.session === client) this.session = null
        await client.query(SQL.releaseLease, [this.app]).catch(() => {})
        await client.end().catch(() => {})
      },
    }
  }

  private async holder(): Promise<string> {
    const {rows} = await this.query<{clock_owner: null | string; clock_started_at: Date | null}>(SQL.leaseHolder, [this.app])
    const row = rows[0]
    return row?.clock_owner ? `held by ${row.clock_owner} since ${row.clock_started_at?.toISOString()}` : 'held by another clock'
  }

  private async open(): Promise<Pool> {
    this.pool = await openPool(this.target, `heroku-triggers pid ${process.pid}`)
    const {pool} = this
    await this.retryingRaw(() => migrate(pool))
    return pool
  }

  /** As retrying, for the first connection (before the pool is ready). */
  private async retryingRaw<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work()
      } catch (error) {
        // an unreachable database is said at once on first use; a broken connection later is retried
        if (!isConnectionError(error) || attempt >= 1 || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(String((error as {code?: string}).code))) throw storeError(error, this.target)
        await new Promise(resolve => {
          setTimeout(resolve, 300)
        })
      }
    }
  }

  private async waitForLease(client: Client, signal: AbortSignal): Promise<void> {
    const onAbort = () => {
      client.end().catch(() => {})
    }

    signal.addEventListener('abort', onAbort, {once: true})
    try {
      await client.query(SQL.waitLease, [this.app])
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }
}

/** Brings the schema to this plugin's version; a newer one is refused (exit 8) and left untouched. */
async function migrate(pool: Pool): Promise<void> {
  const applied = await appliedVersion(pool)
  if (applied > LATEST_VERSION) throw newerSchema(applied)
  if (applied === LATEST_VERSION) return
  await inTransaction(pool, async client => {
    await client.query(SQL.migrationLock) // two first uses at once: one migrates, the other waits and finds it done
    await client.query(SQL.createSchema)
    const now = (await client.query<{version: number}>(SQL.appliedVersion)).rows[0].version
    if (now > LATEST_VERSION) throw newerSchema(now)
    for (const migration of MIGRATIONS) {
      if (migration.version <= now) continue
      await client.query(migration.sql)
      await client.query(SQL.markApplied, [migration.version])
    }
  })
}

async function appliedVersion(pool: Pool): Promise<number> {
  try {
    return (await pool.query<{version: number}>(SQL.appliedVersion)).rows[0].version
  } catch (error) {
    const {code} = error as {code?: string}
    if (code === '42P01' || code === '3F000') return 0 // no table or no schema yet: first use
    throw error
  }
}

function newerSchema(version: number): StoreUnreadableError {
  return new StoreUnreadableError(`the Postgres store's schema ${SCHEMA} is at version ${version}, newer than this plugin understands (${LATEST_VERSION}): upgrade heroku-triggers (heroku plugins:update heroku-triggers); nothing was changed`)
}

class PostgresDefinitions implements DefinitionStore {
  readonly kind = 'postgres' as const

  constructor(private readonly store: PostgresStore) {}

  get location(): string {
    return this.store.location
  }

  async read(): Promise<Definitions> {
    const {rows} = await this.store.query<{monitors: unknown[]; triggers: unknown[]}>(SQL.readDefinitions, [this.store.app])
    return this.parse(rows[0])
  }

  /** One transaction: the app's row is locked, so writers from any number of machines queue and all land. */
  async update<T>(change: (defs: Definitions) => Promise<T> | T): Promise<T> {
    const {app} = this.store
    return this.store.transaction(async client => {
      await client.query(SQL.ensureApp, [app])
      await client.query(SQL.lockApp, [app])
      const before = this.parse((await client.query<{monitors: unknown[]; triggers: unknown[]}>(SQL.readDefinitions, [app])).rows[0])
      const after = structuredClone(before)
      const result = await change(after)
      const delta = deltaOf(before, after)
      const monitorsChanged = JSON.stringify(before.monitors) !== JSON.stringify(after.monitors)
      if (delta.put.length === 0 && delta.removed.length === 0 && !monitorsChanged) return result // nothing changed: nothing written
      if (delta.removed.length > 0) await client.query(SQL.deleteTriggers, [app, delta.removed])
      if (delta.put.length > 0) await client.query(SQL.putTriggers, [app, JSON.stringify(delta.put)])
      await client.query(SQL.bumpDefinitions, [app, JSON.stringify(after.monitors)])
      await client.query(SQL.notify, [app]) // delivered at COMMIT, never on a rollback
      return result
    })
  }

  private parse(row: {monitors: unknown[]; triggers: unknown[]} | undefined): Definitions {
    return checkDefinitions({monitors: row?.monitors ?? [], schemaVersion: SCHEMA_VERSION, triggers: row?.triggers ?? []}, this.store.location)
  }
}

/** The same run twice in one batch would be one row touched twice by a statement: keep the newest. */
function newestOnly(runs: readonly Run[]): Run[] {
  const byId = new Map<string, Run>()
  for (const run of runs) {
    byId.delete(run.id)
    byId.set(run.id, run)
  }

  return [...byId.values()]
}

export class PostgresHistory implements HistoryStore {
  constructor(private readonly store: PostgresStore, readonly retentionDays: number) {}

  get location(): string {
    return this.store.location
  }

  async append(run: Run, now: number): Promise<void> {
    await this.appendMany([run], now)
  }

  async appendMany(runs: readonly Run[], now: number): Promise<void> {
    if (runs.length === 0) return
    const batch = newestOnly(runs)
    const {app} = this.store
    if (!batch.some(r => finished(r))) {
      await this.store.query(SQL.putRuns, [app, now, JSON.stringify(batch)])
      return
    }

    // a finished run is counted in the rollups in the same transaction that records it
    await this.store.transaction(async client => {
      await client.query(SQL.lockRollups, [app])
      await client.query(SQL.putRuns, [app, now, JSON.stringify(batch)])
      await addRollups(client, app, batch)
    })
  }

  async rollups(options: {since: number; triggerId?: string; until: number}): Promise<Rollup[]> {
    const {rows} = await this.store.query<{doc: Rollup}>(SQL.rollups, [this.store.app, options.triggerId ?? ALL, options.since, options.until])
    return rows.map(r => r.doc)
  }

  async claim(runs: readonly Run[], now: number, owner: string): Promise<Set<string>> {
    if (runs.length === 0) return new Set()
    const {rows} = await this.store.query<{id: string}>(SQL.claimRuns, [this.store.app, now, JSON.stringify(newestOnly(runs)), owner])
    return new Set(rows.map(r => r.id))
  }

  /** Copies another store's runs in, 1,000 a transaction, with their rollups; a run already here is kept. Returns how many were new. */
  async importRuns(runs: AsyncIterable<Run> | Iterable<Run>, now: number): Promise<number> {
    let batch: Run[] = []
    let added = 0
    const send = async () => {
      if (batch.length === 0) return
      const runs = newestOnly(batch)
      batch = []
      // counted in the rollups as any recorded run is, in the same transaction
      added += await this.store.transaction(async client => {
        await client.query(SQL.lockRollups, [this.store.app])
        const inserted = (await client.query(SQL.importRuns, [this.store.app, now, JSON.stringify(runs)])).rowCount ?? 0
        await addRollups(client, this.store.app, runs)
        return inserted
      })
    }

    for await (const run of runs) {
      batch.push(run)
      if (batch.length >= 1000) await send()
    }

    await send()
    return added
  }

  async count(): Promise<number> {
    return (await this.store.query<{n: number}>(SQL.countRuns, [this.store.app])).rows[0].n
  }

  async latest(options: {limit?: number; since?: number; states?: readonly RunState[]} = {}): Promise<Map<string, Run>> {
    const {rows} = await this.store.query<{doc: Run}>(SQL.latestRuns, [this.store.app, options.since ?? 0, options.limit ?? null, options.states ?? null])
    return new Map(rows.map(r => [r.doc.id, r.doc]))
  }

  /** Deletes runs older than the retention window, a batch at a time. */
  async prune(now: number): Promise<void> {
    const cutoff = now - this.retentionDays * DAY_MS
    await this.store.query(SQL.pruneRollups, [this.store.app, cutoff])
    for (let batch = 0; batch < 100; batch++) {
      const {rowCount} = await this.store.query(SQL.pruneRuns, [this.store.app, cutoff, PRUNE_BATCH])
      if ((rowCount ?? 0) < PRUNE_BATCH) return
    }
  }
}
