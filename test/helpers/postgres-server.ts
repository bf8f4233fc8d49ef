// A throwaway PostgreSQL server for tests and benchmarks: Debian's postgresql package, a cluster in
// a temporary directory, on a free loopback port, with TLS on (a self-signed certificate, as
// Heroku's are to a client) and password authentication. It refuses to run as root, so as root the
// cluster belongs to the postgres user.
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import pg from 'pg'

export interface PostgresServer {
  /** the superuser's URL (TLS, password), no sslmode: as Heroku gives DATABASE_URL */
  url: string
  port: number
  password: string
  /** a new empty database on this server, and its URL */
  createDatabase(name?: string): Promise<string>
  stop(): Promise<void>
}

export function postgresBinDir(): null | string {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root).filter(v => existsSync(path.join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))
  return versions.length > 0 ? path.join(root, versions[0], 'bin') : null
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

const isRoot = process.getuid?.() === 0

/** Runs a server binary as the cluster's owner (postgres when we are root). */
function asOwner(bin: string, args: string[]): void {
  const [command, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  const result = spawnSync(command, argv, {encoding: 'utf8', timeout: 60_000})
  if (result.status !== 0) throw new Error(`${path.basename(bin)} failed (${result.status}): ${result.stderr || result.stdout}`)
}

let counter = 0

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('PostgreSQL is not installed: the Postgres store tests need Debian\'s postgresql package (apt-get install -y postgresql)')
  const dir = mkdtempSync(path.join(tmpdir(), 'heroku-triggers-pg-'))
  const data = path.join(dir, 'data')
  const password = `pw-${Math.random().toString(36).slice(2, 12)}`
  writeFileSync(path.join(dir, 'pwfile'), password + '\n')
  if (isRoot) {
    execFileSync('chown', ['-R', 'postgres:postgres', dir])
  }

  chmodSync(dir, 0o700)
  asOwner(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${path.join(dir, 'pwfile')}`, '-E', 'utf8', '--no-instructions'])
  // a self-signed certificate: TLS like Heroku Postgres, not verifiable, as Heroku's is not by default
  execFileSync('openssl', ['req', '-new', '-x509', '-days', '2', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', path.join(data, 'server.key'), '-out', path.join(data, 'server.crt')], {stdio: 'ignore'})
  chmodSync(path.join(data, 'server.key'), 0o600)
  if (isRoot) {
    chownSync(path.join(data, 'server.key'), uidOf('postgres'), gidOf('postgres'))
    chownSync(path.join(data, 'server.crt'), uidOf('postgres'), gidOf('postgres'))
  }

  const port = await freePort()
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c ssl=on',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ')
  asOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'])
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`

  return {
    async createDatabase(name = `t${process.pid}_${++counter}_${Date.now().toString(36)}`) {
      const client = new pg.Client({connectionString: url, ssl: {rejectUnauthorized: false}})
      await client.connect()
      try {
        await client.query(`CREATE DATABASE "${name}"`)
      } finally {
        await client.end()
      }

      return `postgres://postgres:${password}@127.0.0.1:${port}/${name}`
    },
    password,
    port,
    async stop() {
      try {
        asOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, {force: true, recursive: true})
      }
    },
    url,
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], {encoding: 'utf8'}).trim())
}

function gidOf(user: string): number {
  return Number(execFileSync('id', ['-g', user], {encoding: 'utf8'}).trim())
}
