// --local: this machine plays the part of Heroku. Dynos are detached local processes (see
// local-dyno.ts) that write Heroku's lines into a local app log, which is read as Heroku's is.
import {spawn} from 'node:child_process'
import {randomInt, randomUUID} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {mkdir, open, readdir, readFile, rename, stat} from 'node:fs/promises'
import {userInfo} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {AppFacts, DynoInfo, DynoRequest, LogRequest, RunPlatform} from './types.js'

import {NotFoundError} from '../core/errors.js'
import {readBackwards} from '../store/run-store.js'
import {type LocalDynoSpec, writeLine} from './local-dyno.js'
import {sleep} from './sleep.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const TS = import.meta.url.endsWith('.ts')
const LOG_ROTATE_BYTES = 64 * 1024 * 1024

/** KEY=value lines as `heroku local` reads them: comments, blank lines, optional quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const match = /^(?:export\s+)?([\w.]+)\s*=\s*(.*)$/.exec(line)
    if (!match) continue
    let value = match[2]
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replaceAll(String.raw`\n`, '\n')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }

    env[match[1]] = value
  }

  return env
}

/** A Procfile process type as the first word is replaced by its definition, as Heroku does. */
export function resolveProcfile(command: string, procfile: Record<string, string>): string {
  const [first, ...rest] = command.trim().split(/\s+/)
  const definition = procfile[first]
  return definition === undefined ? command : [definition, ...rest].join(' ')
}

export function parseProcfile(text: string): Record<string, string> {
  const types: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    const match = /^([\w-]+):\s*(.+)$/.exec(line.trim())
    if (match) types[match[1]] = match[2].trim()
  }

  return types
}

export class LocalPlatform implements RunPlatform {
  readonly app = 'local'
  readonly local = true
  readonly logFile: string
  private readonly dynoDir: string

  constructor(readonly appDir: string, readonly appDataDir: string, private readonly stopGraceMs = Number(process.env.HEROKU_TRIGGERS_LOCAL_STOP_GRACE_MS ?? 30_000)) {
    this.logFile = path.join(appDataDir, 'logs', 'app.log')
    this.dynoDir = path.join(appDataDir, 'dynos')
  }

  async appFacts(): Promise<AppFacts> {
    return {maintenance: false}
  }

  async createDyno(request: DynoRequest): Promise<DynoInfo> {
    await mkdir(path.dirname(this.logFile), {recursive: true})
    await mkdir(this.dynoDir, {recursive: true})
    await this.rotateLog()
    const type = request.type ?? 'run'
    const name = `${type}.${randomInt(1000, 10_000)}`
    const procfile = this.file('Procfile')
    const command = resolveProcfile(request.command, procfile === null ? {} : parseProcfile(procfile))
    const dotenv = this.file('.env')
    const user = `${userInfo().username}@localhost`
    const spec: LocalDynoSpec = {
      command,
      createdAt: new Date().toISOString(),
      cwd: this.appDir,
      dynoDir: this.dynoDir,
      env: {...process.env as Record<string, string>, ...(dotenv === null ? {} : parseDotenv(dotenv)), ...request.env, DYNO: name, PORT: '5000'},
      id: randomUUID(),
      logFile: this.logFile,
      name,
      requested: request.command,
      size: request.size ?? null,
      stopGraceMs: this.stopGraceMs,
      timeToLive: request.timeToLive ?? 86_400,
      type,
      user,
    }
    writeLine(this.logFile, 'app', 'api', `Starting process with command \`${request.command}\` by user ${user}`)
    const program = path.join(HERE, TS ? 'local-dyno.ts' : 'local-dyno.js')
    const child = spawn(process.execPath, [...(TS ? ['--import', 'tsx'] : []), program, JSON.stringify(spec)], {detached: true, stdio: 'ignore'})
    child.unref()
    return {command, createdAt: spec.createdAt, id: spec.id, name, size: spec.size, state: 'starting', type}
  }

  async listDynos(): Promise<DynoInfo[]> {
    let files: string[]
    try {
      files = await readdir(this.dynoDir)
    } catch {
      return []
    }

    const dynos: DynoInfo[] = []
    for (const file of files.filter(f => f.endsWith('.json'))) {
      try {
        const info = JSON.parse(await readFile(path.join(this.dynoDir, file), 'utf8')) as DynoInfo & {supervisor: number}
        process.kill(info.supervisor, 0) // a supervisor that is gone leaves no dyno behind
        dynos.push({command: info.command, createdAt: info.createdAt, id: info.id, name: info.name, size: info.size, state: info.state, type: info.type})
      } catch {}
    }

    return dynos
  }

  async stopDyno(nameOrId: string): Promise<void> {
    for (const file of await readdir(this.dynoDir).catch(() => [] as string[])) {
      try {
        const info = JSON.parse(await readFile(path.join(this.dynoDir, file), 'utf8')) as {id: string; name: string; supervisor: number}
        if (info.name === nameOrId || info.id === nameOrId) {
          process.kill(info.supervisor, 'SIGTERM')
          return
        }
      } catch {}
    }

    throw new NotFoundError(`no running dyno ${nameOrId} on this machine`)
  }

  async * logLines(request: LogRequest, signal: AbortSignal): AsyncIterable<string> {
    await mkdir(path.dirname(this.logFile), {recursive: true})
    const keep = (line: string) => request.dyno === undefined || matchesDyno(line, request.dyno)
    // the backlog: the last lines, read from the end, so a long log costs no more than a short one
    let offset = await stat(this.logFile).then(s => s.size, () => 0)
    const backlog: string[] = []
    const wanted = Math.min(request.lines, 1500)
    if (wanted > 0) {
      for await (const line of readBackwards(this.logFile)) {
        if (line !== '' && keep(line)) backlog.push(line)
        if (backlog.length >= wanted) break
      }
    }

    for (const line of backlog.reverse()) yield line
    if (!request.tail) return
    let carry = ''
    while (!signal.aborted) {
      const size = await stat(this.logFile).then(s => s.size, () => 0)
      if (size < offset) offset = 0 // the log was rotated
      if (size > offset) {
        const handle = await open(this.logFile, 'r')
        const buffer = Buffer.alloc(size - offset)
        await handle.read(buffer, 0, buffer.length, offset)
        await handle.close()
        offset = size
        const parts = (carry + buffer.toString()).split('\n')
        carry = parts.pop() ?? ''
        for (const line of parts) if (line !== '' && keep(line)) yield line
        continue
      }

      await sleep(200, signal)
    }
  }

  /** Keeps the local log bounded: past 64 MB it moves to app.log.1 (replacing the older one). */
  private async rotateLog(): Promise<void> {
    const size = await stat(this.logFile).then(s => s.size, () => 0)
    if (size > LOG_ROTATE_BYTES) await rename(this.logFile, `${this.logFile}.1`).catch(() => {})
  }

  private file(name: string): null | string {
    const file = path.join(this.appDir, name)
    return existsSync(file) ? readFileSync(file, 'utf8') : null
  }
}

/** Logplex's rule: a dyno filter matches that dyno exactly, or a process type followed by a dot. */
export function matchesDyno(line: string, dyno: string): boolean {
  const open = line.indexOf('[')
  const close = line.indexOf(']:', open)
  if (open === -1 || close === -1) return false
  const ps = line.slice(open + 1, close)
  return ps === dyno || ps.startsWith(`${dyno}.`)
}
