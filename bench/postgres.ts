// Issue 9's figures, on a real PostgreSQL server (a throwaway cluster, as the tests use): fire lag
// with the Postgres store against the file store, `runs --json` over 1,000,000 stored runs against
// an empty history, recording run #1,000,000 against run #1,000, and a standby clock's takeover.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {newRun, type Run} from '../src/core/runs.js'
import {createTrigger} from '../src/core/trigger.js'
import {PostgresStore} from '../src/store/postgres/store.js'
import {type Emulator, startEmulator} from '../test/emulator/index.js'
import {type PostgresServer, startPostgres} from '../test/helpers/postgres-server.js'
import {burstLags, dynoCreates, type Seeder, startClock, warmEmulator} from './clock.js'
import {type BenchResult, compareCommands, median, percentile, RUN, stopProcess, timeCommand, waitFor} from './lib.js'

const DAY = 86_400_000

function postgresApp(emulator: Emulator, app: string, url: string): void {
  emulator.createApp({configVars: {DATABASE_URL: url, HEROKU_TRIGGERS_DATABASE: 'DATABASE_URL'}, name: app, oneOffLimit: 10_000})
}

/** Triggers written in one transaction, as triggers:apply writes them. */
function seedPostgres(url: string): Seeder {
  return async (emulator, _dataDir, app, specs) => {
    postgresApp(emulator, app, url)
    const store = new PostgresStore({source: 'DATABASE_URL', url}, app)
    const now = new Date()
    await store.definitions.update(defs => {
      for (const [i, spec] of specs.entries()) defs.triggers.push(createTrigger({command: 'true', name: `t${i}`, schedule: spec.schedule}, [], now).trigger)
    })
    await store.close()
  }
}

async function fireLag(emulator: Emulator, url: string, dataDir: string): Promise<BenchResult[]> {
  await warmEmulator(emulator)
  const file: number[][] = []
  const pg: number[][] = []
  for (let i = 0; i < 3; i++) { // alternately, so both see the same machine
    file.push(await burstLags(emulator, dataDir, `file-lag-${i}`))
    pg.push(await burstLags(emulator, dataDir, `pg-lag-${i}`, seedPostgres(url)))
  }

  return [50, 99].map(p => {
    const ours = percentile(pg.flat(), p)
    const baseline = percentile(file.flat(), p)
    return {baseline, name: `fire lag p${p}, 200 triggers due in one second, 3 fresh clocks each: Postgres store vs file store (Postgres each: ${pg.map(r => percentile(r, p)).join(', ')} ms)`,
      ours, pass: ours / baseline <= 1.3, ratio: ours / baseline, target: '≤ 1.3×', unit: 'ms'}
  })
}

/** 7 days × 100 triggers every minute of finished runs, written by the database itself. */
async function seedRuns(store: PostgresStore, app: string, now: number): Promise<number> {
  const template = newRun('pending', {nominalAt: new Date(now), trigger: {command: 'bin/task', id: '00000000-0000-4000-8000-000000000000', size: 'Basic', timeout: 1800}}, now)
  const from = now - 7 * DAY
  for (let day = 0; day < 7; day++) {
    await store.query(
      `
      INSERT INTO heroku_triggers.runs (app, id, trigger_id, nominal_at, state, dyno, recorded_at, doc)
      SELECT $1, tid || '@' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'), tid, ts, 'succeeded', 'trigger-00000000.' || (1000 + n), ts + interval '4 s',
             $2::jsonb || jsonb_build_object('id', tid || '@' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'), 'triggerId', tid, 'nominalAt', ts,
               'scheduledAt', ts, 'dyno', 'trigger-00000000.' || (1000 + n), 'state', 'succeeded', 'exitStatus', 0, 'startedAt', ts + interval '1 s', 'endedAt', ts + interval '4 s')
      FROM generate_series(to_timestamp($3::double precision / 1000), to_timestamp($4::double precision / 1000) - interval '1 minute', interval '1 minute') AS ts,
           generate_series(0, 99) AS n, LATERAL (SELECT '00000000-0000-4000-8000-' || lpad(n::text, 12, '0') AS tid) AS t`,
      [app, JSON.stringify(template), from + day * DAY, Math.min(now, from + (day + 1) * DAY)],
    )
  }

  return store.history.count()
}

async function appendCost(store: PostgresStore, now: number, rounds: number, offset: number): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const run: Run = newRun('pending', {nominalAt: new Date(now + (offset + i) * 60_000), trigger: {command: 'x', id: '10000000-0000-4000-8000-000000000000', size: null, timeout: 60}}, now)
    const started = performance.now()
    await store.history.append({...run, state: 'succeeded'}, now)
    times.push(performance.now() - started)
  }

  return median(times)
}

async function history(emulator: Emulator, server: PostgresServer, dataDir: string): Promise<BenchResult[]> {
  const url = await server.createDatabase('bench_history')
  const now = Date.now()
  const big = new PostgresStore({source: 'DATABASE_URL', url}, 'big-app')
  const small = new PostgresStore({source: 'DATABASE_URL', url}, 'small-app')
  const count = await seedRuns(big, 'big-app', now)
  await small.history.importRuns([...(await big.history.latest({limit: 1000})).values()], now)
  await big.query('ANALYZE heroku_triggers.runs')
  await appendCost(big, now, 50, 0)
  await appendCost(small, now, 50, 0)
  const ours = await appendCost(big, now, 400, 100)
  const baseline = await appendCost(small, now, 400, 100)
  await Promise.all([big.close(), small.close()])

  postgresApp(emulator, 'big-app', url)
  postgresApp(emulator, 'empty-app', url)
  const env = {HEROKU_API_KEY: emulator.apiKey, HEROKU_HOST: emulator.url, HEROKU_TRIGGERS_DATA_DIR: dataDir}
  const cmd = (app: string) => () => timeCommand([process.execPath, RUN, 'runs', '--app', app, '--json'], {env})
  const listing = await compareCommands(cmd('big-app'), cmd('empty-app'), 7)
  return [
    {baseline, name: `recording a run on Postgres with ${count.toLocaleString('en')} stored vs 1,000`, ours, pass: ours / baseline <= 1.5, ratio: ours / baseline, target: '≤ 1.5×', unit: 'ms per run, median'},
    {baseline: listing.baseline, name: `runs --json on Postgres over ${count.toLocaleString('en')} stored runs vs an empty history`, ours: listing.ours,
      pass: listing.ours / listing.baseline <= 2, ratio: listing.ours / listing.baseline, target: '≤ 2×', unit: 'ms, median'},
  ]
}

/** A standby clock: time from the active clock's exit to the standby's first fire of the now overdue run. */
async function takeover(emulator: Emulator, url: string, dataDir: string): Promise<BenchResult> {
  const app = 'takeover-app'
  await seedPostgres(url)(emulator, dataDir, app, [{schedule: '* * * * * *'}])
  const first = startClock(emulator, mkdtempSync(path.join(dataDir, 'a-')), app)
  await first.started
  await waitFor(() => dynoCreates(emulator, app).length > 0, 10_000)
  const second = startClock(emulator, mkdtempSync(path.join(dataDir, 'b-')), app)
  await new Promise(resolve => {
    setTimeout(resolve, 3000) // the standby is waiting for the lease
  })
  try {
    await stopProcess(first.child)
    const exitedAt = Date.now()
    const before = dynoCreates(emulator, app).length
    await waitFor(() => dynoCreates(emulator, app).length > before, 20_000)
    const ms = dynoCreates(emulator, app)[before].at - exitedAt
    return {baseline: 5000, name: 'takeover: the active clock exits → the standby\'s first dyno create', ours: ms, pass: ms <= 5000, ratio: ms / 5000, target: '≤ 5 s', unit: 'ms (baseline = target)'}
  } finally {
    await stopProcess(second.child)
  }
}

export async function benchPostgres(): Promise<BenchResult[]> {
  const server = await startPostgres()
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-pg-'))
  try {
    const lagUrl = await server.createDatabase('bench_lag')
    const lagEmulator = await startEmulator({launchDelayMs: 3000})
    const lag = await fireLag(lagEmulator, lagUrl, dataDir).finally(() => lagEmulator.stop())
    const emulator = await startEmulator({launchDelayMs: 3000})
    try {
      const stored = await history(emulator, server, dataDir)
      const handover = await takeover(emulator, await server.createDatabase('bench_takeover'), dataDir)
      return [...lag, ...stored, handover]
    } finally {
      await emulator.stop()
    }
  } finally {
    await server.stop()
    rmSync(dataDir, {force: true, recursive: true})
  }
}
