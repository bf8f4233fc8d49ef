// Fault switches, each turned on per test and cleared by reset().
import type {EmulatorTime} from './time.js'
import type {Faults} from './types.js'

import {realTime} from './time.js'

export interface FaultHost {
  cycle(app: string, dyno: string): void
  cutOpenStreams(): void
  expireAllSessions(): void
  /** applies a memory fault to a running dyno; false when there is no such running dyno */
  memory(app: string | undefined, dyno: string, kind: 'R14' | 'R15', afterMs: number): boolean
}

type RequestFaultKind = 'rateLimit' | 'serverError' | 'slow' | 'unauthorized'

interface RequestFault {
  kind: RequestFaultKind
  match?: RegExp
  ms?: number
  remaining: number
  status?: number
  until?: number
}

export interface PendingMemory {
  afterMs: number
  app?: string
  kind: 'R14' | 'R15'
}

export class FaultState implements Faults {
  aboveLimitCount = 0
  conflictCount = 0
  cuts: Array<{afterLines: number; remaining: number}> = []
  dropExitCount = 0
  launchFailures: Array<{afterMs: number}> = []
  pendingMemory: PendingMemory[] = []
  outOfOrderCount = 0
  /** when set, sessions created from now on expire this soon */
  sessionExpiryMs: number | undefined
  /** set by rateLimitRemaining(); read (and cleared) by the server's token pool */
  tokensOverride: number | undefined
  private requestFaults: RequestFault[] = []

  constructor(private readonly host: FaultHost, private readonly time: EmulatorTime = realTime) {}

  aboveLimit(options: {count?: number} = {}): void {
    this.aboveLimitCount += options.count ?? 1
  }

  clear(): void {
    this.aboveLimitCount = 0
    this.conflictCount = 0
    this.cuts = []
    this.dropExitCount = 0
    this.launchFailures = []
    this.pendingMemory = []
    this.outOfOrderCount = 0
    this.sessionExpiryMs = undefined
    this.tokensOverride = undefined
    this.requestFaults = []
  }

  conflictOnCreate(options: {count?: number} = {}): void {
    this.conflictCount += options.count ?? 1
  }

  cutSessions(options: {afterLines: number; count?: number}): void {
    this.cuts.push({afterLines: options.afterLines, remaining: options.count ?? 1})
  }

  cutOpenStreams(): void {
    this.host.cutOpenStreams()
  }

  cycle(app: string, dyno: string): void {
    this.host.cycle(app, dyno)
  }

  dropExitLine(options: {count?: number} = {}): void {
    this.dropExitCount += options.count ?? 1
  }

  expireSessions(options: {afterMs?: number} = {}): void {
    if (options.afterMs === undefined) this.host.expireAllSessions()
    else this.sessionExpiryMs = options.afterMs
  }

  launchFailure(options: {afterMs?: number; count?: number} = {}): void {
    for (let i = 0; i < (options.count ?? 1); i++) this.launchFailures.push({afterMs: options.afterMs ?? 10})
  }

  memory(options: {afterMs?: number; app?: string; dyno?: string; kind: 'R14' | 'R15'}): void {
    const afterMs = options.afterMs ?? 20
    if (options.dyno) {
      if (!this.host.memory(options.app, options.dyno, options.kind, afterMs)) throw new Error(`faults.memory: no running dyno ${options.dyno}${options.app ? ` on ${options.app}` : ''}`)
      return
    }

    this.pendingMemory.push({afterMs, app: options.app, kind: options.kind})
  }

  outOfOrder(options: {count?: number} = {}): void {
    this.outOfOrderCount += options.count ?? 1
  }

  rateLimit(options: {count?: number; durationMs?: number; match?: RegExp}): void {
    this.add('rateLimit', options, {})
  }

  rateLimitRemaining(n: number): void {
    this.tokensOverride = n
  }

  serverError(options: {count?: number; match?: RegExp; status?: 500 | 502 | 503} = {}): void {
    this.add('serverError', options, {status: options.status ?? 500})
  }

  slow(options: {count?: number; match?: RegExp; ms: number}): void {
    this.add('slow', {count: options.count ?? Number.POSITIVE_INFINITY, match: options.match}, {ms: options.ms})
  }

  /** consumes a request fault of this kind that applies to `METHOD /path`; platform says whether the request is a Platform API one */
  take(kind: RequestFaultKind, methodPath: string, platform: boolean): RequestFault | undefined {
    const now = this.time.now()
    this.requestFaults = this.requestFaults.filter(f => f.remaining > 0 && (f.until === undefined || f.until > now))
    const fault = this.requestFaults.find(f => f.kind === kind && (f.match ? f.match.test(methodPath) : platform))
    if (fault && fault.until === undefined) fault.remaining--
    return fault
  }

  /** the cut to apply to a stream being opened, if any */
  takeCut(): number | undefined {
    const cut = this.cuts.find(c => c.remaining > 0)
    if (!cut) return undefined
    cut.remaining--
    return cut.afterLines
  }

  takeCount(name: 'aboveLimitCount' | 'conflictCount' | 'dropExitCount' | 'outOfOrderCount'): boolean {
    if (this[name] <= 0) return false
    this[name]--
    return true
  }

  unauthorized(options: {count?: number; match?: RegExp} = {}): void {
    this.add('unauthorized', options, {})
  }

  private add(kind: RequestFaultKind, options: {count?: number; durationMs?: number; match?: RegExp}, extra: Partial<RequestFault>): void {
    const until = options.durationMs === undefined ? undefined : this.time.now() + options.durationMs
    const remaining = until === undefined ? (options.count ?? 1) : Number.POSITIVE_INFINITY
    this.requestFaults.push({kind, match: options.match, remaining, until, ...extra})
  }
}
