// Retries, as functions of a trigger, its failed attempt and `now` (PRODUCT.md "Retries"): the k-th
// retry is due 10 s × 2^(k−1) after the previous attempt ended, at most 10 minutes, and is dropped
// (recorded) when the trigger's next nominal time comes first. One rule for the clock that fires
// them and for the commands that show the plan.
import type {Run} from './runs.js'

import {nextFireTime} from './schedule.js'
import {scheduleOf, type Trigger} from './trigger.js'

/** the longest wait before a retry */
export const MAX_RETRY_DELAY_MS = 600_000

/** The wait before the retry that follows failed attempt `attempt` (1 = the first run): 10 s, 20 s, 40 s ... at most 10 minutes. */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempt - 1), MAX_RETRY_DELAY_MS)
}

export type RetryPlan =
  /** another attempt is due at `at` */
  | {status: 'due'; attempt: number; at: Date; attemptsLeft: number}
  /** the next attempt would be due at or after the next nominal time, so it is not made */
  | {status: 'dropped'; attempt: number; at: Date; attemptsLeft: number; nextNominal: Date; reason: string}
  /** every attempt --retries allows was made */
  | {status: 'exhausted'; attempt: number; attemptsLeft: 0}

/** The failed attempt a retry follows, as the clock and the history know it. */
export type FailedAttempt = Pick<Run, 'attempt' | 'endedAt' | 'nominalAt' | 'state'>

/** Whether a run's outcome earns a retry: it failed or failed to start, and it was scheduled (a manual run is not retried). */
export function isRetryable(run: Pick<Run, 'nominalAt' | 'state'>): boolean {
  return (run.state === 'failed' || run.state === 'failed-to-start') && run.nominalAt !== null
}

/**
 * What follows a failed attempt: the next one and when it is due, counted from when the failed one
 * ended (`endedAt`, its exit line; `fallbackEnd` when unknown). Null when the run earns no retry.
 */
export function retryPlan(trigger: Pick<Trigger, 'at' | 'retries' | 'schedule' | 'timezone'>, failed: FailedAttempt, fallbackEnd: number): null | RetryPlan {
  if (!isRetryable(failed) || trigger.retries <= 0) return null
  const attempt = failed.attempt + 1
  const attemptsLeft = Math.max(0, trigger.retries + 1 - failed.attempt)
  if (attemptsLeft === 0) return {attempt: failed.attempt, attemptsLeft: 0, status: 'exhausted'}
  const ended = Date.parse(failed.endedAt ?? '')
  const at = new Date((Number.isNaN(ended) ? fallbackEnd : ended) + retryDelayMs(failed.attempt))
  const nextNominal = nextFireTime(scheduleOf(trigger), new Date(failed.nominalAt!))
  if (nextNominal !== null && at.getTime() >= nextNominal.getTime()) {
    const reason = `retry dropped: the next run (due ${nextNominal.toISOString()}) came first`
    return {at, attempt, attemptsLeft, nextNominal, reason, status: 'dropped'}
  }

  return {at, attempt, attemptsLeft, status: 'due'}
}

/** What a user sees of the plan, for --json: `{status, attempt, nextAttemptAt, attemptsLeft, reason}`. */
export interface RetryView {
  status: 'done' | 'dropped' | 'due' | 'exhausted'
  /** the attempt that follows the failed run */
  attempt: number
  nextAttemptAt: null | string
  /** attempts --retries still allows after the failed run, the next one included */
  attemptsLeft: number
  /** the run of the next attempt, once it was made (or recorded as dropped) */
  runId: null | string
  reason: null | string
}

/**
 * The retry plan of a failed run, given the runs of its nominal time (the other attempts): made
 * already (`done`), still due, dropped, or exhausted. Null when the run earns no retry.
 */
export function viewRetry(trigger: Pick<Trigger, 'at' | 'retries' | 'schedule' | 'timezone'>, run: FailedAttempt & Pick<Run, 'id' | 'retryOf' | 'triggerId'>, runs: ReadonlyArray<Pick<Run, 'attempt' | 'id' | 'nominalAt' | 'reason' | 'retryOf' | 'state' | 'triggerId'>>, now: number): null | RetryView {
  const plan = retryPlan(trigger, run, now)
  if (plan === null) return null
  if (plan.status === 'exhausted') return {attempt: plan.attempt, attemptsLeft: 0, nextAttemptAt: null, reason: null, runId: null, status: 'exhausted'}
  const first = run.retryOf ?? run.id
  const next = runs.find(r => r.triggerId === run.triggerId && r.nominalAt === run.nominalAt && r.attempt === plan.attempt && (r.retryOf ?? r.id) === first)
  // the clock recorded a dropped retry as a skipped run of that attempt
  if (next?.state === 'skipped' && (next.reason ?? '').startsWith('retry dropped')) {
    return {attempt: plan.attempt, attemptsLeft: plan.attemptsLeft, nextAttemptAt: plan.at.toISOString(), reason: next.reason, runId: next.id, status: 'dropped'}
  }

  if (next) return {attempt: plan.attempt, attemptsLeft: plan.attemptsLeft, nextAttemptAt: null, reason: null, runId: next.id, status: 'done'}
  const reason = plan.status === 'dropped' ? plan.reason : null
  return {attempt: plan.attempt, attemptsLeft: plan.attemptsLeft, nextAttemptAt: plan.at.toISOString(), reason, runId: null, status: plan.status}
}

/**
 * The retry plan of a trigger's latest attempt (its newest nominal time, highest attempt), when
 * that attempt failed; null otherwise. What `triggers:info` shows.
 */
export function latestRetry(trigger: Pick<Trigger, 'at' | 'id' | 'retries' | 'schedule' | 'timezone'>, runs: readonly Run[], now: number): null | RetryView {
  let latest: null | Run = null
  for (const run of runs) {
    if (run.triggerId !== trigger.id || run.nominalAt === null || run.source !== 'trigger') continue
    // a dropped retry's record is the plan's outcome, not an attempt of its own
    if (run.state === 'skipped' && (run.reason ?? '').startsWith('retry dropped')) continue
    if (latest === null || run.nominalAt > latest.nominalAt! || (run.nominalAt === latest.nominalAt && run.attempt > latest.attempt)) latest = run
  }

  return latest ? viewRetry(trigger, latest, runs, now) : null
}
