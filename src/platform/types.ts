// What the clock and the run commands need from a place that runs dynos: Heroku through the
// Platform API, or this machine (--local). Both speak in Heroku's terms and Heroku's log lines.

export interface DynoInfo {
  id: string
  /** e.g. trigger-1a2b3c4d.4521 */
  name: string
  type: string
  command: string
  /** the Platform API's states: starting, up, down, crashed, idle */
  state: string
  size: null | string
  createdAt: string
}

export interface DynoRequest {
  command: string
  env?: Record<string, string>
  size?: null | string
  /** seconds; the dyno is stopped (SIGTERM, then SIGKILL) after it */
  timeToLive?: number
  type?: string
}

export interface AppFacts {
  maintenance: boolean
}

export interface LogRequest {
  /** backlog lines to send first (at most 1500) */
  lines: number
  tail: boolean
  /** a dyno name (run.1) or a process type (run), as `heroku logs --dyno` takes it */
  dyno?: string
}

export interface RunPlatform {
  readonly app: string
  readonly local: boolean
  appFacts(): Promise<AppFacts>
  createDyno(request: DynoRequest): Promise<DynoInfo>
  listDynos(): Promise<DynoInfo[]>
  stopDyno(nameOrId: string): Promise<void>
  /**
   * Heroku-format log lines: the backlog, then with `tail` new lines as they come, until `signal`
   * aborts. Sessions that expire or are cut are renewed without losing or repeating a line.
   */
  logLines(request: LogRequest, signal: AbortSignal): AsyncIterable<string>
  /** Opens connections ahead of a burst of `requests` requests, where connections cost something. */
  warmConnections?(requests: number): number
}
