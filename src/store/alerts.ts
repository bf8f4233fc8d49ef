import {randomBytes} from 'node:crypto'
import {readFile} from 'node:fs/promises'

// The store's part for monitors: what each monitor remembers (its streak, its open alert), the
// alerts opened and resolved, and the notification outbox. A transition and its notifications are
// recorded in one write, so a notification is never decided without being kept, nor kept twice.
import type {Alert, MonitorState, Notification} from '../core/judge.js'

import {StoreUnreadableError} from '../core/errors.js'
import {withFileLock, writeFileAtomic} from './file-store.js'

/** A notification waiting in the outbox, or done with. */
export interface OutboxItem {
  notification: Notification
  attempts: number
  /** ms: when the next try is due */
  nextAt: number
  sentAt: null | number
  /** why it was given up (a 4xx, or 24 h of failures), or null */
  gaveUp: null | string
  lastError: null | string
}

export interface AlertQuery {
  open?: boolean
  /** ms: opened or resolved at or after */
  since?: number
  /** the monitor's id */
  monitor?: string
  limit?: number
}

export interface AlertChange {
  states: MonitorState[]
  alerts: Alert[]
  notifications: Notification[]
}

export interface AlertStore {
  /** every monitor's (and failure email's) state, by key */
  states(): Promise<Map<string, MonitorState>>
  /** states, alerts and outbox rows in ONE write; a notification whose id is already there is kept as it was */
  record(change: AlertChange, now: number): Promise<void>
  /** unsent notifications due by `now`, oldest first */
  pending(now: number, limit?: number): Promise<OutboxItem[]>
  markSent(id: string, now: number): Promise<void>
  markRetry(id: string, attempts: number, nextAt: number, error: string): Promise<void>
  markGivenUp(id: string, reason: string, now: number): Promise<void>
  /** alerts, newest first */
  list(query?: AlertQuery): Promise<Alert[]>
}

const KEEP_MS = 7 * 86_400_000

interface AlertsDoc {
  states: Record<string, MonitorState>
  alerts: Alert[]
  outbox: OutboxItem[]
}

export function selectAlerts(alerts: readonly Alert[], query: AlertQuery): Alert[] {
  return alerts
    .filter(a => (query.open ? a.state === 'open' : true))
    .filter(a => query.monitor === undefined || a.monitorId === query.monitor)
    .filter(a => query.since === undefined || Math.max(Date.parse(a.openedAt), Date.parse(a.resolvedAt ?? a.openedAt)) >= query.since)
    .sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0))
    .slice(0, query.limit ?? Number.POSITIVE_INFINITY)
}

/** The file stores' alerts: one private JSON file beside the runs, written atomically under a lock. */
export class FileAlerts implements AlertStore {
  constructor(readonly file: string) {}

  async list(query: AlertQuery = {}): Promise<Alert[]> {
    return selectAlerts((await this.read()).alerts, query)
  }

  async markGivenUp(id: string, reason: string, now: number): Promise<void> {
    await this.change(doc => {
      const item = doc.outbox.find(o => o.notification.id === id)
      if (item) Object.assign(item, {gaveUp: reason, lastError: reason, nextAt: now})
    })
  }

  async markRetry(id: string, attempts: number, nextAt: number, error: string): Promise<void> {
    await this.change(doc => {
      const item = doc.outbox.find(o => o.notification.id === id)
      if (item) Object.assign(item, {attempts, lastError: error, nextAt})
    })
  }

  async markSent(id: string, now: number): Promise<void> {
    await this.change(doc => {
      const item = doc.outbox.find(o => o.notification.id === id)
      if (item) Object.assign(item, {attempts: item.attempts + 1, sentAt: now})
    })
  }

  async pending(now: number, limit = 100): Promise<OutboxItem[]> {
    return (await this.read()).outbox.filter(o => o.sentAt === null && o.gaveUp === null && o.nextAt <= now).slice(0, limit)
  }

  async record(change: AlertChange, now: number): Promise<void> {
    if (change.states.length === 0 && change.alerts.length === 0 && change.notifications.length === 0) return
    await this.change(doc => {
      for (const state of change.states) doc.states[state.key] = state
      for (const alert of change.alerts) {
        const i = doc.alerts.findIndex(a => a.id === alert.id)
        if (i === -1) doc.alerts.push(alert)
        else doc.alerts[i] = alert
      }

      const known = new Set(doc.outbox.map(o => o.notification.id))
      for (const notification of change.notifications) {
        if (known.has(notification.id)) continue
        doc.outbox.push({attempts: 0, gaveUp: null, lastError: null, nextAt: now, notification, sentAt: null})
      }

      // done with and old: dropped, as the history is
      doc.outbox = doc.outbox.filter(o => (o.sentAt === null && o.gaveUp === null) || o.notification.createdAt >= now - KEEP_MS)
      doc.alerts = doc.alerts.filter(a => a.state === 'open' || Date.parse(a.resolvedAt ?? a.openedAt) >= now - KEEP_MS)
    })
  }

  async states(): Promise<Map<string, MonitorState>> {
    return new Map(Object.entries((await this.read()).states))
  }

  private async change(work: (doc: AlertsDoc) => void): Promise<void> {
    await withFileLock(this.file, async () => {
      const doc = await this.read()
      work(doc)
      await writeFileAtomic(this.file, JSON.stringify(doc))
    })
  }

  private async read(): Promise<AlertsDoc> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {alerts: [], outbox: [], states: {}}
      throw new StoreUnreadableError(`cannot read ${this.file}: ${(error as Error).message}`)
    }

    try {
      const doc = JSON.parse(text) as AlertsDoc
      return {alerts: doc.alerts ?? [], outbox: doc.outbox ?? [], states: doc.states ?? {}}
    } catch (error) {
      throw new StoreUnreadableError(`${this.file} is not valid JSON (${(error as Error).message}): it was left as it was; move it away to start afresh`)
    }
  }
}

/** A fresh id for a test notification. */
export function randomId(): string {
  return randomBytes(10).toString('hex')
}
