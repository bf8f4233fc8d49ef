// The one store interface. Three adapters sit behind it: the file on this machine (the default),
// the app's HEROKU_TRIGGERS config var (definitions only; history stays on the machine), and a
// Heroku Postgres database (everything). Only the composition root (src/context.ts) picks one.
import type {Rollup} from '../core/metrics.js'
import type {Run, RunState} from '../core/runs.js'
import type {AlertStore} from './alerts.js'
import type {DefinitionStore} from './definitions.js'

export type StoreKind = 'config-var' | 'file' | 'postgres'

/** The run history: each run's newest snapshot, keyed by run id (trigger and nominal time). */
export interface HistoryStore {
  readonly retentionDays: number
  /** where the history lives, in words */
  readonly location: string
  /** Records runs (upserts: the newest snapshot of a run wins). One round trip whatever the history's size. */
  appendMany(runs: readonly Run[], now: number): Promise<void>
  append(run: Run, now: number): Promise<void>
  /**
   * Claims new runs before their API call: returns the ids this caller may fire. A run another
   * clock already claimed is not returned, so no number of clocks fires one twice.
   */
  claim(runs: readonly Run[], now: number, owner: string): Promise<Set<string>>
  /**
   * The newest runs, most recently written first: at most `limit`, none written before `since` (ms);
   * with `states`, only snapshots in one of those states (what a filter on state needs, read fast).
   */
  latest(options?: {limit?: number; since?: number; states?: readonly RunState[]}): Promise<Map<string, Run>>
  /** Drops what is older than the retention window. */
  prune(now: number): Promise<void>
  /**
   * Per-minute rollups of finished runs (src/core/metrics.ts) whose minute is in [since, until):
   * the whole app's (key '*'), or one trigger's. Kept by append/appendMany: a run counts once, when
   * it is first recorded finished, however often it is recorded again.
   */
  rollups(options: {since: number; triggerId?: string; until: number}): Promise<Rollup[]>
}

/** What a clock remembers between passes, so the next clock (anywhere) knows where it stopped. */
export interface ClockState {
  lastPassAt: null | number
}

export interface ClockStateStore {
  read(): Promise<ClockState>
  write(state: {lastPassAt: number}): Promise<void>
}

/** The clock's lease on an app: held until released, or lost (the store's connection dropped). */
export interface Lease {
  readonly lost: AbortSignal
  release(): Promise<void>
}

export interface LeaseOptions {
  signal: AbortSignal
  /** false: refuse at once (exit 4) when another clock holds it, as --once does */
  wait?: boolean
  /** told once when another clock holds the lease and this one waits for it */
  onStandby(holder: string): void
}

export interface Store {
  readonly kind: StoreKind
  /** the config var holding the database URL (DATABASE_URL), HEROKU_TRIGGERS_DATABASE_URL, or null */
  readonly database: null | string
  /** this process, as other clocks see it (in claims, and in at=standby lines) */
  readonly owner: string
  readonly definitions: DefinitionStore
  readonly history: HistoryStore
  readonly clockState: ClockStateStore
  /** monitors' state, their alerts and the notification outbox */
  readonly alerts: AlertStore
  /**
   * One clock per app. The file and config-var stores refuse a second clock on this machine (exit 4);
   * Postgres makes it wait (standby) and hands it the lease within seconds of the first one's exit.
   * Null when `signal` aborted before the lease was held.
   */
  lease(options: LeaseOptions): Promise<Lease | null>
  /** Calls `onChange` soon after the definitions change anywhere; null when the store cannot tell (poll it). */
  watch(onChange: () => void, onError: (error: Error) => void): Promise<(() => Promise<void>) | null>
  close(): Promise<void>
}
