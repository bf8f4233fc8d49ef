// The three stores behind the one interface, as the contract suites open them: the file store, the
// config-var store (against the emulator) and the Postgres store (a real PostgreSQL server).
import {APIClient} from '@heroku-cli/command'
import {Config} from '@oclif/core'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {Store} from '../../src/store/store.js'

import {HerokuPlatform} from '../../src/platform/heroku.js'
import {openStore} from '../../src/store/open.js'
import {type Emulator, startEmulator} from '../emulator/index.js'
import {ROOT} from './cli.js'
import {testDatabase} from './postgres.js'

export interface StoreMaker {
  name: 'config-var' | 'file' | 'postgres'
  /** a store for `app`; the same app twice is the same stored data */
  open(app: string): Promise<Store>
  /** before the suite: the emulator or the database it needs */
  setup?(): Promise<void>
  teardown?(): Promise<void>
}

const dataDir = () => mkdtempSync(path.join(tmpdir(), 'store-'))

/** Fresh makers for one suite (each keeps its own emulator or database). */
export function storeMakers(): StoreMaker[] {
  let emulator: Emulator
  let databaseUrl = ''
  return [
    {name: 'file', open: async app => openStore({app, appDataDir: dataDir(), env: {}, platform: null})},
    {
      name: 'config-var',
      async open(app) {
        emulator.createApp({configVars: {HEROKU_TRIGGERS: ''}, name: app})
        const client = new APIClient(await Config.load(ROOT))
        return openStore({app, appDataDir: dataDir(), env: {}, platform: new HerokuPlatform(client, app)})
      },
      async setup() {
        emulator = await startEmulator()
        process.env.HEROKU_HOST = emulator.url
        process.env.HEROKU_API_KEY = emulator.apiKey
        process.env.HEROKU_TRIGGERS_VERIFY_DELAY_MS = '20'
      },
      async teardown() {
        await emulator.stop()
        delete process.env.HEROKU_HOST
      },
    },
    {
      name: 'postgres',
      open: async app => openStore({app, appDataDir: dataDir(), env: {HEROKU_TRIGGERS_DATABASE_URL: databaseUrl}, platform: null}),
      async setup() {
        databaseUrl = await testDatabase()
      },
    },
  ]
}
