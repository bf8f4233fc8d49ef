// One emulated app: config vars and releases, formation, one-off dynos, Scheduler jobs, its log.
import {randomUUID} from 'node:crypto'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type {FaultState} from './faults.js'
import type {EmulatorTime, SimulatedRun} from './time.js'
import type {AppSpec, EmulatedApp, EmulatedDyno, Release, SchedulerJob, SizeTier} from './types.js'

import {type DynoContext, DynoRuntime} from './dyno.js'
import {AppLog} from './log.js'
import {DEFAULT_SIZE, findSize, ONE_OFF_LIMIT} from './sizes.js'

export const CONFIG_LIMIT_BYTES = 32 * 1024
export const SCHEDULER_USER = 'scheduler@addons.heroku.com'

export class ApiError extends Error {
  constructor(readonly status: number, readonly id: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message)
  }

  get body(): Record<string, unknown> {
    return {...this.extra, id: this.id, message: this.message}
  }
}

export interface AppEnv {
  completedDynoVisibleMs: number
  launchDelayMs: number
  faults: FaultState
  nextJobId(): string
  sampleIntervalMs: number
  stopGraceMs: number
  timeToLiveUnitMs: number
  user: string
  time: EmulatorTime
  simulate?: (command: string, env: Record<string, string>) => null | SimulatedRun
  keepFinishedDynos: boolean
  logHistoryLines: number
  onDynoFinished?: (app: string, dyno: EmulatedDyno) => void
}

export interface DynoCreate {
  attach?: unknown
  command?: unknown
  env?: unknown
  force_no_tty?: unknown
  size?: unknown
  time_to_live?: unknown
  type?: unknown
}

export class AppState implements EmulatedApp {
  configVars: Record<string, string>
  readonly createdAt: Date
  readonly dir: string
  /** every dyno ever: formation dynos, then one-offs in creation order */
  readonly dynoList: DynoRuntime[] = []
  formation: Record<string, number>
  readonly id: string
  readonly log: AppLog
  maintenance: boolean
  readonly collaborators: string[]
  name: string
  readonly number = 10_000_000 + Math.floor(Math.random() * 89_999_999)
  oneOffLimit: number
  procfile: Record<string, string>
  readonly releases: Release[] = []
  runtimeMetrics: boolean
  readonly schedulerJobs: SchedulerJob[] = []
  sizeTier: SizeTier
  stack: string
  readonly webHost: string
  private readonly ctx: DynoContext
  private readonly ownsDir: boolean
  private runningOneOffs = 0
  private readonly usedNames = new Set<string>()

  constructor(spec: AppSpec, private readonly env: AppEnv) {
    this.id = spec.id ?? randomUUID()
    this.createdAt = new Date(env.time.now())
    this.log = new AppLog(env.time, env.logHistoryLines)
    this.name = spec.name
    this.maintenance = spec.maintenance ?? false
    this.collaborators = [...spec.collaborators ?? []]
    this.configVars = {...spec.configVars}
    this.stack = spec.stack ?? 'heroku-24'
    this.procfile = {...spec.procfile}
    this.sizeTier = spec.sizeTier ?? 'basic'
    this.formation = {...spec.formation}
    this.runtimeMetrics = spec.runtimeMetrics ?? false
    this.oneOffLimit = spec.oneOffLimit ?? ONE_OFF_LIMIT[this.sizeTier]
    this.webHost = `${this.name}-${this.id.replaceAll('-', '').slice(0, 12)}.herokuapp.com`
    if (spec.dir) {
      this.dir = spec.dir
      this.ownsDir = false
    } else {
      this.dir = mkdtempSync(path.join(os.tmpdir(), `emulated-${this.name}-`))
      this.ownsDir = true
      const procfile = Object.entries(this.procfile).map(([type, command]) => `${type}: ${command}\n`).join('')
      if (procfile) writeFileSync(path.join(this.dir, 'Procfile'), procfile)
    }

    this.ctx = {
      appName: () => this.name,
      appNumber: this.number,
      faults: env.faults,
      log: this.log,
      onFinished: dyno => {
        if (!dyno.oneOff) return
        this.runningOneOffs--
        env.onDynoFinished?.(this.name, dyno)
        if (env.keepFinishedDynos) return
        // gone from the list once no longer visible; its name may be used again, as on Heroku
        env.time.setTimeout(() => {
          const i = this.dynoList.indexOf(dyno)
          if (i !== -1) this.dynoList.splice(i, 1)
          this.usedNames.delete(dyno.name)
        }, env.completedDynoVisibleMs)
      },
      runtimeMetrics: () => this.runtimeMetrics,
      sampleIntervalMs: env.sampleIntervalMs,
      simulate: env.simulate,
      stopGraceMs: env.stopGraceMs,
      time: env.time,
      timeToLiveUnitMs: env.timeToLiveUnitMs,
    }
    this.releases.push({configVars: {...this.configVars}, createdAt: new Date(env.time.now()), description: 'Initial release', id: randomUUID(), user: env.user, version: 1})
    for (const [type, quantity] of Object.entries(this.formation)) this.scaleUp(type, quantity)
    for (const job of spec.schedulerJobs ?? []) this.addJob({at: job.at, command: job.command, dynoSize: job.dynoSize, every: job.every})
  }

  get currentRelease(): Release {
    return this.releases.at(-1) as Release
  }

  get releaseVersion(): number {
    return this.currentRelease.version
  }

  addJob(attrs: {at: number; command: string; dynoSize?: string; every: number}): SchedulerJob {
    const now = new Date(this.env.time.now())
    const job: SchedulerJob = {
      at: attrs.at,
      command: attrs.command,
      createdAt: now,
      dynoSize: findSize(attrs.dynoSize ?? '')?.name ?? DEFAULT_SIZE[this.sizeTier],
      every: attrs.every,
      id: this.env.nextJobId(),
      ranAt: null,
      updatedAt: now,
    }
    this.schedulerJobs.push(job)
    return job
  }

  /** creates and launches a one-off dyno, as POST /apps/:app/dynos */
  createDyno(body: DynoCreate, user: string): DynoRuntime {
    if (typeof body.command !== 'string' || body.command.trim() === '') throw new ApiError(422, 'invalid_params', 'Missing required params: command.')
    const type = body.type === undefined || body.type === null ? 'run' : body.type
    if (typeof type !== 'string' || !/^[\w-]+$/.test(type)) throw new ApiError(422, 'invalid_params', 'Invalid process type: use letters, digits, dashes and underscores.')
    let timeToLive: null | number = null
    if (body.time_to_live !== undefined && body.time_to_live !== null) {
      if (typeof body.time_to_live !== 'number' || !Number.isInteger(body.time_to_live) || body.time_to_live < 1) throw new ApiError(422, 'invalid_params', 'time_to_live must be a positive integer number of seconds.')
      if (body.time_to_live > 86_400) throw new ApiError(422, 'invalid_params', 'time_to_live must be at most 86400 seconds (24 hours).')
      timeToLive = body.time_to_live
    }

    let sizeName = DEFAULT_SIZE[this.sizeTier]
    if (body.size !== undefined && body.size !== null) {
      const size = typeof body.size === 'string' ? findSize(body.size) : undefined
      if (!size) throw new ApiError(422, 'invalid_params', `No such size as ${String(body.size)}. Use eco, basic, standard-1X, standard-2X, performance-M, performance-L or one of the private/shield sizes.`)
      sizeName = size.name
    }

    const requestEnv: Record<string, string> = {}
    if (body.env !== undefined && body.env !== null) {
      if (typeof body.env !== 'object' || Array.isArray(body.env)) throw new ApiError(422, 'invalid_params', 'env must be an object.')
      for (const [key, value] of Object.entries(body.env as Record<string, unknown>)) {
        if (!/^\w+$/.test(key)) throw new ApiError(422, 'invalid_params', `Invalid env key ${key}: keys may contain only letters, digits and underscores.`)
        if (value === null || value === undefined) continue
        if (typeof value === 'object') throw new ApiError(422, 'invalid_params', `Invalid env value for ${key}: values must be strings.`)
        requestEnv[key] = String(value)
      }
    }

    if (this.env.faults.takeCount('conflictCount')) throw new ApiError(409, 'conflict', 'Release not found. The release may still be in progress, please try again shortly.')
    const running = this.runningOneOffs
    if (this.env.faults.takeCount('aboveLimitCount') || running >= this.oneOffLimit) {
      throw new ApiError(422, 'cannot_run_above_limit', `Cannot run more than ${this.oneOffLimit} ${sizeName} size dynos.`, {
        limit: this.oneOffLimit,
        size: running,
        url: 'https://devcenter.heroku.com/articles/dyno-size#default-scaling-limits',
      })
    }

    const {command} = body
    const resolvedCommand = this.resolveCommand(command)
    const name = `${type}.${this.freeNumber(type)}`
    const port = String(10_000 + Math.floor(Math.random() * 50_000))
    const processEnv: Record<string, string> = {
      ...(process.env.PATH ? {PATH: process.env.PATH} : {}),
      ...(process.env.HOME ? {HOME: process.env.HOME} : {}),
      ...this.configVars,
      ...requestEnv,
      DYNO: name,
      PORT: port,
    }
    const release = this.currentRelease
    const dyno = new DynoRuntime(this.ctx, {
      command,
      cwd: this.dir,
      env: processEnv,
      name,
      oneOff: true,
      releaseId: release.id,
      releaseVersion: release.version,
      resolvedCommand,
      size: sizeName,
      timeToLive,
      type,
    })
    this.dynoList.push(dyno)
    this.usedNames.add(name)
    this.runningOneOffs++
    this.log.append('app', 'api', `Starting process with command \`${command}\` by user ${user}`)
    const failure = this.env.faults.launchFailures.shift()
    dyno.launch(failure, this.env.launchDelayMs)
    return dyno
  }

  /** a dyno the API still shows (running, or finished within completedDynoVisibleMs), by id or name */
  findDyno(idOrName: string): DynoRuntime | undefined {
    return this.visibleDynos().find(d => d.id === idOrName || d.name === idOrName)
  }

  /** one-off dynos: a process type name as first word is replaced by its Procfile command */
  resolveCommand(command: string): string {
    const match = /^\s*(\S+)(.*)$/s.exec(command)
    if (match && Object.hasOwn(this.procfile, match[1])) return `${this.procfile[match[1]]}${match[2]}`
    return command
  }

  /** DELETE /apps/:app/dynos: formation dynos restart; `run` one-offs are stopped */
  restartAll(): void {
    for (const dyno of this.visibleDynos()) this.restartDyno(dyno)
  }

  /** DELETE /apps/:app/dynos/:dyno: formation dynos restart; `run` one-offs stop; other one-off types ignore it (platform-api#57) */
  restartDyno(dyno: DynoRuntime): void {
    if (dyno.isFinished) return
    if (!dyno.oneOff) dyno.bounce('restart', this.releaseVersion, this.currentRelease.id)
    else if (dyno.type === 'run') dyno.terminate('restart')
  }

  runSchedulerJob(jobId: string): DynoRuntime {
    const job = this.schedulerJobs.find(j => j.id === jobId)
    if (!job) throw new Error(`no Scheduler job ${jobId} on ${this.name}`)
    job.ranAt = new Date(this.env.time.now())
    return this.createDyno({command: job.command, size: job.dynoSize, time_to_live: job.every * 60, type: 'scheduler'}, SCHEDULER_USER)
  }

  setConfigVars(changes: Record<string, null | string>, user = this.env.user): Record<string, string> {
    const next = {...this.configVars}
    const set: string[] = []
    const removed: string[] = []
    for (const [key, value] of Object.entries(changes)) {
      if (!/^\w+$/.test(key)) throw new ApiError(422, 'invalid_params', `Invalid config var key "${key}": keys may contain only letters, digits and underscores.`)
      if (value === null) {
        if (Object.hasOwn(next, key)) removed.push(key)
        delete next[key]
      } else if (typeof value === 'object') {
        throw new ApiError(422, 'invalid_params', `Invalid value for config var ${key}: values must be strings, or null to remove.`)
      } else {
        next[key] = String(value)
        set.push(key)
      }
    }

    const bytes = Object.entries(next).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0)
    if (bytes > CONFIG_LIMIT_BYTES) {
      throw new ApiError(422, 'invalid_params', `Config var data (the combination of all keys and values) cannot exceed 32kb for each app: this change would make it ${bytes} bytes.`)
    }

    if (set.length === 0 && removed.length === 0) return {...this.configVars}
    this.configVars = next
    const parts: string[] = []
    if (set.length > 0) parts.push(`Set ${set.sort().join(', ')} config vars`)
    if (removed.length > 0) parts.push(`${set.length > 0 ? 'remove' : 'Remove'} ${removed.sort().join(', ')} config vars`)
    const description = parts.join(' and ')
    const release: Release = {configVars: {...next}, createdAt: new Date(this.env.time.now()), description, id: randomUUID(), user, version: this.releaseVersion + 1}
    this.releases.push(release)
    const at = this.log.tick()
    this.log.append('app', 'api', `${description} by user ${user}`, at)
    this.log.append('app', 'api', `Release v${release.version} created by user ${user}`, at)
    for (const dyno of this.dynoList) {
      if (!dyno.oneOff && !dyno.isFinished) dyno.bounce('restart', release.version, release.id)
    }

    return {...this.configVars}
  }

  async stop(): Promise<void> {
    await Promise.all(this.dynoList.map(d => (d.oneOff ? d.dispose() : Promise.resolve(d.stopSampler()))))
    if (this.ownsDir) rmSync(this.dir, {force: true, recursive: true})
  }

  /** dynos the API shows: formation dynos, running one-offs, finished ones within the visible window */
  visibleDynos(): DynoRuntime[] {
    const now = this.env.time.now()
    return this.dynoList.filter(d => !d.isFinished || (d.finishedAt !== null && now - d.finishedAt.getTime() < this.env.completedDynoVisibleMs))
  }

  private freeNumber(type: string): number {
    const used = this.usedNames
    for (let tries = 0; tries < 1000; tries++) {
      const n = 1000 + Math.floor(Math.random() * 9000)
      if (!used.has(`${type}.${n}`)) return n
    }

    let n = 10_000
    while (used.has(`${type}.${n}`)) n++
    return n
  }

  private scaleUp(type: string, quantity: number): void {
    const release = this.currentRelease
    for (let i = 1; i <= quantity; i++) {
      const dyno = new DynoRuntime(this.ctx, {
        command: this.procfile[type] ?? type,
        cwd: this.dir,
        env: {},
        name: `${type}.${i}`,
        oneOff: false,
        releaseId: release.id,
        releaseVersion: release.version,
        resolvedCommand: this.procfile[type] ?? type,
        size: DEFAULT_SIZE[this.sizeTier],
        timeToLive: null,
        type,
      })
      this.dynoList.push(dyno)
      this.usedNames.add(dyno.name)
      dyno.startSampler()
    }
  }
}
