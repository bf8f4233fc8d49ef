// Public types of the Heroku Platform API emulator (see index.ts).

import type {EmulatorTime, SimulatedRun} from './time.js'

export type {EmulatorTime, SimulatedRun} from './time.js'

export type SizeTier = 'basic' | 'eco' | 'performance' | 'private' | 'shield' | 'standard'

export interface EmulatorOptions {
  /** account the API key belongs to; also the user in `by user ...` lines (default 'dev@example.com') */
  user?: string
  /** the only accepted bearer token (default 'test-api-key-0123456789abcdef') */
  apiKey?: string
  /** how long a finished one-off still answers GET /dynos/:id and shows in the list (default 0: gone at once) */
  completedDynoVisibleMs?: number
  /** SSE comment heartbeat period on tail sessions (default 10000) */
  keepaliveMs?: number
  /** when set, SSE streams open with `retry: N` (EventSource's reconnect delay; its default is 3000 ms, which also keeps a finished `heroku logs` alive that long). Heroku's own value is not known. */
  sseRetryMs?: number
  /** delay between a dyno create and its process starting, the dyno `starting` meanwhile (Heroku: about a second; default 0) */
  launchDelayMs?: number
  /** list paging default (Heroku: 200, at most 1000) */
  pageSize?: number
  /** 0 = a random free port (default) */
  port?: number
  /** log-runtime-metrics sample period (Heroku: about 20000) */
  sampleIntervalMs?: number
  /** how long a log session can be opened after it was created (Heroku/logplex: 360 s) */
  sessionExpiryMs?: number
  /** SIGTERM → SIGKILL grace (Heroku: 30000) */
  stopGraceMs?: number
  /** milliseconds in one second of `time_to_live` (default 1000; tests may shrink it) */
  timeToLiveUnitMs?: number
  /** size of the account's rate-limit token pool (Heroku: 4500, refilled at 75 a minute) */
  rateLimitTokens?: number
  /** the emulator's clock (default: the wall clock); a soak passes a simulated one */
  time?: EmulatorTime
  /** runs a one-off without a process when this returns a plan for its command (a soak's thousands of runs) */
  simulate?: (command: string, env: Record<string, string>) => null | SimulatedRun
  /** keep finished one-offs in `dynos()` and their names out of reuse (default true); false frees both, as Heroku reuses names */
  keepFinishedDynos?: boolean
  /** record every request in `requests` (default true) */
  recordRequests?: boolean
  /** lines kept in `logLines()` (default 200,000) */
  logHistoryLines?: number
  /** told when a one-off dyno has finished */
  onDynoFinished?: (app: string, dyno: EmulatedDyno) => void
}

export interface SchedulerJobSpec {
  at: number
  command: string
  dynoSize?: string
  every: 10 | 60 | 1440
}

export interface AppSpec {
  /** emails of the app's collaborators besides its owner (the API user) */
  collaborators?: string[]
  /** config vars at creation (no release is logged for them) */
  configVars?: Record<string, string>
  /** cwd of dyno processes (default: a fresh temp dir, holding a Procfile when one is given) */
  dir?: string
  /** quantity per process type; formation dynos are modelled (state, restarts, log lines) but run no process */
  formation?: Record<string, number>
  id?: string
  maintenance?: boolean
  name: string
  /** concurrent one-off dynos allowed (default by size tier: eco 1, basic/standard 50, performance/private/shield 5) */
  oneOffLimit?: number
  procfile?: Record<string, string>
  /** the Heroku Labs feature log-runtime-metrics */
  runtimeMetrics?: boolean
  schedulerJobs?: SchedulerJobSpec[]
  sizeTier?: SizeTier
  /** 'heroku-24' by default; 'cnb' makes `heroku run` prepend `launcher ` */
  stack?: string
}

/** the state a dyno is in, as its log lines name it (the API maps `complete` to `down`) */
export type DynoLogState = 'complete' | 'crashed' | 'down' | 'starting' | 'up'

export interface EmulatedDyno {
  readonly command: string
  readonly createdAt: Date
  /** config vars + request env + DYNO + PORT, as the process got them (empty for formation dynos) */
  readonly env: Record<string, string>
  /** the exit status once the dyno has finished (143 SIGTERM, 137 SIGKILL), else null */
  readonly exitStatus: null | number
  /** resolves with the exit status (null when it never ran) when the dyno has finished */
  readonly finished: Promise<null | number>
  readonly finishedAt: Date | null
  readonly id: string
  readonly name: string
  /** true for dynos created through POST /dynos (one-offs); false for formation dynos */
  readonly oneOff: boolean
  /** pid (and process group) of the running process, null when none */
  readonly pid: null | number
  readonly releaseVersion: number
  /** the command the process ran: a Procfile type substituted */
  readonly resolvedCommand: string
  readonly size: string
  readonly state: DynoLogState
  readonly timeToLive: null | number
  readonly type: string
  readonly updatedAt: Date
}

export interface SchedulerJob {
  at: number
  command: string
  createdAt: Date
  dynoSize: string
  every: number
  id: string
  ranAt: Date | null
  updatedAt: Date
}

export interface Release {
  configVars: Record<string, string>
  createdAt: Date
  description: string
  id: string
  user: string
  version: number
}

export interface EmulatedApp {
  configVars: Record<string, string>
  readonly createdAt: Date
  readonly dir: string
  formation: Record<string, number>
  readonly id: string
  maintenance: boolean
  name: string
  oneOffLimit: number
  procfile: Record<string, string>
  readonly releases: Release[]
  runtimeMetrics: boolean
  readonly schedulerJobs: SchedulerJob[]
  sizeTier: SizeTier
  stack: string
  /** the current release version */
  readonly releaseVersion: number
  /** sets (string) and removes (null) config vars as a PATCH would: a release, log lines, formation restart */
  setConfigVars(changes: Record<string, null | string>, user?: string): Record<string, string>
  /** runs a Heroku Scheduler job now, as the add-on would: a `scheduler.N` dyno with TTL = its interval */
  runSchedulerJob(jobId: string): EmulatedDyno
}

export interface RecordedRequest {
  at: number
  body: unknown
  headers: Record<string, string>
  method: string
  path: string
  query: Record<string, string>
  status: number
}

export interface FaultMatch {
  /** only requests whose `METHOD /path` matches count (default: every Platform API request) */
  match?: RegExp
}

export interface Faults {
  /** 422 cannot_run_above_limit on the next `count` dyno creates (the real limit is enforced anyway) */
  aboveLimit(options?: {count?: number}): void
  clear(): void
  /** 409 conflict on the next `count` dyno creates (the runtime's "release not found yet") */
  conflictOnCreate(options?: {count?: number}): void
  /** a running dyno is cycled now: `Cycling`, then the SIGTERM sequence (143) */
  cycle(app: string, dyno: string): void
  /** every log stream open now is cut (socket destroyed): its reader has to renew */
  cutOpenStreams(): void
  /** the next `count` log streams opened are cut (socket destroyed) after `afterLines` lines */
  cutSessions(options: {afterLines: number; count?: number}): void
  /** the next `count` dynos to finish lose their `Process exited with status N` line */
  dropExitLine(options?: {count?: number}): void
  /** every log session now expires (open streams end, reopening gives 404); with afterMs, sessions created from now on expire that soon */
  expireSessions(options?: {afterMs?: number}): void
  /** the next `count` dynos fail to launch: R99, `Stopping process with SIGKILL`, no process */
  launchFailure(options?: {afterMs?: number; count?: number}): void
  /** R14 (keeps running, repeats every sample) or R15 (SIGKILL, 137) on a running dyno (by name or id, in `app` or any app), or else on the next dyno to come up (in `app` if given) */
  memory(options: {afterMs?: number; app?: string; dyno?: string; kind: 'R14' | 'R15'}): void
  /** the next `count` dynos to finish log `State changed from up to complete` before (and with a later timestamp than) `Process exited with status N` */
  outOfOrder(options?: {count?: number}): void
  /** 429 rate_limit for the next `count` requests, or for `durationMs` */
  rateLimit(options: FaultMatch & {count?: number; durationMs?: number}): void
  /** sets the account's token pool: RateLimit-Remaining goes down from n, real 429s at 0 */
  rateLimitRemaining(n: number): void
  /** 5xx for the next `count` requests */
  serverError(options?: FaultMatch & {count?: number; status?: 500 | 502 | 503}): void
  /** answers delayed by `ms` (for the next `count` requests, or until cleared) */
  slow(options: FaultMatch & {count?: number; ms: number}): void
  /** 401 unauthorized for the next `count` requests */
  unauthorized(options?: FaultMatch & {count?: number}): void
}

export interface Emulator {
  apiKey: string
  app(name: string): EmulatedApp | undefined
  appendLog(app: string, source: string, dyno: null | string, message: string, at?: Date): void
  /** when each TCP connection to the emulator was opened (ms since the epoch) */
  connections: number[]
  createApp(spec: AppSpec): EmulatedApp
  dynos(app: string): EmulatedDyno[]
  faults: Faults
  logLines(app: string): string[]
  requests: RecordedRequest[]
  reset(): void
  stop(): Promise<void>
  url: string
  /** bounded wait for a dyno (by name or id) to finish; resolves with its exit status */
  waitForDyno(app: string, dyno: string, timeoutMs?: number): Promise<null | number>
  waitForLine(app: string, pattern: RegExp, timeoutMs?: number): Promise<string>
}
