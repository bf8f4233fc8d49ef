// Standalone emulator: `npm run emulator -- [--port N]` (node --import tsx test/emulator/main.ts).
// Starts with a demo app, example-app, and prints the environment to point the heroku CLI at it.
import {startEmulator} from './index.js'

function portArgument(argv: string[]): number {
  const index = argv.findIndex(a => a === '--port' || a.startsWith('--port='))
  if (index === -1) return Number(process.env.PORT ?? 0) || 0
  const value = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1]
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--port wants a port number, not ${value}`)
    process.exit(2)
  }

  return port
}

const emulator = await startEmulator({port: portArgument(process.argv.slice(2))})
const app = emulator.createApp({
  configVars: {DATABASE_URL: 'postgres://user:secret@localhost:5432/example', LANG: 'en_US.UTF-8', NODE_ENV: 'production', REPORT_RECIPIENT: 'ops@example.com'},
  formation: {web: 1, worker: 1},
  name: 'example-app',
  procfile: {release: 'echo running migrations', web: 'node server.js', worker: 'node worker.js'},
  schedulerJobs: [
    {at: 0, command: 'echo every ten minutes', dynoSize: 'Basic', every: 10},
    {at: 30, command: 'bin/hourly-sync', dynoSize: 'Standard-1X', every: 60},
    {at: 120, command: 'bin/nightly-report --full', dynoSize: 'Standard-2X', every: 1440},
  ],
  sizeTier: 'standard',
})

console.log(`Heroku Platform API emulator listening on ${emulator.url}`)
console.log(`demo app: ${app.name} (id ${app.id})`)
console.log('point the heroku CLI at it with:')
console.log(`  export HEROKU_HOST=${emulator.url} HEROKU_API_KEY=${emulator.apiKey} HEROKU_PARTICLEBOARD_URL=${emulator.url}`)
console.log('  export HEROKU_SKIP_NEW_VERSION_CHECK=true HEROKU_DISABLE_AUTOUPDATE=true DISABLE_TELEMETRY=true')
console.log(`  heroku config -a ${app.name}`)

let stopping = false
const shutdown = async (signal: string): Promise<void> => {
  if (stopping) return
  stopping = true
  console.log(`${signal}: stopping`)
  await emulator.stop()
  process.exit(0)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    shutdown(signal).catch(error => {
      console.error(error)
      process.exit(1)
    })
  })
}
