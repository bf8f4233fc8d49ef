// Monitors' state, alerts and the outbox in Postgres: a transition and its notifications in one
// transaction, so a clock killed between recording and sending finds them waiting after restart.
import type {Alert, MonitorState} from '../../core/judge.js'
import type {AlertChange, AlertQuery, AlertStore, OutboxItem} from '../alerts.js'
import type {PostgresStore} from './store.js'

import {ALERT_SQL} from './sql.js'

const KEEP_MS = 7 * 86_400_000

export class PostgresAlerts implements AlertStore {
  constructor(private readonly store: PostgresStore) {}

  async list(query: AlertQuery = {}): Promise<Alert[]> {
    const {rows} = await this.store.query<{doc: Alert}>(ALERT_SQL.listAlerts, [this.store.app, query.open ?? null, query.monitor ?? null, query.since ?? null, query.limit ?? null])
    return rows.map(r => r.doc)
  }

  async markGivenUp(id: string, reason: string): Promise<void> {
    await this.store.query(ALERT_SQL.markGivenUp, [this.store.app, id, reason])
  }

  async markRetry(id: string, attempts: number, nextAt: number, error: string): Promise<void> {
    await this.store.query(ALERT_SQL.markRetry, [this.store.app, id, attempts, nextAt, error])
  }

  async markSent(id: string, now: number): Promise<void> {
    await this.store.query(ALERT_SQL.markSent, [this.store.app, id, now])
  }

  async pending(now: number, limit = 100): Promise<OutboxItem[]> {
    const {rows} = await this.store.query<{attempts: number; doc: OutboxItem['notification']; last_error: null | string; next_at: number}>(ALERT_SQL.pending, [this.store.app, now, limit])
    return rows.map(r => ({attempts: r.attempts, gaveUp: null, lastError: r.last_error, nextAt: r.next_at, notification: r.doc, sentAt: null}))
  }

  async record(change: AlertChange, now: number): Promise<void> {
    if (change.states.length === 0 && change.alerts.length === 0 && change.notifications.length === 0) return
    const {app} = this.store
    await this.store.transaction(async client => {
      if (change.states.length > 0) await client.query(ALERT_SQL.putStates, [app, JSON.stringify(change.states)])
      if (change.alerts.length > 0) await client.query(ALERT_SQL.putAlerts, [app, JSON.stringify(change.alerts)])
      if (change.notifications.length > 0) {
        await client.query(ALERT_SQL.putOutbox, [app, now, JSON.stringify(change.notifications)])
        await client.query(ALERT_SQL.pruneOutbox, [app, now - KEEP_MS])
      }
    })
  }

  async states(): Promise<Map<string, MonitorState>> {
    const {rows} = await this.store.query<{doc: MonitorState}>(ALERT_SQL.states, [this.store.app])
    return new Map(rows.map(r => [r.doc.key, r.doc]))
  }
}
