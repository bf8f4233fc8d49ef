// The file history's rollups (src/core/metrics.ts): append-only JSON lines per UTC day of the
// rollup's minute, the whole app's apart from the triggers' so a span without --trigger reads only
// those; each finished day is merged to one line per minute and key at compaction. The ids of the
// runs counted are kept per day of recording, so a run recorded finished again counts once.
import {appendFile, mkdir, open, readdir, readFile, rm} from 'node:fs/promises'
import path from 'node:path'

import type {Run} from '../core/runs.js'

import {ALL, mergeRollups, MINUTE_MS, outcomeOf, type Rollup, rollupsOf} from '../core/metrics.js'
import {writeFileAtomic} from './file-store.js'

const DAY_MS = 86_400_000
const COMPACTED = 'compacted.json'

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

export class RollupFiles {
  /** the ids counted, and how far each ids file has been read (another process may append to it) */
  private readonly counted = new Set<string>()
  private readonly read = new Map<string, number>()

  constructor(readonly dir: string, readonly retentionDays = 7) {}

  /** Counts the runs of a batch that are recorded finished for the first time. */
  async record(runs: readonly Run[], now: number): Promise<void> {
    const newest = new Map<string, Run>()
    for (const run of runs) if (outcomeOf(run.state) !== null && run.endedAt) newest.set(run.id, run)
    if (newest.size === 0) return
    await this.loadCounted(now)
    const fresh = [...newest.values()].filter(r => !this.counted.has(r.id))
    if (fresh.length === 0) return
    await mkdir(this.dir, {mode: 0o700, recursive: true})
    const files = new Map<string, string[]>()
    for (const r of rollupsOf(fresh)) {
      const file = `${dayOf(r.at)}.${r.key === ALL ? 'app' : 'trigger'}.jsonl`
      const lines = files.get(file) ?? []
      lines.push(JSON.stringify(r))
      files.set(file, lines)
    }

    await Promise.all([...files].map(([file, lines]) => appendFile(path.join(this.dir, file), lines.join('\n') + '\n', {mode: 0o600})))
    for (const r of fresh) this.counted.add(r.id)
    await appendFile(path.join(this.dir, `${dayOf(now)}.ids`), fresh.map(r => r.id).join('\n') + '\n', {mode: 0o600})
  }

  async rollups(options: {since: number; triggerId?: string; until: number}): Promise<Rollup[]> {
    const key = options.triggerId ?? ALL
    const found: Rollup[] = []
    for (let day = Math.floor(options.since / DAY_MS) * DAY_MS; day < options.until; day += DAY_MS) {
      let text: string
      try {
        text = await readFile(path.join(this.dir, `${dayOf(day)}.${key === ALL ? 'app' : 'trigger'}.jsonl`), 'utf8')
      } catch {
        continue
      }

      for (const line of text.split('\n')) {
        if (line === '' || (key !== ALL && !line.includes(key))) continue
        let r: Rollup
        try {
          r = JSON.parse(line) as Rollup
        } catch {
          continue // a torn last line
        }

        if (r.key === key && r.at >= options.since - (options.since % MINUTE_MS) && r.at < options.until) found.push(r)
      }
    }

    return mergeRollups(found)
  }

  /** Drops days past the retention window; merges each finished day's lines once. */
  async prune(now: number): Promise<void> {
    let files: string[]
    try {
      files = await readdir(this.dir)
    } catch {
      return
    }

    const cutoff = dayOf(now - this.retentionDays * DAY_MS)
    const today = dayOf(now)
    const done = new Set<string>(await readFile(path.join(this.dir, COMPACTED), 'utf8').then(t => JSON.parse(t) as string[], () => []))
    let changed = false
    for (const file of files) {
      const day = file.slice(0, 10)
      if (!/^\d{4}-\d{2}-\d{2}\./.test(file)) continue
      if (day < cutoff) {
        await rm(path.join(this.dir, file), {force: true})
        changed = done.delete(file) || changed
      } else if (day < today && file.endsWith('.jsonl') && !done.has(file)) {
        const text = await readFile(path.join(this.dir, file), 'utf8')
        const merged = mergeRollups(text.split('\n').filter(l => l !== '').flatMap(l => {
          try {
            return [JSON.parse(l) as Rollup]
          } catch {
            return []
          }
        }))
        await writeFileAtomic(path.join(this.dir, file), merged.map(r => JSON.stringify(r)).join('\n') + (merged.length > 0 ? '\n' : ''))
        done.add(file)
        changed = true
      }
    }

    if (changed) await writeFileAtomic(path.join(this.dir, COMPACTED), JSON.stringify([...done].sort()))
  }

  /** The ids counted today and yesterday (a run is recorded again within minutes, not days), read on from where we were. */
  private async loadCounted(now: number): Promise<void> {
    for (const day of [dayOf(now - DAY_MS), dayOf(now)]) {
      const file = path.join(this.dir, `${day}.ids`)
      const from = this.read.get(file) ?? 0
      let handle
      try {
        handle = await open(file, 'r')
      } catch {
        continue
      }

      try {
        const {size} = await handle.stat()
        if (size <= from) continue
        const buffer = Buffer.alloc(size - from)
        await handle.read(buffer, 0, buffer.length, from)
        const end = buffer.lastIndexOf(10) + 1 // only whole lines; a line being written is read next time
        for (const id of buffer.subarray(0, end).toString('utf8').split('\n')) if (id !== '') this.counted.add(id)
        this.read.set(file, from + end)
      } finally {
        await handle.close()
      }
    }
  }
}
