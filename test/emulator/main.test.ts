// The standalone emulator (npm run emulator): prints its URL and the env lines, serves the demo
// app, and stops on SIGTERM.
import {expect} from 'chai'
import {spawn} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts')

describe('emulator: standalone main.ts', () => {
  it('starts with example-app, prints HEROKU_HOST/HEROKU_API_KEY/HEROKU_PARTICLEBOARD_URL, and stops on SIGTERM', async function () {
    this.timeout(30_000)
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0'], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.on('data', chunk => {
      out += chunk
    })
    const exited = new Promise<null | number>(resolve => {
      child.on('exit', code => resolve(code))
    })
    try {
      const deadline = Date.now() + 20_000
      while (!/HEROKU_PARTICLEBOARD_URL=\S+/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no env line printed:\n${out}`)
        await new Promise(resolve => setTimeout(resolve, 50))
      }

      const host = /HEROKU_HOST=(\S+)/.exec(out)![1]
      const key = /HEROKU_API_KEY=(\S+)/.exec(out)![1]
      expect(out).to.contain(`Heroku Platform API emulator listening on ${host}`)
      expect(out).to.contain(`HEROKU_PARTICLEBOARD_URL=${host}`)
      const headers = {Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${key}`}
      const app = (await (await fetch(`${host}/apps/example-app`, {headers})).json()) as {id: string; name: string}
      expect(app.name).to.equal('example-app')
      const jobs = (await (await fetch(`${host}/apps/${app.id}/jobs`, {headers: {...headers, Accept: 'application/vnd.api+json'}})).json()) as {data: unknown[]}
      expect(jobs.data.length).to.be.at.least(1)
      const config = (await (await fetch(`${host}/apps/example-app/config-vars`, {headers})).json()) as Record<string, string>
      expect(Object.keys(config).length).to.be.at.least(2)
      child.kill('SIGTERM')
      expect(await exited).to.equal(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
