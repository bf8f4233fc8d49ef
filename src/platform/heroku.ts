// The one place that knows the Platform API. Everything goes through the user's own credentials
// via @heroku-cli/command's APIClient; API errors become the product's errors with exit codes.
import type {APIClient} from '@heroku-cli/command'
import type * as Heroku from '@heroku-cli/schema'

import type {AppFacts, DynoInfo, DynoRequest, LogRequest, RunPlatform} from './types.js'

import {AppNotFoundError, InvalidInputError, PlatformError, UnauthorizedError} from '../core/errors.js'
import {importShared} from '../oclif.js'
import {followLog, type StreamOptions} from './log-stream.js'
import {type WarmAgent, warmAgent} from './warm-agent.js'

export type ConfigVars = Record<string, string>

/** The tracker in `@heroku-cli/command` of the Request-Ids sent so far */
interface RequestIds {
  empty(): void
}

function dynoInfo(dyno: Heroku.Dyno): DynoInfo {
  return {
    command: dyno.command ?? '',
    createdAt: dyno.created_at ?? '',
    id: dyno.id ?? '',
    name: dyno.name ?? '',
    size: dyno.size ?? null,
    state: dyno.state ?? '',
    type: dyno.type ?? '',
  }
}

export class HerokuPlatform implements RunPlatform {
  readonly local = false
  private sizes?: Heroku.DynoSize[]

  /** `time`: the clock's now and sleep, for the log stream's renewals (default: the wall clock) */
  constructor(private readonly client: APIClient, readonly app: string, private readonly time: Pick<StreamOptions, 'now' | 'sleep'> = {}) {}

  /** Refuses to go on without credentials, so a 401 never starts an interactive login. */
  static async connect(client: APIClient, app: string, time: Pick<StreamOptions, 'now' | 'sleep'> = {}): Promise<HerokuPlatform> {
    const token = await client.getAuth()
    if (!token) {
      throw new UnauthorizedError('not logged in to Heroku: run heroku login or set HEROKU_API_KEY, or use --local to work on this machine without Heroku')
    }

    return new HerokuPlatform(client, app, time)
  }

  async configVars(): Promise<ConfigVars> {
    return this.call('GET', `/apps/${encodeURIComponent(this.app)}/config-vars`)
  }

  async setConfigVars(changes: Record<string, null | string>): Promise<ConfigVars> {
    return this.call('PATCH', `/apps/${encodeURIComponent(this.app)}/config-vars`, changes)
  }

  async appInfo(): Promise<Heroku.App> {
    return this.call('GET', `/apps/${encodeURIComponent(this.app)}`)
  }

  /** Who alerts go to by default: the app's owner and its collaborators, each address once. */
  async ownerAndCollaborators(): Promise<string[]> {
    const [app, collaborators] = await Promise.all([
      this.appInfo(),
      this.call<Heroku.Collaborator[]>('GET', `/apps/${encodeURIComponent(this.app)}/collaborators`).catch(() => []),
    ])
    const emails = [app.owner?.email, ...collaborators.map(c => c.user?.email)].filter((e): e is string => typeof e === 'string' && e.includes('@'))
    return [...new Set(emails)]
  }

  async dynoSizes(): Promise<Heroku.DynoSize[]> {
    this.sizes ??= await this.call<Heroku.DynoSize[]>('GET', '/dyno-sizes')
    return this.sizes
  }

  /** The size as Heroku names it, or a one-line error listing the sizes there are. */
  async checkSize(size: string): Promise<string> {
    const sizes = await this.dynoSizes()
    const hit = sizes.find(s => s.name?.toLowerCase() === size.toLowerCase())
    if (hit?.name) return hit.name
    const names = sizes.map(s => s.name).filter(Boolean).join(', ')
    throw new InvalidInputError(`unknown --size "${size}": use one of ${names}`)
  }

  async appFacts(): Promise<AppFacts> {
    const app = await this.appInfo()
    return {maintenance: Boolean(app.maintenance)}
  }

  async createDyno(request: DynoRequest): Promise<DynoInfo> {
    const dyno = await this.call<Heroku.Dyno>('POST', `/apps/${encodeURIComponent(this.app)}/dynos`, {
      attach: false,
      command: request.command,
      env: request.env,
      size: request.size ?? undefined,
      time_to_live: request.timeToLive,
      type: request.type,
    })
    return dynoInfo(dyno)
  }

  async listDynos(): Promise<DynoInfo[]> {
    return (await this.call<Heroku.Dyno[]>('GET', `/apps/${encodeURIComponent(this.app)}/dynos`)).map(d => dynoInfo(d))
  }

  logLines(request: LogRequest, signal: AbortSignal): AsyncIterable<string> {
    return followLog(this, request, signal, this.time)
  }

  async stopDyno(dyno: string): Promise<void> {
    await this.call('POST', `/apps/${encodeURIComponent(this.app)}/dynos/${encodeURIComponent(dyno)}/actions/stop`)
  }

  async logSession(options: {dyno?: string; lines?: number; source?: string; tail?: boolean}): Promise<Heroku.LogSession> {
    return this.call('POST', `/apps/${encodeURIComponent(this.app)}/log-sessions`, options)
  }

  /** The last RateLimit-Remaining the API sent, so a busy clock can slow down before it runs out. */
  rateLimitRemaining: null | number = null
  private agent?: WarmAgent
  private requestIds?: null | RequestIds

  /**
   * For a long-lived process (the clock): connections are kept and reused, so a burst of fires does
   * not open one each; and each request carries its own Request-Id. @heroku-cli/command adds every
   * earlier request's id to the header (up to 7 kB), which traces a short command's requests
   * together but makes a clock's requests ~3 kB heavier each.
   */
  async keepConnections(maxSockets: number): Promise<void> {
    this.agent = warmAgent(!(process.env.HEROKU_HOST ?? '').startsWith('http://'), maxSockets)
    // the tracker of the same copy of @heroku-cli/command as the client (a file of that package, so it may move: then ids accumulate as before)
    this.requestIds = await importShared<{RequestId: RequestIds}>('@heroku-cli/command', '13', () => import('@heroku-cli/command/lib/request-id.js'), 'lib/request-id.js')
      .then(m => m.RequestId ?? null, () => null)
  }

  /** Opens connections ahead of `requests` requests due at once (only with kept connections); returns how many it opened. */
  warmConnections(requests: number): number {
    return this.agent?.warm(requests) ?? 0
  }

  /** Closes kept connections so the process can exit. */
  close(): void {
    this.agent?.destroy()
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    this.requestIds?.empty()
    try {
      const response = await this.client.request<T>(path, {agent: this.agent, body, method, retryAuth: false})
      this.noteRateLimit(response.headers)
      return response.body
    } catch (error) {
      this.noteRateLimit((error as {http?: {headers?: Record<string, unknown>}}).http?.headers)
      throw this.translate(error, path)
    }
  }

  private noteRateLimit(headers: Record<string, unknown> | undefined): void {
    const value = Number(headers?.['ratelimit-remaining'])
    if (Number.isFinite(value)) this.rateLimitRemaining = value
  }

  private translate(error: unknown, path: string): Error {
    const {http} = (error as {http?: {statusCode?: number}})
    const {body} = (error as {body?: {id?: string; message?: string}})
    const status = http?.statusCode
    if (status === undefined) {
      return new PlatformError(`cannot reach the Heroku API: ${(error as Error).message}`)
    }

    if (status === 401) return new UnauthorizedError('the Heroku API rejected the API key (401): run heroku login, or check HEROKU_API_KEY')
    if (status === 404 && /^\/apps\/[^/]+(\/config-vars)?$/.test(path)) {
      return new AppNotFoundError(`app ${this.app} not found, or you have no access to it: check the name with heroku apps, or pass --app`)
    }

    const detail = body?.message?.split('\n')[0] ?? `HTTP ${status}`
    return new PlatformError(`Heroku API error on ${path}: ${detail}${body?.id ? ` (${body.id})` : ''}`, status, body?.id)
  }
}
