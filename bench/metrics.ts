// Issue 10's figures: `metrics --json --since 7d` over 7 days of 100 triggers firing every minute
// (about 1,000,000 runs, recorded as the clock records them, with their rollups) against the same
// command on no history, on the file store and on Postgres; and with a filter the rollups cannot
// answer, which reads the span's runs.
import {execFileSync} from 'node:child_process'
import {appendFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {localAppDataDir} from '../src/base.js'
import {ALL, rollupsOf} from '../src/core/metrics.js'
import {newRun, type Run} from '../src/core/runs.js'
import {FileHistory} from '../src/store/machine-store.js'
import {PostgresStore} from '../src/store/postgres/store.js'
import {startPostgres} from '../test/helpers/postgres-server.js'
import {type BenchResult, compareCommands, cpuMs, RUN, sleep, timeCommand} from './lib.js'

const DAY = 86_400_000
const MINUTE = 60_000
const TRIGGERS = 100
const FILTER = 'state:failed -command:x'

function triggerId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
}

/** The finished runs of one minute, as the clock records them. */
function minuteOfRuns(nominal: number): Run[] {
  return Array.from({length: TRIGGERS}, (_, i) => {
    const trigger = {command: `bin/task ${i}`, id: triggerId(i), size: 'Basic', timeout: 1800}
    const pending = newRun('pending', {nominalAt: new Date(nominal), trigger}, nominal + 20)
    return {...pending, dyno: `trigger-00000000.${1000 + i}`, endedAt: new Date(nominal + 4000).toISOString(), exitStatus: 0,
      startedAt: new Date(nominal + 900).toISOString(), state: 'succeeded', upAt: new Date(nominal + 1200).toISOString()}
  })
}

/** 7 days, recorded a minute's batch at a time through the file history, then compacted as the clock's prune does. */
export async function seedFile(dir: string, now: number): Promise<number> {
  const start = Math.floor((now - 7 * DAY) / MINUTE) * MINUTE
  let history = new FileHistory(dir)
  let day = ''
  let count = 0
  for (let nominal = start; nominal < now - MINUTE; nominal += MINUTE) {
    const today = new Date(nominal).toISOString().slice(0, 10)
    if (today !== day) history = new FileHistory(dir) // a clock restarts now and then; its memory of counted runs does not grow for ever
    day = today
    const runs = minuteOfRuns(nominal)
    await history.appendMany(runs, nominal + 5000)
    count += runs.length
  }

  await history.prune(now)
  return count
}

/** The same history on Postgres, written by the database itself (runs and rollups), as bench/postgres.ts does. */
async function seedPostgres(store: PostgresStore, app: string, now: number): Promise<void> {
  const start = Math.floor((now - 7 * DAY) / MINUTE) * MINUTE
  const [template] = minuteOfRuns(start)
  const rollups = rollupsOf(minuteOfRuns(start))
  const appWide = rollups.find(r => r.key === ALL && r.at === start)!
  const perTrigger = rollups.find(r => r.key === triggerId(0) && r.at === start)!
  for (let day = 0; day < 7; day++) {
    const from = start + day * DAY
    const to = Math.min(now - MINUTE, from + DAY)
    await store.query(
      `
      INSERT INTO heroku_triggers.runs (app, id, trigger_id, nominal_at, state, dyno, recorded_at, rolled_up, doc)
      SELECT $1, tid || '@' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'), tid, ts, 'succeeded', 'trigger-00000000.' || (1000 + n), ts + interval '5 s', true,
             $2::jsonb || jsonb_build_object('id', tid || '@' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'), 'triggerId', tid, 'nominalAt', ts,
               'command', 'bin/task ' || n, 'dyno', 'trigger-00000000.' || (1000 + n), 'startedAt', ts + interval '900 ms', 'endedAt', ts + interval '4 s')
      FROM generate_series(to_timestamp($3::double precision / 1000), to_timestamp($4::double precision / 1000) - interval '1 minute', interval '1 minute') AS ts,
           generate_series(0, ${TRIGGERS - 1}) AS n, LATERAL (SELECT '00000000-0000-4000-8000-' || lpad(n::text, 12, '0') AS tid) AS t`,
      [app, JSON.stringify(template), from, to],
    )
    // each minute's rollups: the app's and each trigger's, the same numbers shifted to their minute
    await store.query(
      `
      INSERT INTO heroku_triggers.rollups (app, key, at, doc)
      SELECT $1, k, ts, (CASE WHEN k = '*' THEN $2::jsonb ELSE $3::jsonb END) || jsonb_build_object('key', k, 'at', (extract(epoch FROM ts) * 1000)::bigint)
      FROM generate_series(to_timestamp($4::double precision / 1000), to_timestamp($5::double precision / 1000) - interval '1 minute', interval '1 minute') AS ts,
           (SELECT '*' AS k UNION ALL SELECT '00000000-0000-4000-8000-' || lpad(n::text, 12, '0') FROM generate_series(0, ${TRIGGERS - 1}) AS n) AS keys`,
      [app, JSON.stringify(appWide), JSON.stringify(perTrigger), from, to],
    )
  }

  await store.query('ANALYZE heroku_triggers.runs')
  await store.query('ANALYZE heroku_triggers.rollups')
}

function result(name: string, measured: {baseline: number; ours: number}, target: number): BenchResult {
  const ratio = measured.ours / measured.baseline
  return {baseline: measured.baseline, name, ours: measured.ours, pass: ratio <= target, ratio, target: `≤ ${target}×`, unit: 'ms, median'}
}

async function fileStore(now: number): Promise<BenchResult[]> {
  const emptyData = mkdtempSync(path.join(tmpdir(), 'bench-metrics-empty-'))
  const fullData = mkdtempSync(path.join(tmpdir(), 'bench-metrics-full-'))
  const project = realpathSync(mkdtempSync(path.join(tmpdir(), 'bench-metrics-project-')))
  try {
    const count = await seedFile(path.join(localAppDataDir(fullData, project), 'runs'), now)
    const cmd = (dataDir: string, ...extra: string[]) => () => timeCommand([process.execPath, RUN, 'metrics', '--local', '--json', '--since', '7d', ...extra], {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir}})
    const plain = await compareCommands(cmd(fullData), cmd(emptyData), 5)
    const filtered = await compareCommands(cmd(fullData, '--filter', FILTER), cmd(emptyData, '--filter', FILTER), 3)
    return [
      result(`metrics --json --since 7d, file store, ${count.toLocaleString('en')} runs vs no history`, plain, 2),
      result(`metrics --json --since 7d --filter '${FILTER}', file store, ${count.toLocaleString('en')} runs vs no history`, filtered, 2.5),
    ]
  } finally {
    for (const dir of [emptyData, fullData, project]) rmSync(dir, {force: true, recursive: true})
  }
}

async function postgres(now: number): Promise<BenchResult[]> {
  const server = await startPostgres()
  const project = realpathSync(mkdtempSync(path.join(tmpdir(), 'bench-metrics-pg-project-')))
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-metrics-pg-'))
  try {
    const url = await server.createDatabase('bench_metrics')
    const app = `local/${path.basename(localAppDataDir(dataDir, project))}`
    const big = new PostgresStore({source: 'HEROKU_TRIGGERS_DATABASE_URL', url}, app)
    await seedPostgres(big, app, now)
    const count = await big.history.count()
    await big.close()
    const emptyUrl = await server.createDatabase('bench_metrics_empty')
    const cmd = (databaseUrl: string, ...extra: string[]) => () => timeCommand(
      [process.execPath, RUN, 'metrics', '--local', '--json', '--since', '7d', ...extra],
      {cwd: project, env: {HEROKU_TRIGGERS_DATA_DIR: dataDir, HEROKU_TRIGGERS_DATABASE_URL: databaseUrl}},
    )
    const plain = await compareCommands(cmd(url), cmd(emptyUrl), 5)
    const filtered = await compareCommands(cmd(url, '--filter', FILTER), cmd(emptyUrl, '--filter', FILTER), 3)
    return [
      result(`metrics --json --since 7d, Postgres, ${count.toLocaleString('en')} runs vs no history`, plain, 2),
      result(`metrics --json --since 7d --filter '${FILTER}', Postgres, ${count.toLocaleString('en')} runs vs no history`, filtered, 2.5),
    ]
  } finally {
    await server.stop()
    for (const dir of [dataDir, project]) rmSync(dir, {force: true, recursive: true})
  }
}

/** metrics --watch in a real terminal (tmux) while 50 runs a minute start and end in the local log. */
async function watchCpu(): Promise<BenchResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-watch-'))
  const project = realpathSync(mkdtempSync(path.join(tmpdir(), 'bench-watch-project-')))
  const log = path.join(localAppDataDir(dataDir, project), 'logs', 'app.log')
  mkdirSync(path.dirname(log), {recursive: true})
  writeFileSync(log, '')
  const session = `bench-watch-${process.pid}`
  const tmux = (...args: string[]) => execFileSync('tmux', args, {encoding: 'utf8'})
  tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '60', `cd ${project} && HEROKU_TRIGGERS_DATA_DIR=${dataDir} exec ${process.execPath} ${RUN} metrics --local --resolution 1m --watch`)
  try {
    const pid = Number(tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim())
    await sleep(4000) // started and drawn
    const lines = (n: number, at: number) => {
      const t = (ms: number) => new Date(at + ms).toISOString().replace('Z', '000+00:00')
      return [`${t(0)} heroku[scheduler.${n}]: Starting process with command \`bin/job\``,
        `${t(300)} heroku[scheduler.${n}]: State changed from starting to up`,
        `${t(2500)} heroku[scheduler.${n}]: Process exited with status ${n % 5 === 0 ? 1 : 0}`,
        `${t(2600)} heroku[scheduler.${n}]: State changed from up to complete`]
    }

    const seconds = 60
    const before = cpuMs(pid)
    const started = Date.now()
    for (let i = 0; i < seconds * 50 / 60; i++) { // a run every 1.2 s, each with its four lifecycle lines as they happen
      const at = Date.now()
      const [start, up, exit, complete] = lines(1000 + i, at)
      appendFileSync(log, `${start}\n${up}\n`)
      setTimeout(() => appendFileSync(log, `${exit}\n${complete}\n`), 2600)
      await sleep(Math.max(0, started + (i + 1) * 1200 - Date.now()))
    }

    const percent = ((cpuMs(pid) - before) / (Date.now() - started)) * 100
    await sleep(3500) // the last runs end, and are drawn
    const drawn = /local: (\d+) runs/.exec(tmux('capture-pane', '-p', '-t', session))?.[1] ?? '?'
    return {baseline: 5, name: `metrics --watch CPU while 50 runs a minute start and end (tmux, --local; ${drawn} runs drawn at the end)`, ours: percent, pass: percent < 5, ratio: percent / 5, target: '< 5 % of a core', unit: '% of a core (baseline = target)'}
  } finally {
    try {
      tmux('kill-session', '-t', session)
    } catch {}

    for (const dir of [dataDir, project]) rmSync(dir, {force: true, recursive: true})
  }
}

export async function benchMetrics(): Promise<BenchResult[]> {
  const now = Date.now()
  const only = process.env.BENCH_METRICS_STORE
  return [
    ...(only === 'postgres' || only === 'watch' ? [] : await fileStore(now)),
    ...(only === 'file' || only === 'watch' ? [] : await postgres(now)),
    ...(only === 'file' || only === 'postgres' ? [] : [await watchCpu()]),
  ]
}
