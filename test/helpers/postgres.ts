// The PostgreSQL server the tests share: started on first use (a throwaway cluster, see
// postgres-server.ts) and stopped when the test process exits; each suite gets databases of its own.
// HEROKU_TRIGGERS_TEST_PG_URL names a server to use instead (a superuser URL).
import pg from 'pg'

import {type PostgresServer, startPostgres} from './postgres-server.js'

let server: null | Promise<PostgresServer> = null

function shared(): Promise<PostgresServer> {
  server ??= startPostgres().then(started => {
    process.once('exit', () => {
      started.stop().catch(() => {})
    })
    return started
  })
  return server
}

let counter = 0

/** A new, empty database and its URL (TLS, password; no sslmode, as Heroku's DATABASE_URL). */
export async function testDatabase(): Promise<string> {
  const external = process.env.HEROKU_TRIGGERS_TEST_PG_URL
  if (!external) return (await shared()).createDatabase()
  const name = `t${process.pid}_${++counter}_${Date.now().toString(36)}`
  const client = new pg.Client({connectionString: external, ssl: false})
  await client.connect()
  try {
    await client.query(`CREATE DATABASE "${name}"`)
  } finally {
    await client.end()
  }

  const url = new URL(external)
  url.pathname = `/${name}`
  return url.toString()
}

/** Runs SQL on a database as a user would with psql (the tests' own look behind the store). */
export async function sql<R extends object = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({connectionString: url, ssl: url.includes('sslmode=disable') ? false : {rejectUnauthorized: false}})
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}
