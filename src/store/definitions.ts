import type {StoreKind} from './store.js'

// The stored document of an app's definitions, in both stores, and its checks.
import {StoreUnreadableError} from '../core/errors.js'
import {type Trigger, TRIGGER_DEFAULTS} from '../core/trigger.js'

export const SCHEMA_VERSION = 1

export interface Definitions {
  schemaVersion: number
  triggers: Trigger[]
  /** monitor definitions (a later part of the product); kept as they are */
  monitors: unknown[]
}

export function emptyDefinitions(): Definitions {
  return {monitors: [], schemaVersion: SCHEMA_VERSION, triggers: []}
}

export interface DefinitionStore {
  readonly kind: StoreKind
  /** where the definitions live, for messages: a path or "HEROKU_TRIGGERS on example-app" */
  readonly location: string
  read(): Promise<Definitions>
  /**
   * Reads the newest definitions under a lock, applies `change` to them and writes the result
   * atomically. If `change` throws, nothing is written.
   */
  update<T>(change: (defs: Definitions) => Promise<T> | T): Promise<T>
}

/** Checks a parsed document; `where` names it in the message. Never repairs anything. */
export function checkDefinitions(value: unknown, where: string): Definitions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreUnreadableError(`${where} is not a heroku-triggers store (expected a JSON object): it was left as it was; move it away to start afresh`)
  }

  const doc = value as Partial<Definitions>
  const version = doc.schemaVersion ?? 0
  if (typeof version !== 'number' || version > SCHEMA_VERSION) {
    throw new StoreUnreadableError(`${where} has schema version ${String(version)}, newer than this plugin understands (${SCHEMA_VERSION}): upgrade heroku-triggers`)
  }

  if (!Array.isArray(doc.triggers)) {
    throw new StoreUnreadableError(`${where} has no "triggers" list: it was left as it was; move it away to start afresh`)
  }

  return {monitors: Array.isArray(doc.monitors) ? doc.monitors : [], schemaVersion: SCHEMA_VERSION, triggers: doc.triggers.map(t => withDefaults(t))}
}

export function parseDefinitions(text: string, where: string): Definitions {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new StoreUnreadableError(`${where} is not valid JSON (${(error as Error).message}): it was left as it was; fix it or move it away, then retry`)
  }

  return checkDefinitions(value, where)
}

// Stored triggers may leave out fields that hold their default (the config var is small).
const DEFAULT_ENTRIES = Object.entries(TRIGGER_DEFAULTS) as Array<[keyof Trigger, unknown]>

/** Fills in left-out fields in place: the object was just parsed and is ours (and this runs 10,000 times). */
function withDefaults(stored: Partial<Trigger>): Trigger {
  const target = stored as Record<string, unknown>
  for (const [key, value] of DEFAULT_ENTRIES) {
    if (target[key] === undefined) target[key] = typeof value === 'object' && value !== null ? {...value} : value
  }

  return stored as Trigger
}

/** The smallest JSON for a document: fields equal to their default are left out. */
export function compactJSON(defs: Definitions): string {
  const triggers = defs.triggers.map(t => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(t)) {
      const fallback = TRIGGER_DEFAULTS[key as keyof typeof TRIGGER_DEFAULTS]
      if (fallback !== undefined && JSON.stringify(fallback) === JSON.stringify(value)) continue
      out[key] = value
    }

    return out
  })
  return JSON.stringify({monitors: defs.monitors, schemaVersion: defs.schemaVersion, triggers})
}

/** What a change did to the triggers, by id: put (added or changed) and removed; the same for monitors. */
export interface DefinitionsDelta {
  put: Trigger[]
  removed: string[]
  monitors: {put: unknown[]; removed: string[]}
}

/** A definition's content, whatever order its fields were parsed or built in. */
function canonical(item: unknown): string {
  const sorted = (value: unknown): unknown => (value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)]))
    : value)
  return JSON.stringify(sorted(item))
}

function idOf(item: unknown): string {
  return String((item as null | {id?: unknown})?.id ?? canonical(item))
}

function listDelta<T>(before: readonly T[], after: readonly T[]): {put: T[]; removed: string[]} {
  const old = new Map(before.map(x => [idOf(x), canonical(x)]))
  const now = new Set(after.map(x => idOf(x)))
  return {put: after.filter(x => old.get(idOf(x)) !== canonical(x)), removed: before.map(x => idOf(x)).filter(id => !now.has(id))}
}

function listHolds(delta: {put: readonly unknown[]; removed: readonly string[]}, items: readonly unknown[]): boolean {
  const byId = new Map(items.map(x => [idOf(x), canonical(x)]))
  return delta.put.every(x => byId.get(idOf(x)) === canonical(x)) && delta.removed.every(id => !byId.has(id))
}

function listApply<T>(items: readonly T[], delta: {put: readonly T[]; removed: readonly string[]}): T[] {
  const put = new Map(delta.put.map(x => [idOf(x), x]))
  const removed = new Set(delta.removed)
  const out = items.filter(x => !removed.has(idOf(x))).map(x => put.get(idOf(x)) ?? x)
  for (const x of delta.put) if (!out.some(y => idOf(y) === idOf(x))) out.push(x)
  return out
}

export function deltaOf(before: Definitions, after: Definitions): DefinitionsDelta {
  return {...listDelta(before.triggers, after.triggers), monitors: listDelta(before.monitors, after.monitors)}
}

/** Whether the change is still there: every put definition as it was put, every removed one gone. */
export function deltaHolds(delta: DefinitionsDelta, defs: Definitions): boolean {
  return listHolds(delta, defs.triggers) && listHolds(delta.monitors, defs.monitors)
}

/** Puts the change back on top of someone else's definitions, leaving their other triggers and monitors alone. */
export function applyDelta(defs: Definitions, delta: DefinitionsDelta): Definitions {
  return {...defs, monitors: listApply(defs.monitors, delta.monitors), triggers: listApply(defs.triggers, delta)}
}
