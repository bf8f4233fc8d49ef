// A stepped wall clock is noticed within a tick, against a steady clock; drift within the tolerance is not.
import {expect} from 'chai'

import {watchWallClock} from '../../src/clock/wall-clock.js'

describe('wall clock steps', () => {
  it('says when the wall clock jumps forward or back, and by how much, and nothing for small drift', () => {
    let wall = Date.parse('2026-11-23T12:00:00Z')
    let steady = 5000
    let tick: () => void = () => {}
    const steps: number[] = []
    const stop = watchWallClock(by => steps.push(by), {time: {repeat(_ms, fn) {
      tick = fn
      return () => {
        tick = () => {}
      }
    }, steady: () => steady, wall: () => wall}})
    const advance = (wallMs: number, steadyMs: number) => {
      wall += wallMs
      steady += steadyMs
      tick()
    }

    advance(1000, 1000)
    advance(1200, 1000) // 200 ms of drift: within the tolerance
    advance(61_000, 1000) // NTP steps the clock a minute forward
    advance(-29_000, 1000) // and 30 s back
    expect(steps).to.deep.equal([60_000, -30_000])
    stop()
    advance(90_000, 1000)
    expect(steps).to.have.length(2)
  })
})
