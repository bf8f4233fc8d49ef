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

/** What a change did to the triggers, by id: put (added or changed) and removed. */
export interface TriggerDelta {
  put: Trigger[]
  removed: string[]
}

/** A trigger's content, whatever order its fields were parsed or built in. */
function canonical(trigger: Trigger): string {
  const sorted = (value: unknown): unknown => (value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)]))
    : value)
  return JSON.stringify(sorted(trigger))
}

export function deltaOf(before: Definitions, after: Definitions): TriggerDelta {
  const old = new Map(before.triggers.map(t => [t.id, canonical(t)]))
  const now = new Set(after.triggers.map(t => t.id))
  return {
    put: after.triggers.filter(t => old.get(t.id) !== canonical(t)),
    removed: before.triggers.filter(t => !now.has(t.id)).map(t => t.id),
  }
}

/** Whether the change is still there: every put trigger as it was put, every removed one gone. */
export function deltaHolds(delta: TriggerDelta, defs: Definitions): boolean {
  const byId = new Map(defs.triggers.map(t => [t.id, canonical(t)]))
  return delta.put.every(t => byId.get(t.id) === canonical(t)) && delta.removed.every(id => !byId.has(id))
}

/** Puts the change back on top of someone else's definitions, leaving their other triggers alone. */
export function applyDelta(defs: Definitions, delta: TriggerDelta): Definitions {
  const put = new Map(delta.put.map(t => [t.id, t]))
  const removed = new Set(delta.removed)
  const triggers = defs.triggers.filter(t => !removed.has(t.id)).map(t => put.get(t.id) ?? t)
  for (const t of delta.put) if (!triggers.some(x => x.id === t.id)) triggers.push(t)
  return {...defs, triggers}
}
