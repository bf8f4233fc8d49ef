// The run history where the clock runs: append-only JSON lines, one file per UTC day, the
// newest snapshot of a run winning. Recording a run is one append, whatever the history's size;
// reading the latest runs reads the newest files from their ends; days past the retention
// window are deleted whole.
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

export class RunStore<T extends StoredRecord> {
  constructor(readonly dir: string, readonly retentionDays = 7) {}

  /** One line, appended to today's file. */
  async append(record: T, now: number): Promise<void> {
    await this.appendMany([record], now)
  }

  async appendMany(records: readonly T[], now: number): Promise<void> {
    if (records.length === 0) return
    await mkdir(this.dir, {mode: 0o700, recursive: true})
    await appendFile(path.join(this.dir, `${dayOf(now)}.jsonl`), records.map(r => JSON.stringify(r)).join('\n') + '\n', {mode: 0o600})
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
   * `wanted`, only the lines holding one of those strings are read (blocks without any are skipped).
   */
  async latest(options: {enough?: (found: Map<string, T>) => boolean; since?: number; wanted?: readonly string[]} = {}): Promise<Map<string, T>> {
    const needles = options.wanted?.map(w => Buffer.from(w))
    const found = new Map<string, T>()
    const sinceDay = options.since === undefined ? '' : dayOf(options.since)
    for (const day of await this.days()) {
      if (day.slice(0, 10) < sinceDay) break
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
        await this.compactDay(day)
        done.add(date)
        compacted++
      }
    }

    if (removed > 0 || compacted > 0) await writeFileAtomic(path.join(this.dir, COMPACTED), JSON.stringify([...done].sort()))
    return {compacted, removed}
  }

  private async compactedDays(): Promise<Set<string>> {
    try {
      return new Set(JSON.parse(await readFile(path.join(this.dir, COMPACTED), 'utf8')) as string[])
    } catch {
      return new Set()
    }
  }

  /** Rewrites a finished day with the newest line of each run, in the order they were last written. */
  private async compactDay(day: string): Promise<void> {
    const newest = new Map<string, string>()
    for await (const line of createInterface({crlfDelay: Infinity, input: createReadStream(path.join(this.dir, day))})) {
      if (line.trim() === '') continue
      let id: string
      try {
        id = (JSON.parse(line) as StoredRecord).id
      } catch {
        continue
      }

      newest.delete(id)
      newest.set(id, line)
    }

    await writeFileAtomic(path.join(this.dir, day), [...newest.values()].join('\n') + (newest.size > 0 ? '\n' : ''))
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
    let carry = Buffer.alloc(0)
    while (position > 0) {
      const length = Math.min(BLOCK, position)
      position -= length
      const block = Buffer.alloc(length)
      await handle.read(block, 0, length, position)
      let buffer = Buffer.concat([block, carry])
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
      buffer = Buffer.alloc(0)
    }

    if (carry.length > 0) yield carry.toString('utf8')
  } finally {
    await handle.close()
  }
}
