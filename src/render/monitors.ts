// How monitors and alerts look in a terminal.
import {hux} from '@heroku/heroku-cli-util'
import * as color from '@heroku/heroku-cli-util/color'

import type {Alert} from '../core/judge.js'
import type {MonitorView} from '../core/monitors.js'

export type MonitorRow = MonitorView & {lastAlert: null | string}

function stateText(state: string): string {
  if (state === 'ok' || state === 'resolved') return color.success(state)
  if (state === 'alerting' || state === 'open') return color.failure(state)
  return color.inactive(state)
}

export function monitorTable(rows: MonitorRow[]): void {
  hux.table(rows as unknown as Record<string, unknown>[], {
    id: {get: row => String(row.id).slice(0, 8), header: 'ID'},
    name: {header: 'Name'},
    type: {header: 'Type'},
    target: {get: row => (row.trigger as null | string) ?? (row.filter ? `filter ${row.filter as string}` : 'every run'), header: 'Target'},
    threshold: {get: row => (row.threshold ?? (row.grace === null ? '' : `grace ${row.grace as number} s`)) as string, header: 'Threshold'},
    sensitivity: {header: 'Sensitivity'},
    state: {get: row => stateText(String(row.state)), header: 'State'},
    lastAlert: {get: row => (row.lastAlert as null | string) ?? '', header: 'Last alert'},
  })
}

export function alertTable(alerts: Alert[]): void {
  hux.table(alerts as unknown as Record<string, unknown>[], {
    id: {get: row => String(row.id).slice(0, 8), header: 'ID'},
    monitor: {header: 'Monitor'},
    type: {header: 'Type'},
    state: {get: row => stateText(String(row.state)), header: 'State'},
    openedAt: {header: 'Opened'},
    resolvedAt: {get: row => (row.resolvedAt as null | string) ?? '', header: 'Resolved'},
    message: {header: 'Message'},
  })
}
