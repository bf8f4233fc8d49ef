import type {Emulator, EmulatorOptions} from './types.js'

// A local emulator of the Heroku Platform API, its log stream and Heroku Scheduler's jobs API.
// Start it in-process with startEmulator(); point clients at emulator.url (HEROKU_HOST and
// HEROKU_PARTICLEBOARD_URL) with emulator.apiKey (HEROKU_API_KEY).
import {EmulatorServer} from './server.js'

export {formatTimestamp} from './log.js'
export {DEFAULT_API_KEY} from './server.js'
export {DYNO_SIZES} from './sizes.js'

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new EmulatorServer(options)
  await emulator.listen(options.port ?? 0)
  return emulator
}

export type {
  AppSpec,
  DynoLogState,
  EmulatedApp,
  EmulatedDyno,
  Emulator,
  EmulatorOptions,
  Faults,
  RecordedRequest,
  Release,
  SchedulerJob,
  SchedulerJobSpec,
  SizeTier,
} from './types.js'
