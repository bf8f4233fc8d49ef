// One dyno: a one-off that really runs its command as a local process group, or a formation dyno
// that is modelled (state, restarts and their log lines) without a process.
import {type ChildProcess, spawn} from 'node:child_process'
import {randomUUID} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import os from 'node:os'

import type {FaultState} from './faults.js'
import type {AppLog} from './log.js'
import type {EmulatorTime, SimulatedRun} from './time.js'
import type {DynoLogState, EmulatedDyno} from './types.js'

import {MAX_LINE_BYTES} from './log.js'
import {memoryQuotaMB} from './sizes.js'

export interface DynoContext {
  appName(): string
  appNumber: number
  faults: FaultState
  log: AppLog
  /** called once when the dyno has finished */
  onFinished(dyno: DynoRuntime): void
  runtimeMetrics(): boolean
  sampleIntervalMs: number
  /** a plan for a one-off's command: it then runs without a process */
  simulate?: (command: string, env: Record<string, string>) => null | SimulatedRun
  stopGraceMs: number
  time: EmulatorTime
  timeToLiveUnitMs: number
}

export interface DynoInit {
  command: string
  cwd: string
  env: Record<string, string>
  name: string
  oneOff: boolean
  releaseId: string
  releaseVersion: number
  resolvedCommand: string
  size: string
  timeToLive: null | number
  type: string
}

type StopReason = 'cycle' | 'r15' | 'restart' | 'stop' | 'ttl'

const PAGE_SIZE = 4096

/** resident memory of every process in a process group, in bytes (0 where /proc is missing) */
function groupRssBytes(pgid: number): number {
  let total = 0
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return 0
  }

  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // fields[0] is state, [2] pgrp, [21] rss (pages)
      if (Number(fields[2]) === pgid) total += Number(fields[21]) * PAGE_SIZE
    } catch {
      // the process went away
    }
  }

  return total
}

/** Heroku expands config vars in the command it logs */
export function expandConfigVars(command: string, vars: Record<string, string>): string {
  return command.replaceAll(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? ''
    return Object.hasOwn(vars, name) ? vars[name] : whole
  })
}

export class DynoRuntime implements EmulatedDyno {
  readonly command: string
  readonly createdAt: Date
  readonly env: Record<string, string>
  exitStatus: null | number = null
  readonly finished: Promise<null | number>
  finishedAt: Date | null = null
  readonly id = randomUUID()
  readonly name: string
  readonly oneOff: boolean
  pid: null | number = null
  releaseId: string
  releaseVersion: number
  readonly resolvedCommand: string
  readonly size: string
  state: DynoLogState
  readonly timeToLive: null | number
  readonly type: string
  updatedAt: Date
  private closed: Promise<void> = Promise.resolve()
  private completeLogged = false
  private readonly cwd: string
  private done = false
  private launchPending = false
  private memoryFault: 'R14' | undefined
  private readonly metricsId = randomUUID()
  private pages = {in: 40_000 + Math.floor(Math.random() * 10_000), out: 30_000 + Math.floor(Math.random() * 10_000)}
  private resolveFinished!: (status: null | number) => void
  private sampler: NodeJS.Timeout | undefined
  private stopping: StopReason | undefined
  private simulated = false
  private readonly timers = new Set<unknown>()

  constructor(private readonly ctx: DynoContext, init: DynoInit) {
    this.command = init.command
    this.cwd = init.cwd
    this.env = init.env
    this.name = init.name
    this.oneOff = init.oneOff
    this.releaseId = init.releaseId
    this.releaseVersion = init.releaseVersion
    this.resolvedCommand = init.resolvedCommand
    this.size = init.size
    this.timeToLive = init.timeToLive
    this.type = init.type
    this.createdAt = new Date(ctx.time.now())
    this.updatedAt = this.createdAt
    this.state = init.oneOff ? 'starting' : 'up'
    this.finished = new Promise(resolve => {
      this.resolveFinished = resolve
    })
  }

  /** the state as the API reports it (crashed, down, idle, starting or up) */
  get apiState(): string {
    return this.state === 'complete' ? 'down' : this.state
  }

  get isFinished(): boolean {
    return this.done
  }

  /** formation dyno: `Cycling` or `Restarting`, then the SIGTERM sequence and a fresh start */
  bounce(reason: 'cycle' | 'restart', releaseVersion: number, releaseId: string): void {
    this.heroku(reason === 'cycle' ? 'Cycling' : 'Restarting')
    this.setState('starting')
    this.heroku('Stopping all processes with SIGTERM')
    this.heroku('Process exited with status 143')
    this.releaseVersion = releaseVersion
    this.releaseId = releaseId
    this.heroku(`Starting process with command \`${this.resolvedCommand}\``)
    this.setState('up')
  }

  /** kills the process group at once and forgets every timer (emulator shutdown); bounded */
  async dispose(): Promise<void> {
    this.clearTimers()
    if (this.pid !== null && !this.done) {
      this.killGroup('SIGKILL')
      await Promise.race([this.finished, delay(2000)])
    }

    this.clearTimers()
  }

  /** starts the process: `Starting process with command`, `State changed from starting to up`, output, exit */
  launch(failure?: {afterMs: number}, delayMs = 0): void {
    if (failure) {
      this.timer(failure.afterMs, () => {
        this.heroku('Error R99 (Platform error) -> Failed to launch the dyno within 10 seconds')
        this.heroku('Stopping process with SIGKILL')
        this.setState('crashed')
        this.finish(null, false)
      })
      return
    }

    // the process starts after the answer (and any other request already waiting) has been handled
    this.launchPending = true
    this.timer(delayMs, () => {
      this.launchPending = false
      const plan = this.oneOff ? this.ctx.simulate?.(this.resolvedCommand, this.env) : null
      if (plan) this.simulateProcess(plan)
      else this.spawnProcess()
    })
  }

  /** the lines of a run, on the emulator's time, with no process behind them */
  private simulateProcess(plan: SimulatedRun): void {
    this.simulated = true
    this.heroku(`Starting process with command \`${expandConfigVars(this.resolvedCommand, this.env)}\``)
    this.setState('up')
    if (this.timeToLive !== null) this.timer(this.timeToLive * this.ctx.timeToLiveUnitMs, () => this.terminate('ttl'))
    for (const line of plan.output ?? []) this.app(line)
    this.timer(plan.durationMs, () => this.finish(plan.exitStatus))
  }

  private spawnProcess(): void {
    this.heroku(`Starting process with command \`${expandConfigVars(this.resolvedCommand, this.env)}\``)
    let child: ChildProcess
    try {
      child = spawn('/bin/sh', ['-c', this.resolvedCommand], {cwd: this.cwd, detached: true, env: this.env, stdio: ['ignore', 'pipe', 'pipe']})
    } catch (error) {
      this.app(`Error: ${(error as Error).message}`)
      this.finish(127)
      return
    }

    this.pid = child.pid ?? null
    this.closed = new Promise(resolve => {
      child.on('close', () => resolve())
    })
    const out = this.lineReader()
    const err = this.lineReader()
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('spawn', () => {
      if (this.done || this.stopping) return
      this.setState('up')
      if (this.timeToLive !== null) this.timer(this.timeToLive * this.ctx.timeToLiveUnitMs, () => this.terminate('ttl'))
      this.startSampler()
      const pending = this.ctx.faults.pendingMemory.findIndex(m => m.app === undefined || m.app === this.ctx.appName())
      if (pending !== -1) {
        const [memory] = this.ctx.faults.pendingMemory.splice(pending, 1)
        this.memory(memory.kind, memory.afterMs)
      }
    })
    child.on('error', error => {
      if (this.pid === null) {
        this.app(`Error: ${error.message}`)
        this.finish(127)
      }
    })
    child.on('exit', async (code, signal) => {
      const status = code ?? 128 + (signal ? os.constants.signals[signal] : 0)
      this.killGroup('SIGKILL')
      this.clearTimers()
      await Promise.race([this.closed, delay(1000)])
      out.flush()
      err.flush()
      this.pid = null
      this.finish(status)
    })
  }

  /** R14 (repeats every sample while running) or R15 (SIGKILL) after afterMs */
  memory(kind: 'R14' | 'R15', afterMs: number): void {
    this.timer(afterMs, () => {
      if (this.done || this.state !== 'up') return
      if (kind === 'R14') {
        this.memoryFault = 'R14'
        this.memoryReport('R14')
        this.startSampler()
        return
      }

      this.memoryReport('R15')
      if (this.oneOff) {
        this.stopping = 'r15'
        this.heroku('Stopping process with SIGKILL')
        this.killGroup('SIGKILL')
      } else {
        this.heroku('Stopping process with SIGKILL')
        this.heroku('Process exited with status 137')
        this.setState('crashed')
        this.setState('starting')
        this.heroku(`Starting process with command \`${this.resolvedCommand}\``)
        this.setState('up')
      }
    })
  }

  /** the lines a stopped one-off gets, whether or not its process had started */
  private announceStop(reason: StopReason): void {
    if (reason === 'cycle') this.heroku('Cycling')
    if (reason === 'restart') this.heroku('Restarting')
    if (reason !== 'ttl') {
      this.setState('complete')
      this.completeLogged = true
    }

    this.heroku('Stopping all processes with SIGTERM')
  }

  /** ends a running one-off: TTL expiry, actions/stop, a restart or cycling */
  terminate(reason: StopReason): void {
    if (this.done || this.stopping) return
    if (!this.oneOff) {
      if (reason === 'cycle' || reason === 'restart') this.bounce(reason, this.releaseVersion, this.releaseId)
      return
    }

    if (this.launchPending) {
      // stopped before its process started: the same lines, no process to signal
      this.launchPending = false
      this.clearTimers()
      this.announceStop(reason)
      this.finish(143)
      return
    }

    if (this.simulated) {
      // no process: it exits at once, as a task that handles SIGTERM would
      this.clearTimers()
      this.stopping = reason
      this.announceStop(reason)
      this.finish(143)
      return
    }

    if (this.pid === null) {
      // a dyno that failed to launch: nothing to stop
      return
    }

    this.stopping = reason
    this.announceStop(reason)
    this.killGroup('SIGTERM')
    this.timer(this.ctx.stopGraceMs, () => {
      if (this.done) return
      this.heroku(`Error R12 (Exit timeout) -> Process failed to exit within ${formatSeconds(this.ctx.stopGraceMs)} of SIGTERM`)
      this.heroku('Stopping process with SIGKILL')
      this.killGroup('SIGKILL')
    })
  }

  private app(message: string): void {
    this.ctx.log.append('app', this.name, message)
  }

  private clearTimers(): void {
    for (const t of this.timers) this.ctx.time.clearTimeout(t)
    this.timers.clear()
    if (this.sampler) clearInterval(this.sampler)
    this.sampler = undefined
  }

  private finish(status: null | number, logExit = true): void {
    if (this.done) return
    this.done = true
    this.clearTimers()
    this.exitStatus = status
    if (logExit && status !== null) {
      const exitLine = `Process exited with status ${status}`
      const drop = this.ctx.faults.takeCount('dropExitCount')
      if (this.completeLogged) {
        if (!drop) this.heroku(exitLine)
      } else if (this.ctx.faults.takeCount('outOfOrderCount')) {
        // delivered first, but stamped later than the exit line that follows it
        const exitAt = this.ctx.log.tick()
        this.setState('complete', exitAt + 15_000 + Math.floor(Math.random() * 5000))
        if (!drop) this.heroku(exitLine, exitAt)
      } else {
        if (!drop) this.heroku(exitLine)
        this.setState('complete')
      }
    }

    this.finishedAt = new Date(this.ctx.time.now())
    this.updatedAt = this.finishedAt
    this.resolveFinished(status)
    this.ctx.onFinished(this)
  }

  private heroku(message: string, micros?: number): void {
    this.ctx.log.append('heroku', this.name, message, micros)
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.pid === null) return
    try {
      process.kill(-this.pid, signal)
    } catch {
      // the group is gone already
    }
  }

  /** splits a stream into app[name] lines (long unterminated output is flushed at 10,000 bytes) */
  private lineReader(): {flush(): void; push(chunk: Buffer): void} {
    let pending = Buffer.alloc(0)
    return {
      flush: () => {
        if (pending.length > 0) this.app(pending.toString('utf8'))
        pending = Buffer.alloc(0)
      },
      push: chunk => {
        pending = Buffer.concat([pending, chunk])
        let newline: number
        while ((newline = pending.indexOf(10)) !== -1) {
          this.app(pending.subarray(0, newline).toString('utf8'))
          pending = pending.subarray(newline + 1)
        }

        if (pending.length > MAX_LINE_BYTES * 4) {
          this.app(pending.toString('utf8'))
          pending = Buffer.alloc(0)
        }
      },
    }
  }

  private memoryReport(kind: 'R14' | 'R15'): void {
    const quota = memoryQuotaMB(this.size)
    const mem = quota * (kind === 'R14' ? 1.262 : 2.028)
    if (this.ctx.runtimeMetrics()) this.sample(mem)
    this.heroku(`Process running mem=${Math.round(mem)}M(${((mem / quota) * 100).toFixed(1)}%)`)
    this.heroku(kind === 'R14' ? 'Error R14 (Memory quota exceeded)' : 'Error R15 (Memory quota vastly exceeded)')
  }

  /** log-runtime-metrics: a memory sample and a load sample */
  private sample(overMB?: number): void {
    const quota = memoryQuotaMB(this.size)
    const measured = this.pid === null ? 0 : groupRssBytes(this.pid) / (1024 * 1024)
    const rss = overMB === undefined ? Math.max(measured, this.oneOff ? 1 : 96) : Math.min(overMB, quota)
    const swap = overMB === undefined ? 0 : Math.max(0, overMB - quota)
    const cache = overMB === undefined ? rss * 0.12 : 0.5
    this.pages.in += Math.floor(Math.random() * 500)
    this.pages.out += Math.floor(Math.random() * 400)
    const source = `source=${this.name} dyno=heroku.${this.ctx.appNumber}.${this.metricsId}`
    const mb = (n: number) => `${n.toFixed(2)}MB`
    this.heroku(`${source} sample#memory_total=${mb(rss + cache + swap)} sample#memory_rss=${mb(rss)} sample#memory_cache=${mb(cache)} sample#memory_swap=${mb(swap)} sample#memory_pgpgin=${this.pages.in}pages sample#memory_pgpgout=${this.pages.out}pages sample#memory_quota=${mb(quota)}`)
    const [one, five, fifteen] = os.loadavg()
    this.heroku(`${source} sample#load_avg_1m=${one.toFixed(2)} sample#load_avg_5m=${five.toFixed(2)} sample#load_avg_15m=${fifteen.toFixed(2)}`)
  }

  private setState(to: DynoLogState, micros?: number): void {
    const from = this.state
    this.state = to
    this.updatedAt = new Date(this.ctx.time.now())
    this.heroku(`State changed from ${from} to ${to}`, micros)
  }

  /** samples (with log-runtime-metrics) and R14 repeats, every sampleIntervalMs while up */
  startSampler(): void {
    if (this.sampler || this.done) return
    if (!this.ctx.runtimeMetrics() && !this.memoryFault) return
    this.sampler = setInterval(() => {
      if (this.done || this.state !== 'up') return
      if (this.memoryFault) this.memoryReport(this.memoryFault)
      else if (this.ctx.runtimeMetrics()) this.sample()
    }, this.ctx.sampleIntervalMs)
  }

  /** stops the sampler of a formation dyno (emulator shutdown) */
  stopSampler(): void {
    this.clearTimers()
  }

  private timer(ms: number, fn: () => void): void {
    const t = this.ctx.time.setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
  }
}

function delay(ms: number): Promise<void> {
  return new Promise(resolve => {
    setTimeout(resolve, ms).unref()
  })
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(3))} seconds`
}
