// This machine as a platform, loaded on first use: most --local commands (triggers, create...)
// never run a dyno, and the local runner costs about 100 ms to import.
import type {LocalPlatform} from './local.js'
import type {AppFacts, DynoInfo, DynoRequest, LogRequest, RunPlatform} from './types.js'

export class LazyLocalPlatform implements RunPlatform {
  readonly app = 'local'
  readonly local = true
  private loaded: null | Promise<LocalPlatform> = null

  constructor(private readonly projectDir: string, private readonly appDataDir: string) {}

  async appFacts(): Promise<AppFacts> {
    return (await this.platform()).appFacts()
  }

  async createDyno(request: DynoRequest): Promise<DynoInfo> {
    return (await this.platform()).createDyno(request)
  }

  async listDynos(): Promise<DynoInfo[]> {
    return (await this.platform()).listDynos()
  }

  async * logLines(request: LogRequest, signal: AbortSignal): AsyncIterable<string> {
    yield * (await this.platform()).logLines(request, signal)
  }

  async stopDyno(nameOrId: string): Promise<void> {
    return (await this.platform()).stopDyno(nameOrId)
  }

  private platform(): Promise<LocalPlatform> {
    this.loaded ??= import('./local.js').then(({LocalPlatform}) => new LocalPlatform(this.projectDir, this.appDataDir))
    return this.loaded
  }
}
