// How metrics look in a terminal: a function of the numbers and a width, returning lines. Line
// charts are asciichart's; a row of sparkline glyphs where one row says enough. Colour by outcome,
// as `runs` colours states, only when asked (a TTY without NO_COLOR).
import asciichart from 'asciichart'

import type {Bucket, Lane, MetricsReport, Outcome} from '../core/metrics.js'

export const PLOTS = ['events', 'duration', 'throughput', 'concurrency', 'memory'] as const
export type Plot = typeof PLOTS[number]

export interface DrawOptions {
  app: string
  color: boolean
  plots: readonly Plot[]
  width: number
}

const GLYPHS = ' ▁▂▃▄▅▆▇█'
const LABEL = 16
const ANSI = {cyan: '\u001B[36m', gray: '\u001B[90m', green: '\u001B[32m', red: '\u001B[31m', reset: '\u001B[0m', yellow: '\u001B[33m'}
const OUTCOME_COLOR: Record<Outcome, string> = {failed: ANSI.red, failedToStart: ANSI.red, interrupted: ANSI.yellow, succeeded: ANSI.green, unknown: ANSI.yellow}
const OUTCOME_LABEL: Record<Outcome, string> = {failed: 'failed', failedToStart: 'failed to start', interrupted: 'interrupted', succeeded: 'succeeded', unknown: 'unknown'}

function paint(text: string, code: string, color: boolean): string {
  return color ? `${code}${text}${ANSI.reset}` : text
}

/** Values fitted to `cols` columns: each bucket as wide as whole columns allow, or squeezed, each column the largest of its buckets. */
export function fit(values: readonly number[], cols: number): number[] {
  if (values.length <= cols) {
    const each = Math.max(1, Math.floor(cols / Math.max(1, values.length)))
    return values.flatMap(v => Array.from({length: each}, () => v))
  }

  const out: number[] = []
  for (let c = 0; c < cols; c++) {
    const from = Math.floor((c * values.length) / cols)
    const to = Math.max(from + 1, Math.floor(((c + 1) * values.length) / cols))
    out.push(Math.max(...values.slice(from, to)))
  }

  return out
}

export function sparkline(values: readonly number[], cols: number): string {
  const fitted = fit(values, cols)
  const top = Math.max(0, ...fitted)
  return fitted.map(v => (v <= 0 || top === 0 ? GLYPHS[0] : GLYPHS[Math.max(1, Math.round((v / top) * 8))])).join('')
}

function seconds(ms: null | number): string {
  if (ms === null) return '–'
  return ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${(ms / 60_000).toFixed(1)}m`
}

function clock(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ') + 'Z'
}

function row(label: string, line: string, tail: string): string {
  return `${label.padEnd(LABEL).slice(0, LABEL)}${line} ${tail}`.trimEnd()
}

function chart(series: number[][], cols: number, colors: string[], color: boolean, format: (x: number) => string, height = 6): string[] {
  const fitted = series.map(s => fit(s, cols))
  if (fitted[0].length === 0) return []
  const text = asciichart.plot(fitted.length === 1 ? fitted[0] : fitted, {colors: color ? colors : undefined, format: x => format(x).padStart(LABEL - 2), height, min: 0})
  return text.split('\n').map(l => l.trimEnd())
}

function axis(report: MetricsReport, cols: number): string {
  const left = clock(report.from)
  const right = clock(report.to)
  return ' '.repeat(LABEL) + left + right.padStart(Math.max(right.length + 1, cols - left.length))
}

function eventsPlot(lanes: readonly Lane[], report: MetricsReport, cols: number, color: boolean): string[] {
  if (lanes.length === 0) return ['Events: no runs in the span']
  const from = Date.parse(report.from)
  const span = Date.parse(report.to) - from
  const at = (t: number) => Math.min(width - 1, Math.max(0, Math.floor(((t - from) / span) * width)))
  const lines = ['Events (· requested  [ starting  ] exit  T SIGTERM  K SIGKILL  M R14/R15)']
  // lanes are labelled by dyno name, whole when it fits (trigger-1a2b3c4d.1234 is 21)
  const label = Math.min(24, Math.max(LABEL, ...lanes.map(l => l.dyno.length + 1)))
  const width = cols - (label - LABEL)
  for (const lane of lanes) {
    const cells = Array.from({length: width}, () => ' ')
    const start = lane.marks.find(m => m[1] === 's')?.[0]
    const end = lane.marks.find(m => m[1] === 'x')?.[0]
    if (start !== undefined) for (let c = at(start); c <= (end === undefined ? width - 1 : at(end)); c++) cells[c] = '─'
    const glyph: Record<string, string> = {k: 'K', m: 'M', r: '·', s: '[', t: 'T', u: '─', x: ']'}
    for (const [t, mark] of lane.marks) cells[at(t)] = glyph[mark]
    const outcome: Outcome | undefined = lane.state === 'failed-to-start' ? 'failedToStart' : (lane.state as Outcome)
    lines.push(`${lane.dyno.padEnd(label).slice(0, label)}${paint(cells.join(''), OUTCOME_COLOR[outcome] ?? ANSI.cyan, color)}`.trimEnd())
  }

  return lines
}

/** The summary line and the plots asked for, each fitted to `width` columns. */
export function drawMetrics(report: MetricsReport, lanes: readonly Lane[], options: DrawOptions): string[] {
  const cols = Math.max(10, options.width - LABEL - 16) // room for a row's tail: "peak 295 of 512"
  const {buckets, totals} = report
  const rate = totals.successRate === null ? '–' : `${(totals.successRate * 100).toFixed(1)}%`
  const lines = [`${options.app}: ${totals.runs} runs, ${rate} succeeded, p95 ${seconds(totals.durationMs.p95)}, peak ${totals.concurrency.max} at once`,
    `${clock(report.from)} to ${clock(report.to)}, ${report.resolution} buckets`]
  const pick = (f: (b: Bucket) => null | number) => buckets.map(b => f(b) ?? 0)
  for (const plot of options.plots) {
    lines.push('')
    switch (plot) {
      case 'events': {
        lines.push(...eventsPlot(lanes, report, cols, options.color))
        break
      }

      case 'duration': {
        lines.push(
          `Execution time (p95 ${paint('━', ANSI.yellow, options.color)}, average ${paint('━', ANSI.cyan, options.color)}): min ${seconds(totals.durationMs.min)}, p50 ${seconds(totals.durationMs.p50)}, max ${seconds(totals.durationMs.max)}`,
          ...chart([pick(b => b.durationMs.p95), pick(b => b.durationMs.avg)], cols, [asciichart.yellow, asciichart.cyan], options.color, x => seconds(Math.round(x))),
        )
        break
      }

      case 'throughput': {
        lines.push('Throughput')
        for (const o of Object.keys(OUTCOME_LABEL) as Outcome[]) {
          lines.push(row(OUTCOME_LABEL[o], paint(sparkline(buckets.map(b => b.throughput[o]), cols), OUTCOME_COLOR[o], options.color), String(totals.throughput[o])))
        }

        break
      }

      case 'concurrency': {
        lines.push(
          `Concurrency (most at once; peak ${totals.concurrency.max})`,
          ...chart([pick(b => b.concurrency.max)], cols, [asciichart.cyan], options.color, x => x.toFixed(0), Math.max(1, Math.min(6, totals.concurrency.max))),
          row('average', sparkline(pick(b => b.concurrency.avg), cols), ''),
        )
        break
      }

      case 'memory': {
        lines.push('Memory and load')
        if (buckets.every(b => b.memoryMb.max === null && b.load.max === null)) {
          lines.push('no memory samples: heroku labs:enable log-runtime-metrics')
          break
        }

        const quota = Math.max(0, ...pick(b => b.memoryMb.quota))
        lines.push(
          row('memory MB', sparkline(pick(b => b.memoryMb.max), cols), `peak ${Math.max(0, ...pick(b => b.memoryMb.max)).toFixed(0)}${quota > 0 ? ` of ${quota.toFixed(0)}` : ''}`),
          row('load 1m', sparkline(pick(b => b.load.max), cols), `peak ${Math.max(0, ...pick(b => b.load.max)).toFixed(2)}`),
          row('R14 / R15', paint(sparkline(buckets.map(b => b.memoryErrors.r14 + b.memoryErrors.r15), cols), ANSI.red, options.color), `${buckets.reduce((n, b) => n + b.memoryErrors.r14, 0)} / ${buckets.reduce((n, b) => n + b.memoryErrors.r15, 0)}`),
        )
        break
      }
    }
  }

  lines.push('', axis(report, fit(buckets.map(() => 0), cols).length))
  return lines
}
