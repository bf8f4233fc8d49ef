// How the clock sends a burst of launches and prints its lines.
import {expect} from 'chai'

import {inParallel} from '../../src/clock/clock.js'
import {batchLines} from '../../src/clock/start.js'

const tick = () => new Promise(resolve => {
  setImmediate(resolve)
})

describe('a burst of launches', () => {
  it('runs every task, at most `limit` at once, with results in the tasks\' order', async () => {
    let running = 0
    let most = 0
    const tasks = Array.from({length: 50}, (_, i) => async () => {
      running++
      most = Math.max(most, running)
      await tick()
      running--
      return i * 2
    })
    expect(await inParallel(tasks, 7, 3)).to.deep.equal(Array.from({length: 50}, (_, i) => i * 2))
    expect(most).to.equal(7)
  })

  it('after a failure starts nothing new, lets the running ones finish, then rejects with it', async () => {
    const started: number[] = []
    const finished: number[] = []
    const tasks = Array.from({length: 20}, (_, i) => async () => {
      started.push(i)
      await tick()
      if (i === 1) throw new Error('401')
      await tick()
      finished.push(i)
      return i
    })
    let error: Error | undefined
    try {
      await inParallel(tasks, 4, 2)
    } catch (error_) {
      error = error_ as Error
    }

    expect(error?.message).to.equal('401')
    expect(started).to.deep.equal([0, 1, 2, 3])
    expect(finished).to.deep.equal([0, 2, 3])
  })
})

describe('the clock\'s output', () => {
  it('sends the lines of one turn of the event loop as one write, in order', async () => {
    const writes: string[] = []
    const out = batchLines(text => writes.push(text))
    out.print('at=fired trigger=a')
    out.print('at=fired trigger=b')
    expect(writes).to.deep.equal([])
    await tick()
    out.print('at=completed trigger=a')
    await tick()
    expect(writes).to.deep.equal(['at=fired trigger=a\nat=fired trigger=b', 'at=completed trigger=a'])
  })

  it('flush writes what is pending at once (on stop)', () => {
    const writes: string[] = []
    const out = batchLines(text => writes.push(text))
    out.print('at=stopping signal=SIGTERM')
    out.flush()
    out.flush()
    expect(writes).to.deep.equal(['at=stopping signal=SIGTERM'])
  })
})
