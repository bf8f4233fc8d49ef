// The run history where the clock runs: append-only JSON lines, one file per UTC day, the
// newest snapshot of a run winning. Recording a run is one append, whatever the history's size;
// reading the latest runs reads the newest files from their ends; days past the retention
// window are deleted whole. A finished day is compacted once and never written again, so what
// its runs are (their states) is noted beside it: a read for failed runs skips a day without one.
import {createReadStream} from 'node:fs'
import {appendFile, mkdir, open, readdir, readFile, rm} from 'node:fs/promises'
import path from 'node:path'
import {createInterface} from 'node:readline'

import {writeFileAtomic} from './file-store.js'

export interface StoredRecord {
  id: string
}

const DAY_MS = 86_400_000
const BLOCK = 256 * 1024
const COMPACTED = 'compacted.json'

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** compacted.json: each compacted day, with the kinds of record it holds (see RunStore's `kindOf`), or null where not noted. */
type Compacted = Map<string, null | string[]>

export class RunStore<T extends StoredRecord> {
  /** `kindOf`: what a read may ask for by kind (a run's state), noted for each compacted day */
  /** the folder is made on the first write, not on every one (a clock appends several times a minute) */
  private made = false

  constructor(readonly dir: string, readonly retentionDays = 7, private readonly kindOf?: (record: T) => string) {}

  /** One line, appended to today's file. */
  async append(record: T, now: number): Promise<void> {
    await this.appendMany([record], now)
  }

  async appendMany(records: readonly T[], now: number): Promise<void> {
    if (records.length === 0) return
    const file = path.join(this.dir, `${dayOf(now)}.jsonl`)
    const text = records.map(r => JSON.stringify(r)).join('\n') + '\n'
    if (!this.made) await mkdir(this.dir, {mode: 0o700, recursive: true})
    this.made = true
    try {
      await appendFile(file, text, {mode: 0o600})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await mkdir(this.dir, {mode: 0o700, recursive: true}) // the folder went away meanwhile
      await appendFile(file, text, {mode: 0o600})
    }
  }

  /** Day files, newest first. */
  async days(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter(f => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(f)).sort().reverse()
    } catch {
      return []
    }
  }

  /**
   * The newest snapshot of each run, newest written first, reading backwards until `enough`
   * says stop (given the runs so far) or the files written before `since` are reached. With
   * `wanted`, only the lines holding one of those strings are read (blocks without any are skipped);
   * with `kinds` too (what `wanted` stands for), a compacted day holding none of them is not read.
   */
  async latest(options: {enough?: (found: Map<string, T>) => boolean; kinds?: readonly string[]; since?: number; wanted?: readonly string[]} = {}): Promise<Map<string, T>> {
    const needles = options.wanted?.map(w => Buffer.from(w))
    const found = new Map<string, T>()
    const sinceDay = options.since === undefined ? '' : dayOf(options.since)
    const {kinds} = options
    const compacted = kinds ? await this.compactedDays() : new Map() as Compacted
    for (const day of await this.days()) {
      if (day.slice(0, 10) < sinceDay) break
      const held = compacted.get(day.slice(0, 10))
      if (kinds && held && !kinds.some(k => held.includes(k))) continue
      for await (const line of readBackwards(path.join(this.dir, day), needles)) {
        if (options.wanted && !options.wanted.some(w => line.includes(w))) continue
        let record: T
        try {
          record = JSON.parse(line) as T
        } catch {
          continue // a torn last line from a crash mid-append: skip it, keep the rest
        }

        if (!found.has(record.id)) found.set(record.id, record)
        if (options.enough?.(found)) return found
      }
    }

    return found
  }

  /**
   * Deletes whole days older than the retention window, and compacts each finished day once:
   * only the newest snapshot of each run stays (a run's pending and starting lines go).
   */
  async prune(now: number): Promise<{compacted: number; removed: number}> {
    const cutoff = dayOf(now - this.retentionDays * DAY_MS)
    const today = dayOf(now)
    const done = await this.compactedDays()
    let removed = 0
    let compacted = 0
    for (const day of await this.days()) {
      const date = day.slice(0, 10)
      if (date < cutoff) {
        await rm(path.join(this.dir, day), {force: true})
        done.delete(date)
        removed++
      } else if (date < today && !done.has(date)) {
        done.set(date, await this.compactDay(day))
        compacted++
      }
    }

    if (removed > 0 || compacted > 0) {
      const days = [...done.keys()].sort()
      await writeFileAtomic(path.join(this.dir, COMPACTED), JSON.stringify({days, kinds: Object.fromEntries(days.filter(d => done.get(d)).map(d => [d, done.get(d)]))}))
    }

    return {compacted, removed}
  }

  /** Reads compacted.json: today's {days, kinds}, or the list of days an older version wrote (their kinds not noted). */
  private async compactedDays(): Promise<Compacted> {
    let data: unknown
    try {
      data = JSON.parse(await readFile(path.join(this.dir, COMPACTED), 'utf8'))
    } catch {
      return new Map()
    }

    if (Array.isArray(data)) return new Map(data.map(d => [String(d), null]))
    const {days, kinds} = data as {days?: unknown; kinds?: Record<string, unknown>}
    if (!Array.isArray(days)) return new Map()
    return new Map(days.map(d => {
      const held = kinds?.[String(d)]
      return [String(d), Array.isArray(held) ? held.map(String) : null]
    }))
  }

  /** Rewrites a finished day with the newest line of each run, in the order they were last written; returns the kinds it holds. */
  private async compactDay(day: string): Promise<null | string[]> {
    const newest = new Map<string, string>()
    const kinds = new Map<string, string>()
    for await (const line of createInterface({crlfDelay: Infinity, input: createReadStream(path.join(this.dir, day))})) {
      if (line.trim() === '') continue
      let record: T
      try {
        record = JSON.parse(line) as T
      } catch {
        continue
      }

      newest.delete(record.id)
      newest.set(record.id, line)
      if (this.kindOf) kinds.set(record.id, this.kindOf(record))
    }

    await writeFileAtomic(path.join(this.dir, day), [...newest.values()].join('\n') + (newest.size > 0 ? '\n' : ''))
    return this.kindOf ? [...new Set(kinds.values())].sort() : null
  }

  /**
   * Every line of every kept day, oldest first (for compaction and exports).
   * @yields each stored line
   */
  async * all(): AsyncIterable<T> {
    for (const day of (await this.days()).reverse()) {
      for await (const line of createInterface({crlfDelay: Infinity, input: createReadStream(path.join(this.dir, day))})) {
        if (line.trim() === '') continue
        try {
          yield JSON.parse(line) as T
        } catch {}
      }
    }
  }
}

/**
 * The lines of a file, last first, reading fixed-size blocks from the end.
 * @yields each line, newest first
 */
export async function * readBackwards(file: string, needles?: readonly Buffer[]): AsyncIterable<string> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch {
    return
  }

  try {
    const {size} = await handle.stat()
    let position = size
    // one buffer for every block: a block is read in front of the unfinished line after it (the carry)
    let work = Buffer.allocUnsafe(2 * BLOCK)
    let carry = Buffer.alloc(0)
    while (position > 0) {
      const length = Math.min(BLOCK, position)
      position -= length
      const kept = Buffer.from(carry) // it lives in `work`, which the read overwrites
      if (length + kept.length > work.length) work = Buffer.allocUnsafe(length + kept.length)
      await handle.read(work, 0, length, position)
      kept.copy(work, length)
      const buffer = work.subarray(0, length + kept.length)
      if (needles && !needles.some(n => buffer.includes(n))) {
        // no whole line here holds what is wanted: skip them, keeping the part of a line that started earlier
        const first = buffer.indexOf(10)
        carry = first === -1 ? buffer : buffer.subarray(0, first)
        continue
      }

      let end = buffer.length
      for (let i = buffer.length - 1; i >= 0; i--) {
        if (buffer[i] !== 10) continue
        if (end > i + 1) yield buffer.subarray(i + 1, end).toString('utf8')
        end = i
      }

      carry = buffer.subarray(0, end)
    }

    if (carry.length > 0) yield carry.toString('utf8')
  } finally {
    await handle.close()
  }
}
