import type {AddressInfo} from 'node:net'

// The emulator: a node:http server answering the Platform API (and particleboard's Scheduler jobs)
// the way api.heroku.com does, over apps whose one-off dynos really run.
import {createHash, randomUUID} from 'node:crypto'
import http, {type IncomingMessage, type ServerResponse} from 'node:http'

import type {DynoRuntime} from './dyno.js'
import type {AppSpec, EmulatedApp, EmulatedDyno, Emulator, EmulatorOptions, RecordedRequest, SchedulerJob} from './types.js'

import {ApiError, AppState} from './app.js'
import {FaultState} from './faults.js'
import {type Answer, errorAnswer, paginate, readBody, send} from './http.js'
import {SessionStore} from './sessions.js'
import {DEFAULT_SIZE, DYNO_SIZES, findSize, sizeJson, stableId} from './sizes.js'
import {type EmulatorTime, realTime} from './time.js'

export const DEFAULT_API_KEY = 'test-api-key-0123456789abcdef'
const ACCEPT = /application\/vnd\.heroku\+json;\s*version=3(\.[\w-]+)?(\s*[;,]|\s*$)/
const RATE_LIMIT_PER_MS = 75 / 60_000
const NOT_FOUND_ENDPOINT =
  'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?'

type Params = Record<string, string>
interface Ctx {
  body: unknown
  params: Params
  req: IncomingMessage
  url: URL
}
type Handler = (ctx: Ctx) => Answer | Promise<Answer>

const iso = (d: Date | null): null | string => (d ? d.toISOString().replace(/\.\d+Z$/, 'Z') : null)

export class EmulatorServer implements Emulator {
  readonly apiKey: string
  readonly faults: FaultState
  readonly connections: number[] = []
  readonly requests: RecordedRequest[] = []
  url = ''
  private readonly accountCreatedAt: Date
  private readonly accountId: string
  private readonly apps = new Map<string, AppState>()
  private jobCounter = 881_230
  private lastRefill: number
  private readonly options: Required<Omit<EmulatorOptions, 'apiKey' | 'onDynoFinished' | 'port' | 'simulate' | 'sseRetryMs' | 'time' | 'user'>>
  private readonly init: EmulatorOptions
  private readonly time: EmulatorTime
  private readonly routes: Array<{handler: Handler; method: string; pattern: RegExp}> = []
  private readonly server: http.Server
  private readonly sessions: SessionStore
  private stopped = false
  private tokens: number
  private readonly user: string

  constructor(init: EmulatorOptions = {}) {
    this.apiKey = init.apiKey ?? DEFAULT_API_KEY
    this.init = init
    this.time = init.time ?? realTime
    this.accountCreatedAt = new Date(this.time.now() - 400 * 86_400_000)
    this.lastRefill = this.time.now()
    this.user = init.user ?? 'dev@example.com'
    this.accountId = stableId(`account:${this.user}`)
    this.options = {
      completedDynoVisibleMs: init.completedDynoVisibleMs ?? 0,
      keepaliveMs: init.keepaliveMs ?? 10_000,
      keepFinishedDynos: init.keepFinishedDynos ?? true,
      launchDelayMs: init.launchDelayMs ?? 0,
      logHistoryLines: init.logHistoryLines ?? 200_000,
      pageSize: Math.min(init.pageSize ?? 200, 1000),
      rateLimitTokens: init.rateLimitTokens ?? 4500,
      recordRequests: init.recordRequests ?? true,
      sampleIntervalMs: init.sampleIntervalMs ?? 20_000,
      sessionExpiryMs: init.sessionExpiryMs ?? 360_000,
      stopGraceMs: init.stopGraceMs ?? 30_000,
      timeToLiveUnitMs: init.timeToLiveUnitMs ?? 1000,
    }
    this.tokens = this.options.rateLimitTokens
    this.faults = new FaultState({
      cycle: (app, dyno) => {
        const found = this.requireApp(app).findDyno(dyno)
        if (!found || found.isFinished) throw new Error(`faults.cycle: no running dyno ${dyno} on ${app}`)
        if (found.oneOff) found.terminate('cycle')
        else found.bounce('cycle', found.releaseVersion, found.releaseId)
      },
      cutOpenStreams: () => this.sessions.cutOpen(),
      expireAllSessions: () => this.sessions.expireAll(),
      memory: (app, dyno, kind, afterMs) => {
        const apps = app === undefined ? [...this.apps.values()] : [this.requireApp(app)]
        const found = apps.map(a => a.findDyno(dyno)).find(d => d !== undefined && !d.isFinished)
        if (!found) return false
        found.memory(kind, afterMs)
        return true
      },
    }, this.time)
    this.sessions = new SessionStore(this.faults, {expiryMs: this.options.sessionExpiryMs, keepaliveMs: this.options.keepaliveMs, retryMs: init.sseRetryMs}, this.time)
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        send(res, {body: {id: 'internal_server_error', message: `Emulator error: ${(error as Error).message}`}, status: 500})
      })
    })
    this.server.on('connection', () => this.connections.push(Date.now()))
    this.defineRoutes()
  }

  app(name: string): EmulatedApp | undefined {
    return this.findApp(name)
  }

  appendLog(app: string, source: string, dyno: null | string, message: string, at?: Date): void {
    this.requireApp(app).log.append(source, dyno, message, at ? at.getTime() * 1000 : undefined)
  }

  createApp(spec: AppSpec): EmulatedApp {
    if (this.findApp(spec.name) || (spec.id && this.findApp(spec.id))) throw new Error(`an app named ${spec.name} exists already`)
    const app = new AppState(spec, {
      completedDynoVisibleMs: this.options.completedDynoVisibleMs,
      faults: this.faults,
      keepFinishedDynos: this.options.keepFinishedDynos,
      launchDelayMs: this.options.launchDelayMs,
      logHistoryLines: this.options.logHistoryLines,
      nextJobId: () => String(++this.jobCounter),
      sampleIntervalMs: this.options.sampleIntervalMs,
      stopGraceMs: this.options.stopGraceMs,
      onDynoFinished: this.init.onDynoFinished,
      simulate: this.init.simulate,
      time: this.time,
      timeToLiveUnitMs: this.options.timeToLiveUnitMs,
      user: this.user,
    })
    this.apps.set(app.id, app)
    return app
  }

  dynos(app: string): EmulatedDyno[] {
    return [...this.requireApp(app).dynoList]
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => resolve())
    })
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  logLines(app: string): string[] {
    return [...this.requireApp(app).log.all]
  }

  reset(): void {
    this.faults.clear()
    this.requests.length = 0
    this.connections.length = 0
    this.tokens = this.options.rateLimitTokens
  }

  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.sessions.closeAll()
    await Promise.all([...this.apps.values()].map(app => app.stop()))
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, 2000)
      this.server.close(() => {
        clearTimeout(timer)
        resolve()
      })
      this.server.closeAllConnections()
    })
  }

  async waitForDyno(app: string, dyno: string, timeoutMs = 10_000): Promise<null | number> {
    const found = this.requireApp(app).dynoList.find(d => d.id === dyno || d.name === dyno)
    if (!found) throw new Error(`no dyno ${dyno} on ${app}`)
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        found.finished,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`dyno ${dyno} on ${app} did not finish within ${timeoutMs} ms (state ${found.state})`)), timeoutMs)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  waitForLine(app: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const state = this.requireApp(app)
    const existing = state.log.all.find(line => pattern.test(line))
    if (existing !== undefined) return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe()
        reject(new Error(`no log line matching ${pattern} on ${app} within ${timeoutMs} ms; last lines:\n${state.log.all.slice(-15).join('\n')}`))
      }, timeoutMs)
      const unsubscribe = state.log.subscribe(entry => {
        if (!pattern.test(entry.line)) return
        clearTimeout(timer)
        unsubscribe()
        resolve(entry.line)
      })
    })
  }

  // ---- request handling ----

  private accountJson(): Record<string, unknown> {
    return {
      allow_tracking: true,
      beta: false,
      country_of_residence: 'United States',
      created_at: iso(this.accountCreatedAt),
      default_organization: null,
      default_team: null,
      delinquent_at: null,
      email: this.user,
      federated: false,
      id: this.accountId,
      identity_provider: null,
      last_login: iso(new Date()),
      name: this.user.split('@')[0],
      sms_number: null,
      suspended_at: null,
      two_factor_authentication: false,
      updated_at: iso(this.accountCreatedAt),
      verified: true,
    }
  }

  private appJson(app: AppState): Record<string, unknown> {
    const stack = {id: stableId(`stack:${app.stack}`), name: app.stack}
    return {
      acm: false,
      archived_at: null,
      build_stack: stack,
      buildpack_provided_description: 'Node.js',
      created_at: iso(app.createdAt),
      generation: {id: stableId('generation:cedar'), name: 'cedar'},
      git_url: `https://git.heroku.com/${app.name}.git`,
      id: app.id,
      internal_routing: null,
      maintenance: app.maintenance,
      name: app.name,
      organization: null,
      owner: {email: this.user, id: this.accountId},
      process_tier: app.sizeTier,
      region: {id: stableId('region:us'), name: 'us'},
      released_at: iso(app.currentRelease.createdAt),
      repo_size: null,
      slug_size: 52_428_800,
      space: null,
      stack,
      team: null,
      updated_at: iso(app.currentRelease.createdAt),
      web_url: `https://${app.webHost}/`,
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const bearer = /^Bearer\s+(.+)$/i.exec(header)
    if (bearer) return bearer[1].trim() === this.apiKey
    const basic = /^Basic\s+(.+)$/i.exec(header)
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
      return decoded.slice(decoded.indexOf(':') + 1) === this.apiKey
    }

    return false
  }

  private defineRoutes(): void {
    const route = (method: string, path: string, handler: Handler): void => {
      const pattern = new RegExp(`^${path.replaceAll(/:(\w+)/g, '(?<$1>[^/]+)')}/?$`)
      this.routes.push({handler, method, pattern})
    }

    const ok = (body: unknown, status = 200): Answer => ({body, status})
    const page = <T>(ctx: Ctx, items: T[], keys: Record<string, (item: T) => number | string>, toJson: (item: T) => unknown): Answer =>
      paginate(items, header(ctx.req, 'range'), keys, this.options.pageSize, toJson)

    route('GET', '/account', () => ok(this.accountJson()))
    route('GET', '/account/rate-limits', () => ok({remaining: Math.floor(this.tokens)}))
    route('GET', '/accounts/:account/actions/get-quota', () => {
      throw new ApiError(404, 'not_found', "Couldn't find that account quota.")
    })
    route('GET', '/dyno-sizes', ctx => page(ctx, DYNO_SIZES, {id: s => stableId(`size:${s.name}`), name: s => s.name}, sizeJson))
    route('GET', '/dyno-sizes/:size', ctx => {
      const size = DYNO_SIZES.find(s => stableId(`size:${s.name}`) === ctx.params.size) ?? findSize(ctx.params.size)
      if (!size) throw new ApiError(404, 'not_found', "Couldn't find that dyno size.")
      return ok(sizeJson(size))
    })
    route('GET', '/apps', ctx => page(ctx, [...this.apps.values()], {id: a => a.id, name: a => a.name}, a => this.appJson(a)))
    route('GET', '/apps/:app', ctx => ok(this.appJson(this.appOf(ctx))))
    route('PATCH', '/apps/:app', ctx => {
      const app = this.appOf(ctx)
      const body = objectBody(ctx.body)
      if (body.maintenance !== undefined) {
        if (typeof body.maintenance !== 'boolean') throw new ApiError(422, 'invalid_params', 'maintenance must be a boolean.')
        app.maintenance = body.maintenance
      }

      if (body.name !== undefined) {
        if (typeof body.name !== 'string' || !/^[a-z][\da-z-]{1,28}[\da-z]$/.test(body.name)) throw new ApiError(422, 'invalid_params', 'Name must start with a letter, end with a letter or digit and can only contain lowercase letters, digits, and dashes.')
        if (this.findApp(body.name) && this.findApp(body.name) !== app) throw new ApiError(422, 'invalid_params', 'Name is already taken')
        app.name = body.name
      }

      if (body.build_stack !== undefined) {
        const stack = typeof body.build_stack === 'string' ? body.build_stack : undefined
        if (!stack) throw new ApiError(422, 'invalid_params', 'build_stack must be a stack name.')
        app.stack = stack
      }

      return ok(this.appJson(app))
    })
    route('GET', '/apps/:app/config-vars', ctx => ok({...this.appOf(ctx).configVars}))
    route('PATCH', '/apps/:app/config-vars', ctx => {
      const app = this.appOf(ctx)
      return ok(app.setConfigVars(objectBody(ctx.body) as Record<string, null | string>, this.user))
    })
    route('GET', '/apps/:app/releases', ctx => {
      const app = this.appOf(ctx)
      return page(ctx, app.releases, {id: r => r.id, version: r => r.version}, r => this.releaseJson(app, r))
    })
    route('GET', '/apps/:app/releases/:release', ctx => {
      const app = this.appOf(ctx)
      return ok(this.releaseJson(app, this.releaseOf(app, ctx.params.release)))
    })
    route('GET', '/apps/:app/releases/:release/config-vars', ctx => ok({...this.releaseOf(this.appOf(ctx), ctx.params.release).configVars}))
    route('GET', '/apps/:app/dynos', ctx => {
      const app = this.appOf(ctx)
      return page(ctx, app.visibleDynos(), {id: d => d.id, name: d => d.name}, d => this.dynoJson(app, d))
    })
    route('POST', '/apps/:app/dynos', ctx => {
      const app = this.appOf(ctx)
      const dyno = app.createDyno(objectBody(ctx.body), this.user)
      return ok(this.dynoJson(app, dyno), 201)
    })
    route('DELETE', '/apps/:app/dynos', ctx => {
      this.appOf(ctx).restartAll()
      return ok({})
    })
    route('GET', '/apps/:app/dynos/:dyno', ctx => {
      const app = this.appOf(ctx)
      return ok(this.dynoJson(app, this.dynoOf(app, ctx.params.dyno)))
    })
    route('DELETE', '/apps/:app/dynos/:dyno', ctx => {
      const app = this.appOf(ctx)
      app.restartDyno(this.dynoOf(app, ctx.params.dyno))
      return ok({})
    })
    route('POST', '/apps/:app/dynos/:dyno/actions/stop', ctx => {
      const app = this.appOf(ctx)
      const dyno = this.dynoOf(app, ctx.params.dyno)
      if (dyno.oneOff) dyno.terminate('stop')
      else dyno.bounce('restart', app.releaseVersion, app.currentRelease.id)
      return ok({})
    })
    route('GET', '/apps/:app/formation', ctx => {
      const app = this.appOf(ctx)
      return page(ctx, this.formationTypes(app), {id: t => stableId(`formation:${app.id}:${t}`), type: t => t}, t => this.formationJson(app, t))
    })
    route('GET', '/apps/:app/formation/:type', ctx => {
      const app = this.appOf(ctx)
      const type = this.formationTypes(app).find(t => t === ctx.params.type || stableId(`formation:${app.id}:${t}`) === ctx.params.type)
      if (!type) throw new ApiError(404, 'not_found', "Couldn't find that formation.")
      return ok(this.formationJson(app, type))
    })
    route('DELETE', '/apps/:app/formations/:type', ctx => {
      const app = this.appOf(ctx)
      for (const dyno of app.visibleDynos()) if (!dyno.oneOff && dyno.type === ctx.params.type) app.restartDyno(dyno)
      return ok({})
    })
    route('GET', '/apps/:app/collaborators', ctx => {
      const app = this.appOf(ctx)
      const people = [{email: this.user, role: 'owner'}, ...app.collaborators.map(email => ({email, role: 'collaborator'}))]
      return page(ctx, people, {id: p => stableId(`collaborator:${app.id}:${p.email}`)}, p => this.collaboratorJson(app, p))
    })
    route('POST', '/apps/:app/log-sessions', ctx => {
      const app = this.appOf(ctx)
      return ok(this.sessions.create(app, objectBody(ctx.body), this.url), 201)
    })

    // particleboard: Heroku Scheduler's jobs, JSON:API, the app given by uuid
    const jobs = (ctx: Ctx): AppState => {
      const app = this.apps.get(ctx.params.app)
      if (!app) throw new ApiError(404, 'not_found', "Couldn't find that app.")
      return app
    }

    const jsonApi = (body: unknown, status = 200): Answer => ({body, contentType: 'application/vnd.api+json', status})
    route('GET', '/apps/:app/jobs', ctx => jsonApi({data: jobs(ctx).schedulerJobs.map(j => jobJson(j))}))
    route('POST', '/apps/:app/jobs', ctx => {
      const app = jobs(ctx)
      const attrs = jobAttributes(ctx.body, true)
      const job = app.addJob({at: attrs.at as number, command: attrs.command as string, dynoSize: attrs.dynoSize ?? undefined, every: attrs.every as number})
      return jsonApi({data: jobJson(job)}, 201)
    })
    route('PATCH', '/apps/:app/jobs/:job', ctx => {
      const app = jobs(ctx)
      const job = app.schedulerJobs.find(j => j.id === ctx.params.job)
      if (!job) throw new ApiError(404, 'not_found', "Couldn't find that job.")
      const attrs = jobAttributes(ctx.body, false, job)
      if (attrs.command !== undefined) job.command = attrs.command
      if (attrs.every !== undefined) job.every = attrs.every
      if (attrs.at !== undefined) job.at = attrs.at
      if (attrs.dynoSize) job.dynoSize = attrs.dynoSize
      job.updatedAt = new Date()
      return jsonApi({data: jobJson(job)})
    })
    route('DELETE', '/apps/:app/jobs/:job', ctx => {
      const app = jobs(ctx)
      const index = app.schedulerJobs.findIndex(j => j.id === ctx.params.job)
      if (index === -1) throw new ApiError(404, 'not_found', "Couldn't find that job.")
      app.schedulerJobs.splice(index, 1)
      return {status: 204}
    })
  }

  private appOf(ctx: Ctx): AppState {
    const app = this.findApp(ctx.params.app)
    if (!app) throw new ApiError(404, 'not_found', "Couldn't find that app.")
    return app
  }

  private collaboratorJson(app: AppState, person: {email: string; role: string}): Record<string, unknown> {
    const owner = person.role === 'owner'
    return {
      app: {id: app.id, name: app.name},
      created_at: iso(app.createdAt),
      id: stableId(`collaborator:${app.id}:${person.email}`),
      permissions: [
        ...(owner ? [{description: 'Create, delete, and update apps, add-ons, and collaborators', name: 'manage'}] : []),
        {description: 'Create releases, deploy, scale, restart and run dynos', name: 'deploy'},
        {description: 'Scale and run dynos', name: 'operate'},
        {description: 'View apps, logs, and metrics', name: 'view'},
      ],
      role: person.role,
      updated_at: iso(app.createdAt),
      user: {email: person.email, federated: false, id: owner ? this.accountId : stableId(`account:${person.email}`)},
    }
  }

  private dynoJson(app: AppState, dyno: DynoRuntime): Record<string, unknown> {
    return {
      app: {id: app.id, name: app.name},
      attach_url: null,
      command: dyno.command,
      created_at: iso(dyno.createdAt),
      id: dyno.id,
      name: dyno.name,
      release: {id: dyno.releaseId, version: dyno.releaseVersion},
      size: dyno.size,
      state: dyno.apiState,
      type: dyno.type,
      updated_at: iso(dyno.updatedAt),
    }
  }

  private dynoOf(app: AppState, idOrName: string): DynoRuntime {
    const dyno = app.findDyno(idOrName)
    if (!dyno) throw new ApiError(404, 'not_found', "Couldn't find that dyno.")
    return dyno
  }

  private findApp(idOrName: string): AppState | undefined {
    return this.apps.get(idOrName) ?? [...this.apps.values()].find(a => a.name === idOrName)
  }

  private formationJson(app: AppState, type: string): Record<string, unknown> {
    const size = app.dynoList.find(d => !d.oneOff && d.type === type)?.size ?? DEFAULT_SIZE[app.sizeTier]
    return {
      app: {id: app.id, name: app.name},
      command: app.procfile[type] ?? type,
      created_at: iso(app.createdAt),
      dyno_size: {id: stableId(`size:${size}`), name: size},
      id: stableId(`formation:${app.id}:${type}`),
      quantity: app.formation[type] ?? 0,
      size,
      type,
      updated_at: iso(app.createdAt),
    }
  }

  private formationTypes(app: AppState): string[] {
    return [...new Set([...Object.keys(app.formation), ...Object.keys(app.procfile)])]
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = (req.method ?? 'GET').toUpperCase()
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = k === 'authorization' ? '[REDACTED]' : Array.isArray(v) ? v.join(', ') : v
    }

    const record: RecordedRequest = {at: Date.now(), body: undefined, headers, method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0}
    if (this.options.recordRequests) this.requests.push(record)
    res.setHeader('Request-Id', randomUUID())
    const isStream = url.pathname === '/stream'
    const isJobs = /^\/apps\/[^/]+\/jobs(\/[^/]+)?\/?$/.test(url.pathname)
    const platform = !isStream && !isJobs
    const methodPath = `${method} ${url.pathname}`
    const finish = (answer: Answer): void => {
      record.status = answer.status
      send(res, answer)
    }

    this.refill()
    res.setHeader('RateLimit-Remaining', String(Math.floor(this.tokens)))
    res.setHeader('RateLimit-Multiplier', '1')
    let raw: string
    try {
      raw = await readBody(req)
    } catch (error) {
      finish(errorAnswer(error instanceof ApiError ? error : new ApiError(400, 'bad_request', 'Request body could not be read.')))
      return
    }

    let body: unknown
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw)
      } catch {
        record.body = raw
        finish(errorAnswer(new ApiError(400, 'bad_request', 'Request invalid, validate usage and try again.')))
        return
      }
    }

    record.body = body
    const slow = this.faults.take('slow', methodPath, platform)
    if (slow?.ms) await new Promise(resolve => setTimeout(resolve, slow.ms).unref())
    if (this.stopped) {
      res.destroy()
      return
    }

    if (isStream) {
      record.status = this.sessions.serve(req, res, url)
      return
    }

    const failure = this.faults.take('serverError', methodPath, platform)
    if (failure) {
      const status = failure.status ?? 500
      const error =
        status === 503
          ? new ApiError(503, 'service_unavailable', 'The service is temporarily unavailable. Please try again later.')
          : new ApiError(status, 'internal_server_error', 'Internal server error.')
      finish(errorAnswer(error))
      return
    }

    if (platform && !ACCEPT.test(header(req, 'accept') ?? '')) {
      finish(errorAnswer(new ApiError(406, 'not_acceptable', "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.")))
      return
    }

    if (!this.authorized(req) || this.faults.take('unauthorized', methodPath, platform)) {
      finish(errorAnswer(new ApiError(401, 'unauthorized', 'Invalid credentials provided.')))
      return
    }

    const counted = platform && url.pathname !== '/account/rate-limits'
    if (counted) {
      if (this.faults.take('rateLimit', methodPath, platform) || this.tokens < 1) {
        res.setHeader('RateLimit-Remaining', '0')
        finish(errorAnswer(new ApiError(429, 'rate_limit', 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests')))
        return
      }

      this.tokens -= 1
      res.setHeader('RateLimit-Remaining', String(Math.floor(this.tokens)))
    }

    const match = this.match(method, url.pathname)
    if (!match) {
      finish(errorAnswer(new ApiError(404, 'not_found', NOT_FOUND_ENDPOINT)))
      return
    }

    try {
      const answer = await match.handler({body, params: match.params, req, url})
      if (method === 'GET' && answer.status < 300 && answer.body !== undefined) {
        answer.headers = {...answer.headers, ETag: `"${createHash('md5').update(JSON.stringify(answer.body)).digest('hex')}"`}
      }

      finish(answer)
    } catch (error) {
      if (error instanceof ApiError) finish(errorAnswer(error, {}, isJobs ? 'application/vnd.api+json' : undefined))
      else throw error
    }
  }

  private match(method: string, path: string): undefined | {handler: Handler; params: Params} {
    for (const route of this.routes) {
      if (route.method !== method) continue
      const m = route.pattern.exec(path)
      if (!m) continue
      const params: Params = {}
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v)
      return {handler: route.handler, params}
    }

    return undefined
  }

  private refill(): void {
    const now = this.time.now()
    if (this.faults.tokensOverride === undefined) {
      this.tokens = Math.min(this.options.rateLimitTokens, this.tokens + (now - this.lastRefill) * RATE_LIMIT_PER_MS)
    } else {
      this.tokens = this.faults.tokensOverride
      this.faults.tokensOverride = undefined
    }

    this.lastRefill = now
  }

  private releaseJson(app: AppState, release: AppState['releases'][number]): Record<string, unknown> {
    return {
      addon_plan_names: [],
      app: {id: app.id, name: app.name},
      artifacts: [],
      created_at: iso(release.createdAt),
      current: release === app.currentRelease,
      description: release.description,
      eligible_for_rollback: true,
      id: release.id,
      output_stream_url: null,
      slug: null,
      status: 'succeeded',
      updated_at: iso(release.createdAt),
      user: {email: release.user, id: stableId(`account:${release.user}`)},
      version: release.version,
    }
  }

  private releaseOf(app: AppState, idOrVersion: string): AppState['releases'][number] {
    const release = app.releases.find(r => r.id === idOrVersion || String(r.version) === idOrVersion.replace(/^v/, ''))
    if (!release) throw new ApiError(404, 'not_found', "Couldn't find that release.")
    return release
  }

  private requireApp(name: string): AppState {
    const app = this.findApp(name)
    if (!app) throw new Error(`the emulator has no app ${name}`)
    return app
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined) return {}
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(400, 'bad_request', 'Request invalid, validate usage and try again.')
  return body as Record<string, unknown>
}

function jobJson(job: SchedulerJob): Record<string, unknown> {
  return {
    attributes: {
      at: job.at,
      command: job.command,
      'created-at': iso(job.createdAt),
      'dyno-size': job.dynoSize,
      every: job.every,
      'expire-after': null,
      'ran-at': iso(job.ranAt),
      'updated-at': iso(job.updatedAt),
    },
    id: job.id,
    type: 'jobs',
  }
}

/** validates a JSON:API job body: every 10 (at 0), 60 (at 0..50 by 10) or 1440 (at 0..1410 by 30) */
function jobAttributes(body: unknown, create: boolean, current?: SchedulerJob): {at?: number; command?: string; dynoSize?: string; every?: number} {
  const data = objectBody(objectBody(body).data)
  const attrs = objectBody(data.attributes)
  const out: {at?: number; command?: string; dynoSize?: string; every?: number} = {}
  if (attrs.command !== undefined || create) {
    if (typeof attrs.command !== 'string' || attrs.command.trim() === '') throw new ApiError(422, 'invalid_params', 'Command can\'t be blank.')
    out.command = attrs.command
  }

  if (attrs.every !== undefined || create) {
    if (attrs.every !== 10 && attrs.every !== 60 && attrs.every !== 1440) throw new ApiError(422, 'invalid_params', 'Every must be one of 10, 60 or 1440 (minutes).')
    out.every = attrs.every
  }

  if (attrs.at !== undefined || create || out.every !== undefined) {
    const every = out.every ?? current?.every ?? 10
    const at = attrs.at ?? (create ? 0 : current?.at ?? 0)
    const valid =
      typeof at === 'number' && Number.isInteger(at) && (every === 10 ? at === 0 : every === 60 ? at >= 0 && at <= 50 && at % 10 === 0 : at >= 0 && at <= 1410 && at % 30 === 0)
    if (!valid) throw new ApiError(422, 'invalid_params', `At ${String(at)} is not valid for every ${every}: use 0 for 10, 0-50 in steps of 10 for 60, 0-1410 in steps of 30 for 1440.`)
    out.at = at as number
  }

  const size = attrs['dyno-size']
  if (size !== undefined && size !== null) {
    const found = typeof size === 'string' ? findSize(size) : undefined
    if (!found) throw new ApiError(422, 'invalid_params', `Dyno size ${String(size)} is not a valid size.`)
    out.dynoSize = found.name
  }

  return out
}
