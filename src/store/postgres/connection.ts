// How the Postgres store connects: TLS unless the URL says sslmode=disable, without verifying the
// certificate (Heroku Postgres's is not publicly verifiable) unless it says sslmode=verify-full;
// at most 3 connections a process; and every connection failure as one line that never holds the
// URL or its password.
import type {Pool, PoolClient} from 'pg'

import {StoreUnreadableError, TriggersError} from '../../core/errors.js'

/** What a store's database is called in messages: where its URL comes from and its host, never its password. */
export interface DatabaseTarget {
  url: string
  /** "DATABASE_URL on example-app", "HEROKU_TRIGGERS_DATABASE_URL" */
  source: string
}

export interface ConnectionOptions {
  connectionString: string
  ssl: false | {rejectUnauthorized: boolean}
}

/** The pooled URLs of Heroku's connection pooling (PgBouncer in transaction mode) lose session state: advisory locks, LISTEN. */
export function isPooled(target: DatabaseTarget): boolean {
  if (/CONNECTION_POOL/i.test(target.source)) return true
  try {
    const url = new URL(target.url)
    return url.searchParams.get('pgbouncer') === 'true'
  } catch {
    return false
  }
}

export function hostOf(target: DatabaseTarget): string {
  try {
    const url = new URL(target.url)
    return `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`
  } catch {
    return 'an unreadable URL'
  }
}

export function connectionOptions(target: DatabaseTarget): ConnectionOptions {
  let url: URL
  try {
    url = new URL(target.url)
  } catch {
    throw new StoreUnreadableError(`${target.source} is not a database URL (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE): fix it, or move the store with heroku triggers:store --to file`)
  }

  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new StoreUnreadableError(`${target.source} is a ${url.protocol.replace(':', '')} URL, not a Postgres one (postgres://USER:PASSWORD@HOST:PORT/DATABASE): name the config var of a Heroku Postgres database with --database`)
  }

  const mode = url.searchParams.get('sslmode') ?? 'require'
  // pg lets ssl settings in the URL replace the ssl option: keep them out of the URL and say it here
  for (const key of ['sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'uselibpqcompat', 'pgbouncer']) url.searchParams.delete(key)
  const ssl = mode === 'disable' ? false : {rejectUnauthorized: mode === 'verify-full' || mode === 'verify-ca'}
  return {connectionString: url.toString(), ssl}
}

const UNREACHABLE = new Set(['EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT'])

/** Whether an error is the connection's (worth reconnecting and trying again), not the statement's. */
export function isConnectionError(error: unknown): boolean {
  const e = error as {code?: string; message?: string}
  if (e.code && UNREACHABLE.has(e.code)) return true
  if (e.code === '57P01' || e.code === '57P02' || e.code === '57P03' || e.code?.startsWith('08')) return true // admin shutdown, crash, cannot connect now, connection exceptions
  return /Connection terminated|connection timeout|timeout expired|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '')
}

/** The one-line error for a database that cannot be used, naming it without its password. */
export function storeError(error: unknown, target: DatabaseTarget): Error {
  const e = error as {code?: string; message?: string}
  // the product's own errors, and a change's own failure, pass through as they are
  if (error instanceof TriggersError || (!isConnectionError(error) && !/^[\dA-Z]{5}$/.test(e.code ?? ''))) return error as Error
  const where = `the Postgres store (${target.source}, ${hostOf(target)})`
  const move = 'or move the store with heroku triggers:store --to file'
  if (e.code === '28P01' || e.code === '28000') return new StoreUnreadableError(`${where} refused the credentials: check the URL's user and password (heroku pg:credentials:url), ${move}`)
  if (e.code === '3D000') return new StoreUnreadableError(`${where} has no such database: check the URL's database name, ${move}`)
  if (e.code === '42501') return new StoreUnreadableError(`${where} refused access (${e.message}): the URL's user must be able to create the heroku_triggers schema, ${move}`)
  if (/does not support SSL/i.test(e.message ?? '')) return new StoreUnreadableError(`${where} does not speak TLS: add ?sslmode=disable to the URL for a database on this machine, ${move}`)
  if (/certificate|self.signed/i.test(e.message ?? '')) return new StoreUnreadableError(`${where} has a certificate that does not verify (${e.message}): drop sslmode=verify-full from the URL to use TLS without verifying, as Heroku documents, ${move}`)
  if (isConnectionError(error)) return new StoreUnreadableError(`cannot reach ${where}: ${e.code ?? e.message}: check that the database is up and reachable, ${move}`)
  return new StoreUnreadableError(`${where} failed: ${e.message ?? String(error)}`)
}

/** The pool for one process: at most 2 connections (the clock's lease holds a third). */
export async function openPool(target: DatabaseTarget, applicationName: string): Promise<Pool> {
  const {default: pg} = await import('pg')
  const pool = new pg.Pool({
    ...connectionOptions(target),
    allowExitOnIdle: true,
    application_name: applicationName,
    connectionTimeoutMillis: Number(process.env.HEROKU_TRIGGERS_PG_CONNECT_TIMEOUT_MS ?? 10_000),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    max: 2,
  })
  // an idle connection that breaks (a restart, a failover) is dropped by the pool; without a listener it would crash the process
  pool.on('error', () => {})
  return pool
}

/** Runs `work` in one transaction on one connection. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken = false
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    broken = isConnectionError(error)
    if (!broken) await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    client.release(broken)
  }
}
