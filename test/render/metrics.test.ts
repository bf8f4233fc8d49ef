// The metrics renderer: numbers and a width in, lines out. Compared as text, without colour.
import {expect} from 'chai'

import {ALL, bucketsOf, lanesOf, planSpan, rollupsOf} from '../../src/core/metrics.js'
import {newRun, type Run} from '../../src/core/runs.js'
import {drawMetrics, fit, PLOTS, sparkline} from '../../src/render/metrics.js'

const T = Date.parse('2026-11-23T12:00:00Z')
const runs: Run[] = Array.from({length: 40}, (_, i) => {
  const s = T + i * 4 * 60_000 + (i % 3) * 20_000
  const r = newRun('pending', {nominalAt: new Date(s), trigger: {command: 'x', id: `00000000-0000-4000-8000-00000000000${i % 3}`, size: null, timeout: 60}}, s)
  return {...r, dyno: `trigger-0000000${i % 3}.${1000 + i}`, endedAt: new Date(s + 60_000 + ((i * 7919) % 200_000)).toISOString(), exitStatus: i % 7 === 0 ? 1 : 0,
    memoryQuotaMb: 512, peakLoad: (i % 5) / 4, peakMemoryMb: 100 + i * 5, startedAt: new Date(s + 500).toISOString(), state: i % 7 === 0 ? 'failed' : 'succeeded'}
})
const span = planSpan({resolution: '10m', since: T, until: T + 3 * 3_600_000}, T)
const report = bucketsOf(rollupsOf(runs).filter(x => x.key === ALL), span)
const draw = (width: number, color = false) => drawMetrics(report, lanesOf(runs, span.from, span.to, 6), {app: 'example-app', color, plots: PLOTS, width})

describe('metrics renderer', () => {
  it('draws the summary, every plot and the time axis, as text', () => {
    expect(draw(80)).to.deep.equal([
      'example-app: 40 runs, 85.0% succeeded, p95 4.0m, peak 2 at once',
      '2026-11-23 12:00Z to 2026-11-23 15:00Z, 10m buckets',
      '',
      'Events (· requested  [ starting  ] exit  T SIGTERM  K SIGKILL  M R14/R15)',
      'trigger-00000001.1034                                []',
      'trigger-00000002.1035                                 []',
      'trigger-00000000.1036                                  []',
      'trigger-00000001.1037                                   []',
      'trigger-00000002.1038                                    []',
      'trigger-00000000.1039                                     []',
      '',
      'Execution time (p95 ━, average ━): min 59.5s, p50 2.3m, max 4.3m',
      '          4.3m ┼                 ╭─╮─╮',
      '          3.6m ┤             ╭───╯ │ │',
      '          2.9m ┤         ╭───╯     ╰─╮       ╭─╮',
      '          2.1m ┤     ╭───╯           │   ╭───╯ │',
      '          1.4m ┼─────╯               ╰───╯     │',
      '         42.9s ┤                               │',
      '           0ms ┤                               ╰───',
      '',
      'Throughput',
      'failed          ██    ██  ██    ██    ██    ██       6',
      'failed to start                                      0',
      'interrupted                                          0',
      'succeeded       ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▆▆▂▂▄▄██▂▂▄▄▆▆▂▂▆▆     34',
      'unknown                                              0',
      '',
      'Concurrency (most at once; peak 2)',
      '             2 ┼               ╭───╮',
      '             1 ┼───────────────╯   ╰───────────╮',
      '             0 ┤                               ╰───',
      'average         ▃▃▂▂▄▄▃▃▅▅▅▅▆▆▇▇▇▇██▅▅▂▂▄▄▄▄▅▅▅▅',
      '',
      'Memory and load',
      'memory MB       ▃▃▃▃▄▄▄▄▄▄▅▅▅▅▅▅▆▆▆▆▆▆▇▇▇▇▇▇████     peak 295 of 512',
      'load 1m         ▄▄██▂▂██▂▂██▂▂██▂▂▆▆████▂▂██▂▂██     peak 1.00',
      'R14 / R15                                            0 / 0',
      '',
      '                2026-11-23 12:00Z  2026-11-23 15:00Z',
    ])
  })

  for (const width of [80, 200]) {
    it(`fits ${width} columns`, () => {
      for (const line of draw(width)) expect([...line].length, line).to.be.at.most(width)
      expect(Math.max(...draw(width).map(l => [...l].length))).to.be.greaterThan(width * 0.6)
    })
  }

  it('colours only when asked', () => {
    expect(draw(80).join('\n')).not.to.match(/\u001B\[/)
    expect(draw(80, true).join('\n')).to.match(/\u001B\[31m/) // failures in red
  })

  it('fits a series to the columns: stretched whole, or squeezed keeping the peaks', () => {
    expect(fit([1, 2], 5)).to.deep.equal([1, 1, 2, 2])
    expect(fit([1, 9, 1, 1, 1, 1], 3)).to.deep.equal([9, 1, 1])
    expect(sparkline([0, 4, 8], 3)).to.equal(' ▄█')
  })
})
