// The run history on disk: appends, reading the newest back, retention and compaction.
import {expect} from 'chai'
import {appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {RunStore} from '../../src/store/run-store.js'

interface Rec {
  id: string
  state: string
}

const DAY = 86_400_000
const NOW = Date.parse('2026-11-23T12:00:00Z')

describe('run store', () => {
  let dir: string
  let store: RunStore<Rec>

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'run-store-'))
    store = new RunStore<Rec>(dir, 7)
  })

  it('keeps the newest snapshot of each run, newest first, across days', async () => {
    await store.append({id: 'a', state: 'pending'}, NOW - DAY)
    await store.append({id: 'b', state: 'pending'}, NOW - DAY)
    await store.append({id: 'a', state: 'succeeded'}, NOW)
    const found = await store.latest()
    expect([...found.entries()]).to.deep.equal([['a', {id: 'a', state: 'succeeded'}], ['b', {id: 'b', state: 'pending'}]])
  })

  it('stops reading once it has enough', async () => {
    await store.appendMany(Array.from({length: 5000}, (_, i) => ({id: `r${i}`, state: 'succeeded'})), NOW)
    const found = await store.latest({enough: f => f.size >= 10})
    expect(found.size).to.equal(10)
    expect([...found.keys()][0]).to.equal('r4999')
  })

  it('skips a line torn by a crash mid-append and keeps the rest', async () => {
    await store.append({id: 'a', state: 'succeeded'}, NOW)
    appendFileSync(path.join(dir, '2026-11-23.jsonl'), '{"id":"b","sta')
    const found = await store.latest()
    expect([...found.keys()]).to.deep.equal(['a'])
  })

  it('deletes days past the retention window and compacts finished days once', async () => {
    await store.append({id: 'old', state: 'succeeded'}, NOW - 9 * DAY)
    await store.appendMany([{id: 'x', state: 'pending'}, {id: 'x', state: 'running'}, {id: 'y', state: 'failed'}, {id: 'x', state: 'succeeded'}], NOW - DAY)
    await store.append({id: 'today', state: 'pending'}, NOW)
    const result = await store.prune(NOW)
    expect(result).to.deep.equal({compacted: 1, removed: 1})
    expect(readdirSync(dir).filter(f => f.endsWith('.jsonl')).sort()).to.deep.equal(['2026-11-22.jsonl', '2026-11-23.jsonl'])
    const yesterday = readFileSync(path.join(dir, '2026-11-22.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l) as Rec)
    expect(yesterday).to.deep.equal([{id: 'y', state: 'failed'}, {id: 'x', state: 'succeeded'}])
    expect(await store.prune(NOW)).to.deep.equal({compacted: 0, removed: 0})
    expect([...(await store.latest()).keys()].sort()).to.deep.equal(['today', 'x', 'y'])
  })

  it('reads lines longer than a block, and lines across blocks, whole (also when looking for a string)', async () => {
    const long = 'x'.repeat(700 * 1024) // longer than the 256 KiB blocks it is read in
    const records = [...Array.from({length: 3000}, (_, i) => ({id: `r${i}`, state: i % 997 === 0 ? 'failed' : 'succeeded'})), {id: 'long', state: `failed ${long}`}, {id: 'last', state: 'succeeded'}]
    await store.appendMany(records, NOW)
    expect([...(await store.latest()).values()]).to.deep.equal(records.toReversed())
    const failed = await store.latest({wanted: ['"state":"failed']})
    expect([...failed.keys()]).to.deep.equal(['long', 'r2991', 'r1994', 'r997', 'r0'])
  })

  it('a compacted day notes the kinds it holds: a read for a kind it lacks skips it, and an older note is still read', async () => {
    const kinds = new RunStore<Rec>(dir, 7, r => r.state)
    await kinds.appendMany([{id: 'ok', state: 'succeeded'}, {id: 'bad', state: 'pending'}, {id: 'bad', state: 'failed'}], NOW - 2 * DAY)
    await kinds.append({id: 'fine', state: 'succeeded'}, NOW - DAY)
    await kinds.append({id: 'now', state: 'failed'}, NOW)
    await kinds.prune(NOW)
    expect(JSON.parse(readFileSync(path.join(dir, 'compacted.json'), 'utf8'))).to.deep.equal({days: ['2026-11-21', '2026-11-22'], kinds: {'2026-11-21': ['failed', 'succeeded'], '2026-11-22': ['succeeded']}})
    const failed = await kinds.latest({kinds: ['failed'], wanted: ['"state":"failed"']})
    expect([...failed.keys()]).to.deep.equal(['now', 'bad'])
    // a kind the note says a day lacks is not read from it, whatever the file holds
    appendFileSync(path.join(dir, '2026-11-22.jsonl'), '{"id":"planted","state":"failed"}\n')
    expect([...(await kinds.latest({kinds: ['failed'], wanted: ['"state":"failed"']})).keys()]).to.deep.equal(['now', 'bad'])
    // compacted.json as an older version wrote it, a list of days: every day is read
    writeFileSync(path.join(dir, 'compacted.json'), JSON.stringify(['2026-11-21', '2026-11-22']))
    expect([...(await kinds.latest({kinds: ['failed'], wanted: ['"state":"failed"']})).keys()]).to.deep.equal(['now', 'planted', 'bad'])
    expect(await kinds.prune(NOW)).to.deep.equal({compacted: 0, removed: 0}) // still known as compacted
  })
})
